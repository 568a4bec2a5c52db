import rules

from accounts.rules import add_staff_model_perms, is_applicant, is_org_admin, is_staff_member


@rules.predicate
def is_published_campaign(user, campaign):
    return campaign is not None and campaign.is_published


rules.add_perm("cases.view_campaign", is_published_campaign | is_staff_member)
rules.add_perm("cases.apply", is_applicant)
rules.add_perm("cases.recommend", is_org_admin)
add_staff_model_perms("cases", "campaign", actions=("add", "change", "delete"))

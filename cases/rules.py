"""Who may do what with campaigns and applications. One predicate per idea; the detail page,
its photos, attachments and Word export all use `cases.view_application`."""

import rules

from accounts.rules import add_staff_model_perms, is_applicant, is_org_admin, is_staff_member
from accounts.selectors import user_roles


@rules.predicate
def is_published_campaign(user, campaign):
    return campaign is not None and campaign.is_published


@rules.predicate
def is_owner(user, application):
    return application is not None and user.is_authenticated and application.applicant_id == user.pk


@rules.predicate
def is_admin_of_its_organisation(user, application):
    """An admin of the application's organisation."""
    return application is not None and application.organisation_id in user_roles(user).admin_org_ids


@rules.predicate
def is_past_draft(user, application):
    return application is not None and application.status not in (
        application.Status.DRAFT,
        application.Status.WITHDRAWN,
    )


rules.add_perm("cases.view_campaign", is_published_campaign | is_staff_member)
rules.add_perm("cases.apply", is_applicant)
rules.add_perm("cases.recommend", is_org_admin)
# Drafts (and withdrawn applications) are the applicant's alone.
rules.add_perm("cases.view_application", is_owner | (is_past_draft & (is_admin_of_its_organisation | is_staff_member)))
rules.add_perm("cases.edit_application", is_owner)  # the editor sends a locked one to its detail page
rules.add_perm("cases.withdraw_application", is_owner)
rules.add_perm("cases.recommend_application", is_past_draft & is_admin_of_its_organisation)
rules.add_perm("cases.list_applications", is_staff_member)
rules.add_perm("cases.export_campaign", is_staff_member)
rules.add_perm("cases.view_case_export", is_staff_member)
rules.add_perm("cases.edit_campaign_form", is_staff_member)  # 申报表单: staff, until the first submission
# A campaign's 申报材料 and 申报资格 pages.
rules.add_perm("cases.configure_campaign", is_staff_member)
add_staff_model_perms("cases", "campaign", actions=("add", "change", "delete"))

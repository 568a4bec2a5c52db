"""Who may do what with the publicity list, objections, results and certificates."""

import rules

from accounts.rules import add_staff_model_perms, is_applicant, is_staff_member


@rules.predicate
def is_published_campaign(user, campaign):
    return campaign is not None and campaign.is_published


@rules.predicate
def results_are_published(user, campaign):
    publicity = getattr(campaign, "publicity", None) if campaign is not None else None
    return bool(publicity and publicity.results_published_at)


@rules.predicate
def is_own_certificate(user, certificate):
    """The holder's own certificate of an active award whose results are published."""
    if certificate is None or not user.is_authenticated:
        return False
    award = certificate.award
    return (
        award.application.applicant_id == user.pk
        and award.status == award.Status.ACTIVE
        and results_are_published(user, certificate.campaign)
    )


# Public pages: the list is public for published campaigns (the view shows "not yet" before the window).
rules.add_perm("awards.read_publicity", is_published_campaign | is_staff_member)
rules.add_perm("awards.read_results", (is_published_campaign & results_are_published) | is_staff_member)
rules.add_perm("awards.view_my_results", is_applicant)
rules.add_perm("awards.download_certificate", is_own_certificate | is_staff_member)
rules.add_perm("awards.manage", is_staff_member)
add_staff_model_perms(
    "awards",
    "award",
    "publicity",
    "objection",
    "objectionnote",
    "certificatetemplate",
    "certificate",
    "specialprize",
    actions=("view",),
)

from tests.permission_table import FORBIDDEN, LOGIN, NOT_FOUND, OK, public, row


def build(world):
    from cases.tests.factories import CampaignFactory

    world.campaign = CampaignFactory(festival=getattr(world, "festival", None))
    world.campaign_draft = CampaignFactory(is_published=False)


ROWS = {
    "cases:campaign_list": public(),
    "cases:campaign_detail": public(kwargs=lambda w: {"slug": w.campaign.slug}),
    "cases:campaign_detail#draft": row(
        anonymous=NOT_FOUND,
        applicant_a=NOT_FOUND,
        applicant_b=NOT_FOUND,
        org_admin=NOT_FOUND,
        reviewer=NOT_FOUND,
        staff=OK,
        kwargs=lambda w: {"slug": w.campaign_draft.slug},
    ),
    # The organisation admin is a member of org A too, so files cases of their own.
    "cases:dashboard": row(
        anonymous=LOGIN, applicant_a=OK, applicant_b=OK, org_admin=OK, reviewer=FORBIDDEN, staff=FORBIDDEN
    ),
    "cases:organisation_applications": row(
        anonymous=LOGIN, applicant_a=FORBIDDEN, applicant_b=FORBIDDEN, org_admin=OK, reviewer=FORBIDDEN, staff=FORBIDDEN
    ),
}

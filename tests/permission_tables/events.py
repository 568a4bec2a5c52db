from tests.permission_table import NOT_FOUND, OK, public, row


def build(world):
    from events.models import Festival
    from events.tests.factories import FestivalFactory

    world.festival = FestivalFactory()
    world.festival_draft = FestivalFactory(status=Festival.Status.DRAFT)


ROWS = {
    "home": public(),
    "events:festival_list": public(),
    "events:festival_detail": public(kwargs=lambda w: {"slug": w.festival.slug}),
    # Drafts are invisible to everyone but staff.
    "events:festival_detail#draft": row(
        anonymous=NOT_FOUND,
        applicant_a=NOT_FOUND,
        applicant_b=NOT_FOUND,
        org_admin=NOT_FOUND,
        reviewer=NOT_FOUND,
        staff=OK,
        kwargs=lambda w: {"slug": w.festival_draft.slug},
    ),
}

from tests.permission_table import LOGIN, NOT_FOUND, OK, REDIRECT, any_user, public, row, staff_only


def build(world):
    from django.core.files.base import ContentFile

    from events.models import Activity, ActivityReport, Festival
    from events.tests.factories import (
        ActivityFactory,
        ActivityReportFactory,
        ActivityUnitFactory,
        FestivalFactory,
        ReportPhotoFactory,
        photo_bytes,
    )

    cast = world.cast
    world.festival = FestivalFactory(cover=ContentFile(photo_bytes(min_kb=1, size=(64, 48)), name="cover.jpg"))
    world.festival_draft = FestivalFactory(status=Festival.Status.DRAFT)
    # An activity run by org_a (applicant_a and org_admin are its users) and org_b's own activity.
    world.activity = ActivityFactory(festival=world.festival)
    ActivityUnitFactory(activity=world.activity, organisation=cast.org_a)
    world.activity_b = ActivityFactory(festival=world.festival)
    ActivityUnitFactory(activity=world.activity_b, organisation=cast.org_b)
    world.activity_draft = ActivityFactory(festival=world.festival, status=Activity.Status.DRAFT)
    ActivityUnitFactory(activity=world.activity_draft, organisation=cast.org_a)
    world.report_a = ActivityReportFactory(
        activity=world.activity, organisation=cast.org_a, submitted_by=cast.applicant_a
    )
    world.photo_a = ReportPhotoFactory(report=world.report_a)
    world.report_b = ActivityReportFactory(
        activity=world.activity_b,
        organisation=cast.org_b,
        submitted_by=cast.applicant_b,
        status=ActivityReport.Status.RETURNED,
        return_reason="照片不清晰",
    )
    world.report_accepted = ActivityReportFactory(
        activity=world.activity_b,
        organisation=cast.org_b,
        submitted_by=cast.applicant_b,
        status=ActivityReport.Status.ACCEPTED,
    )
    world.photo_accepted = ReportPhotoFactory(report=world.report_accepted)


def draft_only_staff(**kw):
    """Drafts are invisible to everyone but staff: 404, as if they did not exist."""
    return row(
        anonymous=NOT_FOUND,
        applicant_a=NOT_FOUND,
        applicant_b=NOT_FOUND,
        org_admin=NOT_FOUND,
        reviewer=NOT_FOUND,
        staff=OK,
        **kw,
    )


def org_a_users_and_staff(**kw):
    """An unaccepted report of org_a: its own users and staff; to others it does not exist."""
    return row(
        anonymous=NOT_FOUND,
        applicant_a=OK,
        applicant_b=NOT_FOUND,
        org_admin=OK,
        reviewer=NOT_FOUND,
        staff=OK,
        **kw,
    )


ROWS = {
    "home": public(),
    "events:festival_list": public(),
    "events:festival_detail": public(kwargs=lambda w: {"slug": w.festival.slug}),
    "events:festival_detail#draft": draft_only_staff(kwargs=lambda w: {"slug": w.festival_draft.slug}),
    "events:festival_ics": public(kwargs=lambda w: {"slug": w.festival.slug}),
    "events:festival_ics#draft": draft_only_staff(kwargs=lambda w: {"slug": w.festival_draft.slug}),
    "events:festival_banner": public(kwargs=lambda w: {"slug": w.festival.slug}),
    "events:festival_banner#draft": draft_only_staff(kwargs=lambda w: {"slug": w.festival_draft.slug}),
    "events:festival_cover": public(kwargs=lambda w: {"slug": w.festival.slug}),
    "events:calendar": public(),
    "events:activity_list": public(),
    "events:activity_detail": public(kwargs=lambda w: {"pk": w.activity.pk}),
    "events:activity_detail#draft": draft_only_staff(kwargs=lambda w: {"pk": w.activity_draft.pk}),
    "events:activity_ics": public(kwargs=lambda w: {"pk": w.activity.pk}),
    "events:activity_ics#draft": draft_only_staff(kwargs=lambda w: {"pk": w.activity_draft.pk}),
    # Only users of the activity's organising units file its report; staff decide, they do not file.
    "events:report_create": row(
        anonymous=LOGIN,
        applicant_a=OK,
        applicant_b=NOT_FOUND,
        org_admin=OK,
        reviewer=NOT_FOUND,
        staff=NOT_FOUND,
        kwargs=lambda w: {"pk": w.activity.pk},
    ),
    "events:report_create#draft-activity": row(
        anonymous=LOGIN,
        applicant_a=NOT_FOUND,
        applicant_b=NOT_FOUND,
        org_admin=NOT_FOUND,
        reviewer=NOT_FOUND,
        staff=NOT_FOUND,
        kwargs=lambda w: {"pk": w.activity_draft.pk},
    ),
    "events:report_detail": org_a_users_and_staff(kwargs=lambda w: {"pk": w.report_a.pk}),
    "events:report_detail#accepted": public(kwargs=lambda w: {"pk": w.report_accepted.pk}),
    # A unit user edits only its own unit's reports, and only until accepted.
    "events:report_update": row(
        anonymous=LOGIN,
        applicant_a=OK,
        applicant_b=NOT_FOUND,
        org_admin=OK,
        reviewer=NOT_FOUND,
        staff=NOT_FOUND,
        kwargs=lambda w: {"pk": w.report_a.pk},
    ),
    "events:report_update#other-unit-returned": row(
        anonymous=LOGIN,
        applicant_a=NOT_FOUND,
        applicant_b=OK,
        org_admin=NOT_FOUND,
        reviewer=NOT_FOUND,
        staff=NOT_FOUND,
        kwargs=lambda w: {"pk": w.report_b.pk},
    ),
    "events:report_update#accepted": row(
        anonymous=LOGIN,
        applicant_a=NOT_FOUND,
        applicant_b=NOT_FOUND,
        org_admin=NOT_FOUND,
        reviewer=NOT_FOUND,
        staff=NOT_FOUND,
        kwargs=lambda w: {"pk": w.report_accepted.pk},
    ),
    # An empty decision is refused with a message and a redirect back; nothing changes.
    "events:report_decide": row(
        anonymous=LOGIN,
        applicant_a=NOT_FOUND,
        applicant_b=NOT_FOUND,
        org_admin=NOT_FOUND,
        reviewer=NOT_FOUND,
        staff=REDIRECT,
        method="post",
        kwargs=lambda w: {"pk": w.report_a.pk},
    ),
    "events:report_queue": staff_only(),
    # A festival's organising units: staff import them once and add them to activities (a POST without an
    # activity is answered with a message and the page).
    "events:festival_units": staff_only(kwargs=lambda w: {"slug": w.festival.slug}),
    "events:festival_units#post": staff_only(ok=REDIRECT, method="post", kwargs=lambda w: {"slug": w.festival.slug}),
    "events:festival_units_import": staff_only(kwargs=lambda w: {"slug": w.festival.slug}),
    "events:festival_units_import#post": staff_only(ok=400, method="post", kwargs=lambda w: {"slug": w.festival.slug}),
    "events:festival_units_template": staff_only(kwargs=lambda w: {"slug": w.festival.slug}),
    "events:festival_units_export": staff_only(kwargs=lambda w: {"slug": w.festival.slug}),
    "events:my_reports": any_user(),
    "events:report_photo": org_a_users_and_staff(kwargs=lambda w: {"pk": w.photo_a.pk, "size": "thumb"}),
    "events:report_photo#full": org_a_users_and_staff(kwargs=lambda w: {"pk": w.photo_a.pk, "size": "full"}),
    "events:report_photo#accepted": public(kwargs=lambda w: {"pk": w.photo_accepted.pk, "size": "thumb"}),
}

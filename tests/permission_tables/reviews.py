from tests.permission_table import FORBIDDEN, LOGIN, NOT_FOUND, OK, REDIRECT, public, row, staff_only


def build(world):
    """A campaign in its review window with one case of org A: `reviewer` is assigned, `reviewer_conflicted`
    works at org A (conflict recorded, and a stale assignment that must not help), `reviewer_unassigned`
    has nothing; a second case nobody in the cast reviews; a case waiting for the formal check."""
    from django.core.files.base import ContentFile
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cases.models import Application, CaseAttachment, CasePhoto
    from cases.tests.blind_files import blank_pdf_bytes
    from reviews.models import Conflict
    from reviews.tests.factories import (
        ApplicationFactory,
        AssignmentFactory,
        CriterionFactory,
        ReviewerProfileFactory,
        ReviewFactory,
        jpeg_bytes,
        review_window_campaign,
    )

    cast = world.cast
    world.review_campaign = review_window_campaign(slug="review-window")
    world.review_app = ApplicationFactory(
        campaign=world.review_campaign, applicant=cast.applicant_a, organisation=cast.org_a
    )
    world.review_app_other = ApplicationFactory(
        campaign=world.review_campaign, applicant=cast.applicant_b, organisation=cast.org_b
    )
    world.formal_app = ApplicationFactory(
        campaign=world.review_campaign,
        applicant=cast.applicant_b,
        organisation=cast.org_b,
        status=Application.Status.RECOMMENDED,
    )
    ReviewerProfileFactory(user=cast.reviewer, organisation="昆山市社会工作协会")
    ReviewerProfileFactory(user=cast.reviewer_conflicted, organisation=cast.org_a.name)
    world.assignment = AssignmentFactory(application=world.review_app, reviewer=cast.reviewer)
    AssignmentFactory(application=world.review_app, reviewer=cast.reviewer_conflicted)
    Conflict.objects.create(
        application=world.review_app,
        reviewer=cast.reviewer_conflicted,
        source=Conflict.Source.ORGANISATION,
        reason="同一单位",
    )
    from reviews.models import ConflictFlag

    # A 疑似回避: staff's POST without a decision is answered with a message and the assignment page.
    world.conflict_flag = ConflictFlag.objects.create(
        application=world.review_app_other,
        reviewer=cast.reviewer_unassigned,
        reviewer_unit="阳光社工服务中心",
        applicant_unit="昆山市阳光社会工作服务中心",
    )
    other = AssignmentFactory(application=world.review_app_other, reviewer=cast.reviewer_unassigned)
    world.review_other = ReviewFactory(assignment=other)
    world.assignment_removable = AssignmentFactory(application=world.review_app_other)
    world.criterion = CriterionFactory(campaign=world.review_campaign)
    from reviews.models import RubricPart

    world.rubric_part = RubricPart.objects.create(campaign=world.review_campaign, name="站点部分")
    world.photo = CasePhoto.objects.create(
        application=world.review_app,
        caption="小组活动",
        image=SimpleUploadedFile("p.jpg", jpeg_bytes(), content_type="image/jpeg"),
    )
    world.attachment = CaseAttachment(
        application=world.review_app, original_name="案例全文.pdf", content_type="application/pdf", size=20
    )
    # A real PDF: a blind reviewer gets its blind copy (a file that does not parse would be withheld).
    world.attachment.file.save("a.pdf", ContentFile(blank_pdf_bytes()), save=True)
    # A finished score sheet (评分汇总表导出) with its file on disk.
    from reviews.models import ScoreSheetExport

    world.score_sheet = ScoreSheetExport.objects.create(
        campaign=world.review_campaign, requested_by=cast.staff, status=ScoreSheetExport.Status.DONE, total=1, done=1
    )
    world.score_sheet.file.save("sheet.xlsx", ContentFile(b"PK\x05\x06" + b"\x00" * 18))


def _slug(w):
    return {"slug": w.review_campaign.slug}


def _post_staff(kwargs):
    return staff_only(ok=REDIRECT, method="post", kwargs=kwargs)


# Applicants and organisation admins are not reviewers (403); a reviewer is refused a case they are not
# assigned to with 404, as if it did not exist. Staff read case files through these views too.
REVIEWER_ONLY = dict(anonymous=LOGIN, applicant_a=FORBIDDEN, applicant_b=FORBIDDEN, org_admin=FORBIDDEN)
CASE_FILE = dict(anonymous=LOGIN, applicant_a=NOT_FOUND, applicant_b=NOT_FOUND, org_admin=NOT_FOUND)

ROWS = {
    "reviews:queue": row(**REVIEWER_ONLY, reviewer=OK, staff=FORBIDDEN),
    "reviews:case": row(**REVIEWER_ONLY, reviewer=OK, staff=FORBIDDEN, kwargs=lambda w: {"pk": w.review_app.pk}),
    "reviews:case#not-assigned": row(
        **REVIEWER_ONLY, reviewer=NOT_FOUND, staff=FORBIDDEN, kwargs=lambda w: {"pk": w.review_app_other.pk}
    ),
    "reviews:case#not-accepted": row(
        **REVIEWER_ONLY, reviewer=NOT_FOUND, staff=FORBIDDEN, kwargs=lambda w: {"pk": w.formal_app.pk}
    ),
    # Without a reason the declaration is refused with a message and the reviewer goes back to the case.
    "reviews:conflict_declare": row(
        **REVIEWER_ONLY, reviewer=REDIRECT, staff=FORBIDDEN, method="post", kwargs=lambda w: {"pk": w.review_app.pk}
    ),
    "reviews:conflict_declare#not-assigned": row(
        **REVIEWER_ONLY,
        reviewer=NOT_FOUND,
        staff=FORBIDDEN,
        method="post",
        kwargs=lambda w: {"pk": w.review_app_other.pk},
    ),
    "reviews:case_docx": row(**REVIEWER_ONLY, reviewer=OK, staff=FORBIDDEN, kwargs=lambda w: {"pk": w.review_app.pk}),
    "reviews:case_docx#not-assigned": row(
        **REVIEWER_ONLY, reviewer=NOT_FOUND, staff=FORBIDDEN, kwargs=lambda w: {"pk": w.review_app_other.pk}
    ),
    "reviews:photo": row(**CASE_FILE, reviewer=OK, staff=OK, kwargs=lambda w: {"pk": w.photo.pk}),
    "reviews:attachment": row(**CASE_FILE, reviewer=OK, staff=OK, kwargs=lambda w: {"pk": w.attachment.pk}),
    # A spent or forged invitation link shows the "invalid link" page to anyone.
    "reviews:invitation_accept": public(kwargs=lambda w: {"uidb64": "MQ", "token": "spent-token"}),
    "reviews:manage": staff_only(),
    "reviews:formal_check": staff_only(kwargs=_slug),
    "reviews:formal_check_decide": _post_staff(lambda w: {"pk": w.formal_app.pk}),
    "reviews:pool": staff_only(kwargs=_slug),
    "reviews:panel_toggle": _post_staff(lambda w: {"slug": w.review_campaign.slug, "user_pk": w.cast.reviewer.pk}),
    "reviews:experts_import": staff_only(kwargs=_slug),
    "reviews:experts_import#post": staff_only(ok=400, method="post", kwargs=_slug),
    "reviews:experts_template": staff_only(kwargs=_slug),
    "reviews:experts_export": staff_only(method="post", kwargs=_slug),
    # The reviewer set a password long ago: refused with a message, back to the pool.
    "reviews:invitation_resend": _post_staff(lambda w: {"slug": w.review_campaign.slug, "user_pk": w.cast.reviewer.pk}),
    "reviews:conflict_flag_decide": _post_staff(lambda w: {"pk": w.conflict_flag.pk}),
    "reviews:rubric": staff_only(kwargs=_slug),
    "reviews:criterion_edit": staff_only(kwargs=lambda w: {"pk": w.criterion.pk}),
    # Staff's POST (asked before the superuser's) deleted the object: the superuser then finds none.
    "reviews:criterion_delete": staff_only(
        ok=REDIRECT, superuser=NOT_FOUND, method="post", kwargs=lambda w: {"pk": w.criterion.pk}
    ),
    # Without a direction the move is refused with a message and staff go back to the rubric.
    "reviews:criterion_move": _post_staff(lambda w: {"pk": w.criterion.pk}),
    # Without a name the change is refused with a message and staff go back to the rubric.
    "reviews:rubric_part_edit": _post_staff(lambda w: {"pk": w.rubric_part.pk}),
    "reviews:rubric_part_delete": staff_only(
        ok=REDIRECT, superuser=NOT_FOUND, method="post", kwargs=lambda w: {"pk": w.rubric_part.pk}
    ),
    "reviews:rubric_template": staff_only(),
    # The rubric as .xlsx: a POST like every export of a campaign (never a GET).
    "reviews:rubric_export": staff_only(method="post", kwargs=_slug),
    "reviews:rubric_import": staff_only(kwargs=_slug),
    # Without a signed preview the confirmation sends staff back to the upload.
    "reviews:rubric_import_confirm": _post_staff(_slug),
    "reviews:rollup": staff_only(kwargs=_slug),
    # Without a rubric the generation is refused with a message; staff land on the 申报材料 page either way.
    "reviews:evidence_slots_generate": _post_staff(_slug),
    "reviews:settings": staff_only(kwargs=_slug),
    "reviews:tiers": staff_only(kwargs=_slug),
    # Without the management form nothing is saved: the page is shown again with the message.
    "reviews:tiers#post": staff_only(method="post", kwargs=_slug),
    "reviews:assignments": staff_only(kwargs=_slug),
    "reviews:assign_auto": _post_staff(_slug),
    "reviews:reviewers_notify": _post_staff(_slug),
    "reviews:assignment_add": _post_staff(lambda w: {"pk": w.review_app.pk}),
    "reviews:assignment_remove": staff_only(
        ok=REDIRECT, superuser=NOT_FOUND, method="post", kwargs=lambda w: {"pk": w.assignment_removable.pk}
    ),
    "reviews:conflict_add": _post_staff(lambda w: {"pk": w.review_app.pk}),
    "reviews:review_reopen": _post_staff(lambda w: {"pk": w.review_other.pk}),
    "reviews:ranking": staff_only(kwargs=_slug),
    # The score sheet is a background job: the POST starts it (or returns the running one); its page, status
    # and download are staff's.
    "reviews:score_sheet": _post_staff(_slug),
    "reviews:score_sheet_detail": staff_only(kwargs=lambda w: {"pk": w.score_sheet.pk}),
    "reviews:score_sheet_status": staff_only(kwargs=lambda w: {"pk": w.score_sheet.pk}),
    "reviews:score_sheet_download": staff_only(kwargs=lambda w: {"pk": w.score_sheet.pk}),
    "reviews:tier_override": _post_staff(lambda w: {"pk": w.review_app.pk}),
    "reviews:decision_confirm": _post_staff(_slug),
}

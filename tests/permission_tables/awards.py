from tests.permission_table import FORBIDDEN, LOGIN, NOT_FOUND, OK, REDIRECT, public, row, staff_only


def build(world):
    """An open publicity window (org A's case on the list, one objection with evidence); a finished campaign
    with published results and a numbered certificate for applicant A; a draft campaign nobody may see."""
    from django.core.files.base import ContentFile

    from awards import services
    from awards.models import CertificateExport, ObjectionEvidence
    from awards.tests.factories import AwardFactory, ObjectionFactory, publicity_campaign, publish_results
    from reviews.tests.factories import ApplicationFactory, jpeg_bytes

    cast = world.cast
    world.pub_campaign = publicity_campaign(slug="publicity-open")
    app_a = ApplicationFactory(campaign=world.pub_campaign, applicant=cast.applicant_a, organisation=cast.org_a)
    world.pub_award = AwardFactory(campaign=world.pub_campaign, application=app_a, confirmed_by=cast.staff)
    world.objection = ObjectionFactory(award=world.pub_award)
    evidence = ObjectionEvidence(objection=world.objection, original_name="证据.jpg", content_type="image/jpeg")
    evidence.file.save("e.jpg", ContentFile(jpeg_bytes()), save=True)
    world.evidence = evidence

    world.done_campaign = publicity_campaign(slug="publicity-done", open_now=False)
    app_done = ApplicationFactory(campaign=world.done_campaign, applicant=cast.applicant_a, organisation=cast.org_a)
    world.done_award = AwardFactory(campaign=world.done_campaign, application=app_done, confirmed_by=cast.staff)
    publish_results(world.done_campaign, cast.staff)
    world.certificate = services.certificate_allocate(award=world.done_award)
    services.certificate_files_generate(campaign=world.done_campaign)
    world.export = CertificateExport.objects.create(campaign=world.done_campaign, requested_by=cast.staff)

    world.draft_campaign = publicity_campaign(slug="publicity-draft", is_published=False)

    # Special prizes (单项奖) of the review-window campaign (reviews' table), given before its publicity.
    from awards.models import Award, SpecialPrize

    world.prize = SpecialPrize.objects.create(campaign=world.review_campaign, name="项目创新奖", position=1)
    world.prize_other = SpecialPrize.objects.create(campaign=world.review_campaign, name="最佳服务奖", position=2)
    world.special_award = Award.objects.create(
        campaign=world.review_campaign,
        application=world.review_app,
        special_prize=world.prize_other,
        reason="服务模式可推广",
        rank=0,
        confirmed_by=cast.staff,
        confirmed_at=world.review_campaign.publicity_starts_at,
    )


def _pub(w):
    return {"slug": w.pub_campaign.slug}


def _done(w):
    return {"slug": w.done_campaign.slug}


def _post_staff(kwargs, data=None):
    return staff_only(ok=REDIRECT, method="post", kwargs=kwargs, data=data)


NOT_FOUND_TO_ALL = dict(
    anonymous=NOT_FOUND, applicant_a=NOT_FOUND, applicant_b=NOT_FOUND, org_admin=NOT_FOUND, reviewer=NOT_FOUND
)

ROWS = {
    "awards:publicity": public(kwargs=_pub),
    "awards:publicity#closed": public(kwargs=_done),
    # A campaign that is not published: 404 to everyone but staff.
    "awards:publicity#draft": row(**NOT_FOUND_TO_ALL, staff=OK, kwargs=lambda w: {"slug": w.draft_campaign.slug}),
    "awards:objection": public(kwargs=_pub),
    "awards:objection#closed": public(kwargs=_done),
    "awards:publicity_file": public(kwargs=lambda w: {"slug": w.pub_campaign.slug, "fmt": "docx"}),
    "awards:objection_receipt": public(kwargs=lambda w: {"tracking": w.objection.tracking_number}),
    "awards:objection_receipt#forged": row(
        **NOT_FOUND_TO_ALL, staff=NOT_FOUND, kwargs=lambda w: {"tracking": "YYFORGED0000"}
    ),
    "awards:results": public(kwargs=_done),
    # Before publication the results page does not exist for the public.
    "awards:results#unpublished": row(**NOT_FOUND_TO_ALL, staff=NOT_FOUND, kwargs=_pub),
    "awards:results_file": public(kwargs=lambda w: {"slug": w.done_campaign.slug, "fmt": "docx"}),
    "awards:my_results": row(
        anonymous=LOGIN, applicant_a=OK, applicant_b=OK, org_admin=OK, reviewer=FORBIDDEN, staff=FORBIDDEN
    ),
    # Only the holder (and staff) may download a certificate; anyone else gets 404 as if it did not exist.
    "awards:certificate_download": row(
        anonymous=LOGIN,
        applicant_a=OK,
        applicant_b=NOT_FOUND,
        org_admin=NOT_FOUND,
        reviewer=NOT_FOUND,
        staff=OK,
        kwargs=lambda w: {"pk": w.certificate.pk, "fmt": "docx"},
    ),
    "verify": public(kwargs=lambda w: {"code": w.certificate.code}),
    "verify#forged": row(**NOT_FOUND_TO_ALL, staff=NOT_FOUND, kwargs=lambda w: {"code": "forged-code"}),
    "awards:manage": staff_only(),
    "awards:campaign": staff_only(kwargs=_pub),
    "awards:import_decision": _post_staff(_pub),
    "awards:award_add": _post_staff(_pub),
    "awards:award_remove": _post_staff(lambda w: {"pk": w.pub_award.pk}),
    "awards:publicity_override": _post_staff(_pub),
    "awards:results_publish": _post_staff(_pub),
    "awards:template_save": _post_staff(_pub),
    "awards:export_start": _post_staff(_pub),
    "awards:export_status": staff_only(kwargs=lambda w: {"pk": w.export.pk}),
    # Not finished yet: the ZIP does not exist, so staff get 404; the others are refused first (403).
    "awards:export_download": row(
        anonymous=LOGIN,
        applicant_a=FORBIDDEN,
        applicant_b=FORBIDDEN,
        org_admin=FORBIDDEN,
        reviewer=FORBIDDEN,
        staff=NOT_FOUND,
        kwargs=lambda w: {"pk": w.export.pk},
    ),
    "awards:objection_list": staff_only(kwargs=_pub),
    "awards:objection_detail": staff_only(kwargs=lambda w: {"pk": w.objection.pk}),
    "awards:objection_assign": _post_staff(lambda w: {"pk": w.objection.pk}),
    "awards:objection_note": _post_staff(lambda w: {"pk": w.objection.pk}),
    "awards:objection_decide": _post_staff(lambda w: {"pk": w.objection.pk}),
    "awards:evidence": staff_only(kwargs=lambda w: {"pk": w.evidence.pk}),
    "awards:special_prizes": staff_only(kwargs=lambda w: {"slug": w.review_campaign.slug}),
    # Without the management form nothing is saved: the page is shown again with the message.
    "awards:special_prizes#post": staff_only(method="post", kwargs=lambda w: {"slug": w.review_campaign.slug}),
    # Staff's POST gives the prize; the superuser's (asked next) is refused beside the field: already given.
    "awards:special_prize_award": staff_only(
        ok=REDIRECT,
        superuser=400,
        method="post",
        kwargs=lambda w: {"pk": w.review_app.pk},
        data=lambda w: {"prize": w.prize.pk, "reason": "服务模式有创新"},
    ),
    # Staff's POST withdraws the prize (the award goes): the superuser then finds none.
    "awards:special_prize_withdraw": staff_only(
        ok=REDIRECT,
        superuser=NOT_FOUND,
        method="post",
        kwargs=lambda w: {"pk": w.special_award.pk},
        data=lambda w: {"reason": "经复核撤销"},
    ),
}

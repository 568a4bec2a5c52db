from tests.permission_table import FORBIDDEN, LOGIN, NOT_FOUND, OK, REDIRECT, public, row, staff_only


def build(world):
    from django.core.files.base import ContentFile

    from cases.models import Application, CaseExport
    from cases.tests.factories import ApplicationFactory, CampaignFactory, add_attachment, add_photo

    cast = world.cast
    world.campaign = CampaignFactory(festival=getattr(world, "festival", None))
    world.campaign_draft = CampaignFactory(is_published=False)
    # Applicant A's submitted application (org A), with a photo and an attachment.
    world.application_a = ApplicationFactory(
        campaign=world.campaign,
        applicant=cast.applicant_a,
        organisation=cast.org_a,
        status=Application.Status.SUBMITTED,
        reference="KS2026-9001",
    )
    world.case_photo_a = add_photo(world.application_a)
    world.case_attachment_a = add_attachment(world.application_a)
    # Applicant A's draft: only they see it (their organisation admin does not, yet).
    world.draft_a = ApplicationFactory(campaign=world.campaign, applicant=cast.applicant_a, organisation=cast.org_a)
    # A finished campaign export (评选活动申报导出) with its ZIP on disk.
    world.case_export = CaseExport.objects.create(
        campaign=world.campaign, requested_by=cast.staff, status=CaseExport.Status.DONE, total=1, done=1
    )
    world.case_export.file.save("export.zip", ContentFile(b"PK\x05\x06" + b"\x00" * 18))
    # A campaign whose application form is defined as data (申报表单), still editable: no submission yet.
    from cases.tests.factories import defined_campaign

    world.form_campaign = defined_campaign("project_call")


def _app(w):
    return {"pk": w.application_a.pk}


def _draft(w):
    return {"pk": w.draft_a.pk}


def owner_admin_staff(ok=OK, **kw):
    """Applicant A, the admin of org A and staff; everyone else 404 as if it did not exist."""
    return row(anonymous=LOGIN, applicant_a=ok, applicant_b=NOT_FOUND, org_admin=ok, reviewer=NOT_FOUND, staff=ok, **kw)


def owner_only(ok=OK, **kw):
    return row(
        anonymous=LOGIN,
        applicant_a=ok,
        applicant_b=NOT_FOUND,
        org_admin=NOT_FOUND,
        reviewer=NOT_FOUND,
        staff=NOT_FOUND,
        **kw,
    )


def _form(w):
    return {"slug": w.form_campaign.slug}


def _export(w):
    return {"pk": w.case_export.pk}


def staff_object(ok=OK, **kw):
    """Staff only; everyone else 404 as if the object did not exist."""
    return row(
        anonymous=LOGIN,
        applicant_a=NOT_FOUND,
        applicant_b=NOT_FOUND,
        org_admin=NOT_FOUND,
        reviewer=NOT_FOUND,
        staff=ok,
        **kw,
    )


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
    # Applicants (the org admin is a member of org A too) start a draft and land in the editor.
    "cases:application_start": row(
        anonymous=LOGIN,
        applicant_a=REDIRECT,
        applicant_b=REDIRECT,
        org_admin=REDIRECT,
        reviewer=REDIRECT,
        staff=REDIRECT,
        method="post",
        kwargs=lambda w: {"slug": w.campaign.slug},
    ),
    "cases:application_start#unpublished": row(
        anonymous=LOGIN,
        applicant_a=NOT_FOUND,
        applicant_b=NOT_FOUND,
        org_admin=NOT_FOUND,
        reviewer=NOT_FOUND,
        staff=REDIRECT,
        method="post",
        kwargs=lambda w: {"slug": w.campaign_draft.slug},
    ),
    # A campaign's ZIP of Word files: staff start the job (and land on its page), everyone else 404
    # like any object they may not see; the job's page, status and download likewise.
    "cases:campaign_export": staff_object(ok=REDIRECT, method="post", kwargs=lambda w: {"slug": w.campaign.slug}),
    "cases:case_export_detail": staff_object(kwargs=_export),
    "cases:case_export_status": staff_object(kwargs=_export),
    "cases:case_export_download": staff_object(kwargs=_export),
    # The organisation admin is a member of org A too, so files cases of their own.
    "cases:dashboard": row(
        anonymous=LOGIN, applicant_a=OK, applicant_b=OK, org_admin=OK, reviewer=FORBIDDEN, staff=FORBIDDEN
    ),
    "cases:organisation_applications": row(
        anonymous=LOGIN, applicant_a=FORBIDDEN, applicant_b=FORBIDDEN, org_admin=OK, reviewer=FORBIDDEN, staff=FORBIDDEN
    ),
    "cases:staff_applications": staff_only(),
    # 申报表单: staff edit a campaign's form; everyone else 404 as if the campaign's form did not exist.
    "cases:campaign_form": staff_object(kwargs=_form),
    "cases:campaign_form#official": staff_object(kwargs=lambda w: {"slug": w.campaign.slug}),
    "cases:campaign_form_field_add": staff_object(kwargs=_form),
    "cases:campaign_form_field_edit": staff_object(kwargs=lambda w: {**_form(w), "key": "title"}),
    # Staff remove (then the superuser finds it gone): both land back on the form page.
    "cases:campaign_form_field_remove": staff_object(
        ok=REDIRECT, method="post", kwargs=lambda w: {**_form(w), "key": "visit_count"}
    ),
    "cases:campaign_form_field_move": staff_object(
        ok=REDIRECT, method="post", kwargs=lambda w: {**_form(w), "key": "title"}, data=lambda w: {"direction": "down"}
    ),
    # Its sections: staff add, edit, move and remove (the superuser then finds the section gone: back to the form).
    "cases:campaign_form_section_add": staff_object(kwargs=_form),
    "cases:campaign_form_section_edit": staff_object(kwargs=lambda w: {**_form(w), "key": "project"}),
    "cases:campaign_form_section_remove": staff_object(
        ok=REDIRECT, method="post", kwargs=lambda w: {**_form(w), "key": "beneficiaries"}
    ),
    "cases:campaign_form_section_move": staff_object(
        ok=REDIRECT,
        method="post",
        kwargs=lambda w: {**_form(w), "key": "project"},
        data=lambda w: {"direction": "down"},
    ),
    # A campaign's 申报材料 and 申报资格 pages: staff only, reading and saving (an empty POST shows the page again).
    "cases:campaign_materials": staff_only(kwargs=lambda w: {"slug": w.campaign.slug}),
    "cases:campaign_materials#post": staff_only(method="post", kwargs=lambda w: {"slug": w.campaign.slug}),
    "cases:campaign_eligibility": staff_only(kwargs=lambda w: {"slug": w.campaign.slug}),
    "cases:campaign_eligibility#post": staff_only(method="post", kwargs=lambda w: {"slug": w.campaign.slug}),
    "cases:application_detail": owner_admin_staff(kwargs=_app),
    "cases:application_detail#draft": owner_only(kwargs=_draft),
    "cases:application_edit": owner_only(kwargs=_draft),
    # A submitted application is not editable: its owner is sent to the detail page.
    "cases:application_edit#submitted": owner_only(ok=REDIRECT, kwargs=_app),
    "cases:application_autosave": row(
        anonymous=401,
        applicant_a=409,  # no version posted: refused as stale, never saved over
        applicant_b=NOT_FOUND,
        org_admin=NOT_FOUND,
        reviewer=NOT_FOUND,
        staff=NOT_FOUND,
        method="post",
        kwargs=_draft,
    ),
    # The editor's privacy findings: its owner only, like the editor.
    "cases:application_findings": owner_only(kwargs=_draft),
    "cases:application_withdraw": owner_only(ok=REDIRECT, method="post", kwargs=_app),
    "cases:application_decide": row(
        anonymous=LOGIN,
        applicant_a=NOT_FOUND,
        applicant_b=NOT_FOUND,
        org_admin=OK,
        reviewer=NOT_FOUND,
        staff=NOT_FOUND,
        kwargs=_app,
    ),
    "cases:application_docx": owner_admin_staff(kwargs=_app),
    "cases:application_docx#draft": owner_only(kwargs=_draft),
    "cases:photo_file": owner_admin_staff(kwargs=lambda w: {"pk": w.application_a.pk, "photo_pk": w.case_photo_a.pk}),
    "cases:attachment_file": owner_admin_staff(
        kwargs=lambda w: {"pk": w.application_a.pk, "attachment_pk": w.case_attachment_a.pk}
    ),
    # No stamped scan yet: 404 for everyone who may see the application, and for everyone else.
    "cases:endorsement_scan": row(
        anonymous=LOGIN,
        applicant_a=NOT_FOUND,
        applicant_b=NOT_FOUND,
        org_admin=NOT_FOUND,
        reviewer=NOT_FOUND,
        staff=NOT_FOUND,
        kwargs=lambda w: {"pk": w.application_a.pk, "endorsement_pk": 999999},
    ),
}

from tests.permission_table import FORBIDDEN, LOGIN, NOT_FOUND, OK, REDIRECT, any_user, public, row, staff_only


def build(world):
    from accounts.models import Organisation
    from accounts.tests.factories import OrganisationFactory

    world.pending_org = OrganisationFactory(name="待审核机构", status=Organisation.Status.PENDING)
    # 机构资质 of organisation A, with one evidence scan.
    from django.core.files.base import ContentFile

    from accounts.models import OrganisationEvidence
    from accounts.tests.factories import OrganisationProfileFactory

    OrganisationProfileFactory(organisation=world.cast.org_a)
    world.evidence_a = OrganisationEvidence(
        organisation=world.cast.org_a,
        description="法人登记证书副本",
        original_name="证书.pdf",
        content_type="application/pdf",
    )
    world.evidence_a.file.save("e.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)


def _org_a(w):
    return {"pk": w.cast.org_a.pk}


def admin_and_staff(*, staff=OK, ok=OK, **kw):
    """Organisation A's admin (and staff); everyone else 404 as if it did not exist."""
    return row(
        anonymous=LOGIN,
        applicant_a=NOT_FOUND,
        applicant_b=NOT_FOUND,
        org_admin=ok,
        reviewer=NOT_FOUND,
        staff=staff,
        **kw,
    )


# Pages only a visitor needs answer the logged-in with a redirect home.
visitor_only = row(
    anonymous=OK, applicant_a=REDIRECT, applicant_b=REDIRECT, org_admin=REDIRECT, reviewer=REDIRECT, staff=REDIRECT
)

ROWS = {
    "accounts:login": visitor_only,
    "accounts:logout": row(
        anonymous=REDIRECT,
        applicant_a=REDIRECT,
        applicant_b=REDIRECT,
        org_admin=REDIRECT,
        reviewer=REDIRECT,
        staff=REDIRECT,
        method="post",
    ),
    "accounts:signup": visitor_only,
    # A wrong or used activation link sends everybody home with a message.
    "accounts:activate": row(
        anonymous=REDIRECT,
        applicant_a=REDIRECT,
        applicant_b=REDIRECT,
        org_admin=REDIRECT,
        reviewer=REDIRECT,
        staff=REDIRECT,
        kwargs=lambda w: {"uidb64": "MQ", "token": "bad-token"},
    ),
    "accounts:profile": any_user(),
    "accounts:password_change": any_user(),
    "accounts:password_reset": public(),
    "accounts:password_reset_done": public(),
    # An invalid token shows the "link expired" page to everybody.
    "accounts:password_reset_confirm": public(kwargs=lambda w: {"uidb64": "MQ", "token": "bad-token"}),
    "accounts:password_reset_complete": public(),
    # 机构资质: organisation A's admin keeps it, staff read it (a save from staff is refused), nobody else sees it.
    "accounts:organisation_profile": admin_and_staff(kwargs=_org_a),
    "accounts:organisation_profile#post": admin_and_staff(
        ok=OK, staff=FORBIDDEN, method="post", kwargs=_org_a, data=lambda w: {"full_time_staff": "x"}
    ),
    "accounts:organisation_evidence": admin_and_staff(
        kwargs=lambda w: {"pk": w.cast.org_a.pk, "evidence_pk": w.evidence_a.pk}
    ),
    "accounts:manage": staff_only(),
    "accounts:organisation_requests": staff_only(),
    "accounts:organisation_decide": staff_only(
        ok=REDIRECT, method="post", kwargs=lambda w: {"pk": w.pending_org.pk}, data=lambda w: {"approve": "0"}
    ),
    "accounts:audit_log": staff_only(),
    # Imports and exports of the organisation list: staff only. A POST without a file is answered 400 with the
    # message beside the field.
    "accounts:organisations_import": staff_only(),
    "accounts:organisations_import#post": staff_only(ok=400, method="post"),
    "accounts:organisations_template": staff_only(),
    "accounts:organisations_export": staff_only(),
}

__all__ = ["ROWS", "build", "FORBIDDEN", "LOGIN"]

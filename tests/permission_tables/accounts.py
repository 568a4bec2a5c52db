from tests.permission_table import FORBIDDEN, LOGIN, OK, REDIRECT, any_user, public, row, staff_only


def build(world):
    from accounts.models import Organisation
    from accounts.tests.factories import OrganisationFactory

    world.pending_org = OrganisationFactory(name="待审核机构", status=Organisation.Status.PENDING)


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

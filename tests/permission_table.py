"""The permission table: what every role gets from every URL of the portal.

Each app keeps its rows in tests/permission_tables/<app>.py:
  - `build(world)` adds the objects its URLs need to the shared `world`;
  - `ROWS` maps a URL name ("cases:application_detail") to a `Row`.
test_permission_table.py walks the URL resolver and fails for any URL without a row,
so a new URL cannot land without saying who may use it.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

ROLES = ("anonymous", "applicant_a", "applicant_b", "org_admin", "reviewer", "staff", "superuser")

LOGIN = "login"  # redirected to the login page (anonymous visitors)
OK = 200
REDIRECT = 302  # a redirect that is not to the login page (a form's success, a download)
FORBIDDEN = 403
NOT_FOUND = 404
NOT_ALLOWED = 405


@dataclass(frozen=True)
class Row:
    expect: dict  # role -> expected answer
    kwargs: Callable = field(default=lambda world: {})
    method: str = "get"
    data: Callable = field(default=lambda world: {})


def row(
    *,
    anonymous,
    applicant_a,
    applicant_b,
    org_admin,
    reviewer,
    staff,
    superuser=None,
    kwargs=None,
    method="get",
    data=None,
) -> Row:
    """One URL's expected answers; every role must be named, so none is forgotten.

    A superuser is staff with the admin's user management: unless a row says otherwise it
    gets exactly what staff get — never more (another applicant's draft stays 404)."""
    return Row(
        expect={
            "anonymous": anonymous,
            "applicant_a": applicant_a,
            "applicant_b": applicant_b,
            "org_admin": org_admin,
            "reviewer": reviewer,
            "staff": staff,
            "superuser": staff if superuser is None else superuser,
        },
        kwargs=kwargs or (lambda world: {}),
        method=method,
        data=data or (lambda world: {}),
    )


def public(**kw) -> Row:
    return row(anonymous=OK, applicant_a=OK, applicant_b=OK, org_admin=OK, reviewer=OK, staff=OK, **kw)


def any_user(**kw) -> Row:
    """Any logged-in user; anonymous visitors are sent to log in."""
    return row(anonymous=LOGIN, applicant_a=OK, applicant_b=OK, org_admin=OK, reviewer=OK, staff=OK, **kw)


def staff_only(*, ok=OK, **kw) -> Row:
    return row(
        anonymous=LOGIN,
        applicant_a=FORBIDDEN,
        applicant_b=FORBIDDEN,
        org_admin=FORBIDDEN,
        reviewer=FORBIDDEN,
        staff=ok,
        **kw,
    )

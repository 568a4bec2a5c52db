"""Reads about people: who is who in the portal."""

from dataclasses import dataclass, field

from django.db.models import QuerySet

from .models import AuditEvent, Membership, Organisation


@dataclass(frozen=True)
class Roles:
    """What one user is across the portal, worked out once per request."""

    authenticated: bool = False
    applicant: bool = False
    org_admin: bool = False
    reviewer: bool = False
    staff: bool = False
    superuser: bool = False
    member_org_ids: frozenset = field(default_factory=frozenset)
    admin_org_ids: frozenset = field(default_factory=frozenset)


ANONYMOUS_ROLES = Roles()


def user_roles(user) -> Roles:
    """The user's roles, cached on the user object for the rest of the request."""
    if user is None or not user.is_authenticated:
        return ANONYMOUS_ROLES
    cached = getattr(user, "_portal_roles", None)
    if cached is not None:
        return cached
    rows = list(
        Membership.objects.filter(user=user, organisation__status=Organisation.Status.APPROVED).values_list(
            "organisation_id", "role"
        )
    )
    member_ids = frozenset(org_id for org_id, _ in rows)
    admin_ids = frozenset(org_id for org_id, role in rows if role == Membership.Role.ADMIN)
    roles = Roles(
        authenticated=True,
        applicant=bool(member_ids),
        org_admin=bool(admin_ids),
        reviewer=user.is_reviewer,
        staff=user.is_staff,
        superuser=user.is_superuser,
        member_org_ids=member_ids,
        admin_org_ids=admin_ids,
    )
    user._portal_roles = roles
    return roles


def organisation_choices() -> QuerySet[Organisation]:
    return Organisation.objects.filter(status=Organisation.Status.APPROVED).order_by("name")


def organisations_pending() -> QuerySet[Organisation]:
    return (
        Organisation.objects.filter(status=Organisation.Status.PENDING)
        .select_related("requested_by")
        .order_by("created_at")
    )


def audit_events() -> QuerySet[AuditEvent]:
    return AuditEvent.objects.order_by("-created_at", "-id")

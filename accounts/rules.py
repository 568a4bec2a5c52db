"""Who may do what with people and organisations. Role predicates used by every app."""

import rules

from .selectors import user_roles


@rules.predicate
def is_applicant(user):
    return user_roles(user).applicant


@rules.predicate
def is_org_admin(user):
    return user_roles(user).org_admin


@rules.predicate
def is_reviewer(user):
    return user_roles(user).reviewer


@rules.predicate
def is_staff_member(user):
    return user_roles(user).staff or user_roles(user).superuser


@rules.predicate
def is_superuser(user):
    return user_roles(user).superuser


@rules.predicate
def is_privileged_account(user, target):
    """The target account is staff or superuser (None: no particular account is asked about)."""
    return target is not None and (target.is_staff or target.is_superuser)


@rules.predicate
def is_admin_of_organisation(user, organisation):
    """An admin (机构负责人) of this organisation."""
    return organisation is not None and organisation.pk in user_roles(user).admin_org_ids


def add_staff_model_perms(app_label: str, *models: str, actions=("view", "add", "change", "delete")) -> None:
    """Let staff manage these models in the admin: declared once per app, here.

    The app label itself is the module permission the admin asks before listing the app.
    """
    if not rules.perm_exists(app_label):
        rules.add_perm(app_label, is_staff_member)
    for model in models:
        for action in actions:
            rules.add_perm(f"{app_label}.{action}_{model}", is_staff_member)


rules.add_perm("accounts.manage_portal", is_staff_member)
rules.add_perm("accounts.view_auditevent", is_staff_member)
rules.add_perm("accounts.decide_organisation", is_staff_member)
rules.add_perm("accounts.import_organisations", is_staff_member)
# 机构资质: the organisation's admin keeps it; staff read it (the formal check shows it).
rules.add_perm("accounts.view_organisation_profile", is_admin_of_organisation | is_staff_member)
rules.add_perm("accounts.edit_organisation_profile", is_admin_of_organisation)
add_staff_model_perms("accounts", "organisation", "membership")
add_staff_model_perms("accounts", "organisationprofile", actions=("view",))
add_staff_model_perms("accounts", "user", actions=("view", "add"))
# Staff change applicants', organisation people's and reviewers' accounts; a staff or
# superuser account (its flags, password, permissions) only a superuser changes.
rules.add_perm("accounts.change_user", is_superuser | (is_staff_member & ~is_privileged_account))
# Staff read login attempts and unlock an account by deleting its attempt record.
add_staff_model_perms("axes", "accessattempt", actions=("view", "delete"))
add_staff_model_perms("axes", "accessfailurelog", "accesslog", actions=("view",))

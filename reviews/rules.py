"""Who may do what in the expert review. A reviewer sees a case only while assigned and not conflicted;
anything else about the case answers 404."""

import rules
from django.db.models import Exists

from accounts.rules import add_staff_model_perms, is_reviewer, is_staff_member

from .models import Assignment, Conflict


@rules.predicate
def is_assigned_reviewer(user, application):
    """Assigned to the case and not conflicted with it (checked per object, never cached across cases)."""
    if application is None or not user.is_authenticated:
        return False
    conflicted = Conflict.objects.filter(application=application, reviewer=user)
    return Assignment.objects.filter(application=application, reviewer=user).filter(~Exists(conflicted)).exists()


@rules.predicate
def is_own_assignment(user, assignment):
    return (
        assignment is not None
        and assignment.reviewer_id == user.pk
        and is_assigned_reviewer(user, assignment.application)
    )


@rules.predicate
def may_see_case_file(user, case_file):
    """A photo or attachment: its case's assigned reviewers, and staff."""
    return case_file is not None and (is_staff_member(user) or is_assigned_reviewer(user, case_file.application))


rules.add_perm("reviews.review", is_reviewer)
rules.add_perm("reviews.review_case", is_reviewer & is_assigned_reviewer)
rules.add_perm("reviews.score_assignment", is_reviewer & is_own_assignment)
rules.add_perm("reviews.view_case_file", may_see_case_file)
rules.add_perm("reviews.manage_review", is_staff_member)
add_staff_model_perms(
    "reviews",
    "reviewsettings",
    "reviewerprofile",
    "panelmember",
    "criterion",
    "rubricpart",
    "conflict",
    "conflictflag",
    "assignment",
    "review",
    "score",
    "tierrule",
)

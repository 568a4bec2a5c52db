"""Who may see and do what in the festival side of the portal."""

import rules
from django.utils import timezone

from accounts.rules import add_staff_model_perms, is_staff_member
from accounts.selectors import user_roles


@rules.predicate
def is_published_festival(user, festival):
    return festival is not None and festival.status == festival.Status.PUBLISHED


@rules.predicate
def is_public_activity(user, activity):
    return (
        activity is not None
        and activity.status != activity.Status.DRAFT
        and activity.festival.status == activity.festival.Status.PUBLISHED
    )


def unit_organisation_ids(activity) -> set[int]:
    return {unit.organisation_id for unit in activity.units.all() if unit.organisation_id}


@rules.predicate
def is_member_of_activity_unit(user, activity):
    """The user belongs to one of the registered organisations that run the activity."""
    if activity is None:
        return False
    return bool(user_roles(user).member_org_ids & unit_organisation_ids(activity))


@rules.predicate
def activity_has_started(user, activity):
    return activity is not None and activity.starts_at <= timezone.now()


@rules.predicate
def is_member_of_report_unit(user, report):
    return report is not None and report.organisation_id in user_roles(user).member_org_ids


@rules.predicate
def is_accepted_report(user, report):
    return report is not None and report.status == report.Status.ACCEPTED


@rules.predicate
def is_editable_report(user, report):
    return report is not None and report.is_editable


rules.add_perm("events.view_festival", is_published_festival | is_staff_member)
rules.add_perm("events.view_activity", is_public_activity | is_staff_member)
# A report is filed after the activity has begun, by a user of one of its organising units.
rules.add_perm("events.report_activity", is_public_activity & activity_has_started & is_member_of_activity_unit)
rules.add_perm("events.view_activityreport", is_accepted_report | is_member_of_report_unit | is_staff_member)
rules.add_perm("events.change_activityreport", is_editable_report & is_member_of_report_unit)
rules.add_perm("events.decide_activityreport", is_staff_member)
rules.add_perm("events.manage_units", is_staff_member)
rules.add_perm("events.list_my_reports", rules.is_authenticated)

add_staff_model_perms("events", "festival", actions=("add", "change", "delete"))
add_staff_model_perms("events", "activity", actions=("add", "change", "delete"))
add_staff_model_perms("events", "festivalunit", "activityunit", "reportphoto")
# events.view_activityreport above already lets staff read reports in the admin.

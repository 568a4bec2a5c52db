import rules

from accounts.rules import add_staff_model_perms, is_staff_member


@rules.predicate
def is_published_festival(user, festival):
    return festival is not None and festival.status == festival.Status.PUBLISHED


rules.add_perm("events.view_festival", is_published_festival | is_staff_member)
add_staff_model_perms("events", "festival", actions=("add", "change", "delete"))

import rules

from accounts.rules import add_staff_model_perms, is_staff_member

rules.add_perm("notifications.manage_emails", is_staff_member)
rules.add_perm("notifications.change_own_preference", rules.is_authenticated)
add_staff_model_perms("notifications", "reminderrule")
add_staff_model_perms("notifications", "reminder", "outboxemail", "notificationpreference", actions=("view",))

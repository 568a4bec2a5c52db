"""Who may change the portal's own settings: staff (a superuser too)."""

import rules

from accounts.rules import is_staff_member

rules.add_perm("kunshan_portal.view_sitesettings", is_staff_member)
rules.add_perm("kunshan_portal.change_sitesettings", is_staff_member)

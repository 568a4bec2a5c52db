"""Statistics are for staff only: they show every organisation's figures and every reviewer's scores."""

import rules

from accounts.rules import is_staff_member

rules.add_perm("insights.view_statistics", is_staff_member)

"""Only staff set up campaigns here (the same staff who may edit a campaign in the data-maintenance admin)."""

import rules

from accounts.rules import is_staff_member

rules.add_perm("workspace.manage_campaigns", is_staff_member)

"""查重 is for staff only: applicants and reviewers never see a score or a source."""

import rules

from accounts.rules import add_staff_model_perms, is_staff_member

rules.add_perm("similarity.view_report", is_staff_member)
rules.add_perm("similarity.check_campaign", is_staff_member)
rules.add_perm("similarity.manage_corpus", is_staff_member)
add_staff_model_perms("similarity", "boilerplate")
add_staff_model_perms("similarity", "referencedocument", actions=("view", "delete"))

import rules

from accounts.rules import is_reviewer

rules.add_perm("reviews.review", is_reviewer)

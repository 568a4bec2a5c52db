"""Demo reminder rules: every campaign gets the default rules (idempotent)."""

from cases.models import Campaign

from .services import reminder_rules_ensure


def seed(out) -> dict:
    created = sum(reminder_rules_ensure(campaign=campaign) for campaign in Campaign.objects.all())
    out.write(f"提醒规则：新建 {created} 条。")
    return {"rules_created": created}

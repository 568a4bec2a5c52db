"""奖项等级 as rows (TierRule) instead of typed JSON on ReviewSettings: every campaign's JSON tiers are carried
over in order, then the JSON field goes, so the rows are the one record of a campaign's tiers."""

from decimal import Decimal, InvalidOperation

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


def tiers_to_rows(apps, schema_editor):
    ReviewSettings = apps.get_model("reviews", "ReviewSettings")
    TierRule = apps.get_model("reviews", "TierRule")
    for settings_row in ReviewSettings.objects.all().iterator():
        seen = set()
        position = 0
        for tier in settings_row.tiers or []:
            if not isinstance(tier, dict):
                continue
            name = str(tier.get("name") or "").strip()[:40]
            by = tier.get("by")
            try:
                value = Decimal(str(tier.get("value", 0)))
            except (InvalidOperation, ValueError):
                continue
            if not name or name in seen or by not in ("count", "fraction", "threshold") or value < 0:
                continue
            seen.add(name)
            position += 1
            TierRule.objects.create(
                campaign_id=settings_row.campaign_id,
                position=position,
                name=name,
                by=by,
                value=value,
                is_award=bool(tier.get("is_award", True)),
            )


def rows_to_tiers(apps, schema_editor):
    ReviewSettings = apps.get_model("reviews", "ReviewSettings")
    TierRule = apps.get_model("reviews", "TierRule")
    for settings_row in ReviewSettings.objects.all().iterator():
        rows = TierRule.objects.filter(campaign_id=settings_row.campaign_id).order_by("position", "id")
        settings_row.tiers = [{"name": t.name, "by": t.by, "value": float(t.value)} for t in rows] or [
            {"name": "优秀", "by": "fraction", "value": 0.3}
        ]
        settings_row.save(update_fields=["tiers"])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0001_initial"),
        ("reviews", "0010_rubric_parts"),
    ]

    operations = [
        migrations.CreateModel(
            name="TierRule",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="序号")),
                ("name", models.CharField(max_length=40, verbose_name="等级名称")),
                (
                    "by",
                    models.CharField(
                        choices=[("count", "名额"), ("fraction", "比例"), ("threshold", "分数线")],
                        default="count",
                        max_length=10,
                        verbose_name="划分方式",
                    ),
                ),
                (
                    "value",
                    models.DecimalField(
                        decimal_places=4,
                        help_text="名额：个数；比例：0–1 之间的小数（如 0.3 表示前 30%）；分数线：不低于此分。",
                        max_digits=9,
                        validators=[django.core.validators.MinValueValidator(0)],
                        verbose_name="数值",
                    ),
                ),
                (
                    "is_award",
                    models.BooleanField(
                        default=True,
                        help_text="不属于奖项（如 整改、合格）：作为评定结果公布，不颁发证书，不称“获奖”。",
                        verbose_name="属于奖项",
                    ),
                ),
                (
                    "campaign",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="tier_rules",
                        to="cases.campaign",
                        verbose_name="评选活动",
                    ),
                ),
            ],
            options={
                "verbose_name": "奖项等级",
                "verbose_name_plural": "奖项等级",
                "ordering": ["campaign", "position", "id"],
                "constraints": [
                    models.UniqueConstraint(fields=("campaign", "name"), name="tier_rule_name_once"),
                    models.CheckConstraint(condition=models.Q(("value__gte", 0)), name="tier_rule_value_not_negative"),
                ],
            },
        ),
        migrations.RunPython(tiers_to_rows, rows_to_tiers),
        migrations.RemoveField(model_name="reviewsettings", name="tiers"),
    ]

"""The default rubric used to be written by the first GET of the case or rubric page. Pages no longer write:
campaigns created before that get it here, new ones where they are created."""

from decimal import Decimal

from django.db import migrations

DEFAULT_RUBRIC = [  # reviews.services.DEFAULT_RUBRIC as of this migration
    ("真实性", "案例真实，非虚构、非抄袭。", Decimal("20")),
    ("专业性", "体现社会工作专业理念、方法和技巧。", Decimal("30")),
    ("完整性", "服务已完成并经过评估，结构完整。", Decimal("20")),
    ("示范性", "对同类服务有借鉴和推广价值。", Decimal("30")),
]


def default_rubric(apps, schema_editor):
    Campaign = apps.get_model("cases", "Campaign")
    Criterion = apps.get_model("reviews", "Criterion")
    for campaign in Campaign.objects.filter(criteria__isnull=True).distinct():
        Criterion.objects.bulk_create(
            Criterion(campaign=campaign, name=name, description=text, max_points=points, position=i)
            for i, (name, text, points) in enumerate(DEFAULT_RUBRIC, start=1)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0003_award_tier_length"),
    ]

    operations = [migrations.RunPython(default_rubric, migrations.RunPython.noop)]

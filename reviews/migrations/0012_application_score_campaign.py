"""ApplicationScore gets its application's campaign (so the ranking reads one index); existing rows copy it."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_campaign(apps, schema_editor):
    ApplicationScore = apps.get_model("reviews", "ApplicationScore")
    Application = apps.get_model("cases", "Application")
    ApplicationScore.objects.update(
        campaign=Subquery(Application.objects.filter(pk=OuterRef("application_id")).values("campaign_id")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0009_list_indexes"),
        ("reviews", "0011_tier_rules"),
    ]

    operations = [
        migrations.AddField(
            model_name="applicationscore",
            name="campaign",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="cases.campaign",
                verbose_name="评选活动",
            ),
        ),
        migrations.RunPython(copy_campaign, migrations.RunPython.noop),
    ]

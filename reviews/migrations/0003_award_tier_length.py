from django.db import migrations, models


class Migration(migrations.Migration):
    """The decision is now the one record of a tier: as long as the award list's former tier field (40)."""

    dependencies = [
        ("reviews", "0002_award_decisions"),
    ]

    operations = [
        migrations.AlterField(
            model_name="awarddecision",
            name="suggested_tier",
            field=models.CharField(blank=True, max_length=40, verbose_name="建议奖项等级"),
        ),
        migrations.AlterField(
            model_name="awarddecision",
            name="tier",
            field=models.CharField(blank=True, max_length=40, verbose_name="奖项等级"),
        ),
    ]

"""One record of each award's tier: awards.Award.tier moves into reviews.AwardDecision.tier (the decision an
upheld objection changes), then the column goes. Where the two disagreed, the award list's tier wins: it is
the one the publicity window, results and certificates showed."""

from django.db import migrations, models


def tier_into_decision(apps, schema_editor):
    Award = apps.get_model("awards", "Award")
    AwardDecision = apps.get_model("reviews", "AwardDecision")
    for award in Award.objects.all().iterator():
        decision = AwardDecision.objects.filter(application_id=award.application_id).first()
        if decision is None:
            AwardDecision.objects.create(
                application_id=award.application_id, tier=award.tier, suggested_tier="", rank=award.rank
            )
        elif decision.tier != award.tier:
            decision.tier = award.tier
            decision.save(update_fields=["tier"])


def tier_back_to_award(apps, schema_editor):
    Award = apps.get_model("awards", "Award")
    AwardDecision = apps.get_model("reviews", "AwardDecision")
    tiers = dict(AwardDecision.objects.values_list("application_id", "tier"))
    for award in Award.objects.all().iterator():
        award.tier = tiers.get(award.application_id, "")
        award.save(update_fields=["tier"])


class Migration(migrations.Migration):
    dependencies = [
        ("awards", "0002_certificate_export_background_job"),
        ("reviews", "0003_award_tier_length"),
    ]

    operations = [
        migrations.RunPython(tier_into_decision, tier_back_to_award),
        # A default only so that going back can re-add the column to existing rows before refilling it.
        migrations.AlterField(
            model_name="award",
            name="tier",
            field=models.CharField(default="", max_length=40, verbose_name="奖项等级"),
        ),
        migrations.RemoveField(model_name="award", name="tier"),
    ]

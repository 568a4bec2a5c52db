"""Certificate numbers run per issuing body and year across campaigns (a second campaign of the same year
clashed with the first on the per-campaign counter). Each counter starts after the highest serial already
given in its year, so no existing number is handed out again."""

import zoneinfo

from django.conf import settings
from django.db import migrations, models


def counters_per_body_and_year(apps, schema_editor):
    CertificateCounter = apps.get_model("awards", "CertificateCounter")
    Certificate = apps.get_model("awards", "Certificate")
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    CertificateCounter.objects.all().delete()
    highest: dict[int, int] = {}
    for serial, ends_at in Certificate.objects.values_list("serial", "campaign__publicity_ends_at").iterator():
        year = ends_at.astimezone(tz).year
        highest[year] = max(highest.get(year, 0), serial)
    CertificateCounter.objects.bulk_create(
        CertificateCounter(issuing_body=settings.PORTAL_ORGANISER, year=year, last_serial=serial)
        for year, serial in highest.items()
    )


def counters_dropped(apps, schema_editor):
    # Back to per-campaign counters: they are recreated on the next allocation (numbers taken stay unique).
    apps.get_model("awards", "CertificateCounter").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("awards", "0003_award_tier_from_decision"),
    ]

    operations = [
        migrations.RemoveField(model_name="certificatecounter", name="campaign"),
        migrations.AddField(
            model_name="certificatecounter",
            name="issuing_body",
            field=models.CharField(default="", max_length=100, verbose_name="发布单位"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="certificatecounter",
            name="year",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="年度"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="certificatecounter",
            name="last_serial",
            field=models.PositiveIntegerField(default=0, verbose_name="已用序号"),
        ),
        migrations.RunPython(counters_per_body_and_year, counters_dropped),
        migrations.AddConstraint(
            model_name="certificatecounter",
            constraint=models.UniqueConstraint(
                fields=("issuing_body", "year"), name="certificate_counter_per_body_year"
            ),
        ),
    ]

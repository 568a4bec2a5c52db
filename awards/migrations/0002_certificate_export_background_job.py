"""CertificateExport becomes a notifications.jobs.BackgroundJob: the field names of the case export
(requested_by, file), the status "pending" instead of "queued", and the heartbeat fields."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import notifications.jobs


def queued_to_pending(apps, schema_editor):
    apps.get_model("awards", "CertificateExport").objects.filter(status="queued").update(status="pending")


def pending_to_queued(apps, schema_editor):
    apps.get_model("awards", "CertificateExport").objects.filter(status="pending").update(status="queued")


class Migration(migrations.Migration):
    dependencies = [
        ("awards", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField(model_name="certificateexport", old_name="started_by", new_name="requested_by"),
        migrations.RenameField(model_name="certificateexport", old_name="zip_file", new_name="file"),
        migrations.AddField(
            model_name='certificateexport',
            name='attempts',
            field=models.PositiveSmallIntegerField(default=0, verbose_name='运行次数'),
        ),
        migrations.AddField(
            model_name='certificateexport',
            name='heartbeat_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='最近心跳'),
        ),
        migrations.AddField(
            model_name='certificateexport',
            name='queued_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='入队时间'),
        ),
        migrations.AddField(
            model_name='certificateexport',
            name='run_token',
            field=models.CharField(blank=True, editable=False, max_length=32),
        ),
        migrations.AlterField(
            model_name='certificateexport',
            name='done',
            field=models.PositiveIntegerField(default=0, verbose_name='已完成'),
        ),
        migrations.AlterField(
            model_name='certificateexport',
            name='error',
            field=models.TextField(blank=True, verbose_name='说明或失败原因'),
        ),
        migrations.AlterField(
            model_name='certificateexport',
            name='file',
            field=models.FileField(blank=True, max_length=200, upload_to=notifications.jobs.job_upload_to, verbose_name='压缩包'),
        ),
        migrations.AlterField(
            model_name='certificateexport',
            name='requested_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='发起人'),
        ),
        migrations.AlterField(
            model_name='certificateexport',
            name='status',
            field=models.CharField(choices=[('pending', '排队中'), ('running', '生成中'), ('done', '已完成'), ('failed', '失败')], default='pending', max_length=10, verbose_name='状态'),
        ),
        migrations.AlterField(
            model_name='certificateexport',
            name='total',
            field=models.PositiveIntegerField(default=0, verbose_name='总数'),
        ),
        migrations.RunPython(queued_to_pending, pending_to_queued),
    ]

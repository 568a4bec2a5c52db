"""The photo minimum ("不小于2M") is a resolution in pixels, no longer a file size: padding beat the byte rule.

The stored number is kept: the old default, 2 MiB, reads as 2.1 million pixels, the same "2M".
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_case_export_background_job"),
    ]

    operations = [
        migrations.RenameField(model_name="campaign", old_name="photo_min_bytes", new_name="photo_min_pixels"),
        migrations.AlterField(
            model_name="campaign",
            name="photo_min_pixels",
            field=models.PositiveIntegerField(
                default=2000000,
                help_text="通知要求照片“不小于2M”：按分辨率（宽×高的像素数）判断，不按文件大小（文件可被填充变大）。默认 200 万像素，约 1600×1250。",
                verbose_name="单张照片最少像素",
            ),
        ),
    ]

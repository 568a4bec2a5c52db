"""Peak memory of the campaign ZIP: the old in-request path against the background job's path.

    python bench/case_export.py fill --applications 20 --photos 3  # once: a fresh SQLite DB, photos in VAR_DIR
    /usr/bin/time -v python bench/case_export.py old  # applications_zip: the whole ZIP in memory
    /usr/bin/time -v python bench/case_export.py new  # case_export_run: the ZIP on disk, entry by entry

Each measurement runs in its own process, so its peak RSS (ru_maxrss, the same number as /usr/bin/time's
"Maximum resident set size") is its own. "before" is the RSS after Django and the applications are loaded,
so peak − before is what building the ZIP costs. VAR_DIR defaults to /tmp/kp-bench-case-export.
"""

import argparse
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kunshan_portal.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("VAR_DIR", "/tmp/kp-bench-case-export")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _photo(seed: int) -> bytes:
    """A 3000×2250 JPEG of noise over a gradient: about the size of a phone photo (the notice asks ≥ 2 MB)."""
    import io
    import random

    from PIL import Image

    rng = random.Random(seed)
    w, h = 3000, 2250
    noise = Image.frombytes("RGB", (w, h), rng.randbytes(w * h * 3))
    gradient = Image.linear_gradient("L").resize((w, h)).convert("RGB")
    out = io.BytesIO()
    Image.blend(gradient, noise, 0.35).save(out, "JPEG", quality=85)
    return out.getvalue()


def fill(applications: int, photos: int) -> None:
    from django.core.files.base import ContentFile
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "sqlite":
        Path(connection.settings_dict["NAME"]).unlink(missing_ok=True)
    call_command("migrate", verbosity=0)
    from accounts.tests.factories import UserFactory
    from cases.models import Application, CasePhoto
    from cases.tests.factories import ApplicationFactory, CampaignFactory

    campaign = CampaignFactory(slug="bench-export", title="性能测试评选活动")
    UserFactory(email="bench-staff@example.cn", is_staff=True)
    pictures = [_photo(seed) for seed in range(photos)]
    for n in range(applications):
        application = ApplicationFactory(
            campaign=campaign, status=Application.Status.SUBMITTED, reference=f"KS2026-{n + 1:04d}"
        )
        for i, data in enumerate(pictures):
            photo = CasePhoto(application=application, caption=f"服务照片{i + 1}", width=3000, height=2250)
            photo.image.save("p.jpg", ContentFile(data, name="p.jpg"), save=False)
            photo.save()
    print(f"filled: {applications} applications × {photos} photos of {len(pictures[0]) / 1e6:.1f} MB")


def measure(mode: str) -> None:
    from accounts.models import User
    from cases.docx_export import applications_zip, export_queryset
    from cases.models import Campaign, CaseExport
    from cases.selectors import applications_for_export

    campaign = Campaign.objects.get(slug="bench-export")
    staff = User.objects.get(email="bench-staff@example.cn")
    count = len(list(export_queryset(applications_for_export(campaign))))  # warm the ORM and imports alike
    before = _rss_mb()
    t0 = time.perf_counter()
    if mode == "old":
        data = applications_zip(applications_for_export(campaign))  # what the view did inside the request
        size = len(data)
    else:
        from cases import services

        job = CaseExport.objects.create(campaign=campaign, requested_by=staff)
        services.case_export_run(export_id=job.pk)
        job.refresh_from_db()
        assert job.status == CaseExport.Status.DONE, job.error
        size = job.file.size
    elapsed = time.perf_counter() - t0
    peak = _peak_mb()
    print(
        f"{mode}: {count} applications, ZIP {size / 1e6:.1f} MB in {elapsed:.1f} s; "
        f"RSS before {before:.0f} MB, peak {peak:.0f} MB (+{peak - before:.0f} MB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["fill", "old", "new"])
    parser.add_argument("--applications", type=int, default=20)
    parser.add_argument("--photos", type=int, default=3)
    args = parser.parse_args()
    import django

    django.setup()
    if args.mode == "fill":
        fill(args.applications, args.photos)
    else:
        measure(args.mode)


if __name__ == "__main__":
    main()

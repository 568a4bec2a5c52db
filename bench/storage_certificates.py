"""Certificates written into and read back from the storage (issue 16): the local file system against an S3
endpoint (moto in server mode, on this machine).

Run by hand, not in the test suite:

    /work/main/.venv/bin/python bench/storage_certificates.py --backend local --count 200
    /work/main/.venv/bin/python bench/storage_certificates.py --backend s3 --count 200

It builds a throw-away SQLite database under /tmp, a finished campaign with `--count` awards, publishes it,
then times (1) writing every certificate's DOCX into the storage (awards.services.certificate_files_generate)
and (2) the export run that reads them all back into a ZIP saved into the storage. PDFs are left out unless
`--pdf` is given: LibreOffice's time is the same on either back-end and would hide the storage's.
With `--backend s3` it uses TEST_S3_ENDPOINT_URL, or starts a private moto server.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("local", "s3"), default="local")
    parser.add_argument("--count", type=int, default=200, help="awards in the campaign")
    parser.add_argument("--pdf", action="store_true", help="convert to PDF too (needs LibreOffice)")
    args = parser.parse_args()

    if args.backend == "s3":
        from tests import s3

        bucket = f"kunshan-bench-{os.getpid()}"
        os.environ.update(s3.environment(bucket))
        s3.bucket_create(bucket)
    else:
        os.environ["STORAGE_BACKEND"] = "local"
    from bench.throwaway import django_on_throwaway_sqlite

    django_on_throwaway_sqlite()

    from accounts.tests.factories import UserFactory
    from awards import documents, services
    from awards.models import CertificateExport
    from awards.tests.factories import AwardFactory, publicity_campaign, publish_results

    if not args.pdf:
        documents.soffice_path = lambda: None  # the bench measures the storage, not LibreOffice
    staff = UserFactory(is_staff=True)
    campaign = publicity_campaign(slug="storage-bench", open_now=False)
    for rank in range(1, args.count + 1):
        AwardFactory(campaign=campaign, rank=rank, confirmed_by=staff)
    publish_results(campaign, staff)
    services.certificates_allocate(campaign=campaign)

    started = time.perf_counter()
    written = services.certificate_files_generate(campaign=campaign)
    generate = time.perf_counter() - started

    export = CertificateExport.objects.create(campaign=campaign, requested_by=staff)
    started = time.perf_counter()
    status = services.certificate_export_run(export_id=export.pk)
    export_seconds = time.perf_counter() - started

    print(f"backend={args.backend} certificates={args.count} files written={written} export={status}")
    print(f"write into storage: {generate:.2f} s ({generate / args.count * 1000:.1f} ms per certificate)")
    print(f"export ZIP (read back all, save ZIP): {export_seconds:.2f} s")


if __name__ == "__main__":
    main()

"""Certificates per second for DOCX and for PDF, the work one Celery worker does for a batch export.

Run by hand, not in the test suite:

    /work/main/.venv/bin/python bench/certificates.py --count 200

It builds a throw-away SQLite database and media directory under /tmp, creates a finished campaign with
`--count` confirmed awards and published results, then runs the same service the export task runs
(awards.services.certificate_files_generate) in this one process, timing the DOCX phase and the PDF phase
(LibreOffice headless, `--batch` documents per soffice call). Targets: DOCX >= 50/s, PDF >= 4/s.
"""

import argparse
import os
import shutil
import time

from throwaway import django_on_throwaway_sqlite


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200, help="certificates to generate")
    parser.add_argument("--batch", type=int, default=None, help="documents per LibreOffice call")
    args = parser.parse_args()

    work = django_on_throwaway_sqlite(log_level="WARNING")

    from accounts.tests.factories import UserFactory
    from awards import documents, services
    from awards.tests.factories import AwardFactory, publicity_campaign, publish_results

    if args.batch:
        services.PDF_BATCH = args.batch
    staff = UserFactory(is_staff=True)
    campaign = publicity_campaign(slug="bench", open_now=False)
    for rank in range(1, args.count + 1):
        AwardFactory(campaign=campaign, rank=rank, confirmed_by=staff)
    publish_results(campaign, staff)
    services.certificates_allocate(campaign=campaign)

    marks = []
    start = time.perf_counter()
    services.certificate_files_generate(campaign=campaign, progress=lambda n: marks.extend([time.perf_counter()] * n))
    end = time.perf_counter()
    docx_done = marks[args.count - 1]
    docx_rate = args.count / (docx_done - start)
    print(
        f"certificates: {args.count}; PDF: {services.PDF_BATCH} per soffice call, "
        f"{services.PDF_PROCESSES} soffice processes; cpus: {os.cpu_count()}"
    )
    print(f"DOCX: {docx_done - start:.2f} s, {docx_rate:.1f} certificates/s (target >= 50/s)")
    if documents.soffice_path() and len(marks) == 2 * args.count:
        pdf_rate = args.count / (end - docx_done)
        print(f"PDF:  {end - docx_done:.2f} s, {pdf_rate:.1f} certificates/s (target >= 4/s)")
    else:
        print("PDF: LibreOffice (soffice) not installed, not measured")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

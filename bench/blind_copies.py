"""Time making a blind reviewer's copy of an attachment, and the check that finds a kept copy current.

    python bench/blind_copies.py [--paragraphs 400] [--photos 3] [--pdf-pages 30] [--runs 3]

Builds a DOCX like an applicant's full case text (paragraphs with names split across runs, a comment, tracked
changes, header and footer, JPEG photos of about 2 MB each) and a PDF with many pages, then reports the best of
several runs of cases.blind.attachment_blind_copy (made once per attachment, then kept in storage) and of
cases.blind.blind_copy_key (what every later download costs before it streams the kept copy).
"""

import argparse
import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kunshan_portal.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("VAR_DIR", "/tmp/kp-bench-var")


def _photo(seed: int) -> bytes:
    from PIL import Image

    image = Image.frombytes("RGB", (2400, 1800), os.urandom(2400 * 1800 * 3))  # noise: a JPEG of about 2 MB
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def _docx(paragraphs: int, photos: int) -> bytes:
    import zipfile

    import docx
    from docx.shared import Cm

    from cases.tests.blind_files import _with_raw_parts, trap_docx

    base = docx.Document(io.BytesIO(trap_docx()))
    for number in range(paragraphs):
        paragraph = base.add_paragraph()
        paragraph.add_run(f"第{number}段：社会工作者与服务对象共同制定服务计划，社工张")
        paragraph.add_run("敏负责跟进，按计划开展服务并进行评估。")
    for seed in range(photos):
        base.add_picture(io.BytesIO(_photo(seed)), width=Cm(12))
    out = io.BytesIO()
    base.save(out)
    data = out.getvalue()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if "word/people.xml" in archive.namelist():
            return data
    return _with_raw_parts(data)


def _pdf(pages: int) -> bytes:
    import pikepdf

    from cases.tests.blind_files import _save, trap_pdf

    pdf = pikepdf.open(io.BytesIO(trap_pdf()))
    for _ in range(pages - 1):
        pdf.pages.append(pdf.pages[0])
    return _save(pdf)


def _best(function, runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--paragraphs", type=int, default=400)
    parser.add_argument("--photos", type=int, default=3)
    parser.add_argument("--pdf-pages", type=int, default=30)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    import django

    django.setup()
    from cases.blind import attachment_blind_copy, blind_copy_key
    from cases.tests.blind_files import PLANTED, planted_in_docx, planted_in_pdf

    identifiers = sorted(set(PLANTED), key=len, reverse=True)
    for label, data, name, leaks in (
        (
            f"DOCX {args.paragraphs} paragraphs + {args.photos} photos",
            _docx(args.paragraphs, args.photos),
            "a.docx",
            planted_in_docx,
        ),
        (f"PDF {args.pdf_pages} pages", _pdf(args.pdf_pages), "a.pdf", planted_in_pdf),
    ):
        copy = attachment_blind_copy(data, name, identifiers)
        assert copy.data is not None and not leaks(copy.data), copy.withheld_reason
        make = _best(lambda data=data, name=name: attachment_blind_copy(data, name, identifiers), args.runs)
        key = _best(lambda data=data: blind_copy_key(data, identifiers), args.runs)
        print(
            f"{label}: {len(data) / 1e6:.1f} MB -> {len(copy.data) / 1e6:.1f} MB; "
            f"make the copy {make * 1000:.0f} ms (once); check a kept copy {key * 1000:.1f} ms (each download)"
        )


if __name__ == "__main__":
    main()

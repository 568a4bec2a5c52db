"""查重 for tooling: compare text files pairwise and print the shared passages as JSON."""

import itertools
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from similarity import engine


class Command(BaseCommand):
    help = "Compare text files pairwise: score = share of the shorter text covered by passages found in the other."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="UTF-8 (or GB18030) text files, at least two")
        parser.add_argument("--json", action="store_true", help="print a JSON list of pairs (the only format)")

    def handle(self, *args, files, **options):
        if len(files) < 2:
            raise CommandError("请给出至少两个文本文件。")
        try:
            from similarity.selectors import boilerplate_current

            boilerplate = boilerplate_current()
        except DatabaseError:  # no database: the form's headings and guidance still do not count
            from similarity.selectors import PLAN_ITEMS, SECTION_GUIDANCE, SECTIONS

            boilerplate = engine.Boilerplate.from_texts(
                [h for _, h in SECTIONS] + list(SECTION_GUIDANCE.values()) + PLAN_ITEMS
            )
        analysed = {}
        for name in files:
            data = Path(name).read_bytes()
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = data.decode("gb18030")
            analysed[name] = engine.analyse(text, boilerplate)
        pairs = []
        for a, b in itertools.combinations(files, 2):
            result = engine.compare(analysed[a], analysed[b])
            pairs.append(
                {
                    "a": a,
                    "b": b,
                    "score": round(result.score, 4),
                    "passages": [p.as_dict() for p in result.passages],
                }
            )
        self.stdout.write(json.dumps(pairs, ensure_ascii=False, indent=2))

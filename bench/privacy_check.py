"""Time the privacy and terminology check (cases.privacy) on case bodies of growing length.

    python bench/privacy_check.py                 # 10,000, 30,000 and 100,000 characters, best of 5
    python bench/privacy_check.py --chars 10000 --runs 10

Moved here from a wall-clock assertion in cases/tests/test_privacy.py (< 1.0 s for 10,000 characters): a
timing depends on the machine and its load, a test must not. The behavioural test stayed there.
Reports the cold check (find_findings, what a changed section costs) and the remembered one
(find_findings_remembered on a text checked before: what an unchanged section costs at save or submit).
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kunshan_portal.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("VAR_DIR", "/tmp/kp-bench-var")

PARAGRAPH = "社会工作者在2018年3月1日走访服务对象张某，了解其家庭情况，共服务120人次，投入5000元。"
WITH_FINDINGS = "案主李秀英住在人民路88号3栋2单元301室，电话 13912345678，身份证号 320583199001011232。"


def body(chars: int, *, findings: bool) -> str:
    unit = PARAGRAPH * 4 + (WITH_FINDINGS if findings else "")
    return (unit * (chars // len(unit) + 1))[:chars]


def best(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chars", type=int, nargs="*", default=[10_000, 30_000, 100_000])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    import django

    django.setup()
    from cases.privacy import find_findings, find_findings_remembered

    find_findings("预热")  # jieba's dictionary, loaded once per process
    print(f"{'characters':>10} {'findings':>9} {'cold s':>8} {'remembered ms':>14}")
    for chars in args.chars:
        for findings in (False, True):
            text = body(chars, findings=findings)
            count = len(find_findings(text))
            cold = best(lambda text=text: find_findings(text), args.runs)
            find_findings_remembered(text)
            warm = best(lambda text=text: find_findings_remembered(text), args.runs)
            print(f"{chars:>10} {count:>9} {cold:>8.3f} {warm * 1000:>14.2f}")


if __name__ == "__main__":
    main()

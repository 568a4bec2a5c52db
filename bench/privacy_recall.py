"""Time the privacy check on a 10,000-character case body, and score it on the recall and clean corpora.

    python bench/privacy_recall.py [--runs 15] [--chars 10000] [--plain] [--baseline /tmp/privacy_main.py] [--corpus]

--baseline takes another copy of cases/privacy.py (e.g. `git show main:cases/privacy.py > /tmp/privacy_main.py`);
both are timed on the same body, runs interleaved so that load from other processes falls on both alike.
The body mixes de-identified prose with names after role words, addresses, dates and phone numbers, so every
branch of the checker runs; --plain times the one de-identified paragraph of the old timed test instead.
--corpus prints recall (expected findings found) and precision (findings that were
expected) on cases/tests/test_privacy_recall.py's RECALL_CORPUS + CLEAN_CORPUS.
"""

import argparse
import importlib.util
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PARAGRAPHS = (
    "社会工作者在2018年3月1日走访服务对象张某，了解其家庭情况，共服务120人次，投入5000元。",
    "服务对象的母亲王秀英今年68岁，常年卧床，父亲平时在外打工，很少回家。",
    "老人钱桂兰独居于阳光花园3栋2单元301，邻居栾小红经常过来帮忙买菜。",
    "3月12日下午，社会工作者陪同老人到社区卫生服务中心体检，医生建议定期复查。",
    "班主任刘建国老师反映孩子上课经常走神，联系电话13912345678。",
    "玉山镇人民政府、阳光社工服务中心和社区卫生服务中心共同参与，小区共有12栋300户居民。",
    "王某某老人表示感谢社会工作者的陪伴，服务对象A的女儿小A今年10岁。",
)


def make_body(chars: int, paragraphs: tuple[str, ...] = PARAGRAPHS) -> str:
    text, i = "", 0
    while len(text) < chars:
        text += paragraphs[i % len(paragraphs)]
        i += 1
    return text[:chars]


def load(path: str | None):
    if path is None:
        from cases import privacy

        return privacy
    spec = importlib.util.spec_from_file_location("privacy_baseline", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def score(module) -> tuple[float, float, int, int, int]:
    from cases.tests.test_privacy_recall import CLEAN_CORPUS, RECALL_CORPUS

    expected_total = hits = findings_total = 0
    for sentence, expected in RECALL_CORPUS:
        got = [(f.kind, f.text) for f in module.find_findings(sentence)]
        expected_total += len(expected)
        hits += sum(1 for item in expected if item in got)
        findings_total += len(got)
    false_on_clean = sum(len(module.find_findings(sentence)) for sentence in CLEAN_CORPUS)
    findings_total += false_on_clean
    precision = hits / findings_total if findings_total else 1.0
    return hits / expected_total, precision, hits, expected_total, false_on_clean


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--chars", type=int, default=10_000)
    parser.add_argument("--plain", action="store_true", help="a body of one de-identified paragraph, repeated")
    parser.add_argument("--baseline", help="path of another copy of cases/privacy.py to time alongside")
    parser.add_argument("--corpus", action="store_true", help="print recall and precision on the corpora")
    args = parser.parse_args()

    modules = {"current": load(None)}
    if args.baseline:
        modules["baseline"] = load(args.baseline)
    body = make_body(args.chars, PARAGRAPHS[:1] if args.plain else PARAGRAPHS)
    for module in modules.values():
        module.find_findings("预热：服务对象的母亲王秀英")  # loads jieba once per module
    timings: dict[str, list[float]] = {name: [] for name in modules}
    for _ in range(args.runs):
        for name, module in modules.items():
            started = time.perf_counter()
            module.find_findings(body)
            timings[name].append(time.perf_counter() - started)

    print(f"find_findings on a {len(body)}-character body, {args.runs} runs each")
    for name, values in timings.items():
        print(
            f"  {name:9s} best {min(values) * 1000:7.1f} ms   median {statistics.median(values) * 1000:7.1f} ms"
            f"   findings {len(modules[name].find_findings(body))}"
        )
    if args.baseline:
        ratio = statistics.median(timings["current"]) / statistics.median(timings["baseline"])
        best = min(timings["current"]) / min(timings["baseline"])
        print(f"  current / baseline: median {ratio:.2f}, best {best:.2f}")
    if args.corpus:
        for name, module in modules.items():
            recall, precision, hits, expected, false_on_clean = score(module)
            print(
                f"  {name:9s} recall {recall:.0%} ({hits}/{expected})   precision {precision:.0%}"
                f"   findings on clean texts {false_on_clean}"
            )


if __name__ == "__main__":
    main()

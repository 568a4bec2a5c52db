"""The comparison on texts written for these tests, with the score ranges the acceptance asks for.

Ranges: a verbatim copy covers the whole shorter text (≥ 0.98). The reworded copy keeps about 70 % of its
characters (difflib's ratio for the pair is 0.73), but a swapped word also breaks the shingles around it and a run
must reach MIN_PASSAGE characters to count, so the score sits below the kept share: 0.45–0.85 (measured 0.61).
Two independent cases of the same domain share only stock phrases shorter than a passage (≤ 0.05).
"""

import pytest

from similarity import engine
from similarity.selectors import PLAN_ITEMS
from similarity.tests.texts import POLICY, QUOTING_A, QUOTING_B, REWORDED, SOURCE, UNRELATED


def score(a: str, b: str, boilerplate=engine.NO_BOILERPLATE) -> float:
    return engine.compare(engine.analyse(a, boilerplate), engine.analyse(b, boilerplate)).score


def test_a_verbatim_copy_scores_about_one():
    assert score(SOURCE, SOURCE) >= 0.98


def test_a_verbatim_copy_inside_a_longer_text_scores_about_one_for_the_shorter():
    assert score(SOURCE, UNRELATED + SOURCE + UNRELATED) >= 0.98


def test_a_copy_with_sentences_reordered_and_synonyms_swapped_scores_in_the_middle():
    assert 0.45 <= score(SOURCE, REWORDED) <= 0.85


def test_two_unrelated_cases_of_the_same_domain_score_low():
    assert score(SOURCE, UNRELATED) <= 0.05
    assert score(REWORDED, UNRELATED) <= 0.05


def test_two_cases_quoting_the_same_policy_paragraph_do_not_count_the_quotation():
    assert score(QUOTING_A, QUOTING_B) <= 0.05


def test_the_same_policy_text_copied_without_quotation_counts():
    plain = POLICY.replace("《", "").replace("》", "").replace("“", "").replace("”", "")
    assert score("近年来，本街道高度重视社会工作人才培养。" + plain, "社区是基层治理的基本单元。" + plain) >= 0.6


def test_a_staff_listed_policy_paragraph_does_not_count_even_unquoted():
    plain = "坚持党管人才原则，以人才培养为基础，以人才使用为根本，以人才评价激励为重点，建设一支结构合理的人才队伍。"
    boilerplate = engine.Boilerplate.from_texts([plain])
    a, b = UNRELATED[:200] + plain, SOURCE[:200] + plain
    assert score(a, b) >= 0.2
    assert score(a, b, boilerplate) <= 0.02


def test_the_forms_headings_and_plan_items_do_not_count():
    form = engine.Boilerplate.from_texts(["一、背景介绍", "三、服务计划", *PLAN_ITEMS])
    headings = "一、背景介绍\n三、服务计划\n（一）理论依据\n（二）服务需求\n（三）服务目标\n（四）服务程序安排\n"
    a, b = headings + SOURCE[:120], headings + UNRELATED[:120]
    assert score(a, b) > 0.1  # without the form's words the shared headings look like a copied passage
    assert score(a, b, form) == 0


def test_full_width_punctuation_and_spacing_do_not_hide_a_copy():
    original = "社会工作者在２０２４年３月为服务对象Ａ制定了ＳＭＡＲＴ服务目标，每周开展两次入户探访，持续十二周。"
    disguised = "社会工作者 在2024年3月, 为服务对象a制定了smart服务目标; 每周开展两次入户探访……持续十二周!"
    assert score(original, disguised) >= 0.95


def test_passage_offsets_point_into_the_original_texts():
    a = "开头不同的一句话。" + SOURCE[100:300] + "结尾也不同。"
    b = "另一篇案例这样开头，" + SOURCE[100:300]
    result = engine.compare(engine.analyse(a), engine.analyse(b))
    assert len(result.passages) == 1
    p = result.passages[0]
    assert a[p.a_start : p.a_end] == b[p.b_start : p.b_end] == SOURCE[100:300].rstrip("，。；：")


@pytest.mark.parametrize("short", ["服务对象的需求", "社会工作者与服务对象"])
def test_a_shared_stock_phrase_shorter_than_a_passage_is_not_copying(short):
    assert score(f"甲方案例中{short}很明确。", f"乙方案例写到{short}也很清楚。") == 0


def test_segments_cut_a_text_into_plain_and_highlighted_pieces():
    assert engine.segments("abcdefgh", [(2, 4), (3, 6)]) == [("ab", False), ("cdef", True), ("gh", False)]

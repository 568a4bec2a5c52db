import time

import pytest

from cases.models import SECTIONS
from cases.privacy import Finding, application_findings, apply_suggestion, find_findings, id_check_char, luhn_ok


def kinds(text):
    return [(f.kind, f.text) for f in find_findings(text)]


def with_luhn(prefix: str) -> str:
    """`prefix` plus the digit that makes it pass the Luhn check."""
    return next(prefix + d for d in "0123456789" if luhn_ok(prefix + d))


ID18 = "32058319880315123" + id_check_char("32058319880315123")
ID18_X = next(body + "X" for body in (f"32058319900101{n:03d}" for n in range(1000)) if id_check_char(body) == "X")
BANK_CARD = with_luhn("622202123456789012")


# ---------------------------------------------------------------- every kind


def test_an_18_digit_id_number_with_a_valid_check_digit_is_found_and_masked_keeping_6_and_4():
    [finding] = find_findings(f"服务对象身份证号{ID18}，已核实。")
    assert finding.kind == "id_number"
    assert finding.text == ID18
    assert finding.suggestion == ID18[:6] + "********" + ID18[-4:]


def test_an_id_number_ending_in_x_is_found():
    assert kinds(f"证件号：{ID18_X}") == [("id_number", ID18_X)]


def test_an_18_digit_number_with_a_wrong_check_digit_is_not_an_id_number():
    wrong = ID18[:17] + ("0" if ID18[17] != "0" else "1")
    assert all(kind != "id_number" for kind, _ in kinds(f"编号{wrong}"))


def test_a_15_digit_id_number_is_found():
    assert kinds("旧身份证320583880315123。") == [("id_number", "320583880315123")]


@pytest.mark.parametrize(
    ("written", "suggestion"),
    [
        ("13912345678", "139****5678"),
        ("139 1234 5678", "139****5678"),
        ("139-1234-5678", "139****5678"),
        ("+86 13912345678", "+86 139****5678"),
        ("+86-139-1234-5678", "+86 139****5678"),
        ("0512-57533024", "0512-****3024"),
        ("（0512）57533024", "0512-****3024"),
    ],
)
def test_mobile_and_landline_numbers_are_found_however_they_are_written(written, suggestion):
    [finding] = find_findings(f"她的电话是{written}，请勿外传。")
    assert (finding.kind, finding.text, finding.suggestion) == ("phone", written, suggestion)


def test_a_bare_landline_number_counts_only_after_a_word_for_phone():
    assert kinds("联系电话：57533024。") == [("phone", "57533024")]
    assert kinds("全年共发放57533024元补贴。") == []


def test_an_email_address_is_found_and_masked():
    [finding] = find_findings("邮箱wang.fang@163.com，")
    assert (finding.kind, finding.text, finding.suggestion) == ("email", "wang.fang@163.com", "w***@163.com")


@pytest.mark.parametrize("written", ["QQ：12345678", "qq号 12345678", "扣扣12345678", "QQ号码是12345678"])
def test_a_qq_number_is_found_when_the_text_says_it_is_one(written):
    [finding] = find_findings(f"他留下了{written}。")
    assert (finding.kind, finding.text, finding.suggestion) == ("qq", "12345678", "12****78")


def test_a_bank_card_number_passing_luhn_is_found_also_in_groups_of_four():
    grouped = " ".join(BANK_CARD[i : i + 4] for i in range(0, len(BANK_CARD), 4))
    assert kinds(f"卡号{BANK_CARD}。") == [("bank_card", BANK_CARD)]
    [finding] = find_findings(f"卡号 {grouped} 。")
    assert finding.kind == "bank_card"
    assert finding.suggestion == BANK_CARD[:4] + "*" * (len(BANK_CARD) - 8) + BANK_CARD[-4:]


def test_a_19_digit_number_failing_luhn_is_not_a_bank_card():
    not_luhn = BANK_CARD[:-1] + str((int(BANK_CARD[-1]) + 1) % 10)
    assert kinds(f"流水号{not_luhn}") == []


def test_a_road_and_number_with_building_unit_and_room_is_one_address_finding():
    [finding] = find_findings("服务对象住在前进中路123号3栋2单元301室，独居。")
    assert finding.kind == "address"
    assert finding.text == "前进中路123号3栋2单元301室"
    assert finding.suggestion == "某路**号**栋**单元**室"


@pytest.mark.parametrize(
    "address", ["人民路88号", "柏庐南路5号", "朝阳街12号", "3栋2单元", "12幢301室", "5号楼1单元", "阳光花园12幢"]
)
def test_detailed_addresses_are_found(address):
    assert [kind for kind, _ in kinds(f"家住{address}，平时")] == ["address"]


@pytest.mark.parametrize(
    ("sentence", "name"),
    [
        ("服务对象张伟今年45岁。", "张伟"),
        ("她的丈夫李秀英很少回家。", "李秀英"),
        ("社会工作者王小明走访了刘建国家。", "王小明"),
        ("陈红梅说她很难过。", "陈红梅"),
        ("欧阳娜娜参加了小组。", "欧阳娜娜"),
    ],
)
def test_full_names_of_people_are_found_and_masked_as_surname_and_stars(sentence, name):
    findings = [f for f in find_findings(sentence) if f.kind == "person_name"]
    assert findings[0].text == name
    assert findings[0].suggestion == ("欧阳" if name.startswith("欧阳") else name[0]) + "**"


@pytest.mark.parametrize("term", ["案主", "求助者", "当事人", "受助者", "服务使用者"])
def test_words_for_the_service_recipient_should_read_fu_wu_dui_xiang(term):
    [finding] = find_findings(f"{term}表示愿意参加。")
    assert (finding.kind, finding.text, finding.suggestion) == ("term", term, "服务对象")


@pytest.mark.parametrize("sentence", ["社工每周上门探访。", "一线社工提供陪伴。", "持证社工共12名。", "社工们讨论。"])
def test_she_gong_used_for_a_person_should_read_she_hui_gong_zuo_zhe(sentence):
    [finding] = find_findings(sentence)
    assert (finding.kind, finding.text, finding.suggestion) == ("term", "社工", "社会工作者")


# ---------------------------------------------------------------- false positives


@pytest.mark.parametrize(
    "sentence",
    [
        "服务于2018年3月1日开始，2018-03-01结束，2019/12/31回访。",
        "本项目共服务120人次，覆盖1500户居民。",
        "项目经费5000元，其中活动费用3000.50元。",
        "满意度达到95%，参与率提升了12.5%。",
        "2016年至2018年间，服务对象的情况逐步好转。",
        "张某和李某某来到服务站，服务对象A和小王也在。",
        "老张和王阿姨、李老师一起参加了活动。",
        "社工站、社工节、社工机构和社工服务中心共同开展活动。",
        "案例领域为学校社工和医务社工，体现了社工专业理念。",
        "社会工作者与服务对象一起制定计划。",
        "小组共开展6节活动，每节90分钟，第3单元讨论情绪。",
        "项目编号2019001，文号昆民〔2019〕37号。",
        "通过举办主题沙龙、田野调查和康复训练，提升了服务的高水平。",
    ],
)
def test_ordinary_case_text_has_no_findings(sentence):
    assert find_findings(sentence) == []


def test_masked_suggestions_are_not_findings_again():
    text = (
        f"服务对象张伟（身份证{ID18}）住在前进中路123号3栋2单元301室，电话13912345678，"
        "邮箱wang.fang@163.com，QQ：12345678，案主表示满意。"
    )
    fixed = text
    for finding in reversed(find_findings(text)):
        fixed = apply_suggestion(fixed, finding)
    assert find_findings(fixed) == []
    assert "张**" in fixed and "139****5678" in fixed and "服务对象表示满意" in fixed


# ---------------------------------------------------------------- shape of the answer


def test_findings_are_sorted_by_start_and_never_overlap():
    text = f"邮箱13912345678@qq.com，电话13912345678，卡号{BANK_CARD}，证件{ID18}，案主张伟。" * 3
    findings = find_findings(text)
    assert [f.start for f in findings] == sorted(f.start for f in findings)
    assert all(a.end <= b.start for a, b in zip(findings, findings[1:], strict=False))
    assert all(text[f.start : f.end] == f.text for f in findings)
    assert findings[0].kind == "email"


def test_apply_suggestion_replaces_exactly_the_finding():
    text = "请联系13912345678。"
    [finding] = find_findings(text)
    assert apply_suggestion(text, finding) == "请联系139****5678。"


def test_apply_suggestion_refuses_a_finding_the_text_no_longer_holds():
    finding = Finding("phone", 3, 14, "13912345678", "139****5678")
    with pytest.raises(ValueError, match="文本已更改"):
        apply_suggestion("请联系他。", finding)


def test_empty_text_has_no_findings():
    assert find_findings("") == []


def test_a_10000_character_body_is_checked_in_well_under_a_second():
    paragraph = "社会工作者在2018年3月1日走访服务对象张某，了解其家庭情况，共服务120人次，投入5000元。"
    text = (paragraph * (10_000 // len(paragraph) + 1))[:10_000]
    find_findings("预热")
    started = time.perf_counter()
    find_findings(text)
    assert time.perf_counter() - started < 1.0


@pytest.mark.django_db
def test_application_findings_are_keyed_by_section_and_photo_caption():
    from cases.tests.factories_checks import ApplicationFactory, CasePhotoFactory

    application = ApplicationFactory(background="当事人的母亲张伟住在人民路88号。", reflection="")
    photo = CasePhotoFactory(application=application, caption="李秀英在活动现场")
    clean_photo = CasePhotoFactory(application=application, caption="小组活动现场")

    result = application_findings(application)

    assert list(result)[:6] == [name for name, _ in SECTIONS]
    assert [f.kind for f in result["background"]] == ["term", "person_name", "address"]
    assert result["reflection"] == []
    assert [f.text for f in result[f"photo:{photo.pk}"]] == ["李秀英"]
    assert result[f"photo:{clean_photo.pk}"] == []

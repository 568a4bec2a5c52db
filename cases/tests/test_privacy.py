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
        ("服务对象黄美玲，女，65岁。", "黄美玲"),
        ("徐志明的儿子徐小军，13岁。", "徐志明"),
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
        "项目经费5000元，其中活动费用3000.50元，另有补贴伍佰元。",
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
        "服务对象独居于玉山镇某社区。",
        "社会工作者链接了社区志愿者小王和李阿姨，每周上门陪伴。",
        "服务对象王芳（化名）今年70岁。",
        "张某和李阿姨、陈女士和王先生都来了。",
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


def test_a_10000_character_body_is_checked_and_only_its_real_findings_are_reported():
    """Its timing is a benchmark (bench/privacy_check.py), not a test: a wall clock depends on the machine."""
    paragraph = "社会工作者在2018年3月1日走访服务对象张某，了解其家庭情况，共服务120人次，投入5000元。"
    planted = "服务对象电话 13912345678。"
    text = (paragraph * (10_000 // len(paragraph) + 1))[:9_000] + planted + paragraph * 20
    found = find_findings(text)
    assert [(f.kind, f.text) for f in found] == [("phone", "13912345678")]
    assert found[0].start == text.index("13912345678")


@pytest.mark.django_db
def test_application_findings_are_keyed_by_section_and_photo_caption():
    from cases.tests.factories_checks import ApplicationFactory, CasePhotoFactory

    application = ApplicationFactory(background="案主张伟住在人民路88号。", reflection="")
    photo = CasePhotoFactory(application=application, caption="李秀英在活动现场")
    clean_photo = CasePhotoFactory(application=application, caption="小组活动现场")

    result = application_findings(application)

    assert list(result)[:6] == [name for name, _ in SECTIONS]
    assert [f.kind for f in result["background"]] == ["term", "person_name", "address"]
    assert result["reflection"] == []
    assert [f.text for f in result[f"photo:{photo.pk}"]] == ["李秀英"]
    assert result[f"photo:{clean_photo.pk}"] == []


DEIDENTIFIED_CASE = """\
一、背景介绍
服务对象张某，女，72岁，独居于玉山镇某社区，老伴于2017年因病去世，育有一子一女，均在外地工作，每年春节回家一次。服务对象患有高血压、糖尿病，行动不便，平时由社区网格员定期探访。2018年3月，社区居委会将服务对象转介至本中心，社会工作者首次家访时发现服务对象情绪低落，常常独自流泪，表示"活着没意思"。
二、分析预估
根据马斯洛需求层次理论，服务对象的生理需求基本得到满足，但安全需求、归属与爱的需求明显不足。社会工作者运用生态系统理论分析发现，服务对象的微观系统（家庭）支持薄弱，中观系统（邻里、社区）联系松散，宏观系统（政策）方面可享受居家养老服务补贴。服务对象的优势在于：性格温和、有一定的文化程度、喜欢唱越剧、曾担任过小组长。
三、服务计划
服务目标：1.缓解服务对象的孤独感和抑郁情绪；2.重建服务对象的社会支持网络；3.提升服务对象的自我照顾能力。服务程序：第一阶段（2018年4月）建立专业关系；第二阶段（2018年5月至8月）开展个案辅导，链接志愿者资源；第三阶段（2018年9月）巩固成效、结案。预计面谈12次，每次约60分钟。
四、服务计划实施过程
第一次面谈，社会工作者通过倾听和同理，让服务对象讲述与老伴的往事，服务对象多次落泪。社会工作者运用怀旧疗法，邀请服务对象整理老照片。第三次面谈时，服务对象主动拿出年轻时的照片，说起当年在纺织厂工作的经历，情绪明显好转。社会工作者链接了社区志愿者小王和李阿姨，每周二、周四上门陪伴聊天。社会工作者还与服务对象的女儿取得联系，通过视频通话的方式，增加亲子互动的频率，女儿承诺每周至少视频两次。同时，社会工作者协助服务对象申请了居家养老服务，每月可获得20小时的上门服务，并为服务对象安装了紧急呼叫设备。社会工作者邀请服务对象参加社区越剧兴趣小组，服务对象从最初的旁观到后来主动演唱《梁祝》选段，获得了组员们的掌声。
五、总结评估
服务结束后，采用老年抑郁量表（GDS）进行前后测，服务对象得分由21分下降至9分。服务对象表示："现在有人陪我说话，心里舒坦多了。"社区志愿者反馈服务对象的精神状态明显改善，满意度达到95%。本案共开展面谈12次，电话回访6次，链接资源4项，服务总时长约30小时，投入经费3000元。
六、专业反思
一是要重视服务对象的优势视角，发掘其潜能；二是要善于整合社区资源，构建支持网络；三是社会工作者应注意专业界限，避免服务对象产生过度依赖。在本案中，社会工作者在结案阶段提前三次告知服务对象，做好离别情绪的处理，这一点值得在今后的实务中坚持。同时，社工站的督导陈老师给予了及时的指导。
"""


def test_a_realistic_de_identified_case_body_has_no_findings():
    assert find_findings(DEIDENTIFIED_CASE) == []

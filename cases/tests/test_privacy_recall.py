"""Recall of the privacy check on names introduced by a role or kinship word and on building/unit/room tails.

RECALL_CORPUS holds sentences written the way applicants write case reports, each with the personal data a
reviewer must not see; CLEAN_CORPUS holds look-alikes that must stay quiet (de-identified names, institutions,
role words alone, dates, counts). bench/privacy_recall.py --corpus prints recall and precision on both.
"""

import pytest

from cases.privacy import apply_suggestion, find_findings

# (sentence, [(kind, text), ...] the check must find)
RECALL_CORPUS = [
    ("服务对象的母亲王秀英今年68岁，常年卧床。", [("person_name", "王秀英")]),
    ("班主任刘建国老师反映孩子上课经常走神。", [("person_name", "刘建国")]),
    ("老人钱桂兰独居多年，子女均在外地。", [("person_name", "钱桂兰")]),
    ("奶奶郁兰芳每天接送他上下学。", [("person_name", "郁兰芳")]),
    ("爸爸戈建军长期在外打工，很少回家。", [("person_name", "戈建军")]),
    ("邻居栾小红经常过来帮忙买菜。", [("person_name", "栾小红")]),
    ("社区书记訾文斌表示愿意协调场地。", [("person_name", "訾文斌")]),
    ("医生佟国庆建议住院观察一周。", [("person_name", "佟国庆")]),
    ("丈夫车志刚酗酒后多次动手。", [("person_name", "车志刚")]),
    ("儿子缪晨阳今年13岁，读初一。", [("person_name", "缪晨阳")]),
    ("父亲宫建华于2019年因病去世。", [("person_name", "宫建华")]),
    ("社区书记汤文华主持了协调会。", [("person_name", "汤文华")]),
    ("志愿者司马雯雯每周陪伴老人。", [("person_name", "司马雯雯")]),
    ("母亲姚红和父亲蒯强离异后，他随外婆生活。", [("person_name", "姚红"), ("person_name", "蒯强")]),
    ("外婆佘凤英说孩子晚上常做噩梦。", [("person_name", "佘凤英")]),
    ("护士长蔺晓燕介绍了老人的病情。", [("person_name", "蔺晓燕")]),
    ("网格员诸葛明亮发现老人多日未出门。", [("person_name", "诸葛明亮")]),
    ("妻子印桂芳患有尿毒症，需每周透析三次。", [("person_name", "印桂芳")]),
    ("女儿濮琳在上海工作，很少回来。", [("person_name", "濮琳")]),
    ("村主任笪国平带社会工作者入户走访。", [("person_name", "笪国平")]),
    ("老伴冉德福去年去世后，老人情绪低落。", [("person_name", "冉德福")]),
    ("服务对象的爷爷暴永年今年82岁。", [("person_name", "暴永年")]),
    ("孙子邰浩然正在读高三，成绩中等。", [("person_name", "邰浩然")]),
    ("服务对象住在阳光花园3栋2单元301，独居。", [("address", "阳光花园3栋2单元301")]),
    ("家住2单元301室，楼下就是菜场。", [("address", "2单元301室")]),
    ("他住在5号楼1单元1203，电梯经常坏。", [("address", "5号楼1单元1203")]),
    ("服务对象目前借住在亲戚家12幢3-402。", [("address", "12幢3-402")]),
    ("一家人搬到了幸福新村8栋602。", [("address", "幸福新村8栋602")]),
    ("老人家在前进中路88号4栋1单元201，没有电梯。", [("address", "前进中路88号4栋1单元201")]),
    ("租住在城南小区7幢1单元502室。", [("address", "城南小区7幢1单元502室")]),
    ("婆婆常桂英对她一直不满意。", [("person_name", "常桂英")]),
    ("老人叫伏秀兰，今年79岁。", [("person_name", "伏秀兰")]),
    ("继父厉勇经常打骂孩子。", [("person_name", "厉勇")]),
    ("搬到了2幢1-301室。", [("address", "2幢1-301室")]),
    (
        "服务对象的母亲卢秀珍（身体不好）和外公麦长根住在锦溪花苑2幢1单元402，班主任俞晓红老师多次家访。",
        [
            ("person_name", "卢秀珍"),
            ("person_name", "麦长根"),
            ("address", "锦溪花苑2幢1单元402"),
            ("person_name", "俞晓红"),
        ],
    ),
]

CLEAN_CORPUS = [
    "张某的母亲王某今年68岁。",
    "服务对象李某某，女，72岁，独居。",
    "王某某老人表示感谢社会工作者的陪伴。",
    "服务对象A的女儿小A今年10岁。",
    "母亲王芳（化名）在超市工作。",
    "老人表示身体还可以，母亲则比较焦虑。",
    "老人们经常聚在社区活动室聊天。",
    "母亲常常哭泣，父亲平时很少说话。",
    "女儿于2018年3月5日出嫁，儿子于2019年外出打工。",
    "3月12日下午，社会工作者陪同老人到社区卫生服务中心体检。",
    "玉山镇人民政府、阳光社工服务中心和社区卫生服务中心共同参与。",
    "老人向社会工作者倾诉了自己的担心。",
    "医生建议老人定期复查，护士也叮嘱按时服药。",
    "班主任反映孩子的成绩有所提高。",
    "3栋楼里的居民大多是退休职工。",
    "小区共有12栋300户居民，其中独居老人45名。",
    "第3单元的课程讨论情绪管理，共120分钟。",
    "邻居家的孩子经常来找他玩。",
    "老师都说他是个懂事的孩子。",
    "老人第五次参加小组活动时主动发言。",
    "儿童福利院和老人公寓的工作人员也来了。",
    "学生家长和社区居民代表参加了座谈会。",
    "母亲节当天，志愿者为老人送去了鲜花。",
    "老人平时一个人在家，时常感到孤独。",
    "母亲和父亲都表示愿意配合。",
    "2018年改造了5栋1980年代建成的老楼。",
    "服务对象的奶奶今年80岁，爷爷已去世。",
    "志愿者协会的会长带来了慰问品。",
    "村主任带社会工作者入户走访了15户家庭。",
    "老伴去世后，老人情绪低落。",
    "社区书记和网格员一起上门了解情况。",
    "孩子上学时间为早上7点半。",
    "护士长介绍了病房管理制度。",
    "丈夫经常酗酒，妻子多次报警。",
    "外婆说孩子晚上常做噩梦。",
    "老人周末由女儿接回家住两天。",
    "母亲管教严格，父亲宁愿在外加班。",
    "服务对象和母亲共同居住，老人家里没有电梯。",
    "医生王某建议手术，护士李某某负责护理。",
    "邻居小王和邻居刘阿姨轮流照看。",
    "老人于是同意参加小组。",
    "居民委员会和老年人协会联合举办了活动。",
    "共走访3栋120户，发放问卷200份。",
    "老人万一摔倒，可以按紧急呼叫器。",
    "孩子成长过程中缺少父亲的陪伴。",
    "老人高兴地说：谢谢你们。",
    "母亲在2号楼的超市上班。",
    "志愿者时常上门陪伴老人。",
    "5号楼共有1200平方米的活动场地。",
    "活动安排在2号楼102会议室。",
    "学生宁可不吃饭也要上网。",
    "母亲文化程度不高，只读过小学。",
    "儿子成家后很少回来。",
    "老人能自己做饭，向来独立。",
    # from the bureau's notices (seeds 000–002): an institution, the head of state after 总书记, a red song
    "昆山市乐仁公益发展中心、昆山市公益创新中心共同承办。",
    "深入学习总书记习近平关于社会工作的重要指示精神。",
    "老人东方红小区的老邻居也来看望。",
]


def found(text):
    return [(f.kind, f.text) for f in find_findings(text)]


# ---------------------------------------------------------------- names after a role or kinship word


@pytest.mark.parametrize(("sentence", "expected"), RECALL_CORPUS, ids=[s[:12] for s, _ in RECALL_CORPUS])
def test_each_name_and_address_in_the_recall_corpus_is_found(sentence, expected):
    assert [item for item in found(sentence) if item in expected] == expected


@pytest.mark.parametrize("sentence", CLEAN_CORPUS, ids=[s[:12] for s in CLEAN_CORPUS])
def test_clean_look_alikes_have_no_findings(sentence):
    assert find_findings(sentence) == []


def test_a_name_after_a_kinship_word_is_masked_as_surname_and_stars():
    text = "服务对象的母亲王秀英今年68岁。"
    [finding] = find_findings(text)
    assert (finding.kind, finding.text, finding.suggestion) == ("person_name", "王秀英", "王**")
    assert text[finding.start : finding.end] == "王秀英"


def test_a_two_character_name_before_a_conjunction_ends_before_it():
    assert found("母亲王芳和父亲孟强都在外地打工。") == [("person_name", "王芳"), ("person_name", "孟强")]


def test_a_common_word_that_jieba_tags_as_a_name_stays_quiet_after_a_role_word():
    assert find_findings("学生宁可不吃饭也要上网，老人高峰期不出门。") == []


def test_a_surname_outside_the_common_hundred_is_found_after_a_role_word():
    [finding] = find_findings("社区书记訾文斌表示支持。")
    assert (finding.text, finding.suggestion) == ("訾文斌", "訾**")


def test_a_compound_surname_after_a_role_word_keeps_both_characters_in_the_suggestion():
    [finding] = find_findings("网格员诸葛明亮发现老人多日未出门。")
    assert (finding.text, finding.suggestion) == ("诸葛明亮", "诸葛**")


def test_a_name_after_the_term_an_zhu_is_found_besides_the_term():
    assert found("案主钱桂兰独居多年。") == [("term", "案主"), ("person_name", "钱桂兰")]


@pytest.mark.parametrize("written", ["母亲王某", "母亲王某某", "老人张某", "邻居王阿姨", "母亲王芳（化名）"])
def test_a_de_identified_or_addressed_relative_after_a_role_word_stays_quiet(written):
    assert find_findings(f"服务对象的{written}今年68岁。") == []


@pytest.mark.parametrize("written", ["老人们", "母亲常常", "老人平时", "女儿于", "老人第五次", "老师都"])
def test_a_role_word_followed_by_an_ordinary_word_starting_with_a_surname_character_stays_quiet(written):
    assert find_findings(f"{written}来到活动室。") == []


def test_a_name_after_a_role_word_then_a_place_suffix_is_a_place():
    assert find_findings("老人张浦镇的家中无人照料。") == []


# ---------------------------------------------------------------- building / unit / room tails


@pytest.mark.parametrize(
    ("address", "suggestion"),
    [
        ("3栋2单元301", "**栋**单元**"),
        ("2单元301室", "**单元**室"),
        ("5号楼1单元1203", "**号楼**单元**"),
        ("12幢3-402", "**幢**-**"),
        ("8栋602", "**栋**"),
        ("3-402室", "**-**室"),
    ],
)
def test_a_building_unit_and_room_tail_is_one_address_finding_with_every_number_masked(address, suggestion):
    text = f"服务对象住在{address}，平时很少出门。"
    [finding] = find_findings(text)
    assert (finding.kind, finding.text, finding.suggestion) == ("address", address, suggestion)
    assert text[finding.start : finding.end] == address


def test_a_room_tail_is_added_to_a_road_address():
    [finding] = find_findings("住在前进中路88号4栋1单元201。")
    assert finding.text == "前进中路88号4栋1单元201"
    assert finding.suggestion == "某路**号**栋**单元**"


@pytest.mark.parametrize(
    "sentence",
    [
        "3栋楼里的居民大多是退休职工。",
        "小区共有12栋300户居民。",
        "第3单元的课程共120分钟。",
        "改造了5栋1980年代建成的老楼。",
        "5号楼共有1200平方米的活动场地。",
        "12栋2018年完成加装电梯。",
    ],
)
def test_a_count_of_buildings_followed_by_a_number_with_a_measure_word_is_not_an_address(sentence):
    assert find_findings(sentence) == []


def test_masking_every_finding_of_the_recall_corpus_leaves_nothing_to_find():
    for sentence, _ in RECALL_CORPUS:
        fixed = sentence
        for finding in reversed(find_findings(sentence)):
            fixed = apply_suggestion(fixed, finding)
        assert find_findings(fixed) == [], fixed

"""隐私与用语检查: finds personal data of service recipients and words the notice asks to replace.

The notice's 文字要求 2 and 3: terms for the two parties read 社会工作者 and 服务对象, and names,
addresses and other private details are de-identified. The checker is a pure function of the text, so the
editor, the submit confirmation, the staff list and the `lint_case` command all give the same answer.
Offsets are Python string indices (characters, not bytes).
"""

from __future__ import annotations

import bisect
import hashlib
import logging
import re
import threading
from dataclasses import dataclass

KINDS = ("id_number", "phone", "email", "qq", "bank_card", "address", "person_name", "term")

KIND_LABELS = {
    "id_number": "身份证号码",
    "phone": "电话号码",
    "email": "电子邮箱",
    "qq": "QQ号码",
    "bank_card": "银行卡号",
    "address": "详细地址",
    "person_name": "人员姓名",
    "term": "用语规范",
}


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int
    text: str
    suggestion: str

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]

    def as_dict(self) -> dict:
        """The documented JSON shape: kind, start, end, text, suggestion."""
        return {
            "kind": self.kind,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "suggestion": self.suggestion,
        }


# When two findings overlap, the one of the earlier kind here wins (then the longer one).
_PRIORITY = {kind: i for i, kind in enumerate(("email", "id_number", "bank_card", "phone", "qq", "address", "term"))}
_PRIORITY["person_name"] = len(_PRIORITY)

# ---------------------------------------------------------------- numbers

_NOT_ALNUM_BEFORE = r"(?<![0-9A-Za-z０-９])"
_NOT_ALNUM_AFTER = r"(?![0-9A-Za-z０-９])"

_ID18_RE = re.compile(_NOT_ALNUM_BEFORE + r"[1-9]\d{16}[\dXx]" + _NOT_ALNUM_AFTER)
_ID15_RE = re.compile(_NOT_ALNUM_BEFORE + r"[1-9]\d{14}" + _NOT_ALNUM_AFTER)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_check_char(first17: str) -> str:
    """GB 11643 check character of an 18-digit resident ID number."""
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def _plausible_birth(year: int, month: int, day: int) -> bool:
    return 1900 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31


def _is_id18(digits: str) -> bool:
    return id_check_char(digits[:17]) == digits[17].upper() and _plausible_birth(
        int(digits[6:10]), int(digits[10:12]), int(digits[12:14])
    )


def _is_id15(digits: str) -> bool:
    return _plausible_birth(1900 + int(digits[6:8]), int(digits[8:10]), int(digits[10:12]))


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(digits)):
        n = int(c)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


# 16–19 digits, optionally grouped by spaces or dashes (6222 0212 3456 7890).
_BANK_RE = re.compile(_NOT_ALNUM_BEFORE + r"\d{4}(?:[ \-]?\d){12,15}" + _NOT_ALNUM_AFTER)
# Mainland mobile numbers: 139 1234 5678, 139-1234-5678, +86 13912345678, 86-139…
_MOBILE_RE = re.compile(
    _NOT_ALNUM_BEFORE + r"(?P<cc>(?:\+|＋)?86[ \-]?)?(?P<n>1[3-9]\d[ \-]?\d{4}[ \-]?\d{4})" + _NOT_ALNUM_AFTER
)
# Landlines with an area code: 0512-57533024, (0512)57533024, 0512 5753 3024, 051257533024.
_LANDLINE_RE = re.compile(
    _NOT_ALNUM_BEFORE
    + r"(?P<area>[(（]0\d{2,3}[)）][ \-]?|0\d{2,3}[ \-]?)(?P<n>[2-9]\d{2,3}[ \-]?\d{4})"
    + r"(?:[ \-]?(?:转|-)\d{1,5})?"
    + _NOT_ALNUM_AFTER
)
# A bare 7–8 digit landline only counts after a word that says it is a phone number.
_LANDLINE_CONTEXT_RE = re.compile(
    r"(?:电话|座机|固话|手机|联系方式|热线|Tel|TEL|tel)[^0-9\n]{0,6}?"
    + _NOT_ALNUM_BEFORE
    + r"(?P<n>[2-9]\d{2,3}[ \-]?\d{4})"
    + _NOT_ALNUM_AFTER
)
_EMAIL_RE = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)
_QQ_RE = re.compile(
    r"(?:QQ|qq|Qq|ＱＱ|扣扣|企鹅号)(?:号码|号)?[\s:：是为]{0,3}"
    + _NOT_ALNUM_BEFORE
    + r"(?P<n>[1-9]\d{4,10})"
    + _NOT_ALNUM_AFTER
)

# ---------------------------------------------------------------- addresses

_NUM = r"[0-9０-９一二三四五六七八九十百零〇两]+"
_DIGIT_NUM = r"[0-9０-９]+"
_ADDR_PART = rf"(?:{_NUM}(?:号楼|栋|幢|座|单元|室|楼|层)|{_DIGIT_NUM}[A-Za-z]?(?:号|室))"
# A room number written bare after a building, unit or floor: 3栋2单元301, 5号楼1单元1203, 12幢3-402, 8栋602.
# Not when a measure word follows, which makes it a count (12栋300户, 5号楼共1200平方米, 5栋1980年代), nor when a
# room of a public building follows (2号楼102会议室).
_MEASURE_WORDS = "户人名位元个次间套平米余多岁年月日天周期批场栋幢层楼号分秒小千万亿%％.．"
_ROOM_TAIL = (
    r"(?<=[栋幢座楼元层])[ \-]?(?:[0-9０-９]{1,2}[\-－])?[0-9０-９]{3,4}"
    rf"(?:室|(?![0-9０-９A-Za-z{_MEASURE_WORDS}]|[\u4e00-\u9fff]{{1,3}}室))"
)
# road + number, then any building / unit / room parts
_ROAD_ADDR_RE = re.compile(rf"(?:路|街|大道|道|巷|弄)[ ]?{_DIGIT_NUM}(?:号|弄)(?:[ \-]?{_ADDR_PART})*(?:{_ROOM_TAIL})?")
# two or more building / unit / room parts, e.g. 3栋2单元301室
_BUILDING_ADDR_RE = re.compile(rf"{_ADDR_PART}(?:[ \-]?{_ADDR_PART})+(?:{_ROOM_TAIL})?")
# an estate name then one part, e.g. 阳光花园12幢
_ESTATE_ADDR_RE = re.compile(rf"(?:小区|花园|新村|家园|公寓|苑|村|城)[ ]?{_NUM}(?:号楼|栋|幢|座|单元)(?:{_ROOM_TAIL})?")
# one building / unit / floor and its room number, e.g. 8栋602, 12幢3-402; 第3单元 is a chapter
_ROOM_ADDR_RE = re.compile(
    rf"(?<![第0-9０-９一二三四五六七八九十百零〇两]){_NUM}(?:号楼|栋|幢|座|单元|楼|层){_ROOM_TAIL}"
    r"|(?<![0-9０-９\-－])[0-9０-９]{1,2}[\-－][0-9０-９]{3,4}室"
)
# Characters that end a place name when walking back from 路/街: a place name never spans them.
_ADDR_STOP = set("在于到住至的和与从是向往去由及、，。；：:！？!?（）()“”\"' \n\t了也就都还又把被给对为家有")
_ADDR_NAME_MAX = 8


def _address_start(text: str, start: int) -> int:
    i = start
    while i > 0 and start - i < _ADDR_NAME_MAX:
        c = text[i - 1]
        if c in _ADDR_STOP or not ("\u4e00" <= c <= "\u9fff" or c.isalnum()):
            break
        i -= 1
    return i


_ROAD_NUMBER_RE = re.compile(r"(?:大道|路|街|道|巷|弄) ?\*\*")


def _address_suggestion(address: str) -> str:
    masked = re.sub(_NUM, "**", address)
    road = _ROAD_NUMBER_RE.search(masked)
    if road:
        return "某" + masked[road.start() :]
    estate = re.search(r"(小区|花园|新村|家园|公寓|苑|村|城)", masked)
    if estate and masked.index("**") > estate.start():
        return "某" + masked[estate.start() :]
    return masked


# ---------------------------------------------------------------- terms

_TERM_RE = re.compile(r"服务使用者|案主|求助者|当事人|受助者")
# 社工 followed by one of these is an institution, an event or the discipline, not a person.
_SOCIAL_WORK_NOT_PERSON_AFTER = (
    "站",
    "节",
    "机构",
    "服务中心",
    "服务站",
    "服务社",
    "服务",
    "中心",
    "协会",
    "学会",
    "联合会",
    "事务所",
    "组织",
    "行业",
    "专业",
    "人才",
    "领域",
    "理念",
    "方法",
    "价值",
    "伦理",
    "实务",
    "工作",
    "项目",
    "日",
    "周",
    "室",
    "部",
    "证",
    "考试",
    "师",
    "者",
    "案例",
    "知识",
    "风采",
    "发展",
    "姓名",
    "相关",
    "主题",
    "成果",
    "总站",
    "分站",
    "资格",
    "队伍",
    "点",
    "驿站",
    "宣传",
    "活动",
    "政策",
    "制度",
    "体系",
    "教育",
    "学",
    "课程",
    "岗位",
    "类",
)
# 学校社工 and 医务社工 are two of the notice's 案例领域, written that way in the official form.
_SOCIAL_WORK_NOT_PERSON_BEFORE = ("学校", "医务")
_SOCIAL_WORK_RE = re.compile(r"社工")

# ---------------------------------------------------------------- names

# The most common surnames (over 90% of people) and the compound ones. jieba's name tags are trusted with these.
_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭"
    "陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易"
    "乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴"
    "蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边"
    "卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
# 百家姓, every single surname in its order (simplified: 後/后, 鬱/郁 and 麴/曲 fall together), for names that a
# role or kinship word introduces (母亲訾文斌), where the context vouches for a rarer surname.
_BAIJIAXING_SINGLE = (
    "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜戚谢邹喻柏水窦章云苏潘葛奚范彭郎鲁韦昌马苗凤花方"
    "俞任袁柳酆鲍史唐费廉岑薛雷贺倪汤滕殷罗毕郝邬安常乐于时傅皮卞齐康伍余元卜顾孟平黄和穆萧尹姚邵湛汪祁毛禹狄米贝明臧"
    "计伏成戴谈宋茅庞熊纪舒屈项祝董梁杜阮蓝闵席季麻强贾路娄危江童颜郭梅盛林刁钟徐邱骆高夏蔡田樊胡凌霍虞万支柯昝管卢莫"
    "经房裘缪干解应宗丁宣贲邓郁单杭洪包诸左石崔吉钮龚程嵇邢滑裴陆荣翁荀羊於惠甄曲家封芮羿储靳汲邴糜松井段富巫乌焦巴弓"
    "牧隗山谷车侯宓蓬全郗班仰秋仲伊宫宁仇栾暴甘钭厉戎祖武符刘景詹束龙叶幸司韶郜黎蓟薄印宿白怀蒲邰从鄂索咸籍赖卓蔺屠蒙"
    "池乔阴胥能苍双闻莘党翟谭贡劳逄姬申扶堵冉宰郦雍郤璩桑桂濮牛寿通边扈燕冀郏浦尚农温别庄晏柴瞿阎充慕连茹习宦艾鱼容"
    "向古易慎戈廖庾终暨居衡步都耿满弘匡国文寇广禄阙东欧殳沃利蔚越夔隆师巩厍聂晁勾敖融冷訾辛阚那简饶空曾毋沙乜养鞠须丰"
    "巢关蒯相查后荆红游竺权逯盖益桓公晋楚闫法汝鄢涂钦归海岳帅缑亢况郈有琴商牟佘佴墨哈谯笪年爱阳佟言福"
)
# The compound surnames met in everyday text; jieba's name tags are trusted with these.
_COMMON_COMPOUND_SURNAMES = {
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "令狐",
    "夏侯",
    "长孙",
    "宇文",
    "司徒",
}
# 百家姓's compound surnames (after a role word only, like _ALL_SURNAMES).
_COMPOUND_SURNAMES = set(
    (
        "万俟 司马 上官 欧阳 夏侯 诸葛 闻人 东方 赫连 皇甫 尉迟 公羊 澹台 公冶 宗政 濮阳 淳于 单于 太叔 申屠 公孙 仲孙 "
        "轩辕 令狐 钟离 宇文 长孙 慕容 鲜于 闾丘 司徒 司空 亓官 司寇 仉督 子车 颛孙 端木 巫马 公西 漆雕 乐正 壤驷 公良 "
        "拓跋 夹谷 宰父 谷梁 段干 百里 东郭 南门 呼延 羊舌 微生 梁丘 左丘 东门 西门 南宫 第五"
    ).split()
)
# Every surname the checker knows: 百家姓 and the common modern ones it lacks (覃, 肖, 付, 邝 …). Only read after
# a role word: on jieba's tags alone the rarer ones flagged 习近平 and 乐仁(公益发展中心) in the bureau's notices.
_ALL_SURNAMES = _SURNAMES | set(_BAIJIAXING_SINGLE)
# Words after a surname that make a form of address, not a name (王阿姨, 李老师).
_ADDRESS_WORDS = (
    "某",
    "阿姨",
    "叔叔",
    "奶奶",
    "爷爷",
    "大爷",
    "大妈",
    "阿婆",
    "阿公",
    "婆婆",
    "老师",
    "老太",
    "先生",
    "女士",
    "小姐",
    "师傅",
    "伯伯",
    "大姐",
    "大哥",
    "姐姐",
    "哥哥",
    "同学",
    "医生",
    "书记",
    "主任",
    "社工",
    "家",
    "氏",
)
# Words jieba tags as names that are not names in case reports.
_NOT_NAMES = {
    "高兴",
    "明白",
    "明确",
    "成长",
    "时间",
    "安全",
    "温暖",
    "常规",
    "于是",
    "万一",
    "高度",
    "白天",
    "方便",
    "成果展",
    # quoted in nearly every case report (习近平总书记关于…的重要论述), never a service recipient
    "习近平",
}
# A name followed by one of these is a place (温宿县, 朱坝镇) or a document number (宁民发).
_PLACE_NAME_SUFFIXES = tuple("县镇市区乡村省州旗路街巷")
_PLACE_SUFFIXES = (*_PLACE_NAME_SUFFIXES, "发")
_PLACE_ENDINGS = set("县镇乡")
# A "name" followed by one of these names an estate or an institution (东方红小区, 建国医院).
_PLACE_WORDS_AFTER = (
    "小区",
    "花园",
    "新村",
    "家园",
    "公寓",
    "社区",
    "大厦",
    "广场",
    "医院",
    "学校",
    "小学",
    "中学",
    "幼儿园",
    "公司",
    "工厂",
    "中心",
    "街道",
)


def _names_a_place(text: str, start: int, end: int, *, or_document_number: bool = True) -> bool:
    """text[start:end] is (part of) a place or an institution (温宿县, 张浦镇, 东方红小区), or a document number."""
    return (
        text.startswith(_PLACE_SUFFIXES if or_document_number else _PLACE_NAME_SUFFIXES, end)
        or (end - start >= 3 and text[end - 1] in _PLACE_ENDINGS)
        or text.startswith(_PLACE_WORDS_AFTER, end)
    )


# jieba's dictionary tags some everyday words as names (沙龙, 田野, 康复); real people's names are rare in it.
_COMMON_WORD_FREQ = 10
_NAME_CHARS_RE = re.compile(r"^[\u4e00-\u9fff]+$")

# jieba's tags for conjunctions, prepositions, particles, adverbs and pronouns: 和/c 李/nr is not a name.
_FUNCTION_WORD_FLAGS = ("c", "p", "u", "d", "r")

# Words that introduce a person by role or kinship: 母亲王秀英, 班主任刘建国老师, 老人钱桂兰. What follows one of
# them, starting with a surname and cut by jieba where a name would end, is read as a name even when jieba does not
# tag it as one: the context vouches for it, so the rarer 百家姓 surnames count here too.
_ROLE_WORDS = (
    # kinship
    "父亲 母亲 爸爸 妈妈 爷爷 奶奶 外公 外婆 姥姥 姥爷 祖父 祖母 丈夫 妻子 老公 老婆 老伴 前夫 前妻 儿子 女儿 儿媳 "
    "女婿 孙子 孙女 外孙 外孙女 哥哥 姐姐 弟弟 妹妹 舅舅 舅妈 叔叔 婶婶 姑姑 姑父 姨妈 姨父 伯伯 伯母 继父 继母 "
    "养父 养母 公公 婆婆 岳父 岳母 侄子 侄女 外甥 表哥 表姐 表弟 表妹 堂哥 堂姐 堂弟 堂妹 亲戚 监护人 "
    # roles around a case
    "老人 老年人 服务对象 案主 求助者 当事人 受助者 服务使用者 孩子 儿童 学生 同学 同事 朋友 邻居 室友 房东 "
    "医生 护士 护士长 护工 保姆 院长 校长 老师 班主任 书记 主任 网格员 楼长 组长 志愿者 社会工作者 督导 民警 警官 "
    "律师 村民 居民 患者 病人 经理 老板"
).split()
_ROLE_RE = re.compile("(?:" + "|".join(sorted(_ROLE_WORDS, key=len, reverse=True)) + ")(?:名叫|叫)?")
# Surname characters that after a role word nearly always start an ordinary word (老人家里, 女儿家住).
_NOT_SURNAMES_AFTER_ROLE = set("家有")
# jieba's tags that a surname never carries, nor a one-character part of a given name: conjunction, preposition,
# particle, adverb, pronoun, numeral, measure word, time, direction, verb (母亲于, 老师都, 老人第五次).
_NOT_NAME_PART_FLAGS = ("c", "p", "u", "d", "r", "m", "q", "t", "f", "v")

_jieba_lock = threading.Lock()
_posseg = None
_jieba_freq: dict[str, int] = {}


def _segmenter():
    """jieba's POS tagger, loaded once per process and without its start-up chatter."""
    global _posseg, _jieba_freq
    if _posseg is None:
        with _jieba_lock:
            if _posseg is None:
                import jieba
                import jieba.posseg

                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _jieba_freq = jieba.dt.FREQ
                _posseg = jieba.posseg
    return _posseg


def _split_name(word: str) -> tuple[str, str] | None:
    """(surname, given name) when `word` reads as a full personal name, else None."""
    if not _NAME_CHARS_RE.match(word) or word in _NOT_NAMES or any(c in "佰仟拾万亿元" for c in word):
        return None  # 伍佰元 is money
    if (_jieba_freq.get(word) or 0) >= _COMMON_WORD_FREQ:
        return None
    if word[:2] in _COMMON_COMPOUND_SURNAMES and 3 <= len(word) <= 4:
        surname, given = word[:2], word[2:]
    elif word[0] in _SURNAMES and 2 <= len(word) <= 3:
        surname, given = word[0], word[1:]
    else:
        return None
    if word[0] in "和与跟同及对给让被把" and given[0] in "小老阿":
        return None  # 和小王: a conjunction before a nickname
    if any(w in given for w in _ADDRESS_WORDS):
        return None  # 王阿姨, 李老师, 张某
    return surname, given


def _not_a_name_in_context(text: str, start: int, end: int) -> bool:
    """What jieba tagged as a name reads otherwise in its sentence."""
    before = text[start - 1] if start else ""
    if _names_a_place(text, start, end):
        return True
    if text.startswith(("（化名）", "(化名)"), end):
        return True  # already a pseudonym
    if before and before in "小老阿":
        return True  # 小王和李阿姨: a nickname, not 王和李
    # 居于玉山镇: the "surname" closes a word with the character before it.
    return bool(before) and (_jieba_freq.get(before + text[start]) or 0) >= _COMMON_WORD_FREQ


def _name_findings(text: str, role_ends: list[int]) -> list[Finding]:
    tokens = []
    pos = 0
    for pair in _segmenter().cut(text):
        word, flag = pair.word, pair.flag
        if not text.startswith(word, pos):
            pos = text.find(word, pos)
            if pos < 0:
                break
        tokens.append((word, flag, pos))
        pos += len(word)

    findings = []
    i = 0
    while i < len(tokens):
        word, flag, start = tokens[i]
        candidate, used = None, 1
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        # jieba sometimes cuts a name in two: 陈/nr + 红梅/nr, 黄/a + 美玲/nr, 欧阳/ns + 娜娜/nrt.
        if (
            nxt
            and nxt[1].startswith("nr")
            and 1 <= len(nxt[0]) <= 2
            and (
                (len(word) == 1 and word in _SURNAMES and not flag.startswith(_FUNCTION_WORD_FLAGS))
                or word in _COMMON_COMPOUND_SURNAMES
            )
        ):
            candidate, used = word + nxt[0], 2
        elif flag.startswith("nr"):
            candidate = word
        if candidate:
            end = start + len(candidate)
            parts = None if _not_a_name_in_context(text, start, end) else _split_name(candidate)
            if parts:
                surname, _ = parts
                findings.append(Finding("person_name", start, end, candidate, surname + "**"))
            else:
                used = 1
        i += used
    return findings + _introduced_names(text, tokens, role_ends)


def _introduced_names(text: str, tokens: list[tuple[str, str, int]], role_ends: list[int]) -> list[Finding]:
    """Names right after a role or kinship word (母亲王秀英), however jieba tags them."""
    token_at = {start: (word, flag) for word, flag, start in tokens}
    boundaries = set(token_at) | {len(text)}
    findings = []
    for start in role_ends:
        if start not in token_at:
            continue  # 老人们: the role word runs on into the next word
        if text[start : start + 2] in _COMPOUND_SURNAMES:
            surname = text[start : start + 2]
        elif text[start : start + 1] in _ALL_SURNAMES and text[start] not in _NOT_SURNAMES_AFTER_ROLE:
            surname = text[start]
        else:
            continue
        first_word, first_flag = token_at[start]
        if len(first_word) <= len(surname) and first_flag.startswith(_NOT_NAME_PART_FLAGS):
            continue  # 母亲于, 老师都, 老人第五次
        if (
            len(first_word) > len(surname)
            and not first_flag.startswith("nr")
            and (_jieba_freq.get(first_word) or 0) >= _COMMON_WORD_FREQ
        ):
            continue  # 母亲常常, 老人平时, 学生家长, 老人公寓
        for given_length in (2, 1):
            end = start + len(surname) + given_length
            if end in boundaries and _reads_as_introduced_name(text, start, end, surname, token_at):
                findings.append(Finding("person_name", start, end, text[start:end], surname + "**"))
                break
    return findings


def _reads_as_introduced_name(text: str, start: int, end: int, surname: str, token_at: dict) -> bool:
    name, given = text[start:end], text[start + len(surname) : end]
    if not _NAME_CHARS_RE.match(name) or name in _NOT_NAMES or any(w in given for w in _ADDRESS_WORDS):
        return False  # 母亲王某, 邻居王阿姨
    if (_jieba_freq.get(name) or 0) >= _COMMON_WORD_FREQ:
        return False  # a common word: 宁可 and 高峰 are as much "names" to jieba as 李娜
    # After a role word 发 is a verb (诸葛明亮发现), not the end of a document number (宁民发).
    if _names_a_place(text, start, end, or_document_number=False) or text.startswith(("（化名）", "(化名)"), end):
        return False  # 老人张浦镇, 母亲王芳（化名）
    position = start + len(token_at[start][0])
    while position < end and position in token_at:
        word, flag = token_at[position]
        if flag.startswith(("m", "q")) or (len(word) == 1 and flag.startswith(_NOT_NAME_PART_FLAGS)):
            return False  # 母亲王芳和: the conjunction is no part of the name
        position += len(word)
    return position == end


# ---------------------------------------------------------------- masking


def _mask_digits(s: str, keep_head: int, keep_tail: int) -> str:
    digits = re.sub(r"[^0-9Xx]", "", s)
    return digits[:keep_head] + "*" * (len(digits) - keep_head - keep_tail) + digits[len(digits) - keep_tail :]


def _mask_email(address: str) -> str:
    local, _, domain = address.partition("@")
    return local[0] + "***@" + domain


# ---------------------------------------------------------------- the checker


def _candidates(text: str) -> list[Finding]:
    found: list[Finding] = []

    def add(kind, start, end, suggestion):
        found.append(Finding(kind, start, end, text[start:end], suggestion))

    for m in _EMAIL_RE.finditer(text):
        add("email", m.start(), m.end(), _mask_email(m.group()))
    for m in _ID18_RE.finditer(text):
        if _is_id18(m.group()):
            add("id_number", m.start(), m.end(), _mask_digits(m.group(), 6, 4))
    for m in _ID15_RE.finditer(text):
        if _is_id15(m.group()):
            add("id_number", m.start(), m.end(), _mask_digits(m.group(), 6, 4))
    for m in _BANK_RE.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if 16 <= len(digits) <= 19 and luhn_ok(digits):
            add("bank_card", m.start(), m.end(), _mask_digits(digits, 4, 4))
    for m in _MOBILE_RE.finditer(text):
        prefix = "+86 " if m.group("cc") else ""
        add("phone", m.start(), m.end(), prefix + _mask_digits(m.group("n"), 3, 4))
    for m in _LANDLINE_RE.finditer(text):
        area = re.sub(r"\D", "", m.group("area"))
        add("phone", m.start(), m.end(), f"{area}-" + _mask_digits(m.group("n"), 0, 4))
    for m in _LANDLINE_CONTEXT_RE.finditer(text):
        add("phone", m.start("n"), m.end("n"), _mask_digits(m.group("n"), 0, 4))
    for m in _QQ_RE.finditer(text):
        n = m.group("n")
        add("qq", m.start("n"), m.end("n"), n[:2] + "*" * (len(n) - 4) + n[-2:])
    for regex in (_ROAD_ADDR_RE, _ESTATE_ADDR_RE, _BUILDING_ADDR_RE, _ROOM_ADDR_RE):
        for m in regex.finditer(text):
            start = _address_start(text, m.start())
            if regex is _ROAD_ADDR_RE and start == m.start():
                continue  # 路/街 with no name before it is not an address (e.g. 一路3号 reads as a count)
            add("address", start, m.end(), _address_suggestion(text[start : m.end()]))
    for m in _TERM_RE.finditer(text):
        add("term", m.start(), m.end(), "服务对象")
    for m in _SOCIAL_WORK_RE.finditer(text):
        if not text.startswith(_SOCIAL_WORK_NOT_PERSON_AFTER, m.end()) and not text.endswith(
            _SOCIAL_WORK_NOT_PERSON_BEFORE, 0, m.start()
        ):
            add("term", m.start(), m.end(), "社会工作者")
    # jieba reads 案主张伟 as 案/主张/伟: the term words become commas (same length, offsets kept) before names.
    # The role words are found in the text as written, so that 案主钱桂兰 introduces a name too.
    role_ends = [m.end() for m in _ROLE_RE.finditer(text)]
    found.extend(_name_findings(_TERM_RE.sub(lambda m: "，" * len(m.group()), text), role_ends))
    return found


def find_findings(text: str) -> list[Finding]:
    """Every privacy and terminology finding in `text`, sorted by start, none overlapping."""
    if not text:
        return []
    candidates = sorted(_candidates(text), key=lambda f: (_PRIORITY[f.kind], -(f.end - f.start), f.start))
    # Taken findings never overlap, so sorted by start their ends are sorted too: a candidate fits when the
    # finding just before it ends before it starts and the one just after starts after it ends (log n each).
    starts: list[int] = []
    taken: list[Finding] = []
    for finding in candidates:
        i = bisect.bisect_right(starts, finding.start)
        if i and taken[i - 1].end > finding.start:
            continue
        if i < len(taken) and taken[i].start < finding.end:
            continue
        starts.insert(i, finding.start)
        taken.insert(i, finding)
    return taken


def apply_suggestion(text: str, finding: Finding) -> str:
    """`text` with `finding` replaced by its suggestion; refuses a finding that no longer matches the text."""
    if text[finding.start : finding.end] != finding.text:
        raise ValueError("文本已更改，请重新检查后再修改。")
    return text[: finding.start] + finding.suggestion + text[finding.end :]


# ---------------------------------------------------------------- remembered results

# The checker is a pure function of the text, so its result is kept under the text's hash: a save, a submit
# or a page recomputes only the sections that changed since they were last checked (in any process).
_CACHE_PREFIX = "privacy:v1:"
_CACHE_SECONDS = 14 * 24 * 3600


def _cache_key(text: str) -> str:
    return _CACHE_PREFIX + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _from_dicts(rows: list[dict]) -> list[Finding]:
    return [Finding(**row) for row in rows]


def findings_cached(text: str) -> list[Finding] | None:
    """The findings of `text` when it was checked before, else None (nothing is computed)."""
    if not text:
        return []
    from django.core.cache import cache

    rows = cache.get(_cache_key(text))
    return None if rows is None else _from_dicts(rows)


def find_findings_remembered(text: str) -> list[Finding]:
    """find_findings(text), computed once per distinct text and then read from the cache.

    A text not seen before is checked paragraph by paragraph, each paragraph remembered on its own, so an edit
    to one paragraph of a long section costs the check of that paragraph only. No finding spans a line break
    (the segmenter and every pattern stop at one), so the result is the same as checking the whole text."""
    found = findings_cached(text)
    if found is not None:
        return found
    from django.core.cache import cache

    lines = text.split("\n")
    keys = {line: _cache_key(line) for line in lines if line.strip()}
    remembered = cache.get_many(list(set(keys.values())))
    new: dict[str, list[dict]] = {}
    found, offset = [], 0
    for line in lines:
        if line in keys:
            rows = remembered.get(keys[line])
            if rows is None:
                rows = new.get(keys[line])
            if rows is None:
                rows = new[keys[line]] = [f.as_dict() for f in find_findings(line)]
            found.extend(Finding(**{**row, "start": row["start"] + offset, "end": row["end"] + offset}) for row in rows)
        offset += len(line) + 1
    new[_cache_key(text)] = [f.as_dict() for f in found]
    cache.set_many(new, _CACHE_SECONDS)
    return found


def _application_texts(application) -> dict[str, str]:
    from cases.models import SECTIONS

    if application.campaign.uses_defined_form:
        from cases.formdef import campaign_definition, textarea_keys

        answers = application.answers or {}
        texts = {key: str(answers.get(key) or "") for key in textarea_keys(campaign_definition(application.campaign))}
    else:
        texts = {name: getattr(application, name) or "" for name, _ in SECTIONS}
    if application.pk:
        for photo in application.photos.all():
            texts[f"photo:{photo.pk}"] = photo.caption or ""
    return texts


def application_findings(application) -> dict[str, list[Finding]]:
    """Findings per body section (keys from SECTIONS, always all six) and per photo caption ("photo:<id>").
    Only texts not checked before are checked now."""
    return {key: find_findings_remembered(text) for key, text in _application_texts(application).items()}


# Texts this short (photo captions, a one-line section) are checked at once: it costs milliseconds.
_CHECK_AT_ONCE_CHARS = 300


def application_findings_if_checked(application) -> dict[str, list[Finding]] | None:
    """application_findings when every long text was checked before, else None: cache reads, and the check
    of short texts only."""
    result = {}
    for key, text in _application_texts(application).items():
        found = find_findings_remembered(text) if len(text) <= _CHECK_AT_ONCE_CHARS else findings_cached(text)
        if found is None:
            return None
        result[key] = found
    return result

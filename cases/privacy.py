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
# road + number, then any building / unit / room parts
_ROAD_ADDR_RE = re.compile(rf"(?:路|街|大道|道|巷|弄)[ ]?{_DIGIT_NUM}(?:号|弄)(?:[ \-]?{_ADDR_PART})*")
# two or more building / unit / room parts, e.g. 3栋2单元301室
_BUILDING_ADDR_RE = re.compile(rf"{_ADDR_PART}(?:[ \-]?{_ADDR_PART})+")
# an estate name then one part, e.g. 阳光花园12幢
_ESTATE_ADDR_RE = re.compile(rf"(?:小区|花园|新村|家园|公寓|苑|村|城)[ ]?{_NUM}(?:号楼|栋|幢|座|单元)")
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

# The most common surnames (over 90% of people) and the compound ones.
_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭"
    "陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易"
    "乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴"
    "蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边"
    "卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
_COMPOUND_SURNAMES = {
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
}
# A name followed by one of these is a place (温宿县, 朱坝镇) or a document number (宁民发).
_PLACE_SUFFIXES = tuple("县镇市区乡村省州旗路街巷发")
# jieba's dictionary tags some everyday words as names (沙龙, 田野, 康复); real people's names are rare in it.
_COMMON_WORD_FREQ = 10
_NAME_CHARS_RE = re.compile(r"^[\u4e00-\u9fff]+$")

# jieba's tags for conjunctions, prepositions, particles, adverbs and pronouns: 和/c 李/nr is not a name.
_FUNCTION_WORD_FLAGS = ("c", "p", "u", "d", "r")

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
    if word[:2] in _COMPOUND_SURNAMES and 3 <= len(word) <= 4:
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
    if text.startswith(_PLACE_SUFFIXES, end):
        return True  # 温宿县, 朱坝镇
    if text.startswith(("（化名）", "(化名)"), end):
        return True  # already a pseudonym
    if before and before in "小老阿":
        return True  # 小王和李阿姨: a nickname, not 王和李
    # 居于玉山镇: the "surname" closes a word with the character before it.
    return bool(before) and (_jieba_freq.get(before + text[start]) or 0) >= _COMMON_WORD_FREQ


def _name_findings(text: str) -> list[Finding]:
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
                or word in _COMPOUND_SURNAMES
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
    return findings


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
    for regex in (_ROAD_ADDR_RE, _ESTATE_ADDR_RE, _BUILDING_ADDR_RE):
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
    found.extend(_name_findings(_TERM_RE.sub(lambda m: "，" * len(m.group()), text)))
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

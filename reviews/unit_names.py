"""When two unit names written by hand may be the same unit: “昆山市阳光社工服务中心” and “阳光社会工作服务中心”.
A match here is a suspicion for staff to confirm (疑似回避), never a conflict by itself: only the same registered
organisation (or the very same text) is one."""

import re
import unicodedata

# Longest first, so that “昆山市” goes before “昆山” and “市”.
_PREFIXES = ("江苏省", "苏州市", "昆山市", "昆山", "市", "区", "县")
_SUFFIXES = ("有限责任公司", "有限公司", "服务中心", "中心")
_PUNCTUATION = re.compile(r"[\s·•\-—_()（）\[\]【】「」“”\"'‘’,，、.。:：;；/]+")


def unit_name_normalise(name: str) -> str:
    """The comparable core of a unit's name: full-width to half-width, no spaces or punctuation, 社会工作 as
    社工, without the place prefixes 昆山市/昆山/市/区/县 and the suffixes 有限公司/中心."""
    text = unicodedata.normalize("NFKC", name or "").lower()
    text = _PUNCTUATION.sub("", text)
    text = text.replace("社会工作", "社工")
    changed = True
    while changed and text:
        changed = False
        for prefix in _PREFIXES:
            if text.startswith(prefix) and len(text) > len(prefix):
                text, changed = text[len(prefix) :], True
                break
        for suffix in _SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix):
                text, changed = text[: -len(suffix)], True
                break
    return text


def unit_names_resemble(a: str, b: str) -> bool:
    """Different texts with the same core (at least two characters, so “中心” alone resembles nothing)."""
    if not a or not b or a.strip() == b.strip():
        return False
    core_a, core_b = unit_name_normalise(a), unit_name_normalise(b)
    return len(core_a) >= 2 and core_a == core_b

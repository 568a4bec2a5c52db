"""The comparison itself: pure functions on texts, no database.

A text is normalised (NFKC folds full-width to half-width; punctuation and whitespace go; Latin is lower-cased)
with a map back to the original offsets. Chinese has no spaces between words, so texts are cut into
overlapping character shingles of K characters. Two kinds of use:

- finding candidates: a sample of the shingle hashes (those ≡ 0 mod SAMPLE) is the text's fingerprint set; an
  inverted index from fingerprint to texts finds every text that shares a passage of a few dozen characters;
- exact passages: for a candidate pair every shingle is compared; shared shingles are seeds, seeds on the same
  diagonal are chained, extended character by character and kept when at least MIN_PASSAGE characters long.

What does not count as copying is masked before shingling: quoted policy text (a 《…》 title, and a “…” quotation
that follows a title or a verb such as 规定/指出), the form's own headings and guidance, and the staff's list of
boilerplate or policy paragraphs. Masked characters are neither a seed nor part of the denominator.
"""

import re
import unicodedata
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field

K = 6  # shingle length in characters: about two to three Chinese words
SAMPLE = 16  # one shingle in SAMPLE (by hash) is a fingerprint for the index
MIN_PASSAGE = 15  # a shared run shorter than this (normalised characters) is coincidence, not copying
BREAK = "\x00"  # stands for masked text and section boundaries: no shingle crosses it
PHRASE_MAX = 2 * K  # boilerplate this short is masked by substring search; longer by shingles

# Quoted policy: 《title》 itself, and a quotation introduced by a title or a verb of citing.
_TITLE = r"《[^《》\n]{1,80}》"
_QUOTE = r"[“\"「][^”\"」]{1,3000}[”\"」]"
POLICY_RE = re.compile(
    rf"{_TITLE}(?:[^“\"「。\n]{{0,24}}{_QUOTE})?"
    rf"|(?:规定|指出|提出|要求|明确|强调|写道|载明|表述为|原文为)[:：，,]?\s*{_QUOTE}"
)


def _fold(ch: str) -> str:
    out = unicodedata.normalize("NFKC", ch).lower()
    return "".join(c for c in out if unicodedata.category(c)[0] in "LN")


_FOLD_CACHE: dict[str, str] = {}
# Runs of characters NFKC and lower-casing leave alone (CJK ideographs, a–z, 0–9) go through in one step; every
# other character is folded on its own (most are punctuation and vanish). Six times faster than char by char.
_RUNS = re.compile(r"([\u4e00-\u9fffa-z0-9]+)|(.)", re.S)


def _normalise_span(text: str, start: int, end: int, parts: list[str], offsets: list[int]) -> None:
    cache = _FOLD_CACHE
    for m in _RUNS.finditer(text, start, end):
        if m.lastindex == 1:
            parts.append(m.group(1))
            offsets.extend(range(m.start(), m.end()))
            continue
        ch = m.group(2)
        folded = cache.get(ch)
        if folded is None:
            folded = cache[ch] = _fold(ch)
        if folded:
            parts.append(folded)
            offsets.extend([m.start()] * len(folded))


def normalise(text: str) -> tuple[str, list[int]]:
    """(normalised text, for each of its characters the offset of the original character it came from).
    Masked spans (quoted policy) become one BREAK."""
    parts: list[str] = []
    offsets: list[int] = []
    pos = 0
    for m in POLICY_RE.finditer(text):
        _normalise_span(text, pos, m.start(), parts, offsets)
        parts.append(BREAK)
        offsets.append(m.start())
        pos = m.end()
    _normalise_span(text, pos, len(text), parts, offsets)
    return "".join(parts), offsets


def shingle_hashes(norm: str) -> list[int]:
    """A stable 31-bit hash for every shingle starting at each position (-1 where it would cross a BREAK)."""
    if len(norm) < K:
        return []
    data = norm.encode("utf-32-le")
    hashes = [zlib.crc32(data[i : i + 4 * K]) >> 1 for i in range(0, 4 * (len(norm) - K + 1), 4)]
    pos = norm.find(BREAK)
    while pos != -1:
        for j in range(max(0, pos - K + 1), min(pos + 1, len(hashes))):
            hashes[j] = -1
        pos = norm.find(BREAK, pos + 1)
    return hashes


@dataclass
class Boilerplate:
    """Text that never counts as copying: short phrases found by substring, long texts by their shingles."""

    phrases: tuple[str, ...] = ()
    hashes: frozenset[int] = frozenset()

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> "Boilerplate":
        phrases, hashes = set(), set()
        for text in texts:
            for part in re.split(r"[\n]+", text):
                norm, _ = normalise(part)
                norm = norm.replace(BREAK, "")
                if len(norm) < 2:
                    continue
                if len(norm) <= PHRASE_MAX:
                    phrases.add(norm)
                else:
                    hashes.update(h for h in shingle_hashes(norm) if h >= 0)
        return cls(tuple(sorted(phrases, key=len, reverse=True)), frozenset(hashes))


NO_BOILERPLATE = Boilerplate()


@dataclass
class Analysed:
    """One text ready to compare: its original, normalised form, offsets, shingle hashes and which normalised
    characters count (not boilerplate, not a break)."""

    original: str
    norm: str
    offsets: list[int]
    hashes: list[int]
    counted: bytearray
    _positions: dict | None = field(default=None, repr=False)

    @property
    def counted_chars(self) -> int:
        return self.counted.count(1)

    def fingerprints(self) -> set[int]:
        return {h for h in self.hashes if h >= 0 and h % SAMPLE == 0}

    def positions(self) -> dict[int, list[int]]:
        if self._positions is None:
            positions: dict[int, list[int]] = {}
            for i, h in enumerate(self.hashes):
                if h >= 0:
                    positions.setdefault(h, []).append(i)
            self._positions = positions
        return self._positions


def analyse(text: str, boilerplate: Boilerplate = NO_BOILERPLATE) -> Analysed:
    norm, offsets = normalise(text)
    counted = bytearray(b"\x01") * len(norm)
    pos = norm.find(BREAK)
    while pos != -1:
        counted[pos] = 0
        pos = norm.find(BREAK, pos + 1)
    found = []
    for phrase in boilerplate.phrases:
        pos = norm.find(phrase)
        while pos != -1:
            counted[pos : pos + len(phrase)] = bytes(len(phrase))
            found.append((pos, len(phrase)))
            pos = norm.find(phrase, pos + len(phrase))
    if found:  # masked phrases break shingles too, as a quotation does
        chars = list(norm)
        for pos, length in found:
            chars[pos : pos + length] = BREAK * length
        norm = "".join(chars)
    hashes = shingle_hashes(norm)
    if boilerplate.hashes and not boilerplate.hashes.isdisjoint(hashes):
        for i, h in enumerate(hashes):
            if h in boilerplate.hashes:
                hashes[i] = -1
                counted[i : i + K] = bytes(K)
    return Analysed(text, norm, offsets, hashes, counted)


@dataclass(frozen=True)
class Passage:
    """A shared passage: [a_start, a_end) in text A and [b_start, b_end) in text B, original offsets."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int

    def as_dict(self) -> dict:
        return {"a_start": self.a_start, "a_end": self.a_end, "b_start": self.b_start, "b_end": self.b_end}


@dataclass
class PairResult:
    passages: list[Passage]
    a_covered: int  # counted normalised characters of A inside a passage
    b_covered: int
    a_counted: int
    b_counted: int

    @property
    def a_share(self) -> float:
        return self.a_covered / self.a_counted if self.a_counted else 0.0

    @property
    def b_share(self) -> float:
        return self.b_covered / self.b_counted if self.b_counted else 0.0

    @property
    def score(self) -> float:
        """The share of the shorter text (by counted characters) covered by passages found in the other."""
        return self.a_share if self.a_counted <= self.b_counted else self.b_share


def _runs(a: Analysed, b: Analysed) -> list[tuple[int, int, int, int]]:
    """Maximal shared runs as normalised [a0, a1), [b0, b1), at least MIN_PASSAGE long."""
    bpos = b.positions()
    open_runs: dict[int, list[int]] = {}  # diagonal -> [a_first_shingle, a_last_shingle]
    done: list[tuple[int, int]] = []  # (diagonal, a_first, a_last)
    for i, h in enumerate(a.hashes):
        if h < 0:
            continue
        js = bpos.get(h)
        if not js:
            continue
        for j in js[:8]:  # a phrase repeated many times in B: its first few places are enough
            d = j - i
            run = open_runs.get(d)
            if run is not None and run[1] == i - 1:
                run[1] = i
            else:
                if run is not None:
                    done.append((d, run[0], run[1]))
                open_runs[d] = [i, i]
    done.extend((d, r[0], r[1]) for d, r in open_runs.items())
    runs = []
    an, bn = a.norm, b.norm
    for d, first, last in done:
        a0, a1 = first, last + K
        b0, b1 = first + d, last + d + K
        if an[a0:a1] != bn[b0:b1]:
            continue  # a hash collision
        while a0 > 0 and b0 > 0 and an[a0 - 1] == bn[b0 - 1] and an[a0 - 1] != BREAK:
            a0, b0 = a0 - 1, b0 - 1
        while a1 < len(an) and b1 < len(bn) and an[a1] == bn[b1] and an[a1] != BREAK:
            a1, b1 = a1 + 1, b1 + 1
        if a1 - a0 >= MIN_PASSAGE:
            runs.append((a0, a1, b0, b1))
    runs.sort()
    return runs


def _covered(counted: bytearray, spans: Iterable[tuple[int, int]]) -> int:
    mask = bytearray(len(counted))
    for start, end in spans:
        mask[start:end] = b"\x01" * (end - start)
    return sum(1 for m, c in zip(mask, counted, strict=True) if m and c)


def compare(a: Analysed, b: Analysed) -> PairResult:
    """The shared passages of two analysed texts, with how much of each they cover."""
    runs = _runs(a, b)
    passages = [
        Passage(a.offsets[a0], a.offsets[a1 - 1] + 1, b.offsets[b0], b.offsets[b1 - 1] + 1) for a0, a1, b0, b1 in runs
    ]
    a_cov = _covered(a.counted, ((r[0], r[1]) for r in runs)) if runs else 0
    b_cov = _covered(b.counted, ((r[2], r[3]) for r in runs)) if runs else 0
    return PairResult(passages, a_cov, b_cov, a.counted_chars, b.counted_chars)


def coverage(a: Analysed, results: Iterable[PairResult]) -> float:
    """The share of A covered by passages found in any of the other texts."""
    spans = []
    for result in results:
        for p in result.passages:
            spans.append((p.a_start, p.a_end))
    if not spans or not a.counted_chars:
        return 0.0
    # Passages are in original offsets: mark the normalised characters whose original offset falls inside one.
    marks = bytearray(len(a.original) + 1)
    for start, end in spans:
        marks[start:end] = b"\x01" * (end - start)
    covered = sum(1 for i, off in enumerate(a.offsets) if a.counted[i] and marks[off])
    return covered / a.counted_chars


def merge_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def segments(text: str, spans: Iterable[tuple[int, int]]) -> list[tuple[str, bool]]:
    """The text cut into (piece, highlighted) for a template to render, escaped as usual."""
    out, pos = [], 0
    for start, end in merge_spans(spans):
        if start > pos:
            out.append((text[pos:start], False))
        out.append((text[start:end], True))
        pos = end
    if pos < len(text):
        out.append((text[pos:], False))
    return out

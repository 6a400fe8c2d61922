"""Citation markers: the places in an article's text that cite a source.

`find_markers(text, skip)` finds them in any text; `extract_citations`
(medreview.citations) runs it on the cleaned text outside the reference
sections and footnote definitions, and adds links whose text is a number.

Numeric markers cite reference numbers; ranges are expanded and lists split:

    flagged as markers                            cites
    "… with simple self-care (2, 3)."             2, 3
    "… in the parentheses (1, 2, 3) are …"        1, 2, 3
    "… at some point (1–3)."   "(4-6)"            1, 2, 3    4, 5, 6
    "… first two days [4]."  "[4, 7]"  "[1-3, 5]" 4    4, 7    1, 2, 3, 5
    "… for a long time.[1]"  "center[1]."         1  (HTML <sup>1</sup> reads "[1]")
    "… (ref. 3)"  "(see reference 2)"  "[see 3, 4]"
    "… six weeks.²"  "…pain.¹,³"  "…pain.¹⁻³"     Unicode superscripts
    "…within a year.[^1]"                         Markdown footnote "^1"
    a link whose text is just a number ("1", "[1]", "(1)")

Author-year markers cite a key "Name year" (the first author, or the body's
whole name, as written, and the year with its letter):

    "(Smith et al., 2019)"  "(Smith et al. 2019a)"     Smith 2019 / Smith 2019a
    "(Smith and Jones, 2018)"  "(Nadler & Weingand 2002)"   Smith 2018 / Nadler 2002
    "(WHO, 2020)"  "(American Heart Association, 2021)"
    "(Hayden et al., 2005; Jones, 2020)"  "(Hayden et al., 2005, 2021)"  two keys each
    "(see Koes et al., 2007)"  "(e.g., Williams et al., 2014)"  "(Ferreira et al., 2020, p. 4)"
    "(World Health Organization [WHO], 2020)"  "(van Tulder et al., 2006)"
    narrative: "Smith et al. (2019) found …"  "Nadler & Weingand (2002)"

Not markers (the content of the brackets must be numbers and nothing else,
and the context must not make them quantities, labels or enumerations):

    "(2 to 3 days)"  "(20%)"  "(n = 40)"  "(age 55)"  "(see step 2)"  "(0.5 mg)"
    "(2019)"  "(2019–2020)"  "(Updated 2019)"  "(Accessed May 2021)"   years alone, dated notes
    "(1,500)"  "(18.5–24.9)"  "(ages 18–65)"  "(10-15 times)"          thousands, decimals, wide ranges
    "one (1) tablet"  "two (2) weeks"                                 a number spelt out first
    "stages: (1) freezing, (2) frozen and (3) thawing"                enumerations
    "Take (1–2) tablets"  "(1 of 3)"                                  a count of something
    "(Table 2)"  "(Grade 2)"  "Figure (3)"                            labels
    "(800) 555-0199"  "kg/m²"  "10⁹ per litre"  "cm³"                 phone numbers, units, powers
    "[sic]"  "[citation needed]"  "[[728,90],'…']"                    editorial brackets, ad code
    "[1] Smith J. …" at the start of a line                           a reference entry's own label

Numbers in markers run from 1 to 999 (1 to 300 in parentheses); a range
may span at most 30 numbers and must go up. A marker at the start of a
line followed by words is a list label, not a marker. Markers inside a
reference section, a URL or a footnote definition are not markers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Iterator, Sequence

from .citation_spans import _Spans, _urls
from .model import Link

# --------------------------------------------------------------------------- types


@dataclass(frozen=True, slots=True)
class Cite:
    """One source a marker cites: a reference number, an author-year key or a footnote label."""

    value: int | str  # 3 | "Smith 2019" | "^1"
    start: int  # span in article.text of the part of the marker that names it
    end: int
    author: str | None = None  # author-year: the name as written
    year: str | None = None  # author-year: the year as written ("2019a")


@dataclass(frozen=True, slots=True)
class Marker:
    kind: str  # "number" | "author-year" | "footnote" | "link"
    start: int  # span in article.text
    end: int
    text: str
    cites: tuple[Cite, ...]
    url: str | None = None  # the marker is itself a link to this URL

    @property
    def numbers(self) -> tuple[int, ...]:
        return tuple(c.value for c in self.cites if isinstance(c.value, int))

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(c.value for c in self.cites if isinstance(c.value, str))


# --------------------------------------------------------------------------- patterns

_DASH = "\\-\u2010\u2011\u2012\u2013\u2014\u2212"  # hyphen, Unicode hyphens, en/em dash, minus
_NUMS = rf"\d{{1,3}}(?:\s*[{_DASH}]\s*\d{{1,3}})?(?:\s*[,;]\s*\d{{1,3}}(?:\s*[{_DASH}]\s*\d{{1,3}})?)*"
_PREFIX = r"(?:(?:see|cf\.)\s+)?(?:(?:refs?\.?|references?|sources?|citations?)\s+)?"
_PAREN_NUM = re.compile(rf"\(\s*(?P<pre>{_PREFIX})(?P<body>{_NUMS})\s*\)", re.I)
_BRACKET_NUM = re.compile(rf"\[\s*(?P<pre>{_PREFIX})(?P<body>{_NUMS})\s*\]", re.I)
_FOOTNOTE = re.compile(r"\[\^(?P<label>[^\]\s]{1,30})\]")
_SUPERSCRIPT = {"⁰": "0", "¹": "1", "²": "2", "³": "3", "⁴": "4", "⁵": "5", "⁶": "6", "⁷": "7", "⁸": "8", "⁹": "9"}
_SUP_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUPER = re.compile(rf"[{_SUP_DIGITS}]+(?:\s*[,⁻{_DASH}]\s*[{_SUP_DIGITS}]+)*")
_ITEM = re.compile(rf"(\d{{1,3}})(?:\s*[{_DASH}]\s*(\d{{1,3}}))?")
_THOUSANDS = re.compile(r"^\d{1,3}(?:,\d{3})+$")

# Words after which a number in brackets is a label or a count, not a source.
_LABEL_WORDS = frozenset(
    "figure fig table step stage grade type phase level version page chapter section appendix "
    "equation eq item question option part no number box panel lot room ward class".split()
)
_NUMBER_WORDS = frozenset(
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty hundred".split()
)
# Words that make "(1–2) tablets" a count of something.
_COUNT_NOUNS = frozenset(
    "tablet tablets pill pills capsule capsules dose doses drop drops time times day days week weeks "
    "month months year years hour hours minute minutes second seconds cup cups glass glasses serving "
    "servings set sets rep reps repetition repetitions puff puffs spray sprays piece pieces mg g kg ml "
    "teaspoon teaspoons tablespoon tablespoons sachet sachets patch patches injection injections".split()
)
_UNITS = frozenset("m cm mm km µm um nm kg/m g/m m/s ft in mi yd l dl ml".split())

# Author-year.
_UPPER_WORD = r"(?:[A-Z\u00C0-\u00DE][\w'’\-]*\.?|[A-Z]{2,}[a-z]?)"
_PARTICLE = r"(?:van|von|der|den|de|del|della|di|da|du|la|le|dos|das|of|for|the|and|on|in|&|y)"
_NAME = rf"(?:{_PARTICLE}\s+)*{_UPPER_WORD}(?:(?:\s+|-)(?:{_PARTICLE}\s+)*{_UPPER_WORD}){{0,7}}(?:\s*\[[A-Z]{{2,8}}\])?"
_NAMES = rf"{_NAME}(?:\s*,\s*{_NAME})*(?:,?\s+(?:and|&)\s+{_NAME})?"
_YEAR = r"(?:19|20)\d{2}[a-z]?"
_AY_ITEM = re.compile(
    rf"^(?:(?:see(?:\s+also)?|e\.g\.,?|eg,?|cf\.|i\.e\.,?|for example,|as reviewed (?:in|by)|reviewed in)\s+)?"
    rf"(?P<author>{_NAMES})(?P<etal>\s+et\s+al\.?)?,?\s+(?P<years>{_YEAR}(?:\s*,\s*{_YEAR})*)"
    rf"(?:,\s*(?:p|pp)\.\s*\d+(?:\s*[{_DASH}]\s*\d+)?)?$"
)
_PAREN = re.compile(r"\(([^()\n]{4,300})\)")
_NARRATIVE = re.compile(
    rf"(?P<author>(?:{_PARTICLE}\s+)*{_UPPER_WORD}(?:\s+et\s+al\.?|\s+&\s+(?:{_PARTICLE}\s+)*{_UPPER_WORD}))"
    rf"\s+\((?P<years>{_YEAR}(?:\s*,\s*{_YEAR})*)\)"
)
# First words that make "(Updated 2019)" a dated note, not an author.
_NOT_AUTHORS = frozenset(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec spring summer fall autumn winter "
    "updated accessed published reviewed revised retrieved viewed visited modified edited posted "
    "since before after in from until till through by during around about circa ca approx approximately "
    "as at on of for to copyright est established founded launched approved issued released dated "
    "born died last first early late mid season version edition vol volume issue class fiscal fy "
    "year years age aged ages pre post q1 q2 q3 q4 the a an and or see also eg e.g. ie i.e. cf "
    "table figure fig step stage grade type phase level note notes".split()
)
_PARTICLES = frozenset("van von der den de del della di da du la le dos das of for the and on in & y".split())


# --------------------------------------------------------------------------- markers


def find_markers(text: str, skip: Sequence[tuple[int, int]] = ()) -> list[Marker]:
    """Every citation marker in `text`, in order; spans in `skip` (reference sections, URLs) are ignored."""
    blocked = _Spans([*skip, *((m.start(), m.end()) for m in _urls(text))])
    found: list[Marker] = []
    found.extend(_numeric(text, _PAREN_NUM, paren=True))
    found.extend(_numeric(text, _BRACKET_NUM, paren=False))
    found.extend(_superscripts(text))
    found.extend(_footnotes(text))
    found.extend(_author_year(text))
    found.extend(_narrative(text))
    found.sort(key=lambda m: (m.start, -(m.end - m.start)))
    result: list[Marker] = []
    for m in found:
        if blocked.overlaps(m.start, m.end):
            continue
        if result and m.start < result[-1].end:  # overlapping: keep the first, longest
            continue
        result.append(m)
    return result



def _expand(body: str, base: int, limit: int) -> list[Cite] | None:
    """Cites for "1, 2–4"; None when it is not a plausible list of reference numbers."""
    if _THOUSANDS.match(body.replace(" ", "")) and "," in body and ", " not in body:
        return None  # 1,500 is a number, not sources 1 and 500
    cites: list[Cite] = []
    for m in _ITEM.finditer(body):
        a = int(m.group(1))
        b = int(m.group(2)) if m.group(2) else None
        if a < 1 or a > limit or (b is not None and (b <= a or b > limit or b - a > 30)):
            return None
        s, e = base + m.start(), base + m.end()
        if b is None:
            cites.append(Cite(a, s, e))
        else:
            cites.extend(Cite(n, s, e) for n in range(a, b + 1))
    return cites or None


def _word_before(text: str, pos: int) -> str:
    m = re.search(r"([\w/.]+)\W*$", text[max(0, pos - 30):pos])
    return m.group(1).lower().rstrip(".") if m else ""


def _line_start_before(text: str, pos: int) -> bool:
    """Only whitespace (or a list bullet) between the start of the line and pos."""
    window = max(0, pos - 200)
    line_start = text.rfind("\n", window, pos) + 1 or window
    return not text[line_start:pos].strip(" \t-*•>")


def _numeric(text: str, pattern: re.Pattern[str], paren: bool) -> Iterator[Marker]:
    limit = 300 if paren else 999
    for m in pattern.finditer(text):
        start, end = m.span()
        before = text[start - 1] if start else ""
        after = text[end:end + 1]
        if not paren and (before == "[" or after in ("]", "(")):
            continue  # [[728,90]…], [1](url), "[1]:" definitions
        if paren and before and (before.isalnum() or before in "_(["):
            continue  # f(1, 2), ez_write_tag([[…
        if after and (after.isalnum() or after == "_"):
            continue
        body = m.group("body")
        cites = _expand(body, m.start("body"), limit)
        if cites is None:
            continue
        rest = text[end:end + 40]
        word_after = re.match(r"\s*([A-Za-z]+)", rest)
        at_line_start = _line_start_before(text, start)
        if at_line_start and re.match(r"\s*[A-Za-z0-9]", rest):
            continue  # "(1) Rest the foot." "[1] Smith J." — a list label
        prev = _word_before(text, start)
        if prev in _LABEL_WORDS or prev in _NUMBER_WORDS:
            continue  # "Figure (3)", "one (1) tablet"
        if not paren and prev in _UNITS and before not in " \t\n":
            continue  # kg/m[2] from kg/m<sup>2</sup>
        if not paren and before.isdigit() and text[max(0, start - 3):start].endswith(("10", "x10", "×10")):
            continue  # 10[9] from 10<sup>9</sup>
        if word_after and word_after.group(1).lower() in _COUNT_NOUNS and not m.group("pre"):
            continue  # "Take (1–2) tablets"
        if paren and len(cites) == 1 and not m.group("pre") and _is_enumeration(text, start, end, cites[0].value):
            continue
        kind = "number"
        yield Marker(kind, start, end, text[start:end], tuple(cites))


def _is_enumeration(text: str, start: int, end: int, n: int) -> bool:
    """"stages: (1) freezing, (2) frozen and (3) thawing": numbers that count items in a sentence."""
    if not re.match(r"\s+[A-Za-z]", text[end:end + 3]):
        return False  # a marker before punctuation is a citation
    before = text[max(0, start - 80):start].rstrip()[-1:]
    if before in ("", ":", ";", ".", "!", "?") or _line_start_before(text, start):
        return True
    line_start = text.rfind("\n", max(0, start - 400), start) + 1 or max(0, start - 400)
    line_end = text.find("\n", end, end + 400)
    line = text[line_start:min(len(text), end + 400) if line_end == -1 else line_end]
    return any(re.search(rf"\({k}\)\s+[A-Za-z]", line) for k in (n - 1, n + 1) if k >= 1)


def _superscripts(text: str) -> Iterator[Marker]:
    for m in _SUPER.finditer(text):
        start, end = m.span()
        before = text[start - 1] if start else ""
        if not before or before.isdigit() or before.isspace():
            continue  # 10⁹, a stray exponent
        if _word_before(text, start) in _UNITS or before in "/":
            continue  # m², cm³, kg/m²
        body = "".join(_SUPERSCRIPT.get(ch, ch) for ch in m.group()).replace("⁻", "-")
        cites = _expand(body, start, 999)
        if cites is None:
            continue
        yield Marker("number", start, end, m.group(), tuple(cites))


def _footnotes(text: str) -> Iterator[Marker]:
    for m in _FOOTNOTE.finditer(text):
        if text[m.end():m.end() + 1] == ":":
            continue  # a definition, not a marker
        label = "^" + m.group("label")
        yield Marker("footnote", m.start(), m.end(), m.group(), (Cite(label, m.start(), m.end()),))


def _author_name(author: str) -> str:
    """The name a key is made of: the first author of "Smith, Jones, and Lee", a body's whole name."""
    author = re.sub(r"\s+et\s+al\.?$", "", author.strip())  # narrative "Smith et al. (2019)"
    author = re.sub(r"\s*\[[A-Z]{2,8}\]$", "", author)
    parts = re.split(r"\s*,\s*|\s+(?:and|&)\s+", author)
    first = parts[0]
    capitals = [w for w in first.split() if w.lower() not in _PARTICLES]
    if len(parts) > 1 and len(capitals) <= 1:
        return first
    return author


def _ay_cites(author: str, years: str, base: int, span: tuple[int, int]) -> list[Cite] | None:
    name = _author_name(author)
    first_word = next((w for w in name.split() if w.lower() not in _PARTICLES), "")
    if not first_word or first_word.lower().rstrip(".") in _NOT_AUTHORS or name.split()[0].lower() in _NOT_AUTHORS - _PARTICLES:
        return None
    cites = []
    for y in re.findall(_YEAR, years):
        cites.append(Cite(f"{name} {y}", base + span[0], base + span[1], author=name, year=y))
    return cites or None


def _author_year(text: str) -> Iterator[Marker]:
    for m in _PAREN.finditer(text):
        inner = m.group(1)
        if not re.search(r"(?:19|20)\d\d", inner):
            continue
        cites: list[Cite] = []
        pos = 0
        ok = True
        for piece in inner.split(";"):
            lead = len(piece) - len(piece.lstrip())
            item = piece.strip()
            im = _AY_ITEM.match(item)
            if not im:
                ok = False
                break
            s = m.start(1) + pos + lead
            got = _ay_cites(im.group("author"), im.group("years"), s, (0, len(item)))
            if got is None:
                ok = False
                break
            cites.extend(got)
            pos += len(piece) + 1
        if ok and cites:
            yield Marker("author-year", m.start(), m.end(), m.group(), tuple(cites))


_NARRATIVE_HINT = re.compile(r"(?:et\s+al\.?|&\s+[^\s(]+)\s+\((?:19|20)\d\d")


def _narrative(text: str) -> Iterator[Marker]:
    # The full pattern is slow to try everywhere: look only around "et al. (19xx" and "& Name (20xx".
    done = -1
    for hint in _NARRATIVE_HINT.finditer(text):
        lo = max(done, hint.start() - 80, 0)
        for m in _NARRATIVE.finditer(text, lo, min(len(text), hint.end() + 40)):
            if m.end() <= hint.start() or m.start() > hint.end():
                continue
            done = m.end()
            got = _ay_cites(m.group("author"), m.group("years"), m.start(), (0, m.end() - m.start()))
            if got:
                yield Marker("author-year", m.start(), m.end(), m.group(), tuple(got))


def _link_markers(text: str, links: Sequence[tuple[int, int, Link]], blocked: Sequence[tuple[int, int]],
                  markers: list[Marker]) -> list[Marker]:
    """Links whose text is just a number ("1", "[1]", "(1)"): markers that link to their source."""
    out = []
    taken = _Spans([*blocked, *((m.start, m.end) for m in markers)])
    for start, end, link in links:
        anchor = text[start:end].strip()
        am = re.fullmatch(r"[\[(]?\s*(\d{1,3})\s*[\])]?", anchor)
        if not am or taken.overlaps(start, end):
            continue
        n = int(am.group(1))
        if n < 1:
            continue
        url = None if link.url.startswith("#") else link.url  # "#ref-1" points at the list, not a source
        out.append(Marker("link", start, end, anchor, (Cite(n, start, end),), url=url))
    return out


def _linked(marker: Marker, links: Sequence[tuple[int, int, Link]]) -> Marker:
    """The marker, with the URL of a link its text is part of ("([1](https://…))" in Markdown)."""
    for s, e, link in links:  # in text order
        if s >= marker.end:
            break
        if marker.start < e and not link.url.startswith("#"):
            return replace(marker, url=link.url)
    return marker

"""Citations: the markers in an article's text and the reference list they point to.

`extract_citations(article)` works on the cleaned text (`article.text`) and
the reader's links (`article.links`); every span it returns is an offset in
`article.text`, and `article.text_map` takes it back to the source file.

Markers
-------
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

Reference sections
------------------
A heading line alone on its line, possibly ending in a colon: "References",
"Sources", "Citations", "Bibliography", "Works cited", "Footnotes", "Notes"
(and a few longer forms: see `HEADINGS`; `[citations] headings` adds more).
Its entries are the lines that follow, up to the next heading-like line (a
short line that does not end like a sentence and holds no URL, DOI or year)
or the end of the text:

- an entry numbered in the text ("1. …", "[1] …", "1) …", "(1) …") keeps its
  number; lines without a number continue the entry above (wrapped text);
- the readers drop list markup from the text ("1. " in Markdown, `<li>` in
  HTML), so the source just before each line is looked at: a list number
  there ("1. ", `<li value="3">`) is the entry's number, a bullet or `<li>`
  makes it an entry numbered in order;
- otherwise each line is an entry, numbered in order (blocks separated by
  blank lines are entries when they hold several lines).

Markdown footnote definitions ("[^1]: text") are references anywhere in the
article. Each reference records its number (or footnote label), an
author-year key, its years (the latest is its `year`; years inside URLs and
identifiers and after "accessed"/"retrieved" are ignored), the URLs of the
links inside it and of bare URLs in its text, and its identifiers: DOIs
(10.NNNN/…, doi.org links), PMIDs ("PMID: 123", pubmed.ncbi.nlm.nih.gov/123),
PMCIDs and ISBNs.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Iterator, Sequence
from urllib.parse import unquote

from .model import Article, Link

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


@dataclass(frozen=True, slots=True)
class Identifier:
    kind: str  # "doi" | "pmid" | "pmcid" | "isbn"
    id: str
    start: int | None  # span in article.text when it is written there; None when only in a link's URL
    end: int | None


@dataclass(slots=True)
class Reference:
    index: int  # position among the article's references
    start: int  # span in article.text
    end: int
    raw_start: int  # span in article.raw
    raw_end: int
    text: str
    number: int | None = None
    label: str | None = None  # footnote label ("^1", "^note")
    key: str | None = None  # author-year key ("Jensen 2019"), when the entry starts with a name and has a year
    author: str | None = None
    years: tuple[int, ...] = ()
    year: int | None = None  # the latest publication year found (None: no year)
    urls: list[str] = field(default_factory=list)
    identifiers: list[Identifier] = field(default_factory=list)
    section: int | None = None  # index into Citations.sections (None: a footnote definition)

    @property
    def dois(self) -> list[str]:
        return _unique(i.id for i in self.identifiers if i.kind == "doi")

    @property
    def pmids(self) -> list[str]:
        return _unique(i.id for i in self.identifiers if i.kind == "pmid")

    @property
    def checkable(self) -> bool:
        """Has a link, a DOI, a PMID, a PMCID or an ISBN a reader can follow."""
        return bool(self.urls or self.identifiers)

    def cited_by(self, cite: Cite) -> bool:
        value = cite.value
        if isinstance(value, int):
            return self.number == value
        if value.startswith("^"):
            return self.label == value or (self.label is None and value[1:].isdigit() and self.number == int(value[1:]))
        return cite.author is not None and cite.year is not None and _key_matches(cite.author, cite.year, self)


@dataclass(slots=True)
class ReferenceSection:
    heading: str
    heading_start: int  # span of the heading line in article.text
    heading_end: int
    end: int  # where its entries end in article.text
    numbered: bool  # entries carry their own numbers (in the text or the list markup)


@dataclass(frozen=True, slots=True)
class InlineSource:
    """A link or bare URL in the body, outside the reference sections."""

    url: str
    start: int  # span in article.text
    end: int
    anchor: str
    is_link: bool  # a link of the article (False: a URL written as text)


@dataclass(slots=True)
class Citations:
    markers: list[Marker]
    sections: list[ReferenceSection]
    references: list[Reference]
    inline: list[InlineSource]  # links and bare URLs in the body: sources cited inline

    @property
    def section(self) -> ReferenceSection | None:
        """The (first) reference section, if the article has one."""
        return self.sections[0] if self.sections else None

    _index: dict[Any, list[Reference]] | None = field(default=None, repr=False, compare=False)

    def _candidates(self, cite: Cite) -> list[Reference]:
        """References that could match `cite`: same number, same footnote label, or same year."""
        if self._index is None:
            index: dict[Any, list[Reference]] = {}
            for r in self.references:
                if r.number is not None:
                    index.setdefault(("n", r.number), []).append(r)
                if r.label is not None:
                    index.setdefault(("l", r.label), []).append(r)
                for y in set(r.years):
                    index.setdefault(("y", y), []).append(r)
            self._index = index
        value = cite.value
        if isinstance(value, int):
            return self._index.get(("n", value), [])
        if value.startswith("^"):
            found = self._index.get(("l", value), [])
            return found or (self._index.get(("n", int(value[1:])), []) if value[1:].isdigit() else [])
        return self._index.get(("y", int(cite.year[:4])), []) if cite.year else []

    def reference(self, number: int) -> Reference | None:
        return next(iter(self._candidates(Cite(number, 0, 0))), None)

    def matches(self, cite: Cite) -> list[Reference]:
        """Every reference a cited item points to (an author-year key can match more than one)."""
        return [r for r in self._candidates(cite) if r.cited_by(cite)]

    def resolve(self, cite: Cite) -> Reference | None:
        """The reference a cited item points to, or None."""
        return next((r for r in self._candidates(cite) if r.cited_by(cite)), None)

    def cited(self) -> set[int]:
        """Indices of the references some marker cites."""
        return {r.index for m in self.markers for c in m.cites for r in self.matches(c)}

    def is_cited(self, ref: Reference) -> bool:
        return ref.index in self.cited()


class _Spans:
    """A set of (start, end) spans that answers "does this span overlap one?" in O(log n)."""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self._starts = [s for s, _ in ordered]
        self._max_end: list[int] = []
        top = -1
        for _, e in ordered:
            top = max(top, e)
            self._max_end.append(top)

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect_left(self._starts, end)  # spans starting before `end`
        return i > 0 and self._max_end[i - 1] > start


# --------------------------------------------------------------------------- patterns

HEADINGS = (
    "references", "reference", "reference list", "sources", "source", "citations", "bibliography",
    "works cited", "footnotes", "notes", "endnotes", "literature cited", "sources and references",
    "references and sources", "scientific references", "article sources", "sources cited",
)

_DASH = "\\-\u2010\u2011\u2012\u2013\u2014\u2212"  # hyphen, Unicode hyphens, en/em dash, minus
_NUMS = rf"\d{{1,3}}(?:\s*[{_DASH}]\s*\d{{1,3}})?(?:\s*[,;]\s*\d{{1,3}}(?:\s*[{_DASH}]\s*\d{{1,3}})?)*"
_PREFIX = r"(?:(?:see|cf\.)\s+)?(?:(?:refs?\.?|references?|sources?|citations?)\s+)?"
_PAREN_NUM = re.compile(rf"\(\s*(?P<pre>{_PREFIX})(?P<body>{_NUMS})\s*\)", re.I)
_BRACKET_NUM = re.compile(rf"\[\s*(?P<pre>{_PREFIX})(?P<body>{_NUMS})\s*\]", re.I)
_FOOTNOTE = re.compile(r"\[\^(?P<label>[^\]\s]{1,30})\]")
_FOOTNOTE_DEF = re.compile(r"^[ \t]*\[\^(?P<label>[^\]\s]{1,30})\]:[ \t]*", re.M)
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

_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'\]]+[^\s<>\"'\].,;:!?)]", re.I)
_DOI = re.compile(r"\b10\.\d{4,9}/[^\s\"<>]+", re.I)
_PMID = re.compile(r"\bPMID:?\s*(\d{1,9})\b", re.I)
_PMCID = re.compile(r"\bPMC\d{4,9}\b")
_ISBN = re.compile(r"\bISBN(?:-1[03])?:?\s*((?:97[89][\s\-]?)?(?:\d[\s\-]?){9}[\dXx])\b")
_PUBMED_URL = re.compile(r"(?:pubmed\.ncbi\.nlm\.nih\.gov|ncbi\.nlm\.nih\.gov/pubmed)/(\d{1,9})\b", re.I)
_PMC_URL = re.compile(r"/(PMC\d{4,9})\b", re.I)
_DOI_URL = re.compile(r"(?:dx\.)?doi\.org/(10\.\d{4,9}/.+)$", re.I)
_YEAR_IN_REF = re.compile(r"(?<![\d.])(19\d\d|20\d\d)(?!\d)")
_ACCESSED = re.compile(r"(?:accessed|retrieved|viewed|visited|cited|downloaded)\b[^.;()]{0,24}$", re.I)

# Entry numbers written in the text, and list markup just before a line in the source.
_ENTRY_NUMBER = re.compile(r"^[ \t]*(?:\[(\d{1,3})\]|\((\d{1,3})\)|(\d{1,3})[.)](?=\s)|\^(\d{1,3})(?=\s))[ \t]*")
_TEXT_BULLET = re.compile(r"^[ \t]*[-*•][ \t]+")
_SRC_LI_VALUE = re.compile(r"<li\b[^>]*\bvalue\s*=\s*[\"']?(\d{1,3})[^>]*>(?:\s*<(?!/?li\b)[^>]*>)*\s*$", re.I)
_SRC_LI = re.compile(r"<li\b[^>]*>(?:\s*<(?!/?li\b)[^>]*>)*\s*$", re.I)
_SRC_NUMBERED = re.compile(r"(?:^|\n|\\n)[ \t]*(?:>[ \t]*)*(\d{1,3})[.)][ \t]+(?:\[[ xX]\][ \t]+)?[\[*_`~]*$")
_SRC_BULLET = re.compile(r"(?:^|\n|\\n)[ \t]*(?:>[ \t]*)*[-*+•][ \t]+(?:\[[ xX]\][ \t]+)?[\[*_`~]*$")


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


def _urls(text: str, start: int = 0, end: int | None = None) -> Iterator[re.Match[str]]:
    end = len(text) if end is None else end
    if "://" in text or "www." in text or "WWW." in text:
        yield from _URL.finditer(text, start, end)


def _inside(start: int, end: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in spans)


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


def links_in_text(article: Article) -> list[tuple[int, int, Link]]:
    """Each link of the article with its span in article.text; links cleaning removed are left out."""
    if not article.links:
        return []
    segs = [seg for seg in article.text_map.segments if seg.src_len]
    segs.sort(key=lambda seg: seg.src)
    srcs = [seg.src for seg in segs]
    spans = []
    for link in article.links:
        start = end = None
        k = max(bisect_right(srcs, link.start) - 1, 0)
        while k < len(segs) and segs[k].src < link.end:
            seg = segs[k]
            k += 1
            if seg.src + seg.src_len <= link.start:
                continue
            if seg.length == seg.src_len:
                s = seg.start + max(0, link.start - seg.src)
                e = seg.start + min(seg.length, link.end - seg.src)
            else:
                s, e = seg.start, seg.start + seg.length
            start = s if start is None else min(start, s)
            end = e if end is None else max(end, e)
        if start is not None and end is not None and end > start:
            spans.append((start, end, link))
    spans.sort(key=lambda x: x[0])
    return spans


# --------------------------------------------------------------------------- reference sections


@dataclass(slots=True)
class _Line:
    start: int
    end: int  # without the newline
    text: str

    @property
    def blank(self) -> bool:
        return not self.text.strip()


def _lines(text: str) -> list[_Line]:
    out, pos = [], 0
    for part in text.split("\n"):
        out.append(_Line(pos, pos + len(part), part))
        pos += len(part) + 1
    return out


def _heading_pattern(extra: Iterable[str] = ()) -> re.Pattern[str]:
    names = sorted({*HEADINGS, *(h.strip().lower() for h in extra if h.strip())}, key=len, reverse=True)
    alts = "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in names)
    return re.compile(rf"^\s*(?:#+\s*)?[*_]*(?:{alts})[*_]*\s*:?\s*$", re.I)


def _heading_like(line: str) -> bool:
    """A short line that reads as a heading, which ends a reference section."""
    s = line.strip()
    if not s or len(s) > 80 or len(s.split()) > 10:
        return False
    if s[-1] in ".,;" or _URL.search(s) or _DOI.search(s) or _YEAR_IN_REF.search(s):
        return False
    return s[0].isupper() or s[0].isdigit()


def _source_mark(article: Article, pos: int) -> tuple[str, int | None] | None:
    """List markup just before text offset `pos` in the source: ("number", n), ("item", None) or None."""
    if not article.text_map.segments:
        return None
    raw_pos = article.text_map.to_source(pos)
    tail = article.raw[max(0, raw_pos - 160):raw_pos]
    if m := _SRC_LI_VALUE.search(tail):
        return "number", int(m.group(1))
    if _SRC_LI.search(tail):
        return "item", None
    if m := _SRC_NUMBERED.search(tail):
        return "number", int(m.group(1))
    if _SRC_BULLET.search(tail):
        return "item", None
    return None


def _sections(article: Article, text: str, heading_re: re.Pattern[str]) -> list[tuple[ReferenceSection, list[tuple[int, int, int | None]]]]:
    """Reference sections with their entries as (start, end, number or None)."""
    lines = _lines(text)
    result = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not heading_re.match(line.text):
            i += 1
            continue
        heading = line.text.strip().strip("#*_: \t")
        # Entries: (line index, number, marked) for each non-blank line up to the end of the section.
        body: list[tuple[int, int | None, bool]] = []
        j = i + 1
        after_blank = False
        any_marked = False
        while j < len(lines):
            cur = lines[j]
            if cur.blank:
                after_blank = True
                j += 1
                continue
            if heading_re.match(cur.text):
                break
            first = cur.start + len(cur.text) - len(cur.text.lstrip())
            num: int | None = None
            marked = False
            if nm := _ENTRY_NUMBER.match(cur.text):
                num = int(next(g for g in nm.groups() if g))
                marked = True
            elif _TEXT_BULLET.match(cur.text):
                marked = True  # "- Smith J. …" in plain text: an entry numbered in order
            elif mark := _source_mark(article, first):
                marked = True
                num = mark[1]
            if not marked:
                if _heading_like(cur.text) and (after_blank or not body):
                    break
                if any_marked and after_blank:
                    break  # prose after a numbered list
                if (after_blank and body and len(cur.text.split()) >= 25
                        and not (_URL.search(cur.text) or _DOI.search(cur.text) or _YEAR_IN_REF.search(cur.text))):
                    break  # a paragraph of prose, not a reference
            any_marked = any_marked or marked
            body.append((j, num, marked))
            after_blank = False
            j += 1
        entries = _group_entries(lines, body, any_marked)
        end = lines[body[-1][0]].end if body else line.end
        section = ReferenceSection(heading, line.start, line.end, end, any_marked)
        result.append((section, entries))
        i = max(j, i + 1)
    return result


def _group_entries(lines: list[_Line], body: list[tuple[int, int | None, bool]], marked: bool) -> list[tuple[int, int, int | None]]:
    if not body:
        return []
    groups: list[list[tuple[int, int | None, bool]]] = []
    if marked:
        for item in body:
            if item[2] or not groups:
                groups.append([item])
            else:
                groups[-1].append(item)  # a wrapped line continues the entry above
    else:
        # Blocks (separated by blank lines) are entries when some block has several lines.
        blocks: list[list[tuple[int, int | None, bool]]] = []
        for item in body:
            if blocks and item[0] == blocks[-1][-1][0] + 1:
                blocks[-1].append(item)
            else:
                blocks.append([item])
        if len(blocks) > 1 and any(len(b) > 1 for b in blocks):
            groups = blocks
        else:
            groups = [[item] for item in body]
    entries = []
    expected = 1
    for g in groups:
        first, last = lines[g[0][0]], lines[g[-1][0]]
        start = first.start + len(first.text) - len(first.text.lstrip())
        end = last.start + len(last.text.rstrip())
        number = g[0][1] if g[0][1] is not None else expected
        entries.append((start, end, number))
        expected = number + 1
    return entries


# --------------------------------------------------------------------------- references


def _identifiers(text: str, start: int, end: int, urls: list[str]) -> list[Identifier]:
    ids: list[Identifier] = []
    segment = text[start:end]
    for m in _DOI.finditer(segment):
        doi = _clean_doi(m.group())
        ids.append(Identifier("doi", doi, start + m.start(), start + m.start() + len(doi)))
    for m in _PMID.finditer(segment):
        ids.append(Identifier("pmid", m.group(1), start + m.start(), start + m.end()))
    for m in _PMCID.finditer(segment):
        ids.append(Identifier("pmcid", m.group(), start + m.start(), start + m.end()))
    for m in _ISBN.finditer(segment):
        ids.append(Identifier("isbn", re.sub(r"[\s\-]", "", m.group(1)).upper(), start + m.start(), start + m.end()))
    for m in _PUBMED_URL.finditer(segment):  # a PubMed address written as text
        ids.append(Identifier("pmid", m.group(1), start + m.start(1), start + m.end(1)))
    written = {(i.kind, i.id.lower()) for i in ids}
    for url in urls:
        for kind, value in _ids_in_url(url):
            if (kind, value.lower()) not in written:
                written.add((kind, value.lower()))
                ids.append(Identifier(kind, value, None, None))
    return ids


def _ids_in_url(url: str) -> list[tuple[str, str]]:
    found = []
    if m := _DOI_URL.search(unquote(url.split("?", 1)[0].split("#", 1)[0])):
        found.append(("doi", _clean_doi(m.group(1))))
    if m := _PUBMED_URL.search(url):
        found.append(("pmid", m.group(1)))
    if m := _PMC_URL.search(url):
        found.append(("pmcid", m.group(1).upper()))
    return found


def _clean_doi(doi: str) -> str:
    doi = doi.rstrip(".,;:'\"")
    pairs = {")": "(", "]": "[", "}": "{"}
    while doi and doi[-1] in pairs and doi.count(pairs[doi[-1]]) < doi.count(doi[-1]):
        doi = doi[:-1].rstrip(".,;:")  # "(doi:10.1/x)." — the bracket is the sentence's, not the DOI's
    return doi


def _years(text: str, start: int, end: int, skip: Sequence[tuple[int, int]]) -> tuple[int, ...]:
    years = []
    for m in _YEAR_IN_REF.finditer(text, start, end):
        if _inside(m.start(), m.end(), skip):
            continue
        if _ACCESSED.search(text[max(start, m.start() - 40):m.start()]):
            continue  # "Accessed May 2021" is when it was read, not when it was written
        years.append(int(m.group()))
    return tuple(years)


_ENTRY_AUTHOR = re.compile(r"^(?P<lead>[^.,;:(\d][^.,;:(]{0,80}?)\s*(?:[.,;:(]|$)")


def _entry_author(entry: str) -> str | None:
    """The first author's surname ("Jensen RK, …" → "Jensen") or a body's name ("World Health Organization. …")."""
    m = _ENTRY_AUTHOR.match(entry)
    if not m:
        return None
    lead = m.group("lead").strip()
    words = lead.split()
    if not words or not words[0][:1].isupper() and words[0].lower() not in _PARTICLES:
        return None
    # "Jensen RK" / "Smith J" / "van Tulder MW": the surname before the initials.
    if len(words) >= 2 and re.fullmatch(r"[A-Z]{1,3}\.?", words[-1]):
        return " ".join(words[:-1])
    return lead if len(words) <= 6 else None


def _key_matches(author: str, year: str, ref: Reference) -> bool:
    y = int(year[:4])
    if y not in ref.years:
        return False
    name = author.casefold().replace("’", "'")
    head = ref.text[:240].casefold().replace("’", "'")
    if head.startswith(name) or re.search(rf"(?<!\w){re.escape(name)}(?!\w)", head):
        return True
    if author.isupper():  # "WHO" for "World Health Organization (WHO)" or its initials
        lead = _entry_author(ref.text) or ""
        initials = "".join(w[0] for w in lead.split() if w[:1].isupper())
        return initials == author
    return False


def _strip_entry_number(text: str, start: int, end: int) -> int:
    """Where the entry's own text begins, after "1. ", "[1] " or a "- " bullet."""
    if m := _ENTRY_NUMBER.match(text[start:end]) or _TEXT_BULLET.match(text[start:end]):
        return start + m.end()
    return start


def _references(article: Article, text: str, sections, links: Sequence[tuple[int, int, Link]]) -> list[Reference]:
    refs: list[Reference] = []
    for si, (section, entries) in enumerate(sections):
        for start, end, number in entries:
            refs.append(_reference(article, text, start, end, links, len(refs), number=number, section=si))
    for m in (_FOOTNOTE_DEF.finditer(text) if "[^" in text else ()):
        line_end = text.find("\n", m.end())
        end = len(text) if line_end == -1 else line_end
        label = "^" + m.group("label")
        ref = _reference(article, text, m.start() + len(m.group()) - len(m.group().lstrip()), end, links, len(refs),
                         number=int(label[1:]) if label[1:].isdigit() else None, section=None)
        ref.label = label
        refs.append(ref)
    return refs


def _reference(article: Article, text: str, start: int, end: int, links, index: int,
               number: int | None, section: int | None) -> Reference:
    raw_start, raw_end = article.text_map.span_to_source(start, end)
    urls: list[str] = []
    url_spans: list[tuple[int, int]] = []
    for s, e, link in links:
        if s < end and start < e:
            urls.append(link.url)
            url_spans.append((s, e))
    for m in _URL.finditer(text, start, end):
        url_spans.append(m.span())
        if not _inside(m.start(), m.end(), [(s, e) for s, e, _ in links if s < end and start < e]):
            url = m.group()
            urls.append(url if url.lower().startswith("http") else "http://" + url)
    urls = _unique(urls)
    ids = _identifiers(text, start, end, urls)
    skip = url_spans + [(i.start, i.end) for i in ids if i.start is not None]
    years = _years(text, start, end, skip)
    body_start = _strip_entry_number(text, start, end)
    entry = text[body_start:end]
    if entry.startswith("[^"):
        entry = _FOOTNOTE_DEF.sub("", entry, count=1)
    author = _entry_author(entry)
    year = max(years) if years else None
    key = f"{author} {years[0]}" if author and years else None
    return Reference(index=index, start=start, end=end, raw_start=raw_start, raw_end=raw_end, text=text[start:end],
                     number=number, key=key, author=author, years=years, year=year, urls=urls,
                     identifiers=ids, section=section)


# --------------------------------------------------------------------------- the whole article


def extract_citations(article: Article, headings: Iterable[str] = ()) -> Citations:
    """Markers, reference sections and references of the article's cleaned text.

    `headings` adds reference-section headings to `HEADINGS` (config: [citations] headings).
    Read once per article and text: the claims check, the CITE check and the link
    stage all ask for them.
    """
    headings = tuple(headings)
    cached = article.citations
    if cached is not None and cached[0] == headings and cached[1] is article.text:
        return cached[2]
    found = _extract(article, headings)
    article.citations = (headings, article.text, found)
    return found


def _extract(article: Article, headings: tuple[str, ...]) -> Citations:
    text = article.text
    links = links_in_text(article)
    sections = _sections(article, text, _heading_pattern(headings))
    blocked = [(s.heading_start, max(s.end, s.heading_end)) for s, _ in sections]
    for m in (_FOOTNOTE_DEF.finditer(text) if "[^" in text else ()):
        line_end = text.find("\n", m.end())
        blocked.append((m.start(), len(text) if line_end == -1 else line_end))
    markers = [_linked(m, links) for m in find_markers(text, blocked)]
    markers.extend(_link_markers(text, links, blocked, markers))
    markers.sort(key=lambda m: m.start)
    references = _references(article, text, sections, links)
    blocked_set = _Spans(blocked)
    inline = [InlineSource(link.url, s, e, text[s:e], True) for s, e, link in links if not blocked_set.overlaps(s, e)]
    link_spans = _Spans((s, e) for s, e, _ in links)
    for m in _urls(text):
        if blocked_set.overlaps(m.start(), m.end()) or link_spans.overlaps(m.start(), m.end()):
            continue
        url = m.group()
        inline.append(InlineSource(url if url.lower().startswith("http") else "http://" + url,
                                   m.start(), m.end(), url, False))
    inline.sort(key=lambda src: src.start)
    return Citations(markers=markers, sections=[s for s, _ in sections], references=references, inline=inline)


def reference_identifiers(article: Article, headings: Iterable[str] = ()) -> list[dict]:
    """DOIs and PMIDs written in the references that no link of the article already points to.

    For the link stage, which resolves and checks them: each is
    {"kind": "doi" | "pmid", "id": "...", "start": raw_start, "end": raw_end}
    with its span in article.raw. A DOI or PMID whose text is a link, or that
    a link's URL already holds (https://doi.org/…, pubmed.ncbi.nlm.nih.gov/…),
    is left out; each identifier is listed once.
    """
    cit = extract_citations(article, headings)
    linked_ids = {(k, v.lower()) for link in article.links for k, v in _ids_in_url(link.url)}
    link_urls = [unquote(link.url).lower() for link in article.links]
    text_links = [(s, e) for s, e, _ in links_in_text(article)]
    out: list[dict] = []
    seen: set[tuple[str, str]] = set()
    for ref in cit.references:
        for ident in ref.identifiers:
            if ident.kind not in ("doi", "pmid") or ident.start is None or ident.end is None:
                continue
            key = (ident.kind, ident.id.lower())
            if key in seen or key in linked_ids or _inside(ident.start, ident.end, text_links):
                continue
            if ident.kind == "doi" and any(key[1] in u for u in link_urls):
                continue
            seen.add(key)
            raw_start, raw_end = article.text_map.span_to_source(ident.start, ident.end)
            out.append({"kind": ident.kind, "id": ident.id, "start": raw_start, "end": raw_end})
    return out


def _unique(items: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return list(seen)


__all__ = [
    "Citations", "Cite", "HEADINGS", "Identifier", "InlineSource", "Marker", "Reference", "ReferenceSection",
    "extract_citations", "find_markers", "links_in_text", "reference_identifiers",
]

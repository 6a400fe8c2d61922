"""Reference sections and the references in them: where an article lists its sources, and what each entry says.

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
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from .citation_markers import _PARTICLES, Cite
from .citation_spans import _URL, _inside
from .model import Article, Link
from .publication_ids import _DOI, Identifier, _identifiers

# --------------------------------------------------------------------------- types


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


# --------------------------------------------------------------------------- patterns

HEADINGS = (
    "references", "reference", "reference list", "sources", "source", "citations", "bibliography",
    "works cited", "footnotes", "notes", "endnotes", "literature cited", "sources and references",
    "references and sources", "scientific references", "article sources", "sources cited",
)

_FOOTNOTE_DEF = re.compile(r"^[ \t]*\[\^(?P<label>[^\]\s]{1,30})\]:[ \t]*", re.M)
_YEAR_IN_REF = re.compile(r"(?<![\d.])(19\d\d|20\d\d)(?!\d)")
_ACCESSED = re.compile(r"(?:accessed|retrieved|viewed|visited|cited|downloaded)\b[^.;()]{0,24}$", re.I)

# Entry numbers written in the text, and list markup just before a line in the source.
_ENTRY_NUMBER = re.compile(r"^[ \t]*(?:\[(\d{1,3})\]|\((\d{1,3})\)|(\d{1,3})[.)](?=\s)|\^(\d{1,3})(?=\s))[ \t]*")
_TEXT_BULLET = re.compile(r"^[ \t]*[-*•][ \t]+")
_SRC_LI_VALUE = re.compile(r"<li\b[^>]*\bvalue\s*=\s*[\"']?(\d{1,3})[^>]*>(?:\s*<(?!/?li\b)[^>]*>)*\s*$", re.I)
_SRC_LI = re.compile(r"<li\b[^>]*>(?:\s*<(?!/?li\b)[^>]*>)*\s*$", re.I)
_SRC_NUMBERED = re.compile(r"(?:^|\n|\\n)[ \t]*(?:>[ \t]*)*(\d{1,3})[.)][ \t]+(?:\[[ xX]\][ \t]+)?[\[*_`~]*$")
_SRC_BULLET = re.compile(r"(?:^|\n|\\n)[ \t]*(?:>[ \t]*)*[-*+•][ \t]+(?:\[[ xX]\][ \t]+)?[\[*_`~]*$")


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


def _unique(items: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return list(seen)

"""Who wrote and reviewed an article, and when, from the bylines in its text.

Structured metadata (front matter, JSON-LD, <meta>) is read by the format
readers; this stage reads what the page *shows*, in the house styles health
publishers use:

    Last medically reviewed on February 2, 2018
    Medically reviewed by Anita Rao, MD — Written by Jane Doe — Updated on March 14, 2019
    Page last reviewed: 2 February 2018      Next review due: 2 February 2021   (NHS)
    Last Reviewed: April 5, 2022                                               (CDC)
    Reviewed: 2018-02-02 · Medical review: 2/2/2018 · Fact checked by Sam Lee, PharmD on 3 May 2021
    Content last reviewed 03/2023 · Zuletzt geprüft am 2. Februar 2018

Dates are parsed by dateparser (month names in many languages) after a fast
path for ISO and numeric forms. A numeric date such as 02/03/2018 is read by
`[review] date_order` ("MDY" or "DMY"); without it, and when both readings
are real dates, it is recorded as ambiguous with both readings.

Every value keeps its source span, so a review finding points at the byline.
Values fill the article's metadata where the reader found none; when the
page and the metadata disagree, both are kept for the review check to report.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field

from .dates import parse_date
from .model import Article, Located

# Credentials written after a name: "Anita Rao, MD", "Sam Lee, PharmD, BCPS".
CREDENTIALS = (
    "MD", "M.D.", "DO", "D.O.", "PharmD", "Pharm.D.", "RPh", "RN", "BSN", "MSN", "DNP", "NP", "FNP", "FNP-BC",
    "APRN", "CNM", "PA", "PA-C", "PhD", "Ph.D.", "MPH", "MS", "MSc", "MA", "MBA", "RD", "RDN", "LD", "LDN",
    "CDE", "CDCES", "DPT", "PT", "OT", "DC", "PsyD", "LCSW", "LMFT", "LPC", "IBCLC", "CPT", "DDS", "DMD", "OD",
    "DPM", "MBBS", "MBChB", "MRCP", "MRCGP", "FRCP", "FRCS", "FACP", "FACC", "FAAP", "FACOG", "FACS", "BCPS",
    "CSCS", "ATC", "MSPT", "CRNP", "CNS", "RDH", "LAc", "ND",
)
_CRED = "|".join(re.escape(c) for c in sorted(CREDENTIALS, key=len, reverse=True))
_NAME = (
    r"(?P<name>(?:(?:Dr|Prof|Mr|Mrs|Ms)\.?\s+)?[A-Z][\w'’\-]+\.?(?:\s+(?:[A-Z][\w'’\-]*\.?|de|van|von|da|del|la|le|bin))"
    r"{0,4})(?P<creds>(?:,?\s+(?:" + _CRED + r")(?![\w]))*)"
)
_MONTH = r"[A-Za-zÀ-ÿ]{3,12}\.?"
_DATE = (
    r"(?P<date>"
    r"\d{4}-\d{1,2}-\d{1,2}"
    r"|\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})\b"
    r"|\d{1,2}(?:st|nd|rd|th)?\.?\s+(?:de\s+)?" + _MONTH + r",?\s+(?:de\s+)?\d{4}"
    r"|" + _MONTH + r"\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}"
    r"|\d{1,2}[/.]\d{4}"
    r"|" + _MONTH + r",?\s+\d{4}"
    r")"
)
# Labels, longest first within a field; each may carry "by NAME" and/or a date.
_LABELS = {
    "next_review": r"next\s+review\s+(?:due|date)|review\s+due|due\s+for\s+review",
    "last_reviewed": (
        r"(?:last\s+)?medically\s+reviewed|page\s+last\s+reviewed|content\s+last\s+reviewed|last\s+medical\s+review"
        r"|clinically\s+reviewed|(?:last\s+)?fact[\s-]checked|(?:date\s+)?(?:last\s+)?reviewed|medical\s+review(?:er)?"
        r"|review\s+date|zuletzt\s+(?:geprüft|überprüft|aktualisiert)|(?:dernière\s+)?révision|revisado"
    ),
    "updated": r"(?:page\s+)?(?:last\s+)?updated|last\s+modified|modified|actualizado|mis\s+à\s+jour",
    "published": r"(?:first\s+)?published|posted|date\s+published|publicado|publié",
    "author": r"written\s+by|author(?:ed\s+by)?|by",
}
_LABEL_RE = re.compile(
    r"(?<![\w-])(?:(?P<next_review>" + _LABELS["next_review"] + r")"
    r"|(?P<last_reviewed>" + _LABELS["last_reviewed"] + r")"
    r"|(?P<updated>" + _LABELS["updated"] + r")"
    r"|(?P<published>" + _LABELS["published"] + r")"
    r"|(?P<author>" + _LABELS["author"] + r"))\b",
    re.IGNORECASE,
)
_BY = re.compile(r"\s*(?:by|:)\s*" + _NAME)
_ON = re.compile(r"\s*(?::|on|am|le|el|the|-|—|–)?\s*(?:on\s+)?" + _DATE, re.IGNORECASE)
# A byline is short: a label must sit near the start of its line or after a separator.
_SEPARATORS = "—–|·•\n"
_MAX_LABEL_OFFSET = 80


@dataclass(slots=True)
class BylineDate:
    """A date read from a byline, with where it stands in the cleaned text."""

    field: str  # last_reviewed | updated | published | next_review
    text: str  # as written
    start: int  # span in Article.text
    end: int
    value: dt.date | None  # None when unreadable or ambiguous
    readings: tuple[dt.date, ...] = ()  # both readings of an ambiguous numeric date
    precision: str = "day"  # or "month" for "March 2019"


@dataclass(slots=True)
class BylinePerson:
    field: str  # authors | reviewed_by
    name: str  # with credentials, "Anita Rao, MD"
    credentials: tuple[str, ...]
    start: int
    end: int


@dataclass(slots=True)
class Bylines:
    dates: list[BylineDate] = field(default_factory=list)
    people: list[BylinePerson] = field(default_factory=list)

    def first(self, name: str) -> BylineDate | None:
        return next((d for d in self.dates if d.field == name), None)


def read_date(text: str, date_order: str | None = None) -> tuple[dt.date | None, tuple[dt.date, ...], str]:
    """(date, readings, precision): readings holds both dates of an ambiguous numeric form."""
    text = text.strip()
    m = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})", text)
    if m:
        a, b, y = int(m[1]), int(m[2]), int(m[3])
        y = y + 2000 if y < 100 else y
        mdy, dmy = _safe_date(y, a, b), _safe_date(y, b, a)
        if date_order == "MDY":
            return mdy, (), "day"
        if date_order == "DMY":
            return dmy, (), "day"
        if mdy and dmy and mdy != dmy:
            return None, (mdy, dmy), "day"
        return mdy or dmy, (), "day"
    m = re.fullmatch(r"(\d{1,2})[/.](\d{4})", text)
    if m:
        month, year = int(m[1]), int(m[2])
        return (_month_end(year, month) if 1 <= month <= 12 else None), (), "month"
    parsed = parse_date(text, day_first=None if date_order is None else date_order == "DMY")
    if parsed is not None:
        return parsed, (), "day"
    # Month and year only ("March 2019"): judged by the month's last day, the reading kindest to the page.
    m = re.fullmatch(r"(" + _MONTH + r"),?\s+(\d{4})", text)
    if m:
        first = parse_date(f"1 {m[1]} {m[2]}")
        if first is not None:
            return _month_end(first.year, first.month), (), "month"
    return None, (), "day"


def _safe_date(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _near_line_start(text: str, pos: int) -> bool:
    """A label counts only at the start of a line or sentence, or after a byline separator."""
    line_start = text.rfind("\n", 0, pos) + 1
    before = text[line_start:pos].rstrip()
    if not before:
        return True
    if before[-1] in _SEPARATORS or before[-1] in ".!?,;:":
        return True
    return pos - line_start <= _MAX_LABEL_OFFSET and bool(re.search(r"[—–|·•]\s*$", before))


def extract_bylines(text: str, date_order: str | None = None) -> Bylines:
    out = Bylines()
    for m in _LABEL_RE.finditer(text):
        kind = m.lastgroup
        if kind is None or not _near_line_start(text, m.start()):
            continue
        pos = m.end()
        if kind == "author":
            person = _AUTHOR.match(text, pos)
            if person and _plausible_name(person, bare_by=m.group(0).lower() == "by"):
                out.people.append(_person("authors", person))
            continue
        on = _date_at(text, pos)
        if on is None and kind == "last_reviewed":
            by = _BY.match(text, pos)  # "reviewed by NAME", "Medical reviewer: NAME"
            if by and _plausible_name(by, bare_by=False):
                out.people.append(_person("reviewed_by", by))
                on = _date_at(text, by.end())
        if on is None:
            continue
        raw = on.group("date")
        value, readings, precision = read_date(raw, date_order)
        out.dates.append(BylineDate(kind, raw, on.start("date"), on.end("date"), value, readings, precision))
    _reviewed_and_updated(text, out)
    return out


def _reviewed_and_updated(text: str, out: Bylines) -> None:
    """"Medically reviewed by NAME — Updated on DATE" (one byline line): the update is the review date."""
    if out.first("last_reviewed") is not None:
        return
    for person in out.people:
        if person.field != "reviewed_by":
            continue
        line_end = text.find("\n", person.end)
        line_end = len(text) if line_end == -1 else line_end
        updated = next((d for d in out.dates if d.field == "updated" and person.end <= d.start < line_end), None)
        if updated is not None:
            out.dates.append(BylineDate("last_reviewed", updated.text, updated.start, updated.end,
                                        updated.value, updated.readings, updated.precision))
            return


_AUTHOR = re.compile(r"\s*:?\s*" + _NAME)


def _date_at(text: str, pos: int) -> re.Match[str] | None:
    on = _ON.match(text, pos)
    return on if on is not None and on.start("date") - pos <= 12 else None


def _plausible_name(m: re.Match[str], bare_by: bool) -> bool:
    name = m.group("name").strip()
    if _DATE_ONLY.fullmatch(name) or read_date(name)[0] is not None:
        return False
    # A bare "By" needs a full name or a credential: "by walking", "By 2020" are not bylines.
    return not bare_by or len(name.split()) >= 2 or bool(m.group("creds").strip())


def _person(field_name: str, m: re.Match[str]) -> BylinePerson:
    name, creds = m.group("name").strip(), _creds(m.group("creds"))
    full = name + (", " + ", ".join(creds) if creds else "")
    return BylinePerson(field_name, full, creds, m.start("name"), m.end())


_DATE_ONLY = re.compile(r"[\d\W]+")


def _creds(text: str) -> tuple[str, ...]:
    return tuple(c for c in re.split(r"[,\s]+", text) if c)


FIELD_LABEL = {"last_reviewed": "byline: last reviewed", "updated": "byline: updated",
               "published": "byline: published", "authors": "byline: author", "reviewed_by": "byline: reviewer"}


def enrich_meta(article: Article, date_order: str | None = None) -> Bylines:
    """Fill the article's missing metadata from its bylines; return what the bylines say."""
    bylines = extract_bylines(article.text, date_order)
    meta = article.meta
    for name in ("last_reviewed", "updated", "published"):
        found = bylines.first(name)
        if getattr(meta, name) is None and found is not None and found.value is not None:
            start, end = article.text_map.span_to_source(found.start, found.end)
            setattr(meta, name, Located(found.value, FIELD_LABEL[name], start, end))
    for name in ("authors", "reviewed_by"):
        if not getattr(meta, name):
            people = [p for p in bylines.people if p.field == name]
            located = []
            for p in people:
                start, end = article.text_map.span_to_source(p.start, p.end)
                if p.name not in [loc.value for loc in located]:
                    located.append(Located(p.name, FIELD_LABEL[name], start, end))
            setattr(meta, name, located)
    return bylines

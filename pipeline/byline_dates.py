"""Dates as bylines write them: the date patterns, read_date, and which words read as month names.

Used by medreview.bylines (a date after a label) and medreview.byline_names
(a date after "By NAME"); the house styles are described in medreview.bylines.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from .dates import parse_date

_MONTH = r"[^\W\d_]{3,12}\.?"  # any letters: "października", "września"
_DATE = (
    r"(?P<date>"
    r"\d{4}[/.\-]\d{1,2}[/.\-]\d{1,2}"
    r"|\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})\b"
    r"|\d{1,2}(?:st|nd|rd|th|er)?\.?\s+(?:de\s+|of\s+)?" + _MONTH + r",?\s+(?:de\s+)?\d{4}"
    r"|" + _MONTH + r"\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}"
    r"|\d{1,2}[/.]\d{4}"
    r"|" + _MONTH + r",?\s+\d{4}"
    r")"
)
_WEEKDAY = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+"


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
    m = re.fullmatch(r"(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})", text)  # 2021/06/30: year first is never day-first
    if m:
        return _safe_date(int(m[1]), int(m[2]), int(m[3])), (), "day"
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


# How the month words of the languages above begin (abbreviations and misspellings included: "Febtember 45,
# 2018" is an unreadable date, not prose), and the month names that begin otherwise (Welsh).
_MONTH_PREFIXES = tuple(
    "jan jän ene gen sty feb fév fev lut mar maa mrt mär apr avr abr kwi may mai mei mag maj jun jui giu cze "
    "jul lug lip aug aoû ago sie sep set wrz oct okt ott out paź nov lis dec dez déc dic gru".split()
)
_MONTH_NAMES = frozenset(
    "ionawr chwefror mawrth ebrill mehefin gorffennaf awst medi hydref tachwedd rhagfyr".split()
)
_WORD = re.compile(r"[^\W\d_]{3,}")  # "de", "of" and ordinal endings are shorter


def _month_like(on: re.Match[str] | None) -> re.Match[str] | None:
    """The match, unless its date is written with a word that is no month: "Reviewed 3 trials, 2021",
    "Published online 2021" are prose, not unreadable dates."""
    if on is None:
        return None
    word = _WORD.search(on.group("date"))
    if word is None:  # numeric: 03/2023, 2018-02-02
        return on
    w = word.group(0).lower()
    return on if w.startswith(_MONTH_PREFIXES) or w in _MONTH_NAMES else None


_MONTH_WORDS = frozenset(
    "jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june july august "
    "september october november december".split()
)


def _could_be_date(name: str) -> bool:
    """Worth asking the date parser (slow to load) only with a digit or a month name in it."""
    first = name.split()[0].rstrip(".").lower() if name.split() else ""
    return any(ch.isdigit() for ch in name) or first in _MONTH_WORDS

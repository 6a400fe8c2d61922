"""Turning the dates articles carry into calendar dates.

ISO forms (what front matter, <meta> and JSON-LD mostly hold) are parsed
directly; anything else goes to dateparser, a well-kept parser that knows
month names in many languages and house styles ("2 February 2018",
"Feb. 2, 2018"), so we do not maintain our own list of formats.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

_ISO = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})")
# English house styles, parsed without loading dateparser (~2 s per process to import and warm up).
_ENGLISH_FORMATS = ("%B %d %Y", "%b %d %Y", "%d %B %Y", "%d %b %Y", "%A %B %d %Y", "%a %b %d %Y")
_ORDINAL = re.compile(r"(?<=\d)(?:st|nd|rd|th)\b", re.IGNORECASE)
_MONTH_ABBREV = {"sept": "sep"}


def as_date(value: object) -> dt.date | None:
    """A date from a YAML/JSON value (date, datetime or string), else None."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) or value is None:
        return None
    return parse_date(str(value))


def _english(text: str) -> dt.date | None:
    """"February 2, 2018", "2 Feb. 2018", "March 14th, 2019" with the standard library."""
    plain = _ORDINAL.sub("", text).replace(",", " ").replace(".", " ")
    words = plain.split()
    if len(words) not in (3, 4):
        return None
    words = [_MONTH_ABBREV.get(w.lower(), w) for w in words]
    candidate = " ".join(words)
    for fmt in _ENGLISH_FORMATS:
        try:
            return dt.datetime.strptime(candidate, fmt).date()
        except ValueError:
            continue
    return None


@lru_cache(maxsize=4096)
def parse_date(text: str, day_first: bool | None = None) -> dt.date | None:
    """Parse a written date; None when it is not a full, valid date."""
    text = text.strip()
    if not text or len(text) > 80:
        return None
    m = _ISO.match(text)
    if m:
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
    english = _english(text)
    if english is not None:
        return english
    import dateparser  # imported lazily: it costs ~0.3 s to load

    settings = {
        "STRICT_PARSING": True,
        "REQUIRE_PARTS": ["day", "month", "year"],
        "RETURN_AS_TIMEZONE_AWARE": False,
        "PREFER_LOCALE_DATE_ORDER": day_first is None,
    }
    if day_first is not None:
        settings["DATE_ORDER"] = "DMY" if day_first else "MDY"
    parsed = dateparser.parse(text, settings=settings)
    return parsed.date() if parsed else None

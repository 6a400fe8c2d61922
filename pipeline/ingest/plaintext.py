"""Plain text as scraped: a title or search query may stand on the first line."""

from __future__ import annotations

import re

from ..model import Link, Located, Meta
from ..textmap import TextMap
from .base import Extract

_MAX_TITLE = 150
# A bare URL in scraped text; trailing punctuation belongs to the sentence, not the link.
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>()\[\]{}\"'“”‘’]+[^\s<>()\[\]{}\"'“”‘’.,;:!?]")


def extract_text(source: str) -> Extract:
    meta = Meta()
    first, sep, rest = source.partition("\n")
    # A short first line followed by a blank line and not ending like a
    # sentence is the page title (or the query the page was gathered for).
    line = first.strip()
    if sep and line and len(line) <= _MAX_TITLE and rest.startswith(("\n", "\r\n")) and line[-1] not in ".!?:;,":
        start = source.index(line)
        meta.title = Located(line, "first line", start, start + len(line))
    links = [Link(url=m.group(0) if m.group(0).startswith("http") else "https://" + m.group(0),
                  anchor=m.group(0), start=m.start(), end=m.end()) for m in _URL.finditer(source)]
    return Extract(body=source, body_map=TextMap.identity(len(source)), meta=meta, links=links)

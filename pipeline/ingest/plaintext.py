"""Plain text as scraped: a title or search query may stand on the first line."""

from __future__ import annotations

from ..model import Located, Meta
from ..textmap import TextMap
from .base import Extract

_MAX_TITLE = 150


def extract_text(source: str) -> Extract:
    meta = Meta()
    first, sep, rest = source.partition("\n")
    # A short first line followed by a blank line and not ending like a
    # sentence is the page title (or the query the page was gathered for).
    line = first.strip()
    if sep and line and len(line) <= _MAX_TITLE and rest.startswith(("\n", "\r\n")) and line[-1] not in ".!?:;,":
        start = source.index(line)
        meta.title = Located(line, "first line", start, start + len(line))
    return Extract(body=source, body_map=TextMap.identity(len(source)), meta=meta)

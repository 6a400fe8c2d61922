"""Where links and written URLs sit in an article's cleaned text, and overlap tests on spans.

Shared by the marker finder (medreview.citation_markers), the reference-list
reader (medreview.reference_lists) and `extract_citations`
(medreview.citations). Every span is an offset in `article.text`.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from typing import Iterable, Iterator, Sequence

from .model import Article, Link

_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'\]]+[^\s<>\"'\].,;:!?)]", re.I)


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


def _urls(text: str, start: int = 0, end: int | None = None) -> Iterator[re.Match[str]]:
    end = len(text) if end is None else end
    if "://" in text or "www." in text or "WWW." in text:
        yield from _URL.finditer(text, start, end)


def _inside(start: int, end: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in spans)


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

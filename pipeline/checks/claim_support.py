"""Where a claim's support can come from, besides named sources: citation markers and links in its sentence."""

from __future__ import annotations

import re
from bisect import bisect_left

from ..config import Config, ConfigError
from ..model import Article
from ..rulepacks import RulePackError
from .claim_tokens import DocTokens

_URL = re.compile(r"https?://\S+|www\.\S+")


class Markers:
    """Citation markers (start, end, text) in the order given, and those that start in a range."""

    def __init__(self, markers: list[tuple[int, int, str]]) -> None:
        self.markers = markers
        self.starts = [m[0] for m in markers]
        self.ordered = all(a <= b for a, b in zip(self.starts, self.starts[1:]))  # as the citations stage sorts them

    def texts_in(self, start_char: int, end_char: int) -> list[str]:
        if self.ordered:
            lo, hi = bisect_left(self.starts, start_char), bisect_left(self.starts, end_char)
            return [text for _, _, text in self.markers[lo:hi]]
        return [text for start, _, text in self.markers if start_char <= start < end_char]


def support_in(tokens: DocTokens, k: int, article: Article, link_spans: list[tuple[int, int]], named: list[str],
               markers: Markers) -> list[str]:
    """The support sentence k carries: named sources, citation markers, links."""
    start_char, end_char = tokens.sentence_chars(k)
    found = list(named)
    found += [f"citation marker {text}" for text in markers.texts_in(start_char, end_char)]
    if _URL.search(tokens.text, start_char, end_char):
        found.append("link in the text")
    if link_spans:
        raw_start, raw_end = article.text_map.span_to_source(start_char, end_char)
        if any(raw_start <= s < raw_end for s, _ in link_spans):
            found.append("link")
    return found


def citation_markers(article: Article, config: Config, require_resolved: bool) -> list[tuple[int, int, str]]:
    """Citation markers of the cleaned text, (start, end, text), as the citations check reads them
    (so "kg/m²" or "10⁹ per litre" is not a marker). With require_resolved, only markers whose
    reference the article has (or that are links themselves) count."""
    from ..citations import extract_citations
    from .citations import citation_settings

    try:
        headings = citation_settings(config).headings
    except (ConfigError, RulePackError):
        headings = ()
    cit = extract_citations(article, headings)
    out = []
    for m in cit.markers:
        if require_resolved and not m.url and not any(cit.resolve(c) for c in m.cites):
            continue
        out.append((m.start, m.end, m.text))
    return out

"""HTML pages: the article's readable text, its links and its metadata.

The page is tokenised once with the standard library's HTMLParser, which
reports where every tag and text run starts, so each character of the body
maps back to the character of the file it came from (entities included).
From that one pass come:

- blocks of text (paragraphs, headings, list items, cells), whitespace
  collapsed as a browser would;
- links with their anchor text and its source span;
- ad, promo and sign-up containers (class/id from `rules/artifacts.yml`),
  taken out and recorded as removals so the artifact check reports them;
- metadata from `<title>`, `<meta>`, `<time>` and schema.org JSON-LD.

Which blocks are the article: everything inside `<article>` or `<main>` when
the page has one (minus navigation, forms and asides); otherwise the blocks
trafilatura keeps as main content, plus what lies between them. A fragment
(a CMS body with no `<html>`/`<body>`) is all article.

The work is spread over ``html_parser`` (the one pass), ``html_tags`` (what
each tag means), ``html_superscripts`` (citation or power) and ``html_meta``
(metadata); this module chooses the article's blocks and assembles the result.
"""

from __future__ import annotations

import re

from ..textmap import TextBuilder
from .base import Extract
from .html_meta import _choose_meta
from .html_parser import _PageParser


def _normalise(text: str) -> str:
    return " ".join(text.casefold().split())


def _main_content(source: str) -> str | None:
    """The page's main text according to trafilatura, normalised; None when it finds none."""
    import trafilatura  # heavy: imported only when a whole page without <article>/<main> shows up

    try:
        text = trafilatura.extract(source, include_comments=False, include_tables=True, favor_recall=True,
                                   deduplicate=False, with_metadata=False)
    except Exception:  # trafilatura on pathological markup: fall back to structure
        return None
    return _normalise(text) if text else None


def _select(parser: _PageParser, source: str) -> list[int]:
    """Indices of the blocks that are the article."""
    blocks = parser.blocks
    candidates = [i for i, b in enumerate(blocks) if len(b.builder) and not b.furniture]
    if not parser.is_page:
        return candidates
    if parser.has_container:
        inside = [i for i in candidates if blocks[i].in_container]
        if inside:
            return inside
    main = _main_content(source)
    if main is None:
        return candidates
    kept = [i for i in candidates if _normalise(blocks[i].builder.text()) in main]
    if not kept:
        return candidates
    # Blocks between the first and last kept ones are the article too (bylines,
    # captions, teasers trafilatura judged boilerplate: the cleaner reports those).
    return [i for i in candidates if kept[0] <= i <= kept[-1]]


def extract_html(source: str, ad_container_pattern: re.Pattern[str] | None = None,
                 ad_rule: str = "ART009") -> Extract:
    parser = _PageParser(source, ad_container_pattern, ad_rule)
    parser.feed(source)
    parser.close()
    parser._pop_to(0, len(source), len(source))  # unclosed elements at the end of a truncated page
    chosen = _select(parser, source)

    out = TextBuilder()
    for n, i in enumerate(chosen):
        if n:
            out.add_synthetic("\n\n")
        block = parser.blocks[i].builder
        out.add_mapped(block.text(), 0, len(block), block.map)
    if len(out):
        out.add_synthetic("\n")

    chosen_set = set(chosen)
    links = [link for block, link in parser.links if block in chosen_set]
    if chosen:
        lo = parser.blocks[chosen[0]].start
        hi = max(seg.src + seg.src_len for seg in parser.blocks[chosen[-1]].builder.map.segments)
    else:
        lo = hi = 0
    removed = [
        r for r, inside in zip(parser.removed, parser.removed_in_container)
        if inside or (not parser.has_container and lo <= r.start <= hi)
    ]
    meta, notices = _choose_meta(parser)
    if parser.base_url:
        meta.extra["url"] = parser.base_url
    return Extract(body=out.text(), body_map=out.map, meta=meta, links=links,
                   removed=removed, notices=parser.notices + notices)

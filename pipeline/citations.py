"""Citations: the markers in an article's text and the reference list they point to.

`extract_citations(article)` works on the cleaned text (`article.text`) and
the reader's links (`article.links`); every span it returns is an offset in
`article.text`, and `article.text_map` takes it back to the source file.

The work is split by what it reads, one module each:

- medreview.citation_markers: the markers in the text (numeric, superscript,
  footnote, author-year and narrative markers; links whose text is a
  number), and what is not a marker: `find_markers`, `Cite`, `Marker`;
- medreview.reference_lists: the reference sections, their entries and the
  references read from them (numbers, author-year keys, years, URLs):
  `HEADINGS`, `ReferenceSection`, `Reference`;
- medreview.publication_ids: the DOIs, PMIDs, PMCIDs and ISBNs in a reference
  (`Identifier`);
- medreview.citation_spans: the links and written URLs located in the text
  (`links_in_text`), which all of them use.

This module reads the whole article with them (markers, reference sections,
references, and the sources cited inline: `Citations`) and re-exports the
names above, so `from medreview.citations import …` is the one import the
checks and the link stage need.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable
from urllib.parse import unquote

from .citation_markers import Cite, Marker, _link_markers, _linked, find_markers
from .citation_spans import _inside, _Spans, _urls, links_in_text
from .model import Article
from .publication_ids import Identifier, _ids_in_url
from .reference_lists import _FOOTNOTE_DEF, HEADINGS, Reference, ReferenceSection, _heading_pattern, _references, _sections

# --------------------------------------------------------------------------- types


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


__all__ = [
    "Citations", "Cite", "HEADINGS", "Identifier", "InlineSource", "Marker", "Reference", "ReferenceSection",
    "extract_citations", "find_markers", "links_in_text", "reference_identifiers",
]

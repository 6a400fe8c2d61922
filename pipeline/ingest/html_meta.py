"""An HTML page's metadata: the names it goes by in <meta>, JSON-LD and <time>, the parser's
methods that collect every candidate value, and the choice of the best one per field."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..dates import as_date
from ..model import Located, Meta
from .fields import person_names

if TYPE_CHECKING:
    from .html_parser import _PageParser

# Metadata names (lower-case) in <meta name|property|itemprop>, by field.
META_NAMES = {
    "title": ("og:title", "citation_title", "dc.title", "twitter:title", "headline"),
    "authors": ("author", "article:author", "citation_author", "dc.creator", "parsely-author", "sailthru.author"),
    "reviewed_by": ("reviewedby", "reviewed_by", "reviewer", "medical-reviewer", "medical_reviewer"),
    "published": ("article:published_time", "datepublished", "citation_publication_date", "dc.date",
                  "dc.date.issued", "date", "pubdate", "publish-date", "publish_date", "og:published_time",
                  "parsely-pub-date", "sailthru.date"),
    "updated": ("article:modified_time", "og:updated_time", "datemodified", "last-modified",
                "dc.date.modified", "dcterms.modified", "revised"),
    "last_reviewed": ("lastreviewed", "last-reviewed", "last_reviewed", "review-date", "reviewed",
                      "dcterms.reviewed", "dc.date.reviewed"),
}
# JSON-LD keys by field, and the node types that describe the page's article.
JSONLD_KEYS = {
    "title": ("headline", "name"),
    "authors": ("author", "creator"),
    "reviewed_by": ("reviewedBy",),
    "published": ("datePublished", "dateCreated"),
    "updated": ("dateModified",),
    "last_reviewed": ("lastReviewed",),
}
_NON_ARTICLE_TYPES = {"organization", "person", "website", "breadcrumblist", "imageobject", "searchaction",
                      "listitem", "sitenavigationelement", "corporation", "place", "postaladdress"}
_TIME_CLASS = (("review", "last_reviewed"), ("modif", "updated"), ("updat", "updated"), ("publish", "published"))
DATE_FIELDS = ("published", "updated", "last_reviewed")


@dataclass(slots=True)
class _Candidate:
    """A metadata value seen on the page, before the best one per field is chosen."""

    value: Any
    source: str
    start: int
    end: int
    rank: int  # lower wins: JSON-LD 0, <meta> 1, <time> 2, <h1>/<title> 3-4


class _PageMetadata:
    """_PageParser's metadata methods (it mixes this class in): they read and add to its candidates,
    notices, base_url and _capture."""

    # -- metadata ------------------------------------------------------------------
    def _add(self, key: str, value: Any, source: str, start: int, end: int, rank: int) -> None:
        self.candidates.setdefault(key, []).append(_Candidate(value, source, start, end, rank))

    def _meta(self, attrs: dict[str, str | None], start: int) -> None:
        name = (attrs.get("name") or attrs.get("property") or attrs.get("itemprop") or "").strip()
        content = attrs.get("content")
        if not name or content is None or not content.strip():
            return
        lname = name.lower()
        if lname == "og:url" and self.base_url is None:
            self.base_url = content.strip()
        for key, names in META_NAMES.items():
            if lname in names:
                value = content.strip()
                if key == "authors" and value.startswith(("http://", "https://")):
                    return  # article:author is often a profile URL, not a name
                self._add(key, value, f"meta: {name}", start, self._tag_end(start), 1)
                return

    def _time(self, attrs: dict[str, str | None], start: int) -> None:
        value = attrs.get("datetime")
        if not value:
            return
        key = None
        prop = attrs.get("itemprop") or ""
        for k, names in (("published", ("datePublished",)), ("updated", ("dateModified",)),
                         ("last_reviewed", ("lastReviewed",))):
            if prop in names:
                key = k
        if key is None:
            classes = (attrs.get("class") or "").lower()
            key = next((k for token, k in _TIME_CLASS if token in classes), None)
        if key is not None:
            self._add(key, value, f"time: {prop or attrs.get('class')}", start, self._tag_end(start), 2)

    def _finish_capture(self, end: int) -> None:
        what, start, parts = self._capture  # type: ignore[misc]
        self._capture = None
        text = " ".join("".join(parts).split())
        if text:
            self._add("title", text, "html: <title>" if what == "title" else "html: <h1>", start, end,
                      4 if what == "title" else 3)

    def _jsonld(self, start: int, text: str) -> None:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            self.notices.append(("INPUT005", f"a JSON-LD block is not valid JSON ({e.msg}); its metadata was ignored", start))
            return
        end = start + len(text)
        nodes = sorted(_jsonld_nodes(data), key=_article_first)
        for node in nodes:
            for key, names in JSONLD_KEYS.items():
                for name in names:
                    if node.get(name) not in (None, "", []):
                        self._add(key, node[name], f"json-ld: {name}", start, end, 0)
                        break


def _jsonld_nodes(data: Any) -> list[dict[str, Any]]:
    """Every JSON-LD object in a block: top level, lists and @graph."""
    if isinstance(data, list):
        return [n for item in data for n in _jsonld_nodes(item)]
    if not isinstance(data, dict):
        return []
    nodes = [data]
    for key in ("@graph", "mainEntity", "mainEntityOfPage"):
        if isinstance(data.get(key), (dict, list)):
            nodes.extend(_jsonld_nodes(data[key]))
    return nodes


def _article_first(node: dict[str, Any]) -> int:
    types = node.get("@type", [])
    types = [types] if isinstance(types, str) else types if isinstance(types, list) else []
    return 1 if any(str(t).lower() in _NON_ARTICLE_TYPES for t in types) or not types else 0


def _choose_meta(parser: _PageParser) -> tuple[Meta, list[tuple[str, str, int]]]:
    meta = Meta()
    notices: list[tuple[str, str, int]] = []
    for key, found in parser.candidates.items():
        found.sort(key=lambda c: c.rank)  # stable: first seen wins within a rank
        if key == "title":
            c = found[0]
            title = c.value if isinstance(c.value, str) else str(c.value)
            meta.title = Located(" ".join(title.split()), c.source, c.start, c.end)
        elif key in ("authors", "reviewed_by"):
            best = min(c.rank for c in found)
            people: list[Located] = []
            for c in found:
                if c.rank != best:
                    continue
                for name in person_names(c.value):
                    if name not in [p.value for p in people]:
                        people.append(Located(name, c.source, c.start, c.end))
            setattr(meta, key, people)
        elif key in DATE_FIELDS:
            for c in found:
                parsed = as_date(c.value)
                if parsed is not None:
                    setattr(meta, key, Located(parsed, c.source, c.start, c.end))
                    break
                notices.append(("INPUT006", f"the {c.source} value is not a valid date: {str(c.value)[:40]!r}", c.start))
    return meta, notices

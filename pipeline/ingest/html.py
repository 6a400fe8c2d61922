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
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from html import unescape
from html.entities import html5
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

from ..model import Link, Located, Meta, Removal
from ..textmap import LineIndex, TextBuilder
from .base import Extract
from .fields import person_names
from ..dates import as_date

BLOCK_TAGS = frozenset(
    "address article aside blockquote body caption dd details dialog div dl dt fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hr html li main nav ol p pre section summary "
    "table tbody td tfoot th thead tr ul br".split()
)
VOID_TAGS = frozenset("area base br col embed hr img input link meta param source track wbr".split())
# Never text: code, styling, embedded media and the document head.
SKIP_TAGS = frozenset("script style noscript template svg math iframe object canvas select option textarea head".split())
# Page furniture that is never article text.
FURNITURE_TAGS = frozenset("nav aside form button dialog menu".split())
# Furniture only outside <article>/<main>: inside, a <header> holds the title and byline.
OUTER_FURNITURE_TAGS = frozenset(("header", "footer"))
CONTAINER_TAGS = frozenset(("article", "main"))
# A class like "has-ads" on these says what the page carries, not that they are an ad.
_NEVER_AD = frozenset(("html", "body", "article", "main"))

# HTML5's implied end tags (HTMLParser builds no tree, so an unclosed <p> or <li>
# would stay open for the rest of the page). Elements that are not "inline" stop
# the search for the element a start tag closes.
_TABLE_TAGS = frozenset("table caption colgroup col tbody thead tfoot tr td th".split())
NON_INLINE_TAGS = (BLOCK_TAGS | SKIP_TAGS | FURNITURE_TAGS | CONTAINER_TAGS | _TABLE_TAGS
                   | frozenset("li dd dt center dir hgroup menu search listing xmp plaintext button "
                               "applet marquee optgroup".split()))
# A start tag of one of these closes an open <p> (when the <p> is the innermost non-inline element).
P_CLOSERS = frozenset(
    "address article aside blockquote center details dialog dir div dl dd dt fieldset figcaption figure "
    "footer form h1 h2 h3 h4 h5 h6 header hgroup hr li listing main menu nav ol p plaintext pre search "
    "section summary table ul xmp".split()
)
_HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
# tag -> (the open elements its start tag closes, elements skipped while looking, elements that stop the
# search); None as the skip set means "every element not in the stop set".
_IMPLIED_END: dict[str, tuple[frozenset[str], frozenset[str] | None, frozenset[str]]] = {}
_IMPLIED_END["li"] = (frozenset(("li",)), frozenset(("p", "div", "address")), NON_INLINE_TAGS)
for _t in ("dd", "dt"):
    _IMPLIED_END[_t] = (frozenset(("dd", "dt")), frozenset(("p", "div", "address")), NON_INLINE_TAGS)
for _t in ("td", "th"):
    _IMPLIED_END[_t] = (frozenset(("td", "th")), None,
                        frozenset("table caption tr tbody thead tfoot html template".split()))
_IMPLIED_END["tr"] = (frozenset(("tr",)), None, frozenset("table caption tbody thead tfoot html template".split()))
for _t in ("tbody", "thead", "tfoot"):
    _IMPLIED_END[_t] = (frozenset(("tbody", "thead", "tfoot")), None, frozenset(("table", "caption", "html", "template")))
_IMPLIED_END["option"] = (frozenset(("option",)), frozenset(), NON_INLINE_TAGS - {"option"})
_IMPLIED_END["optgroup"] = (frozenset(("optgroup",)), frozenset(("option",)), NON_INLINE_TAGS - {"option", "optgroup"})
del _t

_CITATION_SUP = re.compile(r"^\[?\d{1,3}(?:\s*[-–,]\s*\d{1,3})*\]?$")
_LETTER_SUP = re.compile(r"^[a-z](?:\s*,\s*[a-z])*$")  # footnote letters: a, b or "a,b"
_EXPONENT = re.compile(r"^[-−+]?\d{1,3}$")
# What an exponent follows: a number ("10<sup>9</sup>"), a unit ("kg/m<sup>2</sup>", "mm<sup>3</sup>"),
# or a power sign ("×<sup>2</sup>", "^").
# "in" is left out: "found in<sup>3</sup>" is a citation far more often than cubic inches.
_UNITS = frozenset("m cm mm km µm μm nm ft yd mi s sec g kg mg µg μg mcg l L ml mL dl dL".split())
_YEAR_END = re.compile(r"(?<!\d)(?:19|20)\d\d\)?$")  # "… in 2019<sup>4</sup>": a year takes a citation, not a power
_BEFORE_EXPONENT = re.compile(r"(?:\d|[×^]|/[A-Za-zµμ]{1,4}|(?<![^\W\d_])(?P<unit>[A-Za-zµμ]{1,3}))$")
_CHARREF = re.compile(r"&#(?:[xX][0-9a-fA-F]+|[0-9]+);?")
_WS = re.compile(r"\s+")

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
class _Block:
    builder: TextBuilder = field(default_factory=TextBuilder)
    in_container: bool = False
    furniture: bool = False
    start: int = 0  # source offset of its first character
    pending_space: tuple[int, int] | None = None  # whitespace seen, not yet written

    def add_text(self, text: str, src: int, src_len: int | None = None) -> None:
        if self.pending_space is not None:
            if len(self.builder):
                s, e = self.pending_space
                self.builder.add(" ", s, e - s)
            self.pending_space = None
        if not len(self.builder):
            self.start = src
        self.builder.add(text, src, src_len)

    def add_space(self, src: int, end: int) -> None:
        if self.pending_space is None:
            self.pending_space = (src, end)
        else:
            self.pending_space = (self.pending_space[0], end)


@dataclass(slots=True)
class _Element:
    tag: str
    start: int
    ad: bool = False
    furniture: bool = False
    link: dict[str, Any] | None = None
    sup: tuple[int, int] | None = None  # block builder length at <sup>, and the block index
    depth: int = 0  # its index in the parser's stack


@dataclass(slots=True)
class _Candidate:
    """A metadata value seen on the page, before the best one per field is chosen."""

    value: Any
    source: str
    start: int
    end: int
    rank: int  # lower wins: JSON-LD 0, <meta> 1, <time> 2, <h1>/<title> 3-4


class _PageParser(HTMLParser):
    def __init__(self, source: str, ad_pattern: re.Pattern[str] | None, ad_rule: str) -> None:
        super().__init__(convert_charrefs=False)
        self.source = source
        self.lines = LineIndex(source)._starts  # offsets of line starts
        self.ad_pattern = ad_pattern
        self.ad_rule = ad_rule
        self.stack: list[_Element] = []
        self.blocks: list[_Block] = [_Block()]
        self.links: list[tuple[int, Link]] = []  # (block index, link)
        self.removed: list[Removal] = []
        self.removed_in_container: list[bool] = []
        self.candidates: dict[str, list[_Candidate]] = {}
        self.notices: list[tuple[str, str, int]] = []
        self.base_url: str | None = None
        self.is_page = False  # saw <html> or <body>: a whole page, not a fragment
        self.has_container = False
        self._skip = 0  # depth inside SKIP_TAGS
        self._ad_depth = 0
        self._ad_text: list[str] = []
        self._capture: tuple[str, int, list[str]] | None = None  # (what, start, parts) for title/json-ld/time/h1
        # Kept as elements are pushed and popped, so that no text run scans the stack.
        self._open: dict[str, int] = {}  # open elements by tag
        self._container_depth = 0
        self._furniture_depth = 0
        self._open_links: list[_Element] = []  # open elements still collecting anchor text
        self._open_a: list[_Element] = []
        self.max_depth = 0  # the deepest the stack got (a debugging aid, and for tests)

    # -- positions -----------------------------------------------------------
    def _offset(self) -> int:
        line, col = self.getpos()
        return self.lines[line - 1] + col

    def _tag_end(self, start: int) -> int:
        end = self.source.find(">", start)
        return len(self.source) if end == -1 else end + 1

    # -- state helpers ---------------------------------------------------------
    @property
    def _in_container(self) -> bool:
        return self._container_depth > 0

    @property
    def _in_furniture(self) -> bool:
        return self._furniture_depth > 0

    def _new_block(self) -> None:
        if len(self.blocks[-1].builder):
            self.blocks.append(_Block())
        block = self.blocks[-1]
        block.pending_space = None
        block.in_container = self._container_depth > 0
        block.furniture = self._furniture_depth > 0
        for el in self._open_links:  # "NHS page<br>on weight": the anchor's words stay apart
            el.link["gap"] = True  # type: ignore[index]

    def _push(self, el: _Element) -> None:
        el.depth = len(self.stack)
        self.stack.append(el)
        self._open[el.tag] = self._open.get(el.tag, 0) + 1
        if el.tag in CONTAINER_TAGS:
            self._container_depth += 1
        if el.furniture:
            self._furniture_depth += 1
        if el.tag == "a":
            self._open_a.append(el)
        if len(self.stack) > self.max_depth:
            self.max_depth = len(self.stack)

    def _pop(self) -> _Element:
        el = self.stack.pop()
        self._open[el.tag] -= 1
        if el.tag in CONTAINER_TAGS:
            self._container_depth -= 1
        if el.furniture:
            self._furniture_depth -= 1
        if el.tag == "a":
            self._open_a.pop()
        if el.link is not None:
            self._open_links.pop()
        return el

    def _pop_to(self, depth: int, start: int, end: int, tag: str | None = None) -> None:
        """Close the open elements down to stack index `depth`; `tag` names an end tag that closes its own."""
        while len(self.stack) > depth:
            el = self._pop()
            own = tag is not None and len(self.stack) == depth and el.tag == tag
            self._close(el, end if own else start, closed_by_own_tag=own)

    def _find_open(self, targets: frozenset[str], skip: frozenset[str] | None, stop: frozenset[str]) -> int | None:
        """Stack index of the innermost open element in `targets`, searching down from the top past
        inline elements and those in `skip` (None: past all but `stop`); None when something else is first."""
        if not any(self._open.get(t) for t in targets):
            return None
        for i in range(len(self.stack) - 1, -1, -1):
            tag = self.stack[i].tag
            if tag in targets:
                return i
            if tag in stop if skip is None else (tag in stop and tag not in skip):
                return None
        return None

    def _implied_end_tags(self, tag: str, start: int) -> None:
        """Close what the start tag `tag` ends by HTML's optional-end-tag rules."""
        if tag in _IMPLIED_END:
            i = self._find_open(*_IMPLIED_END[tag])
            if i is not None:
                self._pop_to(i, start, start)
        if tag in P_CLOSERS:
            i = self._find_open(frozenset(("p",)), frozenset(), NON_INLINE_TAGS)
            if i is not None:
                self._pop_to(i, start, start)
        if tag in _HEADINGS and self.stack and self.stack[-1].tag in _HEADINGS:
            self._pop_to(len(self.stack) - 1, start, start)
        if tag == "a" and self._open_a:
            # Links do not nest: a new <a> ends the open one. Inline elements in between are closed
            # with it, as a browser does; across a block only its anchor text is ended.
            outer = self._open_a[-1]
            if all(e.tag not in NON_INLINE_TAGS for e in self.stack[outer.depth + 1:]):
                self._pop_to(outer.depth, start, start)
            elif outer.link is not None:
                self._finish_link(outer)
                self._open_links.remove(outer)
                outer.link = None

    def _is_ad(self, attrs: dict[str, str | None]) -> bool:
        if self.ad_pattern is None:
            return False
        tokens = (attrs.get("class") or "").split() + (attrs.get("id") or "").split()
        return any(self.ad_pattern.match(t) for t in tokens)

    # -- HTMLParser callbacks ---------------------------------------------------
    def handle_starttag(self, tag: str, attr_list: list[tuple[str, str | None]]) -> None:
        start = self._offset()
        attrs = {k.lower(): v for k, v in attr_list}
        if tag in ("html", "body"):
            self.is_page = True
        if tag in CONTAINER_TAGS:
            self.has_container = True
        if tag == "meta":
            self._meta(attrs, start)
        elif tag == "base" and attrs.get("href") and self.base_url is None:
            self.base_url = attrs["href"]
        elif tag == "link" and (attrs.get("rel") or "").lower() == "canonical" and attrs.get("href"):
            self.base_url = self.base_url or attrs["href"]
        if tag in VOID_TAGS:
            if tag == "hr":
                self._implied_end_tags(tag, start)  # <hr> ends an open <p>
            if tag in ("br", "hr") and not self._skip and not self._ad_depth:
                self._new_block()
            return
        if tag == "body":  # a page that never closed <head>
            while self._open.get("head"):
                self._close(self._pop(), start, closed_by_own_tag=False)
        self._implied_end_tags(tag, start)
        el = _Element(tag, start)
        if tag in SKIP_TAGS:
            self._skip += 1
            if tag == "script" and (attrs.get("type") or "").lower() == "application/ld+json":
                self._capture = ("json-ld", self._tag_end(start), [])
        elif not self._skip and (self._ad_depth or (tag not in _NEVER_AD and self._is_ad(attrs))):
            el.ad = True
            if not self._ad_depth:
                self._ad_text = []
            self._ad_depth += 1
        el.furniture = tag in FURNITURE_TAGS or (tag in OUTER_FURNITURE_TAGS and not self._in_container)
        self._push(el)
        if tag == "title" and self._capture is None:
            self._capture = ("title", self._tag_end(start), [])
            return
        if el.ad and tag in BLOCK_TAGS:
            self._ad_text.append(" ")  # "Advertisement" and "Continue reading" stay two words
        if self._skip or el.ad:
            return
        if tag in BLOCK_TAGS:
            self._new_block()
        if tag == "h1" and self._capture is None:
            self._capture = ("h1", self._tag_end(start), [])
        elif tag == "time":
            self._time(attrs, start)
        elif tag == "a" and attrs.get("href"):
            el.link = {"href": attrs["href"], "parts": [], "start": None, "end": None, "block": len(self.blocks) - 1,
                       "gap": False}
            self._open_links.append(el)
        elif tag == "sup":
            el.sup = (len(self.blocks[-1].builder), len(self.blocks) - 1)
        if attrs.get("itemprop") in ("author", "reviewedBy") and attrs.get("content"):
            key = "authors" if attrs["itemprop"] == "author" else "reviewed_by"
            self._add(key, attrs["content"], f"microdata: {attrs['itemprop']}", start, self._tag_end(start), 1)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        start = self._offset()
        end = self._tag_end(start)
        if tag in VOID_TAGS:
            if tag in ("br", "hr") and not self._skip and not self._ad_depth:
                self._new_block()
            return
        if not self._open.get(tag):
            return  # a stray end tag: browsers ignore it, so do we
        depth = len(self.stack) - 1
        while self.stack[depth].tag != tag:
            depth -= 1
        self._pop_to(depth, start, end, tag)

    def _close(self, el: _Element, end: int, closed_by_own_tag: bool) -> None:
        if el.tag in SKIP_TAGS:
            self._skip -= 1
            if self._capture and self._capture[0] == "json-ld" and el.tag == "script":
                self._jsonld(self._capture[1], "".join(self._capture[2]))
                self._capture = None
            return
        if el.ad:
            if el.tag in BLOCK_TAGS:
                self._ad_text.append(" ")
            self._ad_depth -= 1
            if not self._ad_depth:
                text = " ".join("".join(self._ad_text).split())
                if not text:
                    text = " ".join(self.source[el.start:self._tag_end(el.start)].split())
                self.removed.append(Removal(self.ad_rule, el.start, end, text))
                self.removed_in_container.append(self._in_container or el.tag in CONTAINER_TAGS)
            return
        if self._capture and self._capture[0] == el.tag:  # <title>, <h1>
            self._finish_capture(end)
        if el.link is not None:
            self._finish_link(el)
        if el.sup is not None:
            self._bracket_citation(el.sup)
        if el.tag in BLOCK_TAGS:
            self._new_block()

    def _finish_link(self, el: _Element) -> None:
        link = el.link
        if link is None or link["start"] is None:
            return
        url = link["href"].strip()
        if not url.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
            if self.base_url and not re.match(r"^[a-z][a-z0-9+.-]*:", url, re.I):
                url = urljoin(self.base_url, url)
            anchor = " ".join("".join(link["parts"]).split())
            self.links.append((link["block"], Link(url, anchor, link["start"], link["end"])))

    def handle_data(self, data: str) -> None:
        if self._capture is not None:
            self._capture[2].append(data)
        if self._skip:
            return
        if self._ad_depth:
            self._ad_text.append(data)
            return
        self._text(data, self._offset())

    def handle_entityref(self, name: str) -> None:
        start = self._offset()
        raw = f"&{name};" if self.source.startswith(f"&{name};", start) else f"&{name}"
        char = html5.get(name + ";") or html5.get(name) or raw
        self._entity(char, start, len(raw))

    def handle_charref(self, name: str) -> None:
        start = self._offset()
        m = _CHARREF.match(self.source, start)  # "&#35 2;" is "&#35" and then text, not up to the next ";"
        length = m.end() - start if m else len(name) + 2
        char = unescape(self.source[start:start + length])
        self._entity(char, start, length)

    def _entity(self, char: str, start: int, length: int) -> None:
        if self._capture is not None:
            self._capture[2].append(char)
        if self._skip:
            return
        if self._ad_depth:
            self._ad_text.append(char)
            return
        if char.isspace():
            self.blocks[-1].add_space(start, start + length)
        else:
            self._add_visible(char, start, length)

    def _text(self, data: str, src: int) -> None:
        pos = 0
        for m in _WS.finditer(data):
            if m.start() > pos:
                self._add_visible(data[pos:m.start()], src + pos, None)
            self.blocks[-1].add_space(src + m.start(), src + m.end())
            pos = m.end()
        if pos < len(data):
            self._add_visible(data[pos:], src + pos, None)

    def _add_visible(self, text: str, src: int, src_len: int | None) -> None:
        block = self.blocks[-1]
        spaced = block.pending_space is not None and len(block.builder) > 0
        block.add_text(text, src, src_len)
        end = src + (len(text) if src_len is None else src_len)
        for el in self._open_links:
            link = el.link
            if link["start"] is None:  # type: ignore[index]
                link["start"] = src  # type: ignore[index]
                link["parts"] = []  # type: ignore[index]
            elif spaced or link["gap"]:  # type: ignore[index]
                link["parts"].append(" ")  # type: ignore[index]
            link["gap"] = False  # type: ignore[index]
            link["parts"].append(text)  # type: ignore[index]
            link["end"] = end  # type: ignore[index]

    def _bracket_citation(self, sup: tuple[int, int]) -> None:
        """`<sup>1</sup>` reads "pain1" as text; make it "pain[1]" so it reads as a marker.

        Not an exponent: "kg/m<sup>2</sup>" and "10<sup>9</sup>" stay "kg/m2" and "109". A footnote
        letter after a word is bracketed too: "Vitamin D<sup>a</sup>" is "Vitamin D[a]", not "Da".
        """
        at, block_index = sup
        block = self.blocks[-1]
        if block_index != len(self.blocks) - 1:
            return
        text = block.builder.text()
        raw = text[at:]
        marker = raw.lstrip()
        at += len(raw) - len(marker)  # a space before the <sup> stays before the bracket
        before = text[:at]
        if not marker or marker.startswith("["):
            return
        glued = bool(before) and not before[-1].isspace()
        if _CITATION_SUP.match(marker):
            if glued and _EXPONENT.match(marker) and _follows_exponent_base(before):
                return
        elif _LETTER_SUP.match(marker):
            if not before.rstrip() or before.rstrip()[-1].isdigit() or (glued and _follows_exponent_base(before)):
                return  # "2<sup>n</sup>", or a sup that starts the block: not a word's footnote
        else:
            return
        rebuilt = TextBuilder()
        rebuilt.add_mapped(text, 0, at, block.builder.map)
        rebuilt.add_synthetic("[")
        rebuilt.add_mapped(text, at, len(text), block.builder.map)
        rebuilt.add_synthetic("]")
        block.builder = rebuilt

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


def _follows_exponent_base(before: str) -> bool:
    """Whether a superscript number right after `before` is a power: after a digit, a unit or a power sign."""
    if _YEAR_END.search(before[-8:]):
        return False
    m = _BEFORE_EXPONENT.search(before[-8:])
    return m is not None and (m.group("unit") is None or m.group("unit") in _UNITS)


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

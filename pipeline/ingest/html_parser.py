"""The HTML reader's one pass over a page: HTMLParser callbacks that build text blocks mapped to
the source, the links with their anchor text, and the ad containers taken out."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape
from html.entities import html5
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

from ..model import Link, Removal
from ..textmap import LineIndex, TextBuilder
from .html_meta import _Candidate, _PageMetadata
from .html_superscripts import _CITATION_SUP, _EXPONENT, _LETTER_SUP, _follows_exponent_base
from .html_tags import (
    _HEADINGS,
    _IMPLIED_END,
    _NEVER_AD,
    BLOCK_TAGS,
    CONTAINER_TAGS,
    FURNITURE_TAGS,
    NON_INLINE_TAGS,
    OUTER_FURNITURE_TAGS,
    P_CLOSERS,
    SKIP_TAGS,
    VOID_TAGS,
)

_CHARREF = re.compile(r"&#(?:[xX][0-9a-fA-F]+|[0-9]+);?")
_WS = re.compile(r"\s+")


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



class _PageParser(HTMLParser, _PageMetadata):
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

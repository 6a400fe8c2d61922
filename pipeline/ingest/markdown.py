"""Markdown with YAML front matter.

The body is reduced to readable text line by line: markers of headings,
lists, quotes and emphasis go, link labels stay (the URLs become Links), code
blocks and HTML comments go. Every kept character maps to its source.
"""

from __future__ import annotations

import re

import yaml

from ..model import Link, Meta
from ..textmap import TextBuilder
from .base import Extract
from .fields import meta_from_record

_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S | re.M)
_FENCE = re.compile(r"^\s*(```|~~~)")
_PREFIX = re.compile(r"^(?:\s{0,3}#{1,6}\s+|\s{0,3}(?:>\s?)+|\s*(?:[-*+]|\d{1,3}[.)])\s+(?:\[[ xX]\]\s+)?)+")
_RULE = re.compile(r"^\s{0,3}(?:(?:\*\s*){3,}|(?:-\s*){3,}|(?:_\s*){3,})$")
_REFDEF = re.compile(r"^\s{0,3}\[([^\]^]+)\]:\s*<?(\S+?)>?(?:\s+[\"'(].*)?\s*$")
_INLINE = re.compile(
    r"(?P<image>!\[[^\]]*\]\([^)]*\))"
    r"|\[(?P<label>[^\]]+)\]\((?P<url><[^>]*>|(?:[^()\s]+|\([^()\s]*\))+)(?:\s+[\"'][^)]*[\"'])?\)"
    r"|\[(?P<rlabel>[^\]^][^\]]*)\]\[(?P<ref>[^\]]*)\]"
    r"|<(?P<auto>https?://[^>\s]+)>"
    r"|(?P<bare>https?://[^\s<>()\]]+[^\s<>()\].,;:!?'\"])"
    r"|(?P<tag></?[A-Za-z][^>\n]*>)"
    r"|(?P<mark>\*{1,3}|(?<!\w)_{1,3}|_{1,3}(?!\w)|`+|~~)"
    r"|\\(?P<esc>[\\`*_{}\[\]()#+\-.!>|])"
)


def extract_markdown(source: str) -> Extract:
    meta, notices, body_start = Meta(), [], 0
    m = _FRONT.match(source)
    if m:
        body_start = m.end()
        try:
            data = yaml.safe_load(m.group(1))
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            line = f" on line {mark.line + 2}" if mark else ""
            notices.append(("INPUT005", f"the front matter is not valid YAML{line}; its metadata was ignored", 0))
            data = None
        except ValueError as e:  # YAML read an unquoted date that does not exist (2021-13-45)
            notices.append(("INPUT006", f"the front matter holds a date that does not exist ({e}); "
                                        "its metadata was ignored", 0))
            data = None
        if isinstance(data, dict):
            meta, notices2 = meta_from_record(data, "front matter", 0, m.end())
            notices.extend(notices2)
        elif data is not None:
            notices.append(("INPUT005", "the front matter is not a set of key: value fields; it was ignored", 0))

    out = TextBuilder()
    links: list[Link] = []
    refs: dict[str, str] = {}
    pending: list[tuple[str, Link]] = []  # reference links resolved once all definitions are read
    in_fence = in_comment = False
    pos = body_start
    for line in source[body_start:].splitlines(keepends=True):
        start, pos = pos, pos + len(line)
        content = line.rstrip("\r\n")
        newline_at = start + len(content)
        if in_comment or "<!--" in content:
            content, in_comment = _drop_comments(content, in_comment)
        if _FENCE.match(content):
            in_fence = not in_fence
            content = ""
        if in_fence or _RULE.match(content):
            content = ""
        if d := _REFDEF.match(content):
            refs[d.group(1).lower()] = d.group(2)
            content = ""
        if content.strip():
            prefix = _PREFIX.match(content)
            offset = prefix.end() if prefix else 0
            if prefix and content.lstrip().startswith("#"):
                content = content.rstrip().rstrip("#").rstrip()
            _inline(content, offset, start, out, links, pending)
        if newline_at < pos:
            out.add("\n", newline_at, pos - newline_at)
    for ref, link in pending:
        url = refs.get(ref.lower())
        if url:
            link.url = url
            links.append(link)
    links.sort(key=lambda l: l.start)
    return Extract(body=out.text(), body_map=out.map, meta=meta, links=links, notices=notices)


def _drop_comments(content: str, in_comment: bool) -> tuple[str, bool]:
    """Blank out HTML comments (keeping columns), possibly spanning lines."""
    chars = list(content)
    i = 0
    while i < len(content):
        if in_comment:
            end = content.find("-->", i)
            stop = len(content) if end == -1 else end + 3
            chars[i:stop] = " " * (stop - i)
            in_comment = end == -1
            i = stop
        else:
            begin = content.find("<!--", i)
            if begin == -1:
                break
            in_comment, i = True, begin
    return "".join(chars), in_comment


_LABEL_MARK = re.compile(r"\*{1,3}|(?<!\w)_{1,3}|_{1,3}(?!\w)|`+|~~")


def _add_label(content: str, s: int, e: int, line_start: int, out: TextBuilder) -> str:
    """Add a link label without its emphasis or code marks; return the label as read."""
    kept = []
    pos = s
    for m in _LABEL_MARK.finditer(content, s, e):
        out.add(content[pos:m.start()], line_start + pos)
        kept.append(content[pos:m.start()])
        pos = m.end()
    out.add(content[pos:e], line_start + pos)
    kept.append(content[pos:e])
    return "".join(kept)


def _inline(content: str, offset: int, line_start: int, out: TextBuilder,
            links: list[Link], pending: list[tuple[str, Link]]) -> None:
    pos = offset
    for m in _INLINE.finditer(content, offset):
        out.add(content[pos:m.start()], line_start + pos)
        pos = m.end()
        kind = m.lastgroup
        if kind in ("label", "url", "rlabel", "ref"):
            label_group = "label" if m.group("label") is not None else "rlabel"
            s, e = m.span(label_group)
            anchor = _add_label(content, s, e, line_start, out)
            link = Link(url="", anchor=anchor, start=line_start + s, end=line_start + e)
            if label_group == "label":
                link.url = m.group("url").strip("<>")
                links.append(link)
            else:
                pending.append((m.group("ref") or m.group("rlabel"), link))
        elif kind in ("auto", "bare"):
            s, e = m.span(kind)
            out.add(content[s:e], line_start + s)
            links.append(Link(url=content[s:e], anchor=content[s:e], start=line_start + s, end=line_start + e))
        elif kind == "esc":
            out.add(m.group("esc"), line_start + m.start("esc"))
        # image, tag, mark: dropped
    out.add(content[pos:], line_start + pos)

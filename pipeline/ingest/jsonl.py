"""JSON-lines CMS exports: one article per line.

Fields read from each record (first present wins):
- body: `body`, `content`, `body_html`, `html`, `markdown`, `text`, `article_body`, `articleBody`
  (HTML when the key says so or the value holds block tags; Markdown for `markdown`);
- id: `id`, `slug`, `url`, `path` (else the line number);
- title, authors, reviewers and dates: as in medreview.ingest.fields.
Blank lines are skipped. A line that is not a JSON object, or has no body,
is reported on its own and the rest of the file is read.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Iterator

from ..textmap import TextBuilder, TextMap
from .base import Extract, IngestError
from .fields import meta_from_record

BODY_KEYS = ("body", "content", "body_html", "html", "markdown", "text", "article_body", "articleBody")
ID_KEYS = ("id", "slug", "url", "path")
_HTML_HINT = re.compile(r"<(?:p|div|h[1-6]|article|section|br|ul|ol|li|a|span|strong|em|table)\b", re.I)
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


@dataclass(slots=True)
class Record:
    line_no: int
    line: str  # the raw line, the article's `raw`
    record_id: str
    body: str  # the body value as decoded from JSON
    body_key: str
    body_map: TextMap  # body -> line
    data: dict


def iter_records(lines: Iterator[str | None], max_bytes: int) -> Iterator[Record | IngestError]:
    """Records of a JSON-lines file; None stands for a line that was not UTF-8."""
    for line_no, line in enumerate(lines, start=1):
        if line is None:
            yield IngestError("INPUT002", "line is not valid UTF-8; export the file as UTF-8", line_no)
            continue
        if not line.strip():
            continue
        if len(line) > max_bytes:
            yield IngestError("INPUT004", f"record is over the {max_bytes / 1_000_000:.1f} MB limit ([input] max_bytes)", line_no)
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as e:
            yield IngestError("INPUT005", f"line is not valid JSON ({e.msg} at column {e.colno})", line_no)
            continue
        if not isinstance(data, dict):
            yield IngestError("INPUT005", "line is not a JSON object", line_no)
            continue
        key = next((k for k in BODY_KEYS if isinstance(data.get(k), str) and data[k].strip()), None)
        if key is None:
            yield IngestError("INPUT003", f"record has no article text (looked for {', '.join(BODY_KEYS)})", line_no)
            continue
        rid = next((str(data[k]) for k in ID_KEYS if data.get(k) not in (None, "")), f"line {line_no}")
        body, body_map = _locate_string(line, key, data[key])
        yield Record(line_no, line.rstrip("\r\n"), rid, body, key, body_map, data)


def _locate_string(line: str, key: str, value: str) -> tuple[str, TextMap]:
    """The decoded string value of `key`, mapped to its characters in the raw line."""
    for m in re.finditer(r'"%s"\s*:\s*"' % re.escape(key), line):
        if m.start() > 0 and line[m.start() - 1] == "\\":
            continue  # the key text inside another string value
        decoded, text_map = _decode_json_string(line, m.end())
        if decoded == value:
            return decoded, text_map
    # Not found as written (e.g. the key itself escaped): map every character to the line start.
    fallback = TextBuilder()
    fallback.add(value, 0, 0)
    return value, fallback.map


def _decode_json_string(line: str, i: int) -> tuple[str, TextMap]:
    out = TextBuilder()
    n = len(line)
    run_start = i
    while i < n:
        ch = line[i]
        if ch == '"':
            break
        if ch != "\\":
            i += 1
            continue
        out.add(line[run_start:i], run_start)
        esc = line[i + 1] if i + 1 < n else ""
        if esc == "u":
            code = int(line[i + 2:i + 6], 16)
            width = 6
            if 0xD800 <= code < 0xDC00 and line[i + 6:i + 8] == "\\u":
                low = int(line[i + 8:i + 12], 16)
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                width = 12
            out.add(chr(code), i, width)
            i += width
        else:
            out.add(_ESCAPES.get(esc, esc), i, 2)
            i += 2
        run_start = i
    out.add(line[run_start:i], run_start)
    return out.text(), out.map


def extract_record(rec: Record, html_reader, markdown_reader) -> tuple[Extract, str]:
    """Read one record's body in its own format; offsets end up in the raw line."""
    if rec.body_key == "markdown":
        inner, fmt = markdown_reader(rec.body), "jsonl+markdown"
    elif rec.body_key in ("html", "body_html") or _HTML_HINT.search(rec.body):
        inner, fmt = html_reader(rec.body), "jsonl+html"
    else:
        inner, fmt = Extract(body=rec.body, body_map=TextMap.identity(len(rec.body))), "jsonl"
    outer = rec.body_map
    inner.body_map = inner.body_map.compose(outer)
    for link in inner.links:
        link.start, link.end = outer.span_to_source(link.start, link.end)
    for removal in inner.removed:
        removal.start, removal.end = outer.span_to_source(removal.start, removal.end)
    inner.notices = [(rule, msg, outer.to_source(off)) for rule, msg, off in inner.notices]
    meta, notices = meta_from_record(rec.data, "record", 0, len(rec.line))
    # Record fields are the CMS's own truth; the body's own metadata fills gaps.
    for name in ("title", "published", "updated", "last_reviewed"):
        if getattr(meta, name) is None:
            value = getattr(inner.meta, name)
            if value is not None and value.start is not None:
                value.start, value.end = outer.span_to_source(value.start, value.end or value.start)
            setattr(meta, name, value)
    for name in ("authors", "reviewed_by"):
        if not getattr(meta, name):
            setattr(meta, name, getattr(inner.meta, name))
    meta.extra = {**inner.meta.extra, **meta.extra}
    inner.meta = meta
    inner.notices.extend(notices)
    return inner, fmt

"""Ingest: one reader per format, each turning a file into Articles.

Nothing after this stage knows which format an article came from, beyond
the `format` label in the report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from ..model import Article, Located
from .base import Extract, IngestError
from .decode import decode, read_bytes
from .jsonl import extract_record, iter_records
from .markdown import extract_markdown
from .plaintext import extract_text

FORMAT_BY_SUFFIX = {
    ".txt": "text", ".text": "text",
    ".md": "markdown", ".markdown": "markdown", ".mdx": "markdown",
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".jsonl": "jsonl", ".ndjson": "jsonl",
}


def format_of(path: Path) -> str | None:
    return FORMAT_BY_SUFFIX.get(path.suffix.lower())


@dataclass(slots=True)
class Failure:
    """A file or record that could not be read as an article."""

    path: str
    id: str
    rule: str
    message: str
    line: int = 1


class Reader:
    """Reads files into Articles; built once per process with the config's limits."""

    def __init__(self, max_bytes: int, ad_pattern: re.Pattern[str] | None = None, ad_rule: str = "ART009") -> None:
        self.max_bytes = max_bytes
        self.ad_pattern = ad_pattern
        self.ad_rule = ad_rule

    def html(self, source: str) -> Extract:
        from .html import extract_html  # loads trafilatura: only when HTML shows up

        return extract_html(source, ad_container_pattern=self.ad_pattern, ad_rule=self.ad_rule)

    def read(self, path: Path, fmt: str) -> Iterator[Article | Failure]:
        name = str(path)
        try:
            if fmt == "jsonl":
                yield from self._read_jsonl(path)
                return
            decoded = decode(read_bytes(path, self.max_bytes))
        except IngestError as e:
            yield Failure(name, name, e.rule, e.message, e.line)
            return
        source = decoded.text
        if not source.strip():
            yield Failure(name, name, "INPUT003", "is empty: there is no article text to audit")
            return
        readers: dict[str, Callable[[str], Extract]] = {
            "text": extract_text, "markdown": extract_markdown, "html": self.html,
        }
        extract = readers[fmt](source)
        if decoded.guessed:
            extract.notices.append(("INPUT007", f"This file is not UTF-8; it was read as {decoded.encoding}. Save it as UTF-8.", 0))
        yield self._article(name, name, fmt, source, extract, 1)

    def _read_jsonl(self, path: Path) -> Iterator[Article | Failure]:
        name = str(path)
        try:
            fh = path.open("rb")
        except OSError as e:
            raise IngestError("INPUT001", f"cannot be read: {e.strerror or e}") from None
        with fh:
            head = fh.read(8192)
            if b"\x00" in head:
                raise IngestError("INPUT002", "looks like a binary file (it contains NUL bytes), not JSON lines")
            fh.seek(0)
            any_line = False
            for item in iter_records(_decoded_lines(fh), self.max_bytes):
                any_line = True
                if isinstance(item, IngestError):
                    yield Failure(name, f"{name}:{item.line}", item.rule, item.message, item.line)
                    continue
                extract, fmt = extract_record(item, self.html, extract_markdown)
                yield self._article(f"{name}#{item.record_id}", name, fmt, item.line, extract, item.line_no)
            if not any_line:
                yield Failure(name, name, "INPUT003", "is empty: there are no JSON lines to audit")

    def _article(self, aid: str, path: str, fmt: str, raw: str, extract: Extract, first_line: int) -> Article | Failure:
        if not extract.body.strip():
            return Failure(path, aid, "INPUT003", "has no readable article text", first_line)
        return Article(
            id=aid, path=path, format=fmt, raw=raw, body=extract.body, body_map=extract.body_map,
            first_line=first_line, meta=extract.meta, links=extract.links,
            removed=list(extract.removed), notices=list(extract.notices),
        )


def _decoded_lines(fh) -> Iterator[str | None]:
    """Lines of a JSON-lines file; None for a line that is not UTF-8."""
    for raw in fh:
        try:
            yield raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            yield None


__all__ = ["Reader", "Failure", "format_of", "FORMAT_BY_SUFFIX", "IngestError", "Located"]

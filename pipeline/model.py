"""The core types every stage shares: Article in, Findings out."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from collections import Counter
from functools import lru_cache
from pathlib import Path
from dataclasses import dataclass, field, fields, replace
from enum import Enum
from typing import Any

from .textmap import LineIndex, TextMap


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"info": 1, "warning": 2, "error": 3}[self.value]


CATEGORIES = (
    "artifact", "spelling", "grammar", "citation", "link",
    "review", "claim", "readability", "input",
)


@dataclass(slots=True)
class Located:
    """A value found in an article, with where it was found (for the report's meta)."""

    value: Any
    source: str  # e.g. "front matter: reviewed_by", "json-ld: lastReviewed", "byline"
    start: int | None = None  # source offset in Article.raw, when it has one
    end: int | None = None


@dataclass(slots=True)
class Meta:
    title: Located | None = None
    authors: list[Located] = field(default_factory=list)
    reviewed_by: list[Located] = field(default_factory=list)
    published: Located | None = None
    updated: Located | None = None
    last_reviewed: Located | None = None
    # Anything else a reader found (site name, url, language, raw JSON-LD types).
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Link:
    url: str
    anchor: str
    start: int  # span in Article.raw
    end: int


@dataclass(slots=True)
class Removal:
    """A piece of source the cleaner took out, and the rule that took it."""

    rule: str
    start: int  # span in Article.raw
    end: int
    text: str


@dataclass(slots=True)
class Article:
    """One article, from one file or one record of a multi-article file.

    `raw` is the article's source as read (the whole file, or one JSON line).
    `body` is its readable text as the format reader extracted it, `text` the
    same after artifact stripping; `body_map` and `text_map` point both back
    into `raw`. `first_line` is the line of the file where `raw` begins.
    """

    id: str  # path, or path#record for multi-article files
    path: str
    format: str
    raw: str
    body: str
    body_map: TextMap
    first_line: int = 1
    meta: Meta = field(default_factory=Meta)
    links: list[Link] = field(default_factory=list)
    text: str = ""
    text_map: TextMap = field(default_factory=TextMap)
    removed: list[Removal] = field(default_factory=list)
    # Non-fatal reading problems: (input rule id, message, raw offset).
    notices: list[tuple[str, str, int]] = field(default_factory=list)
    # What the page's own bylines say (medreview.bylines.Bylines), read after cleaning.
    bylines: Any = None
    # Per-article figures checks report besides findings (e.g. the claims' support ratio).
    stats: dict[str, Any] = field(default_factory=dict)
    # The article's citations (medreview.citations), read once and shared by the claims and CITE
    # checks and the link stage: (headings, text they were read from, Citations).
    citations: Any = field(default=None, repr=False)
    _lines: LineIndex | None = field(default=None, repr=False)

    def line_col(self, raw_offset: int) -> tuple[int, int]:
        if self._lines is None:
            self._lines = LineIndex(self.raw, self.first_line)
        return self._lines.line_col(raw_offset)


@dataclass(slots=True)
class RuleInfo:
    """What `medreview rules` lists: one line per rule."""

    id: str
    name: str
    category: str
    severity: Severity
    summary: str


# One encoder for every finding: json.dumps() with these options builds a new one per call.
JSON_ENCODER = json.JSONEncoder(ensure_ascii=False, default=str)


@dataclass(slots=True)
class Finding:
    rule: str
    category: str
    severity: Severity
    message: str
    line: int
    column: int
    end_line: int
    end_column: int
    excerpt: str
    suggestions: list[str] = field(default_factory=list)
    evidence: dict[str, Any] = field(default_factory=dict)
    fingerprint: str = ""
    # True when --baseline lists this fingerprint: reported, but it never fails a run.
    baselined: bool = False
    # The finding's report.json text without its final `"baselined"` key (encode_json), made
    # where the finding was made: in the workers, in parallel, and kept in the result cache, so
    # writing report.json is joining strings. None: encode when writing.
    encoded: str | None = field(default=None, repr=False, compare=False)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # Its fields in order, for the constructor: ~40% faster to unpickle than the default state
        # of a slots class, set attribute by attribute (a report unpickles ~30 an article).
        return Finding, tuple([getattr(self, name) for name in _FINDING_FIELDS])

    def encode_json(self) -> None:
        """Fill `encoded`; call once the finding is final (severity, fingerprint, evidence)."""
        data = self.to_json()
        del data["baselined"]
        self.encoded = JSON_ENCODER.encode(data)[:-1]

    def json_text(self) -> str:
        """The finding as one line of report.json."""
        if self.encoded is None:
            return JSON_ENCODER.encode(self.to_json())
        return f'{self.encoded}, "baselined": {"true" if self.baselined else "false"}}}'

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "category": self.category,
            "severity": self.severity.value,
            "message": self.message,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "excerpt": self.excerpt,
            "suggestions": list(self.suggestions),
            "evidence": dict(self.evidence),
            "fingerprint": self.fingerprint,
            "baselined": self.baselined,
        }


_FINDING_FIELDS = tuple(f.name for f in fields(Finding))


@dataclass(slots=True)
class ArticleResult:
    """What a worker sends back for one article: small and picklable."""

    path: str
    format: str
    title: str | None
    meta: dict[str, Any]
    findings: list[Finding]
    words: int = 0
    stats: dict[str, Any] = field(default_factory=dict)
    # Every link of the article, located: {"url", "anchor", "line", "column",
    # "end_line", "end_column"}. The corpus-wide link stage checks them.
    links: list[dict[str, Any]] = field(default_factory=list)
    # For the HTML report only (None otherwise): the readable text before artifact
    # stripping, where each finding sits in it, and the stripped artifacts:
    # {"text", "marks": [{"start", "end", "finding"}], "removed": [{"start", "end", "rule"}]}.
    display: dict[str, Any] | None = None
    # Set instead of `findings` and `display` once they are pickled (pack()).
    packed: Packed | None = None


@dataclass(frozen=True, slots=True)
class Packed:
    """An article's findings and display, pickled once where they were made (a worker).

    Pickled, an article's findings are ~30 KB (~30 findings with their report.json text). They
    used to be unpickled and pickled again by every hand they passed through: the pool's pipe,
    the result cache, the CLI's result spool. Packed, they travel as bytes and are written to the
    cache and the spool as they are; only a renderer reading the spool unpickles them. The CLI
    itself needs no finding, only how many of each kind (`kinds`) for the totals.
    """

    findings: bytes
    display: bytes | None
    kinds: tuple[tuple[tuple[Severity, str, str], int], ...]  # ((severity, category, rule), count)

    def rules(self) -> set[str]:
        return {rule for (_, _, rule), _ in self.kinds}


_PROTOCOL = pickle.HIGHEST_PROTOCOL


def pack(result: ArticleResult) -> ArticleResult:
    """The result with its findings and display pickled (the same result when already packed)."""
    if result.packed is not None:
        return result
    kinds = Counter((f.severity, f.category, f.rule) for f in result.findings)
    packed = Packed(pickle.dumps(result.findings, protocol=_PROTOCOL),
                    None if result.display is None else pickle.dumps(result.display, protocol=_PROTOCOL),
                    tuple(kinds.items()))
    return replace(result, findings=[], display=None, packed=packed)


def unpack(result: ArticleResult) -> ArticleResult:
    """The result with its findings and display as objects again (the same result when not packed)."""
    if result.packed is None:
        return result
    display = None if result.packed.display is None else pickle.loads(result.packed.display)
    return replace(result, findings=pickle.loads(result.packed.findings), display=display, packed=None)


def empty_meta() -> dict[str, Any]:
    """The metadata of an ArticleResult for a file or record nothing could be read of."""
    return {"authors": [], "reviewed_by": [], "published": None, "updated": None,
            "last_reviewed": None, "found_in": {}}


@lru_cache(maxsize=1024)  # calls come grouped by article; an entry per article (65,536 once) grew workers ~15 MB
def canonical_id(article_id: str) -> str:
    """The article's path as a fingerprint sees it: relative to the current folder, with forward
    slashes, however the path was spelled ("./a.md", "a.md", "/abs/…/a.md" give one id)."""
    path, sep, record = article_id.partition("#")
    if "://" in path or not path:
        return article_id
    resolved = Path(path).resolve()
    try:
        rel = os.path.relpath(resolved, Path.cwd().resolve())
    except ValueError:  # another drive on Windows
        rel = str(resolved)
    if rel.startswith(".."):
        rel = str(resolved)
    return rel.replace(os.sep, "/") + sep + record


def fingerprint(article_id: str, rule: str, excerpt: str, occurrence: int) -> str:
    """A fingerprint that survives edits elsewhere in the file.

    It hashes what was found and where (the article's canonical path, the rule,
    the normalised excerpt, and which occurrence of that same excerpt it is),
    never line numbers.
    """
    norm = " ".join(excerpt.lower().split())
    h = hashlib.sha256(f"{canonical_id(article_id)}\x1f{rule}\x1f{norm}\x1f{occurrence}".encode())
    return h.hexdigest()[:20]

"""What every format reader returns, and the error it raises."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import Link, Meta, Removal
from ..textmap import TextMap


class IngestError(Exception):
    """A file (or record) that cannot be read as an article.

    `rule` is the input rule it becomes (INPUT001 unreadable, …); the message is
    one line an editor can act on, without the path (the caller adds it).
    """

    def __init__(self, rule: str, message: str, line: int = 1) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message
        self.line = line


@dataclass(slots=True)
class Extract:
    """A reader's output for one article, all offsets relative to its input string."""

    body: str
    body_map: TextMap
    meta: Meta = field(default_factory=Meta)
    links: list[Link] = field(default_factory=list)
    # Page furniture the reader itself took out (ad containers in HTML, …).
    removed: list[Removal] = field(default_factory=list)
    # Non-fatal problems (malformed front matter, …): (rule, message, offset).
    notices: list[tuple[str, str, int]] = field(default_factory=list)

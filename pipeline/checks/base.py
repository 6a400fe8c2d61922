"""What a check is, and what it is given."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Iterator, Protocol

from ..config import Config
from ..model import Article, Finding, RuleInfo, Severity


@dataclass
class Context:
    """Everything a check may use besides the article. Built once per process."""

    config: Config
    nlp: Any = None  # the spaCy pipeline, from medreview.nlp
    _doc_of: tuple[Article, str, Any] | None = field(default=None, repr=False)

    @property
    def as_of(self) -> dt.date:
        return self.config.as_of

    def doc(self, article: Article) -> Any:
        """The article's spaCy Doc, parsed on first use and shared by all checks.

        One article at a time; the cache holds the article itself, not its id(),
        because a freed article's id can be reused by the next one. It keeps the
        text it parsed too: comparing strings is cheap, Doc.text is rebuilt from
        every token on each call.
        """
        if self._doc_of is None or self._doc_of[0] is not article or self._doc_of[1] != article.text:
            self._doc_of = (article, article.text, self.nlp(article.text))
        return self._doc_of[2]


class Check(Protocol):
    """A rule family: an id prefix, its rules, and a generator of findings."""

    family: str
    category: str

    def rules(self, config: Config) -> list[RuleInfo]: ...

    def check(self, article: Article, ctx: Context) -> Iterator[Finding]: ...


def finding_at(article: Article, rule: RuleInfo, message: str, raw_start: int, raw_end: int,
               *, excerpt: str | None = None, suggestions: list[str] | None = None,
               evidence: dict[str, Any] | None = None, severity: Severity | None = None) -> Finding:
    """A finding for source span raw[raw_start:raw_end] of the article."""
    line, col = article.line_col(raw_start)
    end_line, end_col = article.line_col(max(raw_end, raw_start))
    if excerpt is None:
        excerpt = article.raw[raw_start:raw_end]
    excerpt = " ".join(excerpt.split())
    if len(excerpt) > 160:
        excerpt = excerpt[:157] + "…"
    return Finding(
        rule=rule.id, category=rule.category, severity=severity or rule.severity,
        message=message, line=line, column=col, end_line=end_line, end_column=end_col,
        excerpt=excerpt, suggestions=list(suggestions or [])[:5], evidence=dict(evidence or {}),
    )


def finding_in_text(article: Article, rule: RuleInfo, message: str, start: int, end: int,
                    **kwargs: Any) -> Finding:
    """A finding for cleaned text[start:end], located in the source file."""
    raw_start, raw_end = article.text_map.span_to_source(start, end)
    kwargs.setdefault("excerpt", article.text[start:end])
    return finding_at(article, rule, message, raw_start, raw_end, **kwargs)

"""The Report every renderer reads, and its summary."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ..model import ArticleResult, RuleInfo, Severity

FAIL_RANK = {"error": 3, "warning": 2, "info": 1, "never": 99}


@dataclass
class Report:
    version: str
    as_of: dt.date
    fail_on: str
    # A list, or a ResultSpool (medreview.result_spool) that keeps findings on disk: both iterate,
    # index and count alike.
    articles: list[ArticleResult] = field(default_factory=list)
    elapsed: float = 0.0
    rules: list[RuleInfo] = field(default_factory=list)  # every rule's metadata (SARIF lists them)
    baseline_used: bool = False  # a --baseline was given: findings are "new" or "unchanged"
    link_stats: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage, summed over workers
    _sealed_counts: dict[str, Any] | None = field(default=None, init=False, repr=False, compare=False)

    def findings(self):
        for article in self.articles:
            for f in article.findings:
                yield article, f

    def light(self) -> Any:
        """The articles for what needs only titles, metadata and stats: over a spool, its in-memory
        part (no findings read back from disk); otherwise the articles themselves."""
        return getattr(self.articles, "light", lambda: self.articles)()

    def seal(self) -> None:
        """Findings change no more (links checked, baseline applied): count them once from here on.
        Over a spool (medreview.result_spool) every pass reads every article back from disk."""
        self._sealed_counts = None
        self._sealed_counts = self._counts()

    def _counts(self) -> dict[str, Any]:
        if self._sealed_counts is not None:
            return self._sealed_counts
        by_sev: Counter[str] = Counter({s.value: 0 for s in Severity})
        by_cat: Counter[str] = Counter()
        by_rule: Counter[str] = Counter()
        bar = FAIL_RANK[self.fail_on]
        articles = unreadable = words = suppressed = baselined = 0
        files = set()
        failed = False
        totals = getattr(self.articles, "finding_totals", lambda: None)()
        # A spool counted its findings as they arrived: only the in-memory part is read here.
        articles_seen = self.articles.light() if totals is not None else self.articles  # type: ignore[attr-defined]
        for a in articles_seen:
            if a.stats.get("failed"):
                unreadable += 1
            else:
                articles += 1
            files.add(a.path)
            words += a.words
            suppressed += len(a.stats.get("suppressed", []))
            if totals is not None:
                continue
            for f in a.findings:
                by_sev[f.severity.value] += 1
                by_cat[f.category] += 1
                by_rule[f.rule] += 1
                baselined += f.baselined
                failed = failed or (f.severity.rank >= bar and not f.baselined)
        for (severity, category, rule), n in (totals or {}).items():
            by_sev[severity.value] += n
            by_cat[category] += n
            by_rule[rule] += n
            failed = failed or severity.rank >= bar
        return {"articles": articles, "unreadable": unreadable, "files": len(files), "words": words,
                "by_severity": dict(by_sev), "by_category": dict(sorted(by_cat.items())),
                "by_rule": dict(sorted(by_rule.items())), "baselined": baselined, "suppressed": suppressed,
                "failed": failed}

    @property
    def failed(self) -> bool:
        """True when a finding that is not in the baseline is at or above the --fail-on severity."""
        return self._counts()["failed"]

    def summary(self) -> dict[str, Any]:
        c = self._counts()
        findings = sum(c["by_severity"].values())
        return {
            "articles": c["articles"],
            "unreadable": c["unreadable"],
            "files": c["files"],
            "words": c["words"],
            "findings": findings,
            "by_severity": dict(c["by_severity"]),
            "by_category": dict(c["by_category"]),
            "by_rule": dict(c["by_rule"]),
            "baselined": c["baselined"],
            "new": findings - c["baselined"] if self.baseline_used else None,
            "suppressed": c["suppressed"],
            "fail_on": self.fail_on,
            "failed": c["failed"],
            "elapsed_seconds": round(self.elapsed, 3),
        }

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
    articles: list[ArticleResult] = field(default_factory=list)
    elapsed: float = 0.0
    rules: list[RuleInfo] = field(default_factory=list)  # every rule's metadata (SARIF lists them)
    baseline_used: bool = False  # a --baseline was given: findings are "new" or "unchanged"
    link_stats: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage, summed over workers

    def findings(self):
        for article in self.articles:
            for f in article.findings:
                yield article, f

    @property
    def failed(self) -> bool:
        """True when a finding that is not in the baseline is at or above the --fail-on severity."""
        bar = FAIL_RANK[self.fail_on]
        return any(f.severity.rank >= bar and not f.baselined for _, f in self.findings())

    def summary(self) -> dict[str, Any]:
        by_sev: Counter[str] = Counter({s.value: 0 for s in Severity})
        by_cat: Counter[str] = Counter()
        by_rule: Counter[str] = Counter()
        for _, f in self.findings():
            by_sev[f.severity.value] += 1
            by_cat[f.category] += 1
            by_rule[f.rule] += 1
        return {
            "articles": sum(1 for a in self.articles if not a.stats.get("failed")),
            "unreadable": sum(1 for a in self.articles if a.stats.get("failed")),
            "files": len({a.path for a in self.articles}),
            "words": sum(a.words for a in self.articles),
            "findings": sum(by_sev.values()),
            "by_severity": dict(by_sev),
            "by_category": dict(sorted(by_cat.items())),
            "by_rule": dict(sorted(by_rule.items())),
            "baselined": sum(1 for _, f in self.findings() if f.baselined),
            "new": sum(1 for _, f in self.findings() if not f.baselined) if self.baseline_used else None,
            "suppressed": sum(len(a.stats.get("suppressed", [])) for a in self.articles),
            "fail_on": self.fail_on,
            "failed": self.failed,
            "elapsed_seconds": round(self.elapsed, 3),
        }

"""What the HTML report counts: each article's risk score (defined in html_report's docstring)
and the corpus figures its dashboard shows."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..model import CATEGORIES, ArticleResult, Finding, Severity
from .report import Report

SEVERITIES = ("error", "warning", "info")
SEVERITY_WEIGHT = {"error": 10, "warning": 3, "info": 1}
OVERDUE_YEAR_WEIGHT = 5
HIGH_RISK_CLAIM_WEIGHT = 5
HIGH_RISK_CLAIM_TYPES = ("statistic", "absolute")

RISK_FORMULA = (
    "risk = 10 × errors + 3 × warnings + 1 × info "
    "+ 5 × years past the medical review due date "
    "+ 5 × unsupported statistics and absolute promises"
)

@dataclass(frozen=True)
class Risk:
    score: float
    errors: int
    warnings: int
    infos: int
    overdue_years: float
    high_risk_claims: int


def risk_of(article: ArticleResult) -> Risk:
    """The article's risk score, as the module docstring defines it."""
    counts: Counter[str] = Counter()
    claims = 0
    overdue_baselined = False
    overdue_live = False
    for f in article.findings:
        if f.category == "review" and isinstance(f.evidence.get("days_overdue"), (int, float)):
            if f.baselined:
                overdue_baselined = True
            else:
                overdue_live = True
        if f.baselined:
            continue
        counts[_sev(f)] += 1
        if f.category == "claim" and f.evidence.get("type") in HIGH_RISK_CLAIM_TYPES:
            claims += 1
    days = _days_overdue(article)
    years = 0.0
    if days and days > 0 and not (overdue_baselined and not overdue_live):
        years = days / 365.25
    score = (
        SEVERITY_WEIGHT["error"] * counts["error"]
        + SEVERITY_WEIGHT["warning"] * counts["warning"]
        + SEVERITY_WEIGHT["info"] * counts["info"]
        + OVERDUE_YEAR_WEIGHT * years
        + HIGH_RISK_CLAIM_WEIGHT * claims
    )
    return Risk(round(score, 1), counts["error"], counts["warning"], counts["info"], round(years, 1), claims)


def _sev(f: Finding) -> str:
    sev = f.severity
    return sev.value if isinstance(sev, Severity) else str(sev)


def _days_overdue(article: ArticleResult) -> float | None:
    days = article.stats.get("days_overdue")
    return days if isinstance(days, (int, float)) and not isinstance(days, bool) else None


def _name(article: ArticleResult) -> str:
    return str(article.stats.get("id") or article.path)


def _categories(report: Report) -> list[str]:
    present = {f.category for _, f in report.findings()}
    known = [c for c in CATEGORIES if c in present]
    return known + sorted(present - set(known))


def _misspellings(report: Report) -> list[tuple[str, int, int, str]]:
    """(word, times, articles, first suggestion) for SPELL001, most frequent first."""
    times: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = defaultdict(Counter)  # spellings of one word as written, by count
    articles: dict[str, set[int]] = defaultdict(set)
    fixes: dict[str, Counter[str]] = defaultdict(Counter)
    for n, a in enumerate(report.articles):
        for f in a.findings:
            if f.rule != "SPELL001":
                continue
            word = str(f.evidence.get("word") or f.excerpt or "").strip()
            if not word:
                continue
            key = word.lower()
            count = f.evidence.get("count")
            count = count if isinstance(count, int) and not isinstance(count, bool) and count > 0 else 1
            times[key] += count
            forms[key][word] += count
            articles[key].add(n)
            if f.suggestions:
                fixes[key][str(f.suggestions[0])] += 1
    ranked = sorted(times, key=lambda k: (-times[k], k))
    return [(forms[k].most_common(1)[0][0], times[k], len(articles[k]), fixes[k].most_common(1)[0][0] if fixes[k] else "")
            for k in ranked]


def _link_domains(report: Report) -> list[tuple[str, int, Counter[str], list[str]]]:
    """(host, findings, by severity, rules) for link findings, most findings first."""
    total: Counter[str] = Counter()
    by_sev: dict[str, Counter[str]] = defaultdict(Counter)
    rules: dict[str, set[str]] = defaultdict(set)
    for _, f in report.findings():
        if f.category != "link":
            continue
        url = str(f.evidence.get("url") or "")
        try:
            host = (urlsplit(url).hostname or "").lower()
        except ValueError:
            host = ""
        host = host or "(no host)"
        total[host] += 1
        by_sev[host][_sev(f)] += 1
        rules[host].add(f.rule)
    ranked = sorted(total, key=lambda h: (-total[h], h))
    return [(h, total[h], by_sev[h], sorted(rules[h])) for h in ranked]


def _claims(report: Report) -> tuple[int, int]:
    total = supported = 0
    for a in report.light():
        c = a.stats.get("claims")
        if isinstance(c, dict):
            total += int(c.get("total") or 0)
            supported += int(c.get("supported") or 0)
    return total, supported

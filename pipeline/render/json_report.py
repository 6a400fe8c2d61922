"""report.json: the contract other tools read. Keep its keys stable."""

from __future__ import annotations

import json

from .report import Report


def to_json(report: Report) -> dict:
    articles = []
    for a in report.articles:
        entry = {
            "path": a.path,
            "format": a.format,
            "title": a.title,
            "meta": a.meta,
            "findings": [f.to_json() for f in a.findings],
            "words": a.words,
            # Days past the medical review due date (negative: days left); null without a review date.
            "days_overdue": a.stats.get("days_overdue"),
            # Claims found, how many carry a source, and the share that do (null when none).
            "claims": a.stats.get("claims"),
            # Findings silenced by <!-- medreview-disable … --> comments in the article.
            "suppressed": len(a.stats.get("suppressed", [])),
        }
        if a.stats.get("id") != a.path:
            entry["record"] = a.stats.get("id")
            entry["line"] = a.stats.get("line")
        articles.append(entry)
    return {
        "medreview": report.version,
        "as_of": report.as_of.isoformat(),
        "articles": articles,
        "summary": report.summary(),
    }


def render_json(report: Report) -> str:
    return json.dumps(to_json(report), ensure_ascii=False, indent=2, default=str) + "\n"

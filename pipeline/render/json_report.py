"""report.json: the contract other tools read. Keep its keys stable."""

from __future__ import annotations

import json

from typing import Iterator

from ..model import JSON_ENCODER, ArticleResult
from .report import Report


def article_json(a: ArticleResult, encoded: bool = False) -> dict:
    """The article's entry; with `encoded`, findings are their JSON texts (Finding.json_text)."""
    entry = {
        "path": a.path,
        "format": a.format,
        "title": a.title,
        "meta": a.meta,
        "findings": [f.json_text() if encoded else f.to_json() for f in a.findings],
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
    return entry


def to_json(report: Report) -> dict:
    return {
        "medreview": report.version,
        "as_of": report.as_of.isoformat(),
        "articles": [article_json(a) for a in report.articles],
        "summary": report.summary(),
    }


def iter_json(report: Report) -> Iterator[str]:
    """report.json in pieces, one article at a time, so a 100,000-article report is never one string."""

    def dump(value: object, indent: str) -> str:
        text = json.dumps(value, ensure_ascii=False, indent=2, default=str)
        return text.replace("\n", "\n" + indent)

    def dump_article(entry: dict, indent: str) -> str:
        """An article's fields one per line and each finding on a line of its own: json's C encoder
        writes only compact JSON (the pretty one was most of the render time), and a line per
        finding reads and diffs well."""
        inner = indent + "  "
        fields = []
        for key, value in entry.items():
            if key == "findings" and value:
                rows = (",\n" + inner + "  ").join(value)
                fields.append(f'{inner}"findings": [\n{inner}  {rows}\n{inner}]')
            else:  # one line each, written by the C encoder
                fields.append(f"{inner}{json.dumps(key)}: {JSON_ENCODER.encode(value)}")
        return "{\n" + ",\n".join(fields) + "\n" + indent + "}"

    yield f'{{\n  "medreview": {json.dumps(report.version)},\n  "as_of": {json.dumps(report.as_of.isoformat())},\n'
    yield '  "articles": ['
    for n, a in enumerate(report.articles):
        yield ("," if n else "") + "\n    " + dump_article(article_json(a, encoded=True), "    ")
    yield ("\n  " if report.articles else "") + '],\n  "summary": ' + dump(report.summary(), "  ") + "\n}\n"


def render_json(report: Report) -> str:
    return "".join(iter_json(report))

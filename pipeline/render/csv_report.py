"""findings.csv: one row per finding, for editors who sort and filter in a spreadsheet.

Written with the csv module (QUOTE_MINIMAL, "\\n" between rows), UTF-8
without a byte-order mark: the CLI writes the text as UTF-8, and spreadsheet
programs that need a BOM to guess UTF-8 can be told the encoding on import.

Columns: path, record (the record id inside a multi-article file, else empty),
line, column, end_line, end_column, severity, rule, category, message,
excerpt, suggestions (joined with " | "), fingerprint, baselined
(true/false), title, last_reviewed (ISO date), days_overdue (days past the
review due date; negative: days left; empty without a review date).
"""

from __future__ import annotations

import csv
import io
from typing import Any, Iterator

from ..model import RuleInfo
from .report import Report

COLUMNS = (
    "path", "record", "line", "column", "end_line", "end_column", "severity", "rule", "category",
    "message", "excerpt", "suggestions", "fingerprint", "baselined", "title", "last_reviewed",
    "days_overdue",
)

# CSV (formula) injection, as OWASP describes it: a spreadsheet runs a cell
# that starts with one of these as a formula. Article text is not ours to
# trust, so such a text cell gets a leading apostrophe, which spreadsheets
# show as text. Numbers we write ourselves (line, days_overdue) are left as
# they are: "-12" is a number, not a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _text(value: Any) -> str:
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        text = "'" + text
    # The csv module only quotes a field holding a character of the line
    # terminator ("\n"), so a bare "\r" would end the row for a reader.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _number(value: Any) -> int | str:
    return value if isinstance(value, int) and not isinstance(value, bool) else _text(value)


def render_csv(report: Report, rules: list[RuleInfo] | None = None) -> str:
    """Every finding as a CSV row under a header; `rules` is unused."""
    return "".join(iter_csv(report))


def iter_csv(report: Report) -> Iterator[str]:
    """The CSV text an article at a time."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    writer.writerow(COLUMNS)
    last = None
    for article, f in report.findings():
        if article is not last and out.tell():
            yield out.getvalue()
            out.seek(0)
            out.truncate()
        last = article
        article_id = str(article.stats.get("id") or article.path)
        record = article_id.split("#", 1)[-1] if article_id != article.path else ""
        writer.writerow([
            _text(article.path), _text(record),
            _number(f.line), _number(f.column), _number(f.end_line), _number(f.end_column),
            _text(f.severity.value), _text(f.rule), _text(f.category), _text(f.message), _text(f.excerpt),
            _text(" | ".join(f.suggestions)), _text(f.fingerprint), "true" if f.baselined else "false",
            _text(article.title), _text(article.meta.get("last_reviewed")),
            _number(article.stats.get("days_overdue")),
        ])
    yield out.getvalue()

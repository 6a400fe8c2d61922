"""GitHub Actions annotations: workflow commands that pin findings to a pull request's lines.

    ::error file=corpus/a.md,line=3,col=5,endLine=3,endColumn=12,title=SPELL001::Unknown word …

`error`, `warning` and `notice` for our error, warning and info. Values are
escaped as the Actions runner expects (actions/toolkit's command escaping):
in properties `%`, CR, LF, `:` and `,`; in the message `%`, CR and LF, so
article text can never start a workflow command of its own. Baselined
findings are left out (they are known and accepted). GitHub shows only a few
annotations of each kind per step, so at most `max_annotations` are written,
worst first, and a final `::notice::` says how many were left out.
Meant for stdout when GITHUB_ACTIONS=true; never written as a file.
"""

from __future__ import annotations

import heapq

from ..model import Finding, RuleInfo, Severity
from .report import Report
from .sarif import is_url, relative_path

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
DEFAULT_MAX = 50


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(path: str, f: Finding) -> str:
    props: list[tuple[str, str]] = []
    if not is_url(path):  # an annotation can only point at a file of the repository
        line, col = max(f.line, 1), max(f.column, 1)
        props += [("file", relative_path(path)), ("line", str(line))]
        # GitHub takes columns only for a one-line span.
        if f.end_line == line:
            props.append(("col", str(col)))
            if f.end_column >= col:
                props += [("endLine", str(line)), ("endColumn", str(f.end_column))]
        elif f.end_line > line:
            props.append(("endLine", str(f.end_line)))
    props.append(("title", f.rule))
    message = f.message
    if f.suggestions:
        message += "\nSuggestions: " + ", ".join(f.suggestions)
    head = ",".join(f"{k}={escape_property(v)}" for k, v in props)
    return f"::{COMMANDS[f.severity]} {head}::{escape_data(message)}"


def render_github(report: Report, rules: list[RuleInfo] | None = None,
                  max_annotations: int = DEFAULT_MAX) -> str:
    """Annotation lines for every finding not baselined, worst first, at most `max_annotations`."""
    total = 0

    def counted():
        nonlocal total
        for a, f in report.findings():
            if not f.baselined:
                total += 1
                yield a.path, f

    limit = max(max_annotations, 0)

    def order(item: tuple[str, Finding]) -> tuple:
        path, f = item
        return (-f.severity.rank, path, f.line, f.column, f.rule)

    # Only the annotations shown are kept (nsmallest is sorted()[:limit], ties in input order):
    # a whole site's findings are never in memory at once.
    shown = heapq.nsmallest(limit, counted(), key=order) if limit else []
    if not limit:
        for _ in counted():  # counts them
            pass
    lines = [annotation(path, f) for path, f in shown]
    if total > limit:
        summary = f"medreview: {total} findings, {limit} shown as annotations; the report files list them all."
        lines.append(f"::notice::{escape_data(summary)}")
    return "".join(line + "\n" for line in lines)

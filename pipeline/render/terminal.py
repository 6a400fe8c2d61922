"""Terminal output: one line per finding, in the file:line:col form editors jump to."""

from __future__ import annotations

import click

from typing import Iterator

from .report import Report

_COLOURS = {"error": "red", "warning": "yellow", "info": "blue"}


def render_terminal(report: Report, color: bool = False) -> str:
    return "".join(iter_terminal(report, color))


def iter_terminal(report: Report, color: bool = False) -> Iterator[str]:
    """The console output an article at a time (a whole site's findings are never one string)."""
    for a in report.articles:
        name = a.path
        lines = []
        for f in a.findings:
            sev = click.style(f"{f.severity.value:7}", fg=_COLOURS[f.severity.value]) if color else f"{f.severity.value:7}"
            excerpt = f"  “{f.excerpt[:60]}{'…' if len(f.excerpt) > 60 else ''}”" if f.excerpt else ""
            lines.append(f"{name}:{f.line}:{f.column}: {sev} {f.rule} {f.message}{excerpt}\n")
        if lines:
            yield "".join(lines)
    s = report.summary()
    sev = s["by_severity"]
    verdict = "FAIL" if s["failed"] else "PASS"
    if color:
        verdict = click.style(verdict, fg="red" if s["failed"] else "green", bold=True)
    yield (
        f"{s['articles']} articles, {s['findings']} findings "
        f"({sev['error']} errors, {sev['warning']} warnings, {sev['info']} info)"
        + (f", {s['unreadable']} unreadable" if s["unreadable"] else "")
        + (f", {s['baselined']} baselined" if s["baselined"] else "")
        + (f", {s['suppressed']} suppressed inline" if s["suppressed"] else "")
        + f" in {s['elapsed_seconds']:.1f}s — {verdict} (--fail-on {report.fail_on})\n"
    )

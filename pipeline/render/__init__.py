"""Renderers: Findings → report files. A renderer never re-runs a check."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from .atomic import write_atomic
from .csv_report import iter_csv, render_csv
from .github import render_github
from .json_report import iter_json, render_json
from .junit import render_junit
from .markdown import iter_markdown, render_markdown
from .report import Report
from .sarif import render_sarif
from .terminal import iter_terminal, render_terminal

# format -> (file name in --out, renderer). `terminal` and `github` go to the console. Renderers
# that return pieces write an article at a time: a whole site's report is never one string.
FILE_RENDERERS = {
    "json": ("report.json", iter_json),  # streamed: an article at a time
    "md": ("report.md", iter_markdown),
    "sarif": ("report.sarif", lambda r: render_sarif(r, r.rules, baseline_used=r.baseline_used)),
    "junit": ("report.junit.xml", lambda r: render_junit(r, r.rules)),
    "csv": ("findings.csv", iter_csv),
}


def _html(report: Report) -> Iterator[str]:
    from .html_report import iter_html  # the largest renderer: loaded only when asked for

    return iter_html(report)


FILE_RENDERERS["html"] = ("report.html", _html)


def write_reports(report: Report, formats: tuple[str, ...], out: Path) -> list[Path]:
    written = []
    for fmt in formats:
        if fmt in FILE_RENDERERS:
            name, render = FILE_RENDERERS[fmt]
            path = out / name
            write_atomic(path, render(report))
            written.append(path)
    return written


__all__ = ["Report", "write_reports", "render_json", "render_markdown", "render_terminal", "render_sarif",
           "render_junit", "render_csv", "render_github", "write_atomic", "FILE_RENDERERS", "iter_json", "iter_terminal"]

"""Renderers: Findings → report files. A renderer never re-runs a check."""

from __future__ import annotations

from pathlib import Path

from .atomic import write_atomic
from .json_report import render_json
from .markdown import render_markdown
from .report import Report
from .terminal import render_terminal

# format -> (file name in --out, renderer)
FILE_RENDERERS = {
    "json": ("report.json", render_json),
    "md": ("report.md", render_markdown),
}


def write_reports(report: Report, formats: tuple[str, ...], out: Path) -> list[Path]:
    written = []
    for fmt in formats:
        if fmt in FILE_RENDERERS:
            name, render = FILE_RENDERERS[fmt]
            path = out / name
            write_atomic(path, render(report))
            written.append(path)
    return written


__all__ = ["Report", "write_reports", "render_json", "render_markdown", "render_terminal", "write_atomic"]

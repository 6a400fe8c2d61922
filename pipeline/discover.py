"""Which files to audit: paths, folders (recursive) and glob patterns."""

from __future__ import annotations

import glob
from pathlib import Path

from .ingest import FORMAT_BY_SUFFIX, format_of

_SKIP_DIRS = {"node_modules", "__pycache__"}
_GLOB_CHARS = set("*?[")


def discover(paths: list[str]) -> tuple[list[tuple[Path, str]], list[str]]:
    """(file, format) pairs to audit, in a stable order, and one error line per bad path."""
    found: list[tuple[Path, str]] = []
    errors: list[str] = []
    seen: set[Path] = set()

    def add(path: Path, fmt: str) -> None:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            found.append((path, fmt))

    for spec in paths:
        path = Path(spec)
        if path.is_file():
            # A file named explicitly is read even with an unknown ending, as text.
            add(path, format_of(path) or "text")
        elif path.is_dir():
            files = _articles_in(path)
            if not files:
                errors.append(f"{spec}: no articles found (looked for {_known()})")
            for f in files:
                add(f, format_of(f) or "text")
        elif _GLOB_CHARS & set(spec):
            matches = sorted(glob.glob(spec, recursive=True))
            before = len(found)
            for m in matches:
                mp = Path(m)
                if mp.is_file() and format_of(mp):
                    add(mp, format_of(mp) or "text")
                elif mp.is_dir():
                    for f in _articles_in(mp):
                        add(f, format_of(f) or "text")
            if len(found) == before:
                errors.append(f"{spec}: the pattern matches no articles")
        else:
            errors.append(f"{spec}: no such file or folder")
    return found, errors


def _articles_in(folder: Path) -> list[Path]:
    out = []
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).parts
        if any(part.startswith(".") or part in _SKIP_DIRS for part in rel[:-1]) or rel[-1].startswith("."):
            continue
        if p.is_file() and format_of(p):
            out.append(p)
    return out


def _known() -> str:
    return ", ".join(sorted(set(FORMAT_BY_SUFFIX)))

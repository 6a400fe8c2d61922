"""Which files to audit: paths, folders (recursive) and glob patterns."""

from __future__ import annotations

import glob
import os
from array import array
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Iterator

from .ingest import FORMAT_BY_SUFFIX, format_of

_SKIP_DIRS = {"node_modules", "__pycache__"}
_GLOB_CHARS = set("*?[")


class FileList(Sequence):
    """(file, format) pairs, kept compact: the paths in one string, the formats as small numbers.

    A site's file list lives in the CLI for the whole run, and the worker processes fork from
    the CLI after discovery, so each inherits it: as a list of (Path, format) tuples it took
    ~350 bytes a file (~35 MB at 100,000 files, counted again in every worker). Here it is ~100
    bytes a file; a Path is made when an item is asked for."""

    __slots__ = ("_paths", "_ends", "_formats", "_format_ids")

    def __init__(self, pairs: "Iterator[tuple[Path | str, str]] | Sequence[tuple[Path | str, str]]" = ()) -> None:
        names: list[str] = []
        self._ends = array("q")
        self._formats: list[str] = []
        self._format_ids = array("B")
        codes: dict[str, int] = {}
        end = 0
        for path, fmt in pairs:
            name = str(path)
            names.append(name)
            end += len(name)
            self._ends.append(end)
            code = codes.get(fmt)
            if code is None:
                code = codes[fmt] = len(self._formats)
                self._formats.append(fmt)
            self._format_ids.append(code)
        self._paths = "".join(names)

    def __len__(self) -> int:
        return len(self._ends)

    def _item(self, i: int) -> tuple[Path, str]:
        start = self._ends[i - 1] if i else 0
        return Path(self._paths[start:self._ends[i]]), self._formats[self._format_ids[i]]

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self._item(i) for i in range(len(self))[index]]
        return self._item(range(len(self))[index])  # IndexError and negative indices as a list has them

    def __iter__(self) -> Iterator[tuple[Path, str]]:
        return (self._item(i) for i in range(len(self)))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (FileList, list, tuple)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"FileList({list(self)!r})"


class Picked(Sequence):
    """Some of a file list's items, by index, without copying them out."""

    def __init__(self, files: Sequence[tuple[Path, str]], indices: Iterable[int]) -> None:
        self._files = files
        self._indices = array("q", indices)

    def __len__(self) -> int:
        return len(self._indices)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self._files[i] for i in self._indices[index]]
        return self._files[self._indices[index]]


def discover(paths: list[str]) -> tuple[FileList, list[str]]:
    """(file, format) pairs to audit, in a stable order, and one error line per bad path."""
    found: list[tuple[Path, str]] = []
    errors: list[str] = []
    seen: set[str] = set()

    real_dirs: dict[Path, str] = {}

    def add(path: Path, fmt: str, link: bool | None = None) -> None:
        # The same file named twice (two specs, a symlink) is audited once. Its folder is resolved
        # once per folder, not per file: Path.resolve() cost ~0.4 ms a file at 10,000 files.
        if path.is_symlink() if link is None else link:
            key = os.path.realpath(path)
        else:
            parent = real_dirs.get(path.parent)
            if parent is None:
                parent = real_dirs[path.parent] = os.path.realpath(path.parent)
            key = os.path.join(parent, path.name)
        if key not in seen:
            seen.add(key)
            found.append((path, fmt))

    for spec in paths:
        path = Path(spec)
        if path.is_file():
            # A file named explicitly is read even with an unknown ending, as text.
            add(path, format_of(path) or "text")
        elif path.is_dir():
            files = _articles_in(path, errors)
            if not files:
                errors.append(f"{spec}: no articles found (looked for {_known()})")
            for f, link in files:
                add(f, format_of(f) or "text", link)
        elif _GLOB_CHARS & set(spec):
            matches = sorted(glob.glob(spec, recursive=True))
            before = len(found)
            for m in matches:
                mp = Path(m)
                if mp.is_file() and format_of(mp):
                    add(mp, format_of(mp) or "text")
                elif mp.is_dir():
                    for f, link in _articles_in(mp, errors):
                        add(f, format_of(f) or "text", link)
            if len(found) == before:
                errors.append(f"{spec}: the pattern matches no articles")
        else:
            errors.append(f"{spec}: no such file or folder")
    return FileList(found), errors


def _articles_in(folder: Path, errors: list[str]) -> list[tuple[Path, bool]]:
    """(article file, whether it is a symlink) under `folder`, sorted as paths sort. Hidden files
    and folders, node_modules and __pycache__ are skipped; a symlinked folder is not followed (as
    Path.rglob), a symlinked file is read. One scandir per folder: its entries say which are
    folders and links without a stat. A folder that cannot be read is one line in `errors`; the
    rest of the walk goes on."""
    out: list[tuple[tuple[str, ...], Path, bool]] = []
    pending: list[tuple[Path, tuple[str, ...]]] = [(folder, ())]
    while pending:
        here, parts = pending.pop()
        try:
            with os.scandir(here) as it:
                entries = list(it)
        except OSError as e:
            errors.append(f"{here}: cannot read this folder ({e.strerror or e}); its articles were not audited")
            continue
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                if name not in _SKIP_DIRS:
                    pending.append((here / name, (*parts, name)))
            elif FORMAT_BY_SUFFIX.get(os.path.splitext(name)[1].lower()) and entry.is_file():
                out.append(((*parts, name), here / name, entry.is_symlink()))
    out.sort(key=lambda item: item[0])  # Path order, by parts, without Path.__lt__ (~10 µs a compare)
    return [(path, link) for _, path, link in out]


def _known() -> str:
    return ", ".join(sorted(set(FORMAT_BY_SUFFIX)))

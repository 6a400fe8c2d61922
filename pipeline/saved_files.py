"""Derived data saved in the cache folder (near-word index, Zipf table, word lists): old versions go.

Each kind lives in its own sub-folder, one file (or a few, sharing a name
before the first dot) per key: the key changes with the data it was built
from (dictionaries, wordfreq's version) and with the file's format. Nothing
else ever deletes an old key, so every format change or dictionary upgrade
left ~50 MB behind. After a save, only the newest two keys of that kind are
kept: two, so that two set-ups sharing a cache folder (say, en-US and en-GB
projects) do not rebuild each other's files on every run.
"""

from __future__ import annotations

import os
from pathlib import Path

KEEP = 2


def prune_stale(folder: Path, keep: int = KEEP) -> None:
    """Delete the files of all but the `keep` most recently written keys in `folder`.
    Files still being written (*.tmp) are left alone; a file another process has mapped stays
    readable by it after the unlink (POSIX)."""
    try:
        entries = [(p, p.stat().st_mtime) for p in folder.iterdir() if p.is_file() and not p.name.endswith(".tmp")]
    except OSError:
        return
    newest: dict[str, float] = {}
    for path, mtime in entries:
        key = path.name.split(".", 1)[0]
        newest[key] = max(newest.get(key, 0.0), mtime)
    kept = set(sorted(newest, key=newest.__getitem__, reverse=True)[:keep])
    for path, _ in entries:
        if path.name.split(".", 1)[0] not in kept:
            try:
                os.unlink(path)
            except OSError:
                pass

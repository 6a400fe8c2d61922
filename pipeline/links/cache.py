"""Link results kept on disk between runs, so CI does not re-check every link on every commit.

One SQLite file (`[links] cache_dir`/links.sqlite, default
.medreview-cache/links.sqlite under the current folder), one row per checked
URL (normalised; DOIs and PMIDs by their resolver URL): the result as JSON,
its kind, and when it was checked. A result is trusted for the age its kind
allows (`[links] cache_ttl`: ok and redirect 7 days, broken 1 day, server
error, timeout and blocked 6 hours); an older one is checked again.

Refusals (private addresses) and "not checkable" are decided by this run's
settings and never stored. The database runs in WAL mode, so any number of
readers (another medreview run, a report tool) can read while the stage
writes; writes are short transactions from one thread, the stage's own.
A cache that cannot be opened (a read-only folder, a damaged file) is not an
error: the run checks everything and says so once.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Iterable

from .result import LinkResult

SCHEMA_VERSION = "1"
_CHUNK = 500


class CacheUnavailable(Exception):
    """The cache file cannot be opened or read; the message says why."""


class LinkCache:
    def __init__(self, path: Path, ttl: dict[str, float]) -> None:
        self.path = path
        self.ttl = dict(ttl)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(path), timeout=30, isolation_level=None)
            try:
                self._db.execute("PRAGMA journal_mode=WAL")
            except sqlite3.OperationalError:
                pass  # e.g. a file system without shared memory: the default journal still works
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS links ("
                " url TEXT PRIMARY KEY, kind TEXT NOT NULL, checked REAL NOT NULL, result TEXT NOT NULL)"
            )
            self._db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            row = self._db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
            if row is None:
                self._db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
            elif row[0] != SCHEMA_VERSION:
                self._db.execute("DELETE FROM links")
                self._db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        except (OSError, sqlite3.Error) as e:
            raise CacheUnavailable(f"link cache {path} cannot be used ({e})") from None

    def fresh(self, urls: Iterable[str], now: float | None = None) -> dict[str, LinkResult]:
        """The cached results for these URLs that are still young enough for their kind."""
        now = time.time() if now is None else now
        urls = list(dict.fromkeys(urls))
        found: dict[str, LinkResult] = {}
        try:
            for i in range(0, len(urls), _CHUNK):
                chunk = urls[i:i + _CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    f"SELECT url, kind, checked, result FROM links WHERE url IN ({marks})", chunk
                ).fetchall()
                for url, kind, checked, result in rows:
                    if now - checked >= self.ttl.get(kind, 0):
                        continue
                    try:
                        found[url] = LinkResult.from_json(json.loads(result), from_cache=True)
                    except (ValueError, TypeError, KeyError):
                        continue  # a row we cannot read is a row we re-check
        except sqlite3.Error as e:
            raise CacheUnavailable(f"link cache {self.path} cannot be read ({e})") from None
        return found

    def store(self, results: Iterable[LinkResult]) -> int:
        """Save results of kinds that have an age; returns how many were saved."""
        rows = [
            (r.url, r.kind, r.checked, json.dumps(r.to_json(), ensure_ascii=False))
            for r in results if self.ttl.get(r.kind, 0) > 0 and not r.from_cache
        ]
        if not rows:
            return 0
        try:
            with self._db:  # one transaction
                self._db.execute("BEGIN IMMEDIATE")
                self._db.executemany("INSERT OR REPLACE INTO links VALUES (?, ?, ?, ?)", rows)
        except sqlite3.Error as e:
            raise CacheUnavailable(f"link cache {self.path} cannot be written ({e})") from None
        return len(rows)

    def close(self) -> None:
        try:
            self._db.close()
        except sqlite3.Error:
            pass

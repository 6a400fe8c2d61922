"""The result cache: an unchanged article is not audited twice.

A file's results are stored under a key that hashes everything they depend on:
the file's bytes and path, the medreview version, every rule pack and word
list (bundled and the team's own folders), the settings that change findings
(`--as-of`, disabled rules, severities, the check sections, the formats that
need the HTML display), so a changed article, rule pack or setting misses the
cache and is audited again. Link findings are not cached here (the link stage
has its own cache, with an age per result); GRAM009 "grammar not checked"
results are never stored, so a server that was down is asked again.

Each entry is written to a temporary file and renamed into place, so a run
stopped with Ctrl-C never leaves a half-written entry for the next one; an
entry that cannot be read is simply a miss. `--no-cache` (or `[cache]
results = false`) turns it off; `[cache] dir` moves it (default
`.medreview-cache/results`).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from dataclasses import fields
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import __version__
from .config import Config
from .model import ArticleResult
from .rulepacks import bundled_dir

# Config fields that do not change a file's findings.
_IRRELEVANT = {"fail_on", "out", "jobs", "offline", "source"}


def cache_dir(config: Config) -> Path | None:
    section = config.section("cache")
    if section.get("results", True) is False:
        return None
    default = os.environ.get("MEDREVIEW_CACHE_DIR", ".medreview-cache")
    return Path(str(section.get("dir", default))) / "results"


@lru_cache(maxsize=8)
def _rules_digest(rule_dirs: tuple[str, ...]) -> str:
    h = hashlib.sha256()
    for folder in (str(bundled_dir()), *rule_dirs):
        for path in sorted(Path(folder).glob("*")):
            if path.suffix in (".yml", ".yaml", ".txt") and path.is_file():
                h.update(path.name.encode())
                h.update(path.read_bytes())
    return h.hexdigest()


def _words_digest(config: Config) -> str:
    """What spelling knows: whether it runs, the dictionary files it reads (path, size, time)
    and the accept lists' contents, so a new accept word or dictionary misses the cache."""
    from .checks.spelling import spelling_settings
    from .lexicon import LexiconUnavailable, dictionary_files

    h = hashlib.sha256()
    try:
        settings = spelling_settings(config)
        for path in dictionary_files(settings):
            st = path.stat()
            h.update(f"{path}:{st.st_size}:{st.st_mtime_ns}\n".encode())
        for name in settings.accept_files:
            h.update(Path(name).read_bytes())
    except (LexiconUnavailable, ValueError, OSError) as e:
        h.update(f"unavailable: {e}".encode())
    return h.hexdigest()


def _config_digest(config: Config) -> str:
    parts = []
    for f in fields(config):
        if f.name in _IRRELEVANT:
            continue
        value: Any = getattr(config, f.name)
        if f.name == "formats":
            value = "html" in value  # only the HTML display changes what a worker returns
        if f.name == "sections":
            value = tuple((name, repr(table)) for name, table in value if name not in ("links", "cache"))
        parts.append(f"{f.name}={value!r}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


class ResultCache:
    def __init__(self, folder: Path, config: Config) -> None:
        self.folder = folder
        self.salt = (f"{__version__}\n{_rules_digest(config.rule_dirs)}\n{_config_digest(config)}\n"
                     f"{_words_digest(config)}\n").encode()

    def key(self, path: Path, fmt: str) -> str | None:
        try:
            data = path.read_bytes()
        except OSError:
            return None  # the reader reports it; nothing to cache
        h = hashlib.sha256(self.salt)
        h.update(f"{path}\n{fmt}\n".encode())
        h.update(data)
        return h.hexdigest()

    def _file(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.pickle"

    def has(self, key: str) -> bool:
        """An entry exists (it may still turn out unreadable: get() says so with None)."""
        return self._file(key).is_file()

    def get(self, key: str) -> list[ArticleResult] | None:
        try:
            with self._file(key).open("rb") as fh:
                results = pickle.load(fh)
        except Exception:  # missing, truncated by a crash, or from another version: a miss
            return None
        return results if isinstance(results, list) else None

    def put(self, key: str, results: list[ArticleResult]) -> None:
        if any(f.rule in ("INPUT008", "GRAM009") for r in results for f in r.findings):
            return  # a crash or a server that was down: try again next time
        target = self._file(key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(results, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, target)
        except OSError:
            Path(locals().get("tmp", target.with_suffix(".tmp"))).unlink(missing_ok=True)

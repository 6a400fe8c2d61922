"""The result cache: an unchanged article is not audited twice.

A file's results are stored under a key that hashes what every finding
depends on: the file's bytes and path, the medreview version and code (a
digest of the package's own source, and spaCy's version: an edited check, or
an upgrade between two releases of the same number, must not serve findings
the code would no longer give), the rule packs
that shape the text every check sees (`artifacts.yml`, `sources.yml`, any
pack no family claims), the settings that change findings (`--as-of`,
disabled rules, severities, the check sections, the formats that need the
HTML display). A changed article or shared setting misses the cache.

Beside the results, each entry records a digest of what each rule family
reads on its own (FAMILY_INPUTS: `claims.yml` and `[claims]` for CLAIM, the
word lists and dictionaries for SPELL, ...). When only those changed, the
file is audited again for the stale families alone and the other families'
findings are reused: editing one rule pack re-checks only what it can change. Link findings are not cached here (the link stage
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
from .model import ArticleResult, pack
from .rulepacks import bundled_dir

# Bumped when what an entry holds changes shape (e.g. a new Finding field), so old entries miss.
_ENTRY_FORMAT = 3  # 3: results packed (model.Packed)

# Config fields that do not change a file's findings.
_IRRELEVANT = {"fail_on", "out", "jobs", "offline", "source"}


def cache_base(config: Config) -> Path:
    """The cache folder: [cache] dir, else $MEDREVIEW_CACHE_DIR, else .medreview-cache."""
    default = os.environ.get("MEDREVIEW_CACHE_DIR", ".medreview-cache")
    return Path(str(config.section("cache").get("dir", default)))


def cache_dir(config: Config) -> Path | None:
    """Where results are cached; None when [cache] results = false (or --no-cache)."""
    if config.section("cache").get("results", True) is False:
        return None
    return cache_base(config) / "results"


# What each rule family reads on its own, besides the article: rule pack files (bundled and the
# team's folders) and [sections] of the config. Only a family whose inputs are all listed here
# can be re-run alone; anything not listed (artifacts.yml decides the text every check sees;
# sources.yml and [citations] the citations that CLAIM, CITE and the link stage share; [review]
# date_order the article's metadata) is in every file's key. Listing too little here would serve
# stale findings, so add a pack or section to a family only if no other stage reads it.
FAMILY_INPUTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "SPELL": (("accept.txt", "drugs.txt", "reject.txt"), ("spelling",)),  # and the dictionaries
    "SPELL1": (("confusables.yml",), ()),
    "GRAM": ((), ("grammar",)),
    "REVIEW": (("review.yml",), ()),
    "CLAIM": (("claims.yml",), ("claims",)),
}
_FAMILY_PACKS = {name for packs, _ in FAMILY_INPUTS.values() for name in packs}
_FAMILY_SECTIONS = {name for _, sections in FAMILY_INPUTS.values() for name in sections}


def _pack_files(rule_dirs: tuple[str, ...]) -> list[tuple[int, Path]]:
    """(0 for bundled, 1.. for each team folder, path) of every pack and word list."""
    files = []
    for n, folder in enumerate((str(bundled_dir()), *rule_dirs)):
        files += [(n, p) for p in sorted(Path(folder).glob("*"))
                  if p.suffix in (".yml", ".yaml", ".txt") and p.is_file()]
    return files


def _rules_digest(rule_dirs: tuple[str, ...], names: frozenset[str] | None = None) -> str:
    """The packs named (all that no family claims, when `names` is None), bundled and the team's.
    Hashed once per process for each state of the files (a pack edited between runs of one
    process, as in the tests, is hashed again)."""
    chosen = [(n, p) for n, p in _pack_files(rule_dirs)
              if ((p.name in names) if names is not None else (p.name not in _FAMILY_PACKS))]
    stamps = []
    for n, p in chosen:
        st = p.stat()
        stamps.append((n, str(p), st.st_size, st.st_mtime_ns))
    return _digest_of(tuple(stamps))


@lru_cache(maxsize=64)
def _digest_of(stamps: tuple[tuple[int, str, int, int], ...]) -> str:
    h = hashlib.sha256()
    for n, path, _, _ in stamps:
        h.update(f"{n}:{Path(path).name}\n".encode())  # not the folder: a cache restored elsewhere still hits
        h.update(Path(path).read_bytes())
    return h.hexdigest()


def family_digests(config: Config) -> dict[str, str]:
    """family -> a digest of what it reads on its own (FAMILY_INPUTS)."""
    out = {}
    sections = dict(config.sections)
    for family, (packs, section_names) in FAMILY_INPUTS.items():
        h = hashlib.sha256(_rules_digest(config.rule_dirs, frozenset(packs)).encode())
        for name in section_names:
            h.update(f"[{name}] {sections.get(name)!r}\n".encode())
        if family == "SPELL":
            h.update(_words_digest(config).encode())
        if family == "GRAM" and config.offline and _remote_grammar(config):
            # --offline skips a grammar server that is not on this machine without a word (no GRAM009):
            # such results must not stand in for a later run that can ask it.
            h.update(b"offline")
        out[family] = h.hexdigest()
    return out


def _remote_grammar(config: Config) -> bool:
    from .checks.grammar import grammar_settings
    from .languagetool import is_loopback

    try:
        settings = grammar_settings(config)
    except Exception:  # a bad [grammar] table: the check reports it, every run alike
        return False
    return settings is not None and not is_loopback(settings.server)


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
        from importlib.metadata import PackageNotFoundError, version

        try:  # suggestions are ranked by wordfreq's frequencies
            h.update(f"wordfreq {version('wordfreq')}".encode())
        except PackageNotFoundError:
            h.update(b"no wordfreq")
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
            value = tuple((name, repr(table)) for name, table in value
                          if name not in ("links", "cache") and name not in _FAMILY_SECTIONS)
        parts.append(f"{f.name}={value!r}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


@lru_cache(maxsize=1)
def _code_digest() -> str:
    """A digest of medreview's own Python source (~70 files, ~10 ms once per process) and of
    spaCy's version (its tokeniser decides every span), importing neither."""
    import importlib.util

    parts = [source_digest(Path(__file__).resolve().parent)]
    # spaCy's about.py, read, not imported (importing spaCy takes ~1 s; importlib.metadata ~0.1 s).
    spec = importlib.util.find_spec("spacy")
    if spec is not None and spec.origin:
        try:
            parts.append(hashlib.sha256((Path(spec.origin).parent / "about.py").read_bytes()).hexdigest())
        except OSError:
            pass
    return "\n".join(parts)


def source_digest(package: Path) -> str:
    """sha256 over every .py file under `package` (names and bytes; byte-code left out)."""
    h = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        if "__pycache__" not in path.parts:
            h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


class ResultCache:
    def __init__(self, folder: Path, config: Config) -> None:
        self.folder = folder
        self.salt = (f"{__version__}\n{_code_digest()}\n{_ENTRY_FORMAT}\n{_rules_digest(config.rule_dirs)}\n"
                     f"{_config_digest(config)}\n").encode()
        self.families = family_digests(config)

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

    def stale(self, key: str) -> set[str] | None:
        """The families whose own inputs changed since the entry was written (empty: a hit);
        None when there is no readable entry. Reads only the entry's small first part."""
        try:
            with self._file(key).open("rb") as fh:
                digests = pickle.load(fh)
        except Exception:  # missing, truncated by a crash, or from another version: a miss
            return None
        if not isinstance(digests, dict):
            return None
        return {family for family, digest in self.families.items() if digests.get(family) != digest}

    def get(self, key: str) -> tuple[set[str], list[ArticleResult]] | None:
        """(stale families, packed results), or None when there is no readable entry."""
        try:
            with self._file(key).open("rb") as fh:
                digests = pickle.load(fh)
                results = pickle.load(fh)
        except Exception:
            return None
        if not isinstance(digests, dict) or not isinstance(results, list):
            return None
        return {family for family, digest in self.families.items() if digests.get(family) != digest}, results

    def put(self, key: str, results: list[ArticleResult]) -> None:
        """Store the file's results, packed (model.pack: a worker's packed results go in as they are)."""
        results = [pack(r) for r in results]
        if any(r.packed.rules() & {"INPUT008", "GRAM009"} for r in results):  # type: ignore[union-attr]
            return  # a crash or a server that was down: try again next time
        target = self._file(key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(self.families, fh, protocol=pickle.HIGHEST_PROTOCOL)
                pickle.dump(results, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, target)
        except OSError:
            Path(locals().get("tmp", target.with_suffix(".tmp"))).unlink(missing_ok=True)

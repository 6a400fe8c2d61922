"""Where a batch's finished articles wait for the link stage and the renderers: on disk.

A whole-site audit has 10,000 to 100,000 articles. Kept in memory until the
reports are written, their findings made the CLI grow by ~50 KB an article.
Each article is split as it arrives:
- its findings go to a temporary file as the worker or the result cache packed
  them (model.Packed), so the CLI never unpickles them only to pickle them again;
- its HTML display (the article's whole text), when asked for, to a second one;
- what the corpus-wide stages need of it (path, title, metadata, word count,
  stats and its located links), a *light* ArticleResult, to a third. Light
  results once took ~4.5 KB an article in memory, ~0.45 GB at 100,000.
`light()` reads them back (LightResults): a pass holds one at a time, and one
got by index stays in memory, so the findings the link stage appends to its
`findings` list are kept (only the articles that get one are taken by index).

Reading an article back merges both parts, sorted as the audit sorts them,
and marks the findings a baseline accepts, so a renderer sees the
ArticleResult the audit and the link stage made. Passes over every article
(iteration) leave the display out, as only the HTML report's article
sections need it and they ask by index (`spool[n]`): a site's text is not
read back once per pass. Every reader opens its own handle, so renderers may
nest passes.
"""

from __future__ import annotations

import os
import pickle
import tempfile
import weakref
from array import array
from collections import Counter
from dataclasses import replace
from collections.abc import Sequence
from typing import Any, Iterator

from .model import ArticleResult, Finding, pack


class ResultSpool:
    """A list-like, append-only sequence of ArticleResults whose findings live in a temporary file."""

    def __init__(self, folder: str | None = None) -> None:
        self._folder = folder
        fd, self._path = tempfile.mkstemp(prefix="medreview-results-", suffix=".spool", dir=folder)
        self._writer = os.fdopen(fd, "wb")
        self._offsets = array("q")  # where each article's findings start
        self._display_offsets = array("q")  # where its display starts (-1: none)
        self._display: tuple[Any, str] | None = None  # (writer, path), made for the first display
        self._display_finalizer: Any = None
        # The light results wait on disk too (~1 KB each pickled, ~4.5 KB as objects: ~0.45 GB at
        # 100,000 articles); the ones handed out by index stay in `_held` (see LightResults).
        fd, self._light_path = tempfile.mkstemp(prefix="medreview-light-", suffix=".spool", dir=folder)
        self._light_writer = os.fdopen(fd, "wb")
        self._light_offsets = array("q")
        self._held: dict[int, ArticleResult] = {}
        self._baseline: frozenset[str] = frozenset()
        self._totals: Counter[tuple[Any, str, str]] = Counter()  # (severity, category, rule) of stored findings
        # The files go with the spool, or at exit, whichever comes first (also on Ctrl-C).
        self._finalizer = weakref.finalize(self, _remove, self._writer, self._path)
        self._light_finalizer = weakref.finalize(self, _remove, self._light_writer, self._light_path)

    # -- writing ------------------------------------------------------------

    def append(self, result: ArticleResult) -> None:
        """Store one article; a packed result's pickled findings and display are written as they are."""
        packed = pack(result)
        self._offsets.append(self._writer.tell())
        self._writer.write(packed.packed.findings)  # type: ignore[union-attr]
        for kind, count in packed.packed.kinds:  # type: ignore[union-attr]
            self._totals[kind] += count
        display = packed.packed.display  # type: ignore[union-attr]
        if display is None:
            self._display_offsets.append(-1)
        else:
            if self._display is None:
                fd, path = tempfile.mkstemp(prefix="medreview-display-", suffix=".spool", dir=self._folder)
                self._display = (os.fdopen(fd, "wb"), path)
                self._display_finalizer = weakref.finalize(self, _remove, *self._display)
            writer = self._display[0]
            self._display_offsets.append(writer.tell())
            writer.write(display)
        self._light_offsets.append(self._light_writer.tell())
        pickle.dump(replace(packed, packed=None), self._light_writer, protocol=pickle.HIGHEST_PROTOCOL)

    def mark_baselined(self, fingerprints: object) -> None:
        """Findings with these fingerprints read back as baselined (`in` is all that is asked of it)."""
        self._baseline = frozenset(fingerprints)  # type: ignore[arg-type]

    # -- reading ------------------------------------------------------------

    def finding_totals(self) -> Counter[tuple[Any, str, str]] | None:
        """(severity, category, rule) counts of every finding, without reading any back; None once a
        baseline marks findings (then only a pass can count what is baselined)."""
        if self._baseline:
            return None
        totals = Counter(self._totals)
        for light in self._held.values():  # only a held light result can have findings of its own
            totals.update((f.severity, f.category, f.rule) for f in light.findings)
        return totals

    def light(self) -> "LightResults":
        """The light part of every article, in order: no findings of its own, no display.
        Findings appended to a light result got by index are merged in when it is read back."""
        return LightResults(self)

    def __len__(self) -> int:
        return len(self._light_offsets)

    def __bool__(self) -> bool:
        return bool(self._light_offsets)

    def _light_at(self, index: int) -> ArticleResult:
        held = self._held.get(index)
        if held is not None:
            return held
        self._light_writer.flush()
        with open(self._light_path, "rb") as fh:
            fh.seek(self._light_offsets[index])
            return pickle.load(fh)

    def _lights(self) -> Iterator[ArticleResult]:
        """Every light result in order, read anew (the held ones as held)."""
        self._light_writer.flush()
        with open(self._light_path, "rb", buffering=1 << 16) as fh:
            for index in range(len(self._light_offsets)):
                light = pickle.load(fh)
                yield self._held.get(index, light)

    def __getitem__(self, index: int) -> ArticleResult:
        """The whole article, its display (for the HTML report) included."""
        index = range(len(self._light_offsets))[index]  # IndexError and negative indices as a list has them
        light = self._light_at(index)
        self._writer.flush()
        with open(self._path, "rb") as fh:
            fh.seek(self._offsets[index])
            findings = pickle.load(fh)
        display = None
        where = self._display_offsets[index]
        if where >= 0 and self._display is not None:
            self._display[0].flush()
            with open(self._display[1], "rb") as fh:
                fh.seek(where)
                display = pickle.load(fh)
        return self._merge(light, findings, display)

    def __iter__(self) -> Iterator[ArticleResult]:
        """Every article in order, without its display (see the module docstring)."""
        self._writer.flush()
        with open(self._path, "rb", buffering=1 << 16) as fh:
            for light in self._lights():
                yield self._merge(light, pickle.load(fh), None)

    def _merge(self, light: ArticleResult, stored: list[Finding], display: Any) -> ArticleResult:
        findings = stored
        if light.findings:
            findings = stored + light.findings
            findings.sort(key=lambda f: (f.line, f.column, f.rule))  # stable: as the link stage sorts
            if display is not None and display.get("marks"):
                # Marks point into the audit's own list; the link stage's findings moved them.
                position = {id(f): n for n, f in enumerate(findings)}
                display = {**display, "marks": [{**m, "finding": position[id(stored[m["finding"]])]}
                                                for m in display["marks"]]}
        if self._baseline:
            for f in findings:
                if f.fingerprint in self._baseline:
                    f.baselined = True
        return replace(light, findings=findings, display=display)

    def close(self) -> None:
        self._finalizer()
        self._light_finalizer()
        if self._display_finalizer is not None:
            self._display_finalizer()


class LightResults(Sequence):
    """A spool's light results, read back from disk: a pass over them holds one at a time.

    A light result got by index is kept by the spool from then on, so what is done to it lasts:
    the link stage appends its findings to the results it gets this way, and they are merged in
    when the article is read back. Iterating keeps nothing: renderers pass over every article
    without holding a site's worth of them.
    """

    def __init__(self, spool: ResultSpool) -> None:
        self._spool = spool

    def __len__(self) -> int:
        return len(self._spool)

    def __getitem__(self, index: int) -> ArticleResult:  # type: ignore[override]
        spool = self._spool
        index = range(len(spool))[index]
        held = spool._held.get(index)
        if held is None:
            held = spool._held[index] = spool._light_at(index)
        return held

    def __iter__(self) -> Iterator[ArticleResult]:
        return self._spool._lights()

    def kept(self) -> list[ArticleResult]:
        """The light results got by index so far, in order: the only ones findings were added to."""
        held = self._spool._held
        return [held[i] for i in sorted(held)]


def _remove(writer, path: str) -> None:
    try:
        writer.close()
    finally:
        try:
            os.unlink(path)
        except OSError:
            pass

"""The garbage collector while the pipeline is built: rarely, then the start-up heap frozen.

Importing spaCy and building the dictionaries, rule packs and claim patterns
makes about a million objects that live as long as the process, and almost no
garbage; the collector still scanned them again and again (~0.3 s of a run,
measured with gc.callbacks: 289 collections). The `medreview` command makes
collections rare while it starts (`defer`); once the pipeline is built, and
before any worker is forked, `settle` freezes what exists (gc.freeze: never
scanned again, and left untouched in the workers' copy-on-write memory) and
puts the usual thresholds back. A command that never builds the pipeline just
runs with rare collections: garbage is still collected, later.
"""

from __future__ import annotations

import gc

_START_THRESHOLD = 200_000  # allocations between young collections while starting (Python's default: 700)
_saved: tuple[int, int, int] | None = None


def defer() -> None:
    global _saved
    if _saved is None:
        _saved = gc.get_threshold()
        gc.set_threshold(max(_saved[0], _START_THRESHOLD), _saved[1], _saved[2])


def settle() -> None:
    global _saved
    if _saved is not None:
        gc.freeze()
        gc.set_threshold(*_saved)
        _saved = None

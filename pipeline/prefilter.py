"""Keyword prefilters: where a regular expression can possibly match.

Nearly every artifact pattern needs some literal text ("all rights reserved",
"newsletter", "…"), and nearly every sentence of an article holds none of it.
Trying each of ~80 patterns on each sentence was the cleaner's whole cost;
finding each keyword once per text and trying a pattern only on the sentences
that hold one of its keywords gives the very same matches for a fraction of
the work.

The keywords are read off the pattern itself (`keywords`), so rule packs stay
plain regular expressions an editor can write: every match of the pattern
contains at least one of its keywords, compared after `fold`. A pattern with
no usable keyword (`^\\W*\\d{6,}\\W*$`, back-references, anything the reader
below does not understand) gets none, and then always runs.

`guarded` speeds up the patterns that do run: it prefixes a lookahead for
the characters a match can start with, the same matches found sooner.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache
from typing import Any, Iterable

try:  # the parser behind `re`; its home moved in 3.11
    from re import _constants as _sre, _parser as _sre_parse
except ImportError:  # pragma: no cover
    import sre_constants as _sre  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]

# Exact string sets bigger than this become "contains one of" requirements.
# 1 means every choice point ends a keyword: "(?:may|might) earn us" gives
# {"may", "might"} and {" earn us"}, not the phrases multiplied out. Each
# keyword costs a scan of the text, and on the benchmark corpus fewer, shorter
# keywords beat more, longer ones (16 or 64 here: 5-20% slower cleaning).
_MAX_EXACT = 1
# A keyword needs at least this weight (`_weight`) to be worth looking up:
# "a" or "(" occur in almost every sentence.
_MIN_WEIGHT = 2
# From this weight on a keyword counts as rare (see `_score`).
_RARE = 5

_Info = tuple["frozenset[str] | None", "tuple[frozenset[str], ...]"]
_UNKNOWN: _Info = (None, ())
_EMPTY: _Info = (frozenset({""}), ())


def fold(text: str) -> str:
    """Text as keywords are compared: lower case, line breaks as spaces.

    Case-insensitive patterns also match "İ", "ı" (i) and "ſ" (s), which
    str.lower() leaves apart from i and s; folding them too keeps the
    prefilter from ever ruling out a real match. One character in, one out,
    so positions in the folded text are positions in `text`.
    """
    text = text.replace("\n", " ")
    if not text.isascii():
        text = text.replace("İ", "i").replace("ı", "i").replace("ſ", "s")
    return text.lower()


def _fold_char(code: int) -> str | None:
    """The folded form of a pattern's literal character, or None when it cannot
    be a keyword character: a non-ASCII letter with case partners that `fold`
    does not know (e.g. "é" also matches "É" under IGNORECASE)."""
    ch = chr(code)
    if not ch.isascii() and (ch.lower() != ch or ch.upper() != ch or ch.casefold() != ch):
        return None
    return fold(ch)


@lru_cache(maxsize=1024)
def keywords(pattern: re.Pattern[str]) -> tuple[str, ...]:
    """Folded strings such that every match of `pattern` contains one of them;
    () when no useful set can be read off the pattern (then it must always run)."""
    try:
        exact, clauses = _seq(_sre_parse.parse(pattern.pattern, pattern.flags))
    except Exception:  # an unfamiliar parse tree: no prefilter, never a wrong one
        return ()
    if exact is not None:
        clauses = (exact,)
    usable = [c for c in clauses if "" not in c and min(map(_weight, c)) >= _MIN_WEIGHT]
    if not usable:
        return ()
    return tuple(sorted(max(usable, key=_score)))


def _score(clause: frozenset[str]) -> tuple[int, int, int]:
    """How good a requirement is to look up. Each keyword costs one scan of the
    text, and past a few letters a keyword is rare in any case, so: keywords
    of weight 5 or more first, then as few keywords as possible."""
    weight = min(map(_weight, clause))
    return min(weight, _RARE), -len(clause), weight


def _weight(keyword: str) -> int:
    """How rare a keyword is likely to be: its length, with non-ASCII characters
    ("…", "©", "’") counted as three."""
    return sum(1 if ch.isascii() else 3 for ch in keyword.strip())


def _minimal(strings: frozenset[str] | set[str]) -> frozenset[str]:
    """Drop strings that contain another one: "commissions" is found wherever
    "commission" is looked for."""
    ordered = sorted(strings, key=len)
    kept: list[str] = []
    for s in ordered:
        if not any(k in s for k in kept):
            kept.append(s)
    return frozenset(kept)


def _seq(items) -> _Info:
    """A sequence of parse nodes: adjacent exact pieces are multiplied out
    ("sign up " + {"for", "to"}); anything inexact ends the current run."""
    run: set[str] = {""}
    clauses: list[frozenset[str]] = []
    all_exact = True

    def flush() -> None:
        if "" not in run:
            clauses.append(_minimal(run))

    for op, av in items:
        exact, sub = _node(op, av)
        if exact is not None:
            if len(run) * len(exact) <= _MAX_EXACT:
                run = {a + b for a in run for b in exact}
                continue
            all_exact = False
            flush()
            run = set(exact)
        else:
            all_exact = False
            flush()
            run = {""}
            clauses.extend(sub)
    if all_exact:
        return frozenset(run), ()
    flush()
    return None, tuple(clauses)


def _node(op, av) -> _Info:
    if op is _sre.LITERAL:
        ch = _fold_char(av)
        return (frozenset({ch}), ()) if ch is not None else _UNKNOWN
    if op is _sre.IN:
        chars: set[str] = set()
        for iop, iav in av:
            if iop is _sre.LITERAL:
                codes = [iav]
            elif iop is _sre.RANGE and iav[1] - iav[0] < 8:
                codes = list(range(iav[0], iav[1] + 1))
            else:  # NEGATE, CATEGORY (\w, \s), wide ranges
                return _UNKNOWN
            for code in codes:
                ch = _fold_char(code)
                if ch is None:
                    return _UNKNOWN
                chars.add(ch)
        return frozenset(chars), ()
    if op in (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT):
        return _EMPTY  # zero-width: adds nothing to the matched text
    if op is _sre.SUBPATTERN:
        return _seq(av[-1])
    if op is getattr(_sre, "ATOMIC_GROUP", None):
        return _seq(av)
    if op is _sre.BRANCH:
        return _branch([_seq(alt) for alt in av[1]])
    if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, getattr(_sre, "POSSESSIVE_REPEAT", None)):
        lo, hi, sub = av
        exact, clauses = _seq(sub)
        if lo == 0:
            return (exact | {""}, ()) if exact is not None and hi == 1 else _UNKNOWN
        if exact is not None:
            if lo == hi and len(exact) ** lo <= _MAX_EXACT:
                out = {""}
                for _ in range(lo):
                    out = {a + b for a in out for b in exact}
                return frozenset(out), ()
            return (None, (exact,)) if "" not in exact else _UNKNOWN
        return None, clauses
    return _UNKNOWN  # ANY, NOT_LITERAL, CATEGORY, GROUPREF, GROUPREF_EXISTS, ...


def _branch(alts: list[_Info]) -> _Info:
    """Alternatives: exact if all are and the union is small; otherwise each
    alternative's best requirement, pooled (a match satisfies one of them)."""
    if all(exact is not None for exact, _ in alts):
        union = frozenset().union(*(exact for exact, _ in alts))
        if len(union) <= _MAX_EXACT:
            return union, ()
    pooled: set[str] = set()
    for exact, clauses in alts:
        options = [exact] if exact is not None else list(clauses)
        options = [c for c in options if "" not in c]
        if not options:
            return _UNKNOWN
        pooled |= max(options, key=_score)
    return None, (_minimal(pooled),)


@lru_cache(maxsize=1024)
def guarded(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """`pattern` with a lookahead for the characters a match can start with.

    Python's engine tries a case-insensitive pattern at every position of the
    text, and a pattern that opens with optional groups ("(?:also read:)?")
    costs a lot per position before it fails. `(?=[...])` fails at once where
    no match can start, and since every match starts with one of those
    characters the matches are the same. Returns `pattern` itself when no
    such set can be read off it (a match could start with anything, or be
    empty) or the pattern is VERBOSE (where appending text is not safe).
    """
    if pattern.flags & re.VERBOSE:
        return pattern
    try:
        first, nullable = _first(_sre_parse.parse(pattern.pattern, pattern.flags))
        if first is None or nullable or not first:
            return pattern
        # (?i:...) only widens the set, so it is safe whatever the pattern's flags.
        guard = "(?i:(?=[" + "".join(sorted(_class_item(op, av) for op, av in first)) + "]))"
        return re.compile(guard + "(?:" + pattern.pattern + ")", pattern.flags)
    except Exception:  # anything unexpected: the pattern as it is, never a wrong one
        return pattern


_CATEGORIES = {_sre.CATEGORY_DIGIT: r"\d", _sre.CATEGORY_SPACE: r"\s", _sre.CATEGORY_WORD: r"\w"}


def _class_item(op, av) -> str:
    if op is _sre.LITERAL:
        return f"\\U{av:08x}"
    if op is _sre.RANGE:
        return f"\\U{av[0]:08x}-\\U{av[1]:08x}"
    return _CATEGORIES[av]  # KeyError for anything else: no guard


def _first(items) -> tuple[set | None, bool]:
    """The class items a match of the sequence can start with (None: anything),
    and whether the sequence can match the empty string."""
    first: set = set()
    for op, av in items:
        if op is _sre.LITERAL:
            return first | {(op, av)}, False
        if op is _sre.IN:
            if any(iop is _sre.NEGATE or (iop is _sre.CATEGORY and iav not in _CATEGORIES) for iop, iav in av):
                return None, False
            return first | set(av), False
        if op in (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT):
            continue  # zero-width: the next item supplies the first character
        if op is _sre.SUBPATTERN or op is getattr(_sre, "ATOMIC_GROUP", None):
            sub, nullable = _first(av[-1] if op is _sre.SUBPATTERN else av)
        elif op is _sre.BRANCH:
            sub, nullable = set(), False
            for alt in av[1]:
                f, n = _first(alt)
                if f is None:
                    return None, False
                sub |= f
                nullable = nullable or n
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, getattr(_sre, "POSSESSIVE_REPEAT", None)):
            sub, nullable = _first(av[2])
            nullable = nullable or av[0] == 0
        else:  # ANY, NOT_LITERAL, GROUPREF, ...
            return None, False
        if sub is None:
            return None, False
        first |= sub
        if not nullable:
            return first, False
    return first, True


class KeywordFinder:
    """Every occurrence of a set of keywords in a folded text, in one pass (Aho-Corasick).

    Looking each of the cleaner's ~190 keywords up with str.find was a third
    of its time; pyahocorasick's automaton (C) reports them all at once.
    """

    def __init__(self, keys: "frozenset[str]", automaton: Any) -> None:
        self.keys, self._automaton = keys, automaton

    def occurrences(self, folded: str) -> dict[str, list[int]]:
        """Start positions of each keyword that occurs (overlapping occurrences included)."""
        found: dict[str, list[int]] = {}
        for end, key in self._automaton.iter(folded):
            found.setdefault(key, []).append(end - len(key) + 1)
        return found


def keyword_finder(keys: "Iterable[str]") -> KeywordFinder | None:
    """A finder for these keywords, or None without pyahocorasick (then each is looked up alone)."""
    try:
        import ahocorasick
    except ImportError:  # pragma: no cover - a declared dependency; the slower path still works
        return None
    wanted = frozenset(k for k in keys if k)
    if not wanted:
        return None
    automaton = ahocorasick.Automaton()
    for key in wanted:
        automaton.add_word(key, key)
    automaton.make_automaton()
    return KeywordFinder(wanted, automaton)


class KeywordIndex:
    """Where keywords occur in one text, each looked up at most once."""

    __slots__ = ("folded", "_occurrences", "_found_keys", "_present", "_units", "_spans", "_starts")

    def __init__(self, text: str, finder: "KeywordFinder | None" = None) -> None:
        folded = fold(text)
        # `fold` keeps positions; should some character ever not, look nothing up.
        self.folded = folded if len(folded) == len(text) else None
        # With a finder, its keywords' occurrences come from one pass over the text.
        self._occurrences = finder.occurrences(folded) if finder is not None and self.folded is not None else None
        self._found_keys = finder.keys if self._occurrences is not None else frozenset()  # type: ignore[union-attr]
        self._present: dict[str, bool] = {}
        self._units: dict[str, set[int]] = {}
        self._spans: list[tuple[int, int]] = []
        self._starts: list[int] = []

    def use_spans(self, spans: list[tuple[int, int]]) -> None:
        """The units (sorted, non-overlapping (start, end) spans) `units_with` reports."""
        self._spans = spans
        self._starts = [s for s, _ in spans]
        self._units.clear()

    def may_match(self, keys: tuple[str, ...]) -> bool:
        """False only when the text holds none of `keys` (and keys is not empty)."""
        if not keys or self.folded is None:
            return True
        for k in keys:
            hit = self._present.get(k)
            if hit is None:
                if k in self._found_keys:
                    hit = k in self._occurrences  # type: ignore[operator]
                else:
                    hit = k in self.folded
                self._present[k] = hit
            if hit:
                return True
        return False

    def units_with(self, keys: tuple[str, ...]) -> set[int] | None:
        """Indexes of the spans that hold one of `keys`; None means "all of them"."""
        if not keys or self.folded is None:
            return None
        found: set[int] = set()
        for k in keys:
            units = self._units.get(k)
            if units is None:
                units = self._units[k] = self._find(k)
            found |= units
        return found

    def _find(self, key: str) -> set[int]:
        folded, spans, starts = self.folded, self._spans, self._starts
        assert folded is not None
        units: set[int] = set()
        if key in self._found_keys:
            for pos in self._occurrences.get(key, ()):  # type: ignore[union-attr]
                i = bisect_right(starts, pos) - 1
                if i >= 0 and pos + len(key) <= spans[i][1]:
                    units.add(i)
            return units
        pos = folded.find(key)
        while pos != -1:
            i = bisect_right(starts, pos) - 1
            if i >= 0 and pos + len(key) <= spans[i][1]:
                units.add(i)
                pos = folded.find(key, spans[i][1])  # the rest of this unit adds nothing
            else:  # in the gap between units, or straddling two
                pos = folded.find(key, pos + 1)
        return units

"""Where a regular expression can start: the literal words every match begins with.

Python's `re` tries a pattern at every position of a text. The byline labels
(~70 alternatives: "reviewed", "last updated", "by", "zuletzt geprüft", …)
cost ~300 ns per character that way, most of it at positions where no label
begins. Every match of such a pattern begins with one of a few literal
strings, read off the pattern here (`leading_strings`); a small regex of
those strings, factored as a trie so `re` rejects most positions on their
first character, finds where they stand after a word boundary, and the
pattern itself is tried only there (`StartScanner`). The matches are the
same as `finditer`'s: same starts, tried in the same order, each resumed
after the previous match's end.
"""

from __future__ import annotations

import re
from typing import Iterator

try:  # the parser behind `re`; its home moved in 3.11
    from re import _constants as _sre, _parser as _sre_parse
except ImportError:  # pragma: no cover
    import sre_constants as _sre  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]

_MAX_STRINGS = 400  # past this many leading strings a scan for them would not pay
_STOP = ("stop", None)  # a marker: the literal run ends here (a repeat's further rounds)


class _Unknown(Exception):
    """A match could begin with something no literal string covers (or the pattern is beyond this reader)."""


def leading_strings(pattern: re.Pattern[str]) -> tuple[str, ...]:
    """Non-empty strings such that every match of `pattern` starts with one of them (none a
    prefix of another); () when no such set can be read off (then scan with `re` as usual)."""
    if pattern.flags & (re.IGNORECASE | re.VERBOSE) or not isinstance(pattern.pattern, str):
        return ()
    out: set[str] = set()
    try:
        _walk(list(_sre_parse.parse(pattern.pattern, pattern.flags)), "", out)
    except (_Unknown, RecursionError):
        return ()
    except Exception:  # an unfamiliar parse tree: no shortcut, never a wrong one
        return ()
    kept: list[str] = []
    for s in sorted(out, key=len):  # "review" is found wherever "reviewed" is
        if not any(s.startswith(k) for k in kept):
            kept.append(s)
    return tuple(sorted(kept))


def _walk(items: list, prefix: str, out: set[str]) -> None:
    """Add to `out` the literal prefix of each way through `items` (a parse sequence)."""
    i = 0
    while i < len(items):
        op, av = items[i]
        if op is _sre.LITERAL:
            prefix += chr(av)
            i += 1
        elif op in (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT):
            i += 1  # zero-width: the match's text goes on with the next item
        elif op is _sre.SUBPATTERN:
            _group, add_flags, _del_flags, sub = av
            if add_flags & re.IGNORECASE:
                break  # literals inside match either case: the run ends before them
            items, i = list(sub) + items[i + 1:], 0
        elif op is _sre.BRANCH:
            for alt in av[1]:
                _walk(list(alt) + items[i + 1:], prefix, out)
            return
        elif op is _sre.IN and av and all(iop is _sre.LITERAL for iop, _ in av):
            for _, code in av:  # [ab]x: one way per character
                _walk(items[i + 1:], prefix + chr(code), out)
            return
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, getattr(_sre, "POSSESSIVE_REPEAT", None)):
            lo, hi, sub = av
            rest = items[i + 1:]
            once = list(sub) + (rest if hi == 1 else [_STOP])  # after a first round, more rounds: unknown
            if lo == 0:
                _walk(rest, prefix, out)  # no round at all
            _walk(once, prefix, out)
            return
        else:  # a category, ANY, a negated class, a back-reference, the _STOP marker: the run ends
            break
        if len(out) > _MAX_STRINGS:
            raise _Unknown
    if not prefix:
        raise _Unknown  # a match may start with anything here (or be empty)
    out.add(prefix)
    if len(out) > _MAX_STRINGS:
        raise _Unknown


def trie_pattern(strings: tuple[str, ...] | list[str]) -> str:
    """An alternation matching exactly `strings`, factored by common prefixes ("re(?:view|vised)")."""
    groups: dict[str, list[str]] = {}
    for s in strings:
        groups.setdefault(s[:1], []).append(s[1:])
    optional = "" in groups
    alts = [re.escape(first) + trie_pattern(rest) for first, rest in sorted(groups.items()) if first]
    if not alts:
        return ""
    body = alts[0] if len(alts) == 1 and not optional else "(?:" + "|".join(alts) + ")"
    return body + "?" if optional else body


class StartScanner:
    """`finditer` for a pattern whose matches all start at the text's start or just after a
    character of `after` (the caller knows: e.g. the pattern opens with `(?<![\\w-])`)."""

    def __init__(self, pattern: re.Pattern[str], after: str) -> None:
        self.pattern = pattern
        self.starts = leading_strings(pattern)
        self._finder = re.compile(after + "(?=" + trie_pattern(self.starts) + ")") if self.starts else None

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        if self._finder is None:
            yield from self.pattern.finditer(text)
            return
        match = self.pattern.match
        end = 0
        if text.startswith(self.starts):
            m = match(text, 0)
            if m is not None:
                yield m
                end = m.end()  # never 0: every match starts with a non-empty string
        for c in self._finder.finditer(text):
            p = c.end()
            if p < end:
                continue  # inside the previous match: finditer goes on after it
            m = match(text, p)  # lookbehinds still see the text before p
            if m is not None:
                yield m
                end = m.end()

"""SPELL1xx: real-word errors, from the confusion sets in rules/confusables.yml.

Flags:  "how it broke in the fist place" -> first;  "helps you loose weight" -> lose
Leaves: "make a fist",  "wear loose clothing"

Each rule is one confusion set with context patterns; the pattern's first
group is the word reported. Python only implements the kind; the sets are
data an editor can extend (a team's own `confusables.yml` in `[rules] packs`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterator

from ..config import Config
from ..model import Article, Finding, RuleInfo, Severity
from ..rulepacks import RulePackError, load_pack
from .base import Context, finding_in_text


@dataclass(frozen=True, slots=True)
class ConfusionRule:
    info: RuleInfo
    message: str
    patterns: tuple[tuple[re.Pattern[str], str], ...]  # (pattern, suggestion)
    flag: tuple[str, ...]
    keep: tuple[str, ...]


@lru_cache(maxsize=8)
def confusion_rules(extra_dirs: tuple[str, ...] = ()) -> tuple[ConfusionRule, ...]:
    rules = []
    for raw in load_pack("confusables", extra_dirs).get("rules", []):
        rid = raw.get("id", "?")
        try:
            patterns = []
            for p in raw["patterns"]:
                pattern = re.compile(p["pattern"], re.IGNORECASE | re.MULTILINE)
                if pattern.groups < 1:
                    raise RulePackError(f"confusables rule {rid}: pattern needs a group around the word to report")
                patterns.append((pattern, str(p["suggest"])))
            rules.append(ConfusionRule(
                info=RuleInfo(rid, raw["name"], "spelling", Severity(raw.get("severity", "warning")), raw["summary"]),
                message=raw["message"],
                patterns=tuple(patterns),
                flag=tuple(raw.get("flag", [])),
                keep=tuple(raw.get("keep", [])),
            ))
        except KeyError as e:
            raise RulePackError(f"confusables rule {rid}: missing key {e}") from None
        except re.error as e:
            raise RulePackError(f"confusables rule {rid}: bad pattern: {e}") from None
        except ValueError as e:
            raise RulePackError(f"confusables rule {rid}: {e}") from None
    return tuple(rules)


def _same_case(suggestion: str, found: str) -> str:
    if found.lower().endswith("s") and not suggestion.lower().endswith("s") and len(found) > 3:
        suggestion += "s"  # "side affects" -> "effects"
    if found.isupper() and len(found) > 1:
        return suggestion.upper()
    if found[:1].isupper():
        return suggestion[:1].upper() + suggestion[1:]
    return suggestion


def find_confusions(text: str, rules: tuple[ConfusionRule, ...]) -> Iterator[tuple[ConfusionRule, int, int, str]]:
    """(rule, start, end, suggestion) for every slip in `text`, one per span, in text order."""
    hits: dict[tuple[int, int], tuple[ConfusionRule, int, int, str]] = {}
    lowered = _lowered(text)
    for rule in rules:
        for pattern, suggest in rule.patterns:
            for m in _matches(pattern, text, lowered):
                span = m.span(1)
                if span[0] >= 0 and span not in hits:
                    hits[span] = (rule, span[0], span[1], _same_case(suggest, m.group(1)))
    return iter(sorted(hits.values(), key=lambda h: h[1]))


# Speed: a pattern scanned over a whole article costs ~16 ns a character (IGNORECASE
# defeats the regex engine's literal-prefix search), ~40 patterns 2.3 s on 300 articles.
# Every match contains its group 1, and group 1 can only match a few words ("fist",
# "affect", "affects"), so the pattern is tried only where one of those words occurs
# (a str.find on the lowercased text) and at most `before` characters ahead of it:
# exactly the matches finditer would give, in the same order. Patterns this cannot
# be proved for (group 1 not at the top level, an unbounded context before it,
# open-ended group) are scanned whole.

@dataclass(frozen=True, slots=True)
class _Anchor:
    words: tuple[str, ...]  # lowercased strings group 1 can match
    before: tuple[int, int]  # (min, max) characters a match spans before group 1


_EXOTIC = ("\u0131", "\u017f", "\u212a", "\u0130")  # ı ſ K(elvin) İ: match ASCII letters under
# IGNORECASE but lowercase differently (or to two characters): texts holding one are scanned whole.
_MAX_WORDS = 64


def _lowered(text: str) -> str | None:
    if not text.isascii() and any(c in text for c in _EXOTIC):
        return None
    return text.lower()


@lru_cache(maxsize=1024)
def _anchor(pattern: re.Pattern[str]) -> _Anchor | None:
    try:
        from re import _parser  # type: ignore[attr-defined]
        tree = _parser.parse(pattern.pattern, pattern.flags)
        items = list(tree.data)
        at = next(i for i, (op, av) in enumerate(items) if op is _parser.SUBPATTERN and av[0] == 1)
        _, add, delete, body = items[at][1]
        if add or delete:
            return None
        lo, hi = _parser.SubPattern(tree.state, items[:at]).getwidth()
        words = _strings(body, _parser)
    except (StopIteration, _Unbounded, re.error, ValueError, TypeError, ImportError, AttributeError):
        return None
    if hi > 200 or not words or "" in words:
        return None
    if not all(c.isascii() or c.lower() == c.upper() for w in words for c in w):
        return None  # a cased non-ASCII letter: its IGNORECASE matches are not just its lowercase
    return _Anchor(tuple(sorted({w.lower() for w in words})), (lo, hi))


class _Unbounded(Exception):
    pass


def _strings(items: Any, P: Any) -> set[str]:
    """Every string the parsed (sub)pattern `items` matches, or _Unbounded."""
    out = {""}
    for op, av in items:
        if op is P.LITERAL:
            alts = {chr(av)}
        elif op is P.IN and all(o is P.LITERAL for o, _ in av):
            alts = {chr(c) for _, c in av}
        elif op is P.BRANCH:
            alts = set().union(*(_strings(b, P) for b in av[1]))
        elif op is P.SUBPATTERN and not av[1] and not av[2]:
            alts = _strings(av[3], P)
        elif op in (P.MAX_REPEAT, P.MIN_REPEAT) and av[0] == 0 and av[1] == 1:
            alts = {""} | _strings(av[2], P)
        elif op is P.AT:
            alts = {""}  # \b and friends: zero width, checked by the real match
        else:
            raise _Unbounded(op)
        out = {a + b for a in out for b in alts}
        if len(out) > _MAX_WORDS:
            raise _Unbounded("too many")
    return out


def _matches(pattern: re.Pattern[str], text: str, lowered: str | None) -> Iterator[re.Match[str]]:
    """pattern.finditer(text), trying the pattern only where group 1 can begin."""
    anchor = _anchor(pattern) if lowered is not None else None
    if anchor is None:
        yield from pattern.finditer(text)
        return
    lo, hi = anchor.before
    starts: set[int] = set()
    for w in anchor.words:
        i = lowered.find(w)  # type: ignore[union-attr]
        while i != -1:
            starts.update(range(max(0, i - hi), i - lo + 1))
            i = lowered.find(w, i + 1)  # type: ignore[union-attr]
    pos = 0
    match = pattern.match
    for st in sorted(starts):
        if st < pos:
            continue
        m = match(text, st)
        if m is not None:
            yield m
            pos = m.end()


class ConfusionCheck:
    family = "SPELL1"
    category = "spelling"

    def rules(self, config: Config) -> list[RuleInfo]:
        return [r.info for r in confusion_rules(config.rule_dirs)]

    def check(self, article: Article, ctx: Context) -> Iterator[Finding]:
        for rule, start, end, suggestion in find_confusions(article.text, confusion_rules(ctx.config.rule_dirs)):
            found = article.text[start:end]
            message = rule.message.format(found=found, suggest=suggestion)
            yield finding_in_text(article, rule.info, message, start, end, suggestions=[suggestion],
                                  evidence={"word": found, "context": _context(article.text, start, end)})


def _context(text: str, start: int, end: int, width: int = 40) -> str:
    left = text[max(0, start - width):start].split("\n")[-1]
    right = text[end:end + width].split("\n")[0]
    return " ".join(f"{left}{text[start:end]}{right}".split())

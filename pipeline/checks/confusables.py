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
from typing import Iterator

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
    for rule in rules:
        for pattern, suggest in rule.patterns:
            for m in pattern.finditer(text):
                span = m.span(1)
                if span[0] >= 0 and span not in hits:
                    hits[span] = (rule, span[0], span[1], _same_case(suggest, m.group(1)))
    return iter(sorted(hits.values(), key=lambda h: h[1]))


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

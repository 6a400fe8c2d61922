"""Inline suppression: an editor silences a finding in the article itself.

    <!-- medreview-disable SPELL001 -->        from here on (until enable)
    <!-- medreview-enable SPELL001 -->         ends it
    <!-- medreview-disable-next-line CLAIM002 -->   only the following line
    <!-- medreview-disable-line ART007 -->     only this line
    <!-- medreview-disable -->                 every rule (likewise for the other forms)

Rules are named by id (SPELL001), name (spelling.misspelling) or family
(SPELL), several separated by commas or spaces. A suppressed finding is not
reported, but it is counted per article and in the summary, so suppression
can never hide problems silently. The comments are read from the source as
written (`Article.raw`), so they work in Markdown, HTML, plain text and inside
a JSON-lines body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from .model import Finding
from .textmap import LineIndex

_DIRECTIVE = re.compile(
    r"<!--\s*medreview-(?P<kind>disable-next-line|disable-line|disable|enable)\b(?P<rules>[^>]*?)\s*-->",
    re.IGNORECASE,
)
ALL = "*"


@dataclass(frozen=True, slots=True)
class Suppression:
    rules: tuple[str, ...]  # ("*",) for every rule
    first_line: int
    last_line: int | None  # None: to the end of the article
    directive_line: int
    except_rules: tuple[str, ...] = ()  # re-enabled inside a broader block ("enable SPELL001" in "disable SPELL")


def _covers(r: str, rule_id: str, rule_name: str = "") -> bool:
    """Does the directive's rule entry name this rule (by id, name, family or name group)?"""
    if r == ALL or r == rule_id or (rule_name and r == rule_name):
        return True
    if r.isupper() and rule_id.startswith(r):
        return True  # a family: SPELL
    return bool(rule_name) and rule_name.startswith(r + ".")  # a group of names: spelling


def parse_directives(raw: str, first_line: int = 1) -> list[Suppression]:
    lines = LineIndex(raw, first_line)
    open_blocks: dict[str, tuple[int, tuple[str, ...]]] = {}  # rule -> (line its disable began, exceptions)
    out: list[Suppression] = []
    for m in _DIRECTIVE.finditer(raw):
        line, _ = lines.line_col(m.start())
        rules = tuple(r for r in re.split(r"[\s,]+", m.group("rules").strip()) if r) or (ALL,)
        kind = m.group("kind").lower()
        if kind == "disable-line":
            out.append(Suppression(rules, line, line, line))
        elif kind == "disable-next-line":
            out.append(Suppression(rules, line + 1, line + 1, line))
        elif kind == "disable":
            for r in rules:
                open_blocks.setdefault(r, (line, ()))
        else:  # enable
            for r in (rules if rules != (ALL,) else tuple(open_blocks)):
                opened = open_blocks.pop(r, None)
                if opened is not None:
                    out.append(Suppression((r,), opened[0], line, opened[0], opened[1]))
            # "enable SPELL001" inside "disable" or "disable SPELL": the broader block goes on without it.
            for r, (start, excepted) in list(open_blocks.items()):
                narrower = [x for x in rules if x != ALL and x != r and _covers(r, x, x)]
                if narrower:
                    out.append(Suppression((r,), start, line, start, excepted))
                    open_blocks[r] = (line + 1, excepted + tuple(narrower))
    for r, (start, excepted) in open_blocks.items():
        out.append(Suppression((r,), start, None, start, excepted))
    return out


def applies(s: Suppression, finding: Finding, rule_name: str, line: int | None = None) -> bool:
    line = finding.line if line is None else line
    if line < s.first_line or (s.last_line is not None and line > s.last_line):
        return False
    if any(_covers(x, finding.rule, rule_name) for x in s.except_rules):
        return False
    return any(_covers(r, finding.rule, rule_name) for r in s.rules)


def split_suppressed(findings: list[Finding], raw: str, first_line: int,
                     rule_names: dict[str, str]) -> tuple[list[Finding], list[dict[str, object]]]:
    """(findings to report, records of the suppressed ones)."""
    if "medreview-" not in raw:
        return findings, []
    return apply_directives(findings, parse_directives(raw, first_line), rule_names)


def apply_directives(findings: list[Finding], directives: list[Suppression], rule_names: dict[str, str],
                     line_of: Callable[[Finding], int] | None = None
                     ) -> tuple[list[Finding], list[dict[str, object]]]:
    """`line_of` gives the line a finding stands on in the text the directives were read from
    (for JSON lines, the decoded body; default: the finding's own line)."""
    if not directives:
        return findings, []
    kept, suppressed = [], []
    for f in findings:
        line = line_of(f) if line_of is not None else None
        hit = next((s for s in directives if applies(s, f, rule_names.get(f.rule, ""), line)), None)
        if hit is None:
            kept.append(f)
        else:
            suppressed.append({"rule": f.rule, "line": f.line, "directive_line": hit.directive_line,
                               "fingerprint": f.fingerprint})
    return kept, suppressed


def directives_json(raw: str, first_line: int) -> list[list[object]]:
    """The article's directives, small and picklable, for findings made after the article (links)."""
    if "medreview-" not in raw:
        return []
    return [[list(s.rules), s.first_line, s.last_line, s.directive_line] for s in parse_directives(raw, first_line)]


def suppress_late_findings(result: object, rule_names: dict[str, str]) -> None:
    """Apply an article's inline directives to findings added after it was audited (the link stage)."""
    stats = result.stats  # type: ignore[attr-defined]
    raw = stats.get("directives")
    if not raw:
        return
    directives = [Suppression(tuple(r), first, last, line) for r, first, last, line in raw]
    kept, suppressed = apply_directives(result.findings, directives, rule_names)  # type: ignore[attr-defined]
    result.findings = kept  # type: ignore[attr-defined]
    if suppressed:
        stats.setdefault("suppressed", []).extend(s for s in suppressed if s["rule"].startswith("LINK"))

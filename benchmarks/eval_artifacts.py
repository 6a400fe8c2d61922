"""Artifact stripping quality on the gold set (tests/gold/artifacts.yml).

Every gold item goes through the real cleaner (medreview.clean.clean_article,
both scopes in their normal order: `match` rules first, then `sentence`
rules) as a one-item plain-text article, with its optional `before`/`after`
context glued around it. An item counts as *removed* when the cleaner took
out at least half of its non-space characters; the rule that took the most
of them is the rule that removed it.

- recall:    removed `remove` items / all `remove` items
- precision: removed `remove` items / all removed items (`remove` + `keep`)
- per family: recall over the family's `remove` items (removed by any rule);
  precision over the items that family's rule removed
- family correctness: share of removed `remove` items taken out by the
  expected rule id

It is a measurement: the exit status is 0 unless --min-precision or
--min-recall is given and not met.

    .venv/bin/python benchmarks/eval_artifacts.py [--gold FILE] [--rules-dir DIR]
        [--min-precision X] [--min-recall Y] [--json]

`--rules-dir` adds a folder of rule packs (as `[rules] packs` does), so a
proposed change to rules/artifacts.yml can be measured before it is made.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from medreview.clean import clean_article
from medreview.model import Article
from medreview.textmap import TextMap

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "gold" / "artifacts.yml"
THRESHOLD = 0.5  # share of an item's non-space characters that must go for "removed"
HARD_NEGATIVES = ("ads", "cookies", "video", "newsletter")


@dataclass(slots=True)
class ItemResult:
    kind: str  # "remove" | "keep"
    text: str
    expected: str | None  # rule id for remove items
    hard: str | None
    removed: bool
    share: float  # share of the item's non-space characters removed
    rule: str | None  # rule that removed most of it (None when nothing was)
    context_damage: list[str] = field(default_factory=list)  # removed pieces of real before/after text
    leftover: list[str] = field(default_factory=list)  # pieces of the item the cleaner left, with letters or digits


@dataclass(slots=True)
class Scores:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(slots=True)
class Evaluation:
    items: list[ItemResult]
    overall: Scores
    families: dict[str, Scores]
    family_correct: int
    removed_true: int

    @property
    def family_correctness(self) -> float:
        return self.family_correct / self.removed_true if self.removed_true else 1.0

    @property
    def misses(self) -> list[ItemResult]:
        return [i for i in self.items if i.kind == "remove" and not i.removed]

    @property
    def false_alarms(self) -> list[ItemResult]:
        return [i for i in self.items if i.kind == "keep" and i.removed]

    @property
    def wrong_family(self) -> list[ItemResult]:
        return [i for i in self.items if i.kind == "remove" and i.removed and i.rule != i.expected]

    @property
    def hard_negative_false_alarms(self) -> list[ItemResult]:
        return [i for i in self.false_alarms if i.hard in HARD_NEGATIVES]

    @property
    def partial(self) -> list[ItemResult]:
        """Items the cleaner cut into without reaching the threshold."""
        return [i for i in self.items if 0 < i.share < THRESHOLD]

    @property
    def leftovers(self) -> list[ItemResult]:
        """Artifacts counted as removed that still left words behind."""
        return [i for i in self.items if i.kind == "remove" and i.removed and i.leftover]

    @property
    def context_damaged(self) -> list[ItemResult]:
        return [i for i in self.items if i.context_damage]


def load_gold(path: Path = GOLD) -> list[dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    items = []
    for kind in ("remove", "keep"):
        for n, raw in enumerate(data.get(kind) or [], start=1):
            if not isinstance(raw, dict) or not isinstance(raw.get("text"), str) or not raw["text"].strip():
                raise ValueError(f"{path}: {kind} item {n} has no text")
            if kind == "remove" and not raw.get("rule"):
                raise ValueError(f"{path}: remove item {n} ({raw['text'][:40]!r}) has no rule")
            items.append({"kind": kind, **raw})
    return items


def _solid(text: str, start: int, end: int) -> int:
    return sum(1 for ch in text[start:end] if not ch.isspace())


def run_item(item: dict[str, Any], rule_dirs: tuple[str, ...] = ()) -> ItemResult:
    before, text, after = item.get("before") or "", item["text"], item.get("after") or ""
    full = before + text + after
    article = Article(id="gold", path="gold", format="text", raw=full, body=full,
                      body_map=TextMap.identity(len(full)))
    clean_article(article, rule_dirs)
    lo, hi = len(before), len(before) + len(text)
    covered = [False] * len(full)
    by_rule: dict[str, int] = defaultdict(int)
    damage = []
    for r in article.removed:
        for i in range(max(r.start, 0), min(r.end, len(full))):
            covered[i] = True
        s, e = max(r.start, lo), min(r.end, hi)
        if e > s:
            by_rule[r.rule] += _solid(full, s, e)
        if not item.get("context_is_artifact"):
            for cs, ce in ((r.start, min(r.end, lo)), (max(r.start, hi), r.end)):
                if ce > cs and full[cs:ce].strip():
                    damage.append(full[cs:ce].strip())
    total = _solid(full, lo, hi) or 1
    gone = sum(1 for i in range(lo, hi) if covered[i] and not full[i].isspace())
    share = gone / total
    rule = max(by_rule, key=by_rule.get) if by_rule else None
    leftover, run = [], []
    for i in range(lo, hi + 1):
        if i < hi and not covered[i]:
            run.append(full[i])
        elif run:
            piece = "".join(run).strip()
            if any(ch.isalnum() for ch in piece):
                leftover.append(piece)
            run = []
    return ItemResult(kind=item["kind"], text=text, expected=item.get("rule"), hard=item.get("hard"),
                      removed=share >= THRESHOLD, share=share, rule=rule, context_damage=damage,
                      leftover=leftover if share > 0 else [])


def evaluate(gold: Path = GOLD, rule_dirs: tuple[str, ...] = ()) -> Evaluation:
    results = [run_item(item, rule_dirs) for item in load_gold(gold)]
    overall = Scores()
    families: dict[str, Scores] = defaultdict(Scores)
    family_correct = removed_true = 0
    for r in results:
        if r.kind == "remove":
            families[r.expected]  # every expected family gets a row
            if r.removed:
                overall.tp += 1
                removed_true += 1
                family_correct += r.rule == r.expected
            else:
                overall.fn += 1
        elif r.removed:
            overall.fp += 1
    # Per family: recall over the family's remove items (removed by any rule);
    # precision over what the family's rule removed (true artifact or not).
    for fam, sc in families.items():
        mine = [r for r in results if r.kind == "remove" and r.expected == fam]
        by_rule = [r for r in results if r.removed and r.rule == fam]
        sc.tp = sum(r.removed for r in mine)
        sc.fn = len(mine) - sc.tp
        sc.fp = sum(r.kind == "keep" for r in by_rule)
    for r in results:  # families that only ever raised false alarms
        if r.kind == "keep" and r.removed and r.rule not in families:
            families[r.rule].fp += 1
    return Evaluation(results, overall, dict(sorted(families.items())), family_correct, removed_true)


def _short(text: str, width: int = 110) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def report(ev: Evaluation, out=None) -> None:
    out = out if out is not None else sys.stdout
    n_remove = sum(i.kind == "remove" for i in ev.items)
    n_keep = len(ev.items) - n_remove
    p = lambda *a: print(*a, file=out)  # noqa: E731
    p(f"gold items: {len(ev.items)} ({n_remove} remove, {n_keep} keep); removed = ≥{THRESHOLD:.0%} of non-space chars")
    p("")
    p(f"{'family':<8} {'items':>5} {'removed':>7} {'false+':>6} {'precision':>9} {'recall':>6} {'f1':>5}")
    for fam, sc in ev.families.items():
        p(f"{fam:<8} {sc.tp + sc.fn:>5} {sc.tp:>7} {sc.fp:>6} {sc.precision:>9.3f} {sc.recall:>6.3f} {sc.f1:>5.3f}")
    o = ev.overall
    p(f"{'overall':<8} {o.tp + o.fn:>5} {o.tp:>7} {o.fp:>6} {o.precision:>9.3f} {o.recall:>6.3f} {o.f1:>5.3f}")
    p(f"family correctness: {ev.family_correct}/{ev.removed_true} = {ev.family_correctness:.3f} (removed by the expected rule)")
    p(f"hard-negative false alarms ({'/'.join(HARD_NEGATIVES)}): {len(ev.hard_negative_false_alarms)}")
    sections = [
        ("misses (artifact kept)", ev.misses, lambda i: f"[{i.expected}] share {i.share:.2f}: {i.text}"),
        ("false alarms (real sentence removed)", ev.false_alarms, lambda i: f"[{i.rule}] ({i.hard or '-'}): {i.text}"),
        ("wrong family (removed, by another rule)", ev.wrong_family, lambda i: f"[expected {i.expected}, got {i.rule}]: {_short(i.text)}"),
        ("partly cut (below threshold)", ev.partial, lambda i: f"[{i.kind}, {i.rule}] share {i.share:.2f}: {_short(i.text)}"),
        ("removed, but words left behind", ev.leftovers, lambda i: f"[{i.rule}] {i.leftover} of: {_short(i.text, 80)}"),
        ("context damaged (real text around an item removed)", ev.context_damaged, lambda i: f"[{i.rule}] {i.context_damage}"),
    ]
    for title, items, fmt in sections:
        p("")
        p(f"{title}: {len(items)}")
        for i in items:
            p("  - " + fmt(i))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gold", type=Path, default=GOLD, help="gold set YAML (default: tests/gold/artifacts.yml)")
    ap.add_argument("--rules-dir", action="append", default=[], metavar="DIR",
                    help="extra rule-pack folder, as [rules] packs (repeatable)")
    ap.add_argument("--min-precision", type=float, help="exit 1 when overall precision is below this")
    ap.add_argument("--min-recall", type=float, help="exit 1 when overall recall is below this")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    args = ap.parse_args(argv)
    ev = evaluate(args.gold, tuple(str(Path(d).resolve()) for d in args.rules_dir))
    if args.json:
        o = ev.overall
        print(json.dumps({
            "overall": {"precision": o.precision, "recall": o.recall, "f1": o.f1, "tp": o.tp, "fp": o.fp, "fn": o.fn},
            "families": {f: {"precision": s.precision, "recall": s.recall, "f1": s.f1, "tp": s.tp, "fp": s.fp, "fn": s.fn}
                         for f, s in ev.families.items()},
            "family_correctness": ev.family_correctness,
            "items": [asdict(i) for i in ev.items],
        }, indent=2, ensure_ascii=False))
    else:
        report(ev)
    failed = []
    if args.min_precision is not None and ev.overall.precision < args.min_precision:
        failed.append(f"precision {ev.overall.precision:.3f} < {args.min_precision}")
    if args.min_recall is not None and ev.overall.recall < args.min_recall:
        failed.append(f"recall {ev.overall.recall:.3f} < {args.min_recall}")
    if failed:
        print("eval_artifacts: below threshold: " + "; ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

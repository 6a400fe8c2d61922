"""Citation-marker detection and source-tier quality on the gold set (tests/gold/citations.yml).

Every gold text goes through the real extractor (medreview.citations.extract_citations)
as a one-item plain-text article. What it cites (reference numbers, author-year keys
"Smith 2019", footnote labels "^1") is compared with the expected list as a multiset:

- a cited item that is expected is a true positive; one that is not (including every
  item found in a `not_markers` text) is a false positive; an expected item not found
  is a false negative;
- precision = TP / (TP + FP), recall = TP / (TP + FN);
- exact: share of `markers` texts whose items match exactly, in order; clean: share of
  `not_markers` texts where nothing was found.

Texts and URLs marked `holdout: true` were written after the extractor and
the tiers, without running them first; their figures are reported apart.

Every gold URL goes through medreview.checks.citations.classify_source with the
bundled tiers (plus --rules-dir packs); tier accuracy is the share put in the
expected tier (null: no tier). URLs marked `holdout` were written without
looking their hosts up in rules/sources.yml; their accuracy is reported apart,
as the measure of how the tiers generalise to sites nobody listed.

It is a measurement: the exit status is 0 unless a --min-* threshold is given and not met.

    .venv/bin/python benchmarks/eval_citations.py [--gold FILE] [--rules-dir DIR]
        [--min-precision X] [--min-recall Y] [--min-tier-accuracy Z] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from medreview.checks.citations import classify_source, load_tiers
from medreview.citations import extract_citations
from medreview.model import Article
from medreview.textmap import TextMap

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "gold" / "citations.yml"


@dataclass(slots=True)
class TextResult:
    kind: str  # "markers" | "not_markers"
    text: str
    expected: list[Any]
    found: list[Any]
    false_positives: list[Any] = field(default_factory=list)
    false_negatives: list[Any] = field(default_factory=list)
    holdout: bool = False


@dataclass(slots=True)
class UrlResult:
    url: str
    expected: str | None
    found: str | None
    holdout: bool = False


@dataclass(slots=True)
class Evaluation:
    texts: list[TextResult]
    urls: list[UrlResult]

    def part(self, holdout: bool) -> "Evaluation":
        """The same figures over the held-out items only (or over the others)."""
        return Evaluation([t for t in self.texts if t.holdout == holdout], [u for u in self.urls if u.holdout == holdout])

    @property
    def tp(self) -> int:
        return sum(len(t.found) - len(t.false_positives) for t in self.texts)

    @property
    def fp(self) -> int:
        return sum(len(t.false_positives) for t in self.texts)

    @property
    def fn(self) -> int:
        return sum(len(t.false_negatives) for t in self.texts)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def exact(self) -> float:
        marked = [t for t in self.texts if t.kind == "markers"]
        return sum(t.found == t.expected for t in marked) / len(marked) if marked else 1.0

    @property
    def clean(self) -> float:
        plain = [t for t in self.texts if t.kind == "not_markers"]
        return sum(not t.found for t in plain) / len(plain) if plain else 1.0

    @property
    def tier_accuracy(self) -> float:
        return sum(u.found == u.expected for u in self.urls) / len(self.urls) if self.urls else 1.0

    @property
    def holdout_accuracy(self) -> float | None:
        held = [u for u in self.urls if u.holdout]
        return sum(u.found == u.expected for u in held) / len(held) if held else None

    @property
    def errors(self) -> list[TextResult]:
        return [t for t in self.texts if t.false_positives or t.false_negatives]

    @property
    def tier_errors(self) -> list[UrlResult]:
        return [u for u in self.urls if u.found != u.expected]

    def summary(self) -> dict[str, Any]:
        return {
            "marker_texts": sum(t.kind == "markers" for t in self.texts),
            "non_marker_texts": sum(t.kind == "not_markers" for t in self.texts),
            "urls": len(self.urls),
            "tp": self.tp, "fp": self.fp, "fn": self.fn,
            "precision": round(self.precision, 4), "recall": round(self.recall, 4),
            "exact": round(self.exact, 4), "clean": round(self.clean, 4),
            "tier_accuracy": round(self.tier_accuracy, 4),
            "holdout_texts": sum(t.holdout for t in self.texts),
            "holdout_precision": round(self.part(True).precision, 4),
            "holdout_recall": round(self.part(True).recall, 4),
            "holdout_urls": sum(u.holdout for u in self.urls),
            "holdout_tier_accuracy": None if self.holdout_accuracy is None else round(self.holdout_accuracy, 4),
        }


def load_gold(path: Path = GOLD) -> dict[str, list[dict[str, Any]]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    for kind in ("markers", "not_markers"):
        for n, item in enumerate(data.get(kind) or [], 1):
            if not isinstance(item, dict) or not isinstance(item.get("text"), str) or not item["text"].strip():
                raise ValueError(f"{path}: {kind} item {n} has no text")
            if kind == "markers" and not isinstance(item.get("expect"), list):
                raise ValueError(f"{path}: markers item {n} ({item['text'][:40]!r}) has no expect list")
    for n, item in enumerate(data.get("urls") or [], 1):
        if not isinstance(item, dict) or not isinstance(item.get("url"), str) or "tier" not in item:
            raise ValueError(f"{path}: urls item {n} needs url and tier")
    return {k: list(data.get(k) or []) for k in ("markers", "not_markers", "urls")}


def text_article(text: str) -> Article:
    """A one-item plain-text article whose cleaned text is `text`."""
    tm = TextMap.identity(len(text))
    return Article(id="gold", path="gold", format="text", raw=text, body=text, body_map=tm,
                   text=text, text_map=TextMap.identity(len(text)))


def cited_items(text: str) -> list[Any]:
    """What the extractor finds cited in `text`: numbers, "Name year" keys and "^label"s, in order."""
    cit = extract_citations(text_article(text))
    return [c.value for m in cit.markers for c in m.cites]


def evaluate(path: Path = GOLD, rule_dirs: tuple[str, ...] = ()) -> Evaluation:
    gold = load_gold(path)
    texts = []
    for kind in ("markers", "not_markers"):
        for item in gold[kind]:
            expected = list(item.get("expect") or []) if kind == "markers" else []
            found = cited_items(item["text"])
            exp_c, got_c = Counter(map(_norm, expected)), Counter(map(_norm, found))
            texts.append(TextResult(kind, item["text"], expected, found,
                                    false_positives=sorted((got_c - exp_c).elements(), key=str),
                                    false_negatives=sorted((exp_c - got_c).elements(), key=str),
                                    holdout=bool(item.get("holdout"))))
    tiers = load_tiers(tuple(rule_dirs))
    urls = []
    for item in gold["urls"]:
        tier = classify_source(item["url"], tiers)
        urls.append(UrlResult(item["url"], item["tier"], tier.id if tier else None, bool(item.get("holdout"))))
    return Evaluation(texts, urls)


def _norm(value: Any) -> Any:
    return value if isinstance(value, int) else str(value)


def report(ev: Evaluation) -> str:
    s = ev.summary()
    lines = [
        f"gold: {s['marker_texts']} texts with markers, {s['non_marker_texts']} without, {s['urls']} URLs",
        f"markers: precision {s['precision']:.3f}  recall {s['recall']:.3f}  (TP {s['tp']}, FP {s['fp']}, FN {s['fn']})",
        f"         exact texts {s['exact']:.3f}  clean non-marker texts {s['clean']:.3f}",
        f"tiers:   accuracy {s['tier_accuracy']:.3f}  ({len(ev.urls) - len(ev.tier_errors)}/{len(ev.urls)})",
    ]
    if s["holdout_texts"]:
        held, seen = ev.part(True), ev.part(False)
        lines.insert(3, f"         held-out texts ({s['holdout_texts']}): precision {held.precision:.3f}  recall {held.recall:.3f}"
                        f"  (TP {held.tp}, FP {held.fp}, FN {held.fn}); others: precision {seen.precision:.3f}"
                        f"  recall {seen.recall:.3f}")
    if s["holdout_urls"]:
        held = [u for u in ev.urls if u.holdout]
        lines.append(f"         held-out hosts {s['holdout_tier_accuracy']:.3f}  "
                     f"({sum(u.found == u.expected for u in held)}/{len(held)}); listed hosts "
                     f"{sum(u.found == u.expected for u in ev.urls if not u.holdout)}/{len(ev.urls) - len(held)}")
    if ev.errors:
        lines.append("")
        lines.append("marker errors:")
        for t in ev.errors:
            lines.append(f"  [{t.kind}{', held out' if t.holdout else ''}] {t.text!r}")
            lines.append(f"      expected {t.expected}  found {t.found}"
                         f"{'  FP ' + str(t.false_positives) if t.false_positives else ''}"
                         f"{'  FN ' + str(t.false_negatives) if t.false_negatives else ''}")
    if ev.tier_errors:
        lines.append("")
        lines.append("tier errors:")
        for u in ev.tier_errors:
            lines.append(f"  {u.url}{'  (held out)' if u.holdout else ''}\n      expected {u.expected}  found {u.found}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gold", type=Path, default=GOLD)
    ap.add_argument("--rules-dir", action="append", default=[], help="a folder of extra rule packs (sources.yml)")
    ap.add_argument("--min-precision", type=float)
    ap.add_argument("--min-recall", type=float)
    ap.add_argument("--min-tier-accuracy", type=float)
    ap.add_argument("--json", action="store_true", help="print the figures and errors as JSON")
    args = ap.parse_args(argv)
    ev = evaluate(args.gold, tuple(str(Path(d).resolve()) for d in args.rules_dir))
    if args.json:
        print(json.dumps({"summary": ev.summary(), "marker_errors": [asdict(t) for t in ev.errors],
                          "tier_errors": [asdict(u) for u in ev.tier_errors]}, indent=2, ensure_ascii=False))
    else:
        print(report(ev))
    failed = []
    if args.min_precision is not None and ev.precision < args.min_precision:
        failed.append(f"precision {ev.precision:.3f} < {args.min_precision}")
    if args.min_recall is not None and ev.recall < args.min_recall:
        failed.append(f"recall {ev.recall:.3f} < {args.min_recall}")
    if args.min_tier_accuracy is not None and ev.tier_accuracy < args.min_tier_accuracy:
        failed.append(f"tier accuracy {ev.tier_accuracy:.3f} < {args.min_tier_accuracy}")
    for f in failed:
        print(f"eval_citations: below threshold: {f}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # piped into head
        sys.exit(0)

"""Precision and recall of the unsupported-claim detector on tests/gold/claims.yml.

    .venv/bin/python benchmarks/eval_claims.py [--errors] [--min-f1 0.8]

The gold set was labelled blind to the detector. Each item is one sentence,
audited as a one-sentence article through the real pipeline (reader, cleaner,
spaCy, ClaimCheck's find_claims). The headline task is the one editors act
on: "needs support and has none". Per type, recall is over the gold type and
precision over the predicted type; a flagged sentence with the wrong type
still counts as a true positive for the headline figure.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "gold" / "claims.yml"
TYPES = ("statistic", "efficacy", "research", "weasel", "absolute")


@dataclass
class Outcome:
    text: str
    gold_flag: bool  # needs support and has none
    gold_claim: bool
    gold_type: str
    pred_flag: bool
    pred_claim: bool
    pred_type: str | None
    borderline: bool


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def evaluate(gold_path: Path = GOLD) -> tuple[list[Outcome], float]:
    from medreview.checks.base import Context
    from medreview.checks.claims import find_claims
    from medreview.clean import clean_article
    from medreview.config import Config
    from medreview.ingest import Reader
    from medreview.nlp import build_nlp

    items = yaml.safe_load(gold_path.read_text(encoding="utf-8"))["items"]
    ctx = Context(config=Config(), nlp=build_nlp())
    reader = Reader(8_000_000)
    outcomes = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "item.txt"
        for item in items:
            path.write_text(item["text"] + "\n", encoding="utf-8")
            (article,) = reader.read(path, "text")
            clean_article(article)
            claims = find_claims(article, ctx.doc(article), ctx.nlp, ctx.config)
            flagged = [c for c in claims if not c.supported_by]
            outcomes.append(Outcome(
                text=item["text"],
                gold_flag=bool(item["needs_support"]) and not item.get("supported", False),
                gold_claim=bool(item["needs_support"]),
                gold_type=item.get("type", "none"),
                pred_flag=bool(flagged),
                pred_claim=bool(claims),
                pred_type=(flagged or claims)[0].cls if (flagged or claims) else None,
                borderline=bool(item.get("borderline", False)),
            ))
    return outcomes, time.perf_counter() - started


def report(outcomes: list[Outcome], seconds: float, show_errors: bool) -> float:
    def counts(rows: list[Outcome], gold, pred) -> tuple[int, int, int]:
        tp = sum(1 for o in rows if gold(o) and pred(o))
        fp = sum(1 for o in rows if not gold(o) and pred(o))
        fn = sum(1 for o in rows if gold(o) and not pred(o))
        return tp, fp, fn

    print(f"gold items: {len(outcomes)} ({sum(o.gold_flag for o in outcomes)} need support and have none); "
          f"{len(outcomes) / seconds:.0f} sentences/s including reading and cleaning")
    print(f"{'task':38} {'tp':>4} {'fp':>4} {'fn':>4} {'precision':>9} {'recall':>7} {'f1':>6}")
    headline = counts(outcomes, lambda o: o.gold_flag, lambda o: o.pred_flag)
    p, r, f1 = _prf(*headline)
    print(f"{'needs support and has none':38} {headline[0]:4} {headline[1]:4} {headline[2]:4} {p:9.3f} {r:7.3f} {f1:6.3f}")
    clear = [o for o in outcomes if not o.borderline]
    c = counts(clear, lambda o: o.gold_flag, lambda o: o.pred_flag)
    cp, cr, cf = _prf(*c)
    print(f"{'  same, borderline items left out':38} {c[0]:4} {c[1]:4} {c[2]:4} {cp:9.3f} {cr:7.3f} {cf:6.3f}")
    k = counts(outcomes, lambda o: o.gold_claim, lambda o: o.pred_claim)
    kp, kr, kf = _prf(*k)
    print(f"{'is a claim (supported or not)':38} {k[0]:4} {k[1]:4} {k[2]:4} {kp:9.3f} {kr:7.3f} {kf:6.3f}")
    for t in TYPES:
        tp = sum(1 for o in outcomes if o.gold_flag and o.gold_type == t and o.pred_flag and o.pred_type == t)
        fn = sum(1 for o in outcomes if o.gold_flag and o.gold_type == t and not (o.pred_flag and o.pred_type == t))
        fp = sum(1 for o in outcomes if o.pred_flag and o.pred_type == t and not (o.gold_flag and o.gold_type == t))
        tp_, fp_, fn_ = tp, fp, fn
        pt, rt, ft = _prf(tp_, fp_, fn_)
        print(f"{'  type ' + t:38} {tp_:4} {fp_:4} {fn_:4} {pt:9.3f} {rt:7.3f} {ft:6.3f}")
    typed = [o for o in outcomes if o.gold_flag and o.pred_flag]
    right = sum(1 for o in typed if o.pred_type == o.gold_type)
    print(f"type right on flagged true positives: {right}/{len(typed)}")
    if show_errors:
        print("\nmissed (needs support, not flagged):")
        for o in outcomes:
            if o.gold_flag and not o.pred_flag:
                print(f"  [{o.gold_type}{', borderline' if o.borderline else ''}] {o.text}")
        print("\nfalse alarms (flagged, but no claim or supported):")
        for o in outcomes:
            if o.pred_flag and not o.gold_flag:
                print(f"  [{o.pred_type}; gold {o.gold_type}{', borderline' if o.borderline else ''}] {o.text}")
    return f1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="list every miss and false alarm")
    parser.add_argument("--min-f1", type=float, default=None, help="exit 1 when the headline F1 is below this")
    parser.add_argument("--gold", type=Path, default=GOLD,
                        help="the gold set (default tests/gold/claims.yml; tests/gold/claims_holdout.yml is held out)")
    args = parser.parse_args()
    outcomes, seconds = evaluate(args.gold)
    f1 = report(outcomes, seconds, args.errors)
    return 1 if args.min_f1 is not None and f1 < args.min_f1 else 0


if __name__ == "__main__":
    sys.exit(main())

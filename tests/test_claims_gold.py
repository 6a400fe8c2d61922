"""The claim detector against its gold sets (benchmarks/eval_claims.py prints the full table)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("eval_claims", ROOT / "benchmarks" / "eval_claims.py")
eval_claims = importlib.util.module_from_spec(spec)
sys.modules["eval_claims"] = eval_claims  # dataclasses look their module up there
spec.loader.exec_module(eval_claims)


def headline(outcomes):
    tp = sum(o.gold_flag and o.pred_flag for o in outcomes)
    fp = sum(o.pred_flag and not o.gold_flag for o in outcomes)
    fn = sum(o.gold_flag and not o.pred_flag for o in outcomes)
    return tp / (tp + fp), tp / (tp + fn)


def test_gold_set_precision_and_recall():
    # The rule pack was refined against this set (first blind run: P 0.80, R 0.58),
    # so these floors guard against regressions; the held-out set measures generalisation.
    outcomes, _ = eval_claims.evaluate(ROOT / "tests" / "gold" / "claims.yml")
    assert len(outcomes) >= 300
    precision, recall = headline(outcomes)
    assert precision >= 0.92 and recall >= 0.95, (precision, recall)


def test_every_seed_claim_is_flagged():
    outcomes, _ = eval_claims.evaluate(ROOT / "tests" / "gold" / "claims.yml")
    import yaml

    items = yaml.safe_load((ROOT / "tests" / "gold" / "claims.yml").read_text(encoding="utf-8"))["items"]
    missed = [o.text for o, item in zip(outcomes, items)
              if item.get("source") == "seed" and o.gold_flag and not o.pred_flag and not o.borderline]
    assert missed == []


@pytest.mark.parametrize("name,floor", [("claims_holdout.yml", 0.93), ("claims_holdout2.yml", 0.88)])
def test_held_out_sets(name, floor):
    # Both were written blind to the detector. Measured blind, before their errors were
    # looked at: holdout P 0.853 R 0.667; holdout2 P 0.750 R 0.750. These floors now only
    # guard against regressions; a fresh blind set is the way to measure generalisation again.
    outcomes, _ = eval_claims.evaluate(ROOT / "tests" / "gold" / name)
    precision, recall = headline(outcomes)
    assert precision >= floor and recall >= floor, (precision, recall)

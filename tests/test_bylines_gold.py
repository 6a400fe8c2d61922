"""Byline extraction against the gold set (tests/gold/bylines.yml).

The evaluation is benchmarks/eval_bylines.py (run it for the full report
and the list of every error). These tests pin what it measured when the gold
set was written, rounded down a little, so a regression fails here while an
improvement passes; raise the floors when the extractor gets better.

Measured (102 items: 86 bylines, 16 hard negatives), first with the extractor
as it was when the set was written, then after its errors were fixed:
  exact-date accuracy  370/408 = 0.907  ->  405/408 = 0.993
  name accuracy        175/204 = 0.858  ->  202/204 = 0.990
  hard negatives       3 of 16 false    ->  0 of 16
The fixes were written against this set; a separate 31-item check set written
before them measured 0.968 dates / 0.968 names, the more honest estimate.

Then a review found sentences taken for bylines ("By Christmas Day most of
the swelling has gone." -> author "Christmas Day"; "Reviewed 3 trials, 2021"
-> an unreadable review date). 12 items went in for them (114: 89 bylines,
25 hard negatives), measured before and after the fix:
  exact-date accuracy  450/456 = 0.987  ->  453/456 = 0.993
  name accuracy        218/228 = 0.956  ->  226/228 = 0.991
  hard negatives       9 of 25 false    ->  0 of 25

Hard negatives must give no byline at all. The ones the extractor gets wrong
today are listed below as strict xfails: when a fix makes one pass the test
says so, and its entry must go (and a new false byline cannot hide).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("eval_bylines", ROOT / "benchmarks" / "eval_bylines.py")
eval_bylines = importlib.util.module_from_spec(_spec)
sys.modules["eval_bylines"] = eval_bylines  # dataclasses look the module up while the classes are built
_spec.loader.exec_module(eval_bylines)

DATE_ACCURACY_FLOOR = 0.98  # measured 0.993 (453/456)
NAME_ACCURACY_FLOOR = 0.98  # measured 0.991 (226/228)

# Hard negatives the extractor turns into bylines today: id -> why. None at present.
KNOWN_FALSE_BYLINE_DATES: dict[str, str] = {}
KNOWN_FALSE_BYLINE_PEOPLE: dict[str, str] = {}

GOLD_ITEMS = eval_bylines.load_gold()
NEGATIVES = [i for i in GOLD_ITEMS if i["negative"]]


@pytest.fixture(scope="module")
def evaluation():
    return eval_bylines.evaluate()


def _by_id(evaluation, ident):
    return next(r for r in evaluation.items if r.id == ident)


def test_gold_set_is_large_and_varied():
    assert len(GOLD_ITEMS) >= 60
    assert len(NEGATIVES) >= 25
    assert sum(bool(i["ambiguous"]) for i in GOLD_ITEMS) >= 3
    assert sum(i["unreadable"] for i in GOLD_ITEMS) >= 3
    assert sum(i["date_order"] is not None for i in GOLD_ITEMS) >= 3
    for item in GOLD_ITEMS:  # every item lists every field, so null is scored too
        assert set(item["dates"]) == set(eval_bylines.DATE_FIELDS), item["id"]
        assert set(item["names"]) == set(eval_bylines.NAME_FIELDS), item["id"]


def test_exact_date_accuracy(evaluation):
    assert evaluation.date_accuracy >= DATE_ACCURACY_FLOOR, (
        f"exact-date accuracy {evaluation.date_overall} fell below {DATE_ACCURACY_FLOOR}; "
        "run benchmarks/eval_bylines.py for the errors")


def test_name_accuracy(evaluation):
    assert evaluation.name_accuracy >= NAME_ACCURACY_FLOOR, (
        f"name accuracy {evaluation.name_overall} fell below {NAME_ACCURACY_FLOOR}; "
        "run benchmarks/eval_bylines.py for the errors")


def test_ambiguous_and_unreadable_dates_are_detected(evaluation):
    assert evaluation.ambiguous.precision == 1.0 and evaluation.ambiguous.recall == 1.0, str(evaluation.ambiguous)
    assert evaluation.unreadable.precision == 1.0 and evaluation.unreadable.recall == 1.0, str(evaluation.unreadable)


def _marked(ident: str, known: dict[str, str]):
    if ident in known:
        return pytest.param(ident, id=ident, marks=pytest.mark.xfail(strict=True, reason=known[ident]))
    return pytest.param(ident, id=ident)


@pytest.mark.parametrize("ident", [_marked(i["id"], KNOWN_FALSE_BYLINE_DATES) for i in NEGATIVES])
def test_hard_negatives_give_no_byline_dates(evaluation, ident):
    assert _by_id(evaluation, ident).negative_dates == []


@pytest.mark.parametrize("ident", [_marked(i["id"], KNOWN_FALSE_BYLINE_PEOPLE) for i in NEGATIVES])
def test_hard_negatives_name_nobody(evaluation, ident):
    assert _by_id(evaluation, ident).negative_people == []


def test_min_accuracy_sets_the_exit_status(capsys):
    assert eval_bylines.main(["--min-accuracy", "0"]) == 0
    assert eval_bylines.main(["--min-accuracy", "1.01"]) == 1
    out = capsys.readouterr()
    assert "exact-date accuracy" in out.out and "below" not in out.out
    assert "exact-date accuracy" in out.err


def test_sentences_are_no_bylines_end_to_end(tmp_path):
    """What the review check sees: no author from "By Christmas Day …", and a prose "Reviewed 3 trials, 2021"
    is no (unreadable) review date, so the missing date is reported."""
    from medreview.config import Config
    from medreview.runner import _init, audit_file

    path = tmp_path / "a.txt"
    path.write_text("Back spasms\n\nBy Christmas Day most of the swelling has gone.\n\n"
                    "Reviewed 3 trials, 2021 to 2023, with 1,200 patients in all.\n", encoding="utf-8")
    _init(Config())
    (result,) = audit_file((path, "text"))
    rules = {f.rule for f in result.findings if f.category == "review"}
    assert "REVIEW003" in rules and "REVIEW009" not in rules
    assert not result.meta.get("authors")

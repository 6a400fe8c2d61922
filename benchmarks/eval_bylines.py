"""Byline extraction accuracy on the gold set (tests/gold/bylines.yml).

Every gold item goes through medreview.bylines.extract_bylines(text,
date_order), with the item's date_order when it sets one. For each date
field (last_reviewed, updated, published, next_review) the extractor's
answer is the first date it found for that field, as enrich_meta uses it.

- exact-date accuracy: per field and overall, over every field an item
  lists. A field is correct when what was extracted equals the gold:
  the same ISO date; or nothing found where the gold is null; or, where the
  gold marks the date `ambiguous: [a, b]` or `unreadable: true`, a date found
  for that field with no value and exactly those readings (or none). So null
  only equals null when the extractor found no date at all: an unreadable or
  ambiguous date where the gold has none is an error, and so is finding
  nothing where the gold has an ambiguous or unreadable one.
  Also shown: the same over the fields whose gold is not null (how many of
  the dates that are there it gets right), and the looser value-only figure
  (extracted value == gold value, any null equal to any null).
- name accuracy: per item and field (reviewed_by, authors), the extracted
  names (duplicates dropped, in order) equal the gold list exactly after
  whitespace normalisation, credentials included; an empty list equals an
  empty list. Name-level precision and recall are shown beside it.
- ambiguous-date detection: precision and recall of (field, readings) pairs
  against the gold `ambiguous` marks; the same for `unreadable` marks.
- false bylines on hard negatives: `negative` items from which any date or
  any person was extracted.
- every error, with the text, what was expected and what was got.

It is a measurement: the exit status is 0 unless --min-accuracy is given and
the overall exact-date accuracy is below it.

    .venv/bin/python benchmarks/eval_bylines.py [--gold FILE] [--bylines FILE]
        [--min-accuracy X] [--json]

`--bylines FILE` measures another version of pipeline/bylines.py (loaded
inside the medreview package, so its relative imports work), so a proposed
change can be measured before it is made.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import sys
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

import yaml

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "gold" / "bylines.yml"
DATE_FIELDS = ("last_reviewed", "updated", "published", "next_review")
NAME_FIELDS = ("reviewed_by", "authors")
DATE_ORDERS = ("MDY", "DMY")


# --------------------------------------------------------------------- gold

def _iso(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            pass
    raise ValueError(f"{where}: {value!r} is not an ISO date or null")


def _norm(name: str) -> str:
    return " ".join(str(name).split())


def load_gold(path: Path = GOLD) -> list[dict[str, Any]]:
    """The gold items, checked and normalised (dates as ISO strings, names whitespace-normalised)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw_items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(raw_items, list) or not raw_items:
        raise ValueError(f"{path}: no `items` list")
    items, seen = [], set()
    for n, raw in enumerate(raw_items, start=1):
        where = f"{path}: item {n}"
        if not isinstance(raw, dict) or not isinstance(raw.get("text"), str) or not raw["text"].strip():
            raise ValueError(f"{where} has no text")
        ident = str(raw.get("id") or f"item-{n}")
        if ident in seen:
            raise ValueError(f"{where}: duplicate id {ident!r}")
        seen.add(ident)
        where = f"{path}: item {ident}"
        order = raw.get("date_order")
        if order is not None and order not in DATE_ORDERS:
            raise ValueError(f"{where}: date_order must be MDY or DMY, not {order!r}")
        item: dict[str, Any] = {"id": ident, "text": raw["text"], "date_order": order,
                                "negative": bool(raw.get("negative")), "note": raw.get("note")}
        item["dates"] = {f: _iso(raw[f], f"{where} {f}") for f in DATE_FIELDS if f in raw}
        item["names"] = {}
        for f in NAME_FIELDS:
            if f in raw:
                names = raw[f] or []
                if not isinstance(names, list) or not all(isinstance(x, str) for x in names):
                    raise ValueError(f"{where}: {f} must be a list of names")
                item["names"][f] = [_norm(x) for x in names]
        flag_field = raw.get("flag_field", "last_reviewed")
        if flag_field not in DATE_FIELDS:
            raise ValueError(f"{where}: flag_field {flag_field!r} is not a date field")
        item["flag_field"] = flag_field
        amb = raw.get("ambiguous")
        item["ambiguous"] = None
        if amb is not None:
            if not isinstance(amb, list) or len(amb) != 2:
                raise ValueError(f"{where}: ambiguous must be [iso, iso]")
            item["ambiguous"] = tuple(sorted(_iso(a, f"{where} ambiguous") for a in amb))
        item["unreadable"] = bool(raw.get("unreadable"))
        if item["ambiguous"] or item["unreadable"]:
            if item["ambiguous"] and item["unreadable"]:
                raise ValueError(f"{where}: a date cannot be both ambiguous and unreadable")
            if item["dates"].get(flag_field) is not None:
                raise ValueError(f"{where}: {flag_field} must be null when it is ambiguous or unreadable")
            item["dates"].setdefault(flag_field, None)
        items.append(item)
    return items


# ----------------------------------------------------------------- scoring

def expected_token(item: dict[str, Any], name: str) -> str | None:
    """What the gold says a field holds: an ISO date, 'ambiguous a|b', 'unreadable', or None (no date)."""
    if name == item["flag_field"]:
        if item["ambiguous"]:
            return "ambiguous " + "|".join(item["ambiguous"])
        if item["unreadable"]:
            return "unreadable"
    return item["dates"].get(name)


def got_token(found: Any) -> str | None:
    """The same for what the extractor found (a BylineDate or None)."""
    if found is None:
        return None
    if found.value is not None:
        return found.value.isoformat()
    if found.readings:
        return "ambiguous " + "|".join(sorted(d.isoformat() for d in found.readings))
    return "unreadable"


def _show(token: str | None, text: str | None = None) -> str:
    if token is None:
        return "none"
    return f"{token} from {text!r}" if text is not None else token


@dataclass(slots=True)
class FieldError:
    field: str
    expected: str
    got: str


@dataclass(slots=True)
class ItemResult:
    id: str
    text: str
    date_order: str | None
    negative: bool
    dates_correct: dict[str, bool]
    dates_value_only: dict[str, bool]  # looser: extracted value == gold value
    names_correct: dict[str, bool]
    got_names: dict[str, list[str]]
    expected_names: dict[str, list[str]]
    got_ambiguous: list[tuple[str, tuple[str, ...]]]
    got_unreadable: list[str]
    negative_dates: list[str]  # on a negative item: every date extracted, as field: text
    negative_people: list[str]
    errors: list[FieldError] = field(default_factory=list)


def run_item(item: dict[str, Any], extract: Callable[..., Any]) -> ItemResult:
    b = extract(item["text"], item["date_order"])
    dates_correct, value_only, errors = {}, {}, []
    for name, gold_value in item["dates"].items():
        found = b.first(name)
        exp, got = expected_token(item, name), got_token(found)
        dates_correct[name] = exp == got
        value_only[name] = (found.value.isoformat() if found is not None and found.value is not None
                            else None) == gold_value
        if exp != got:
            errors.append(FieldError(name, _show(exp), _show(got, found.text if found is not None else None)))
    names_correct, got_names = {}, {}
    for name, gold_names in item["names"].items():
        names: list[str] = []
        for p in b.people:
            if p.field == name and _norm(p.name) not in names:
                names.append(_norm(p.name))
        got_names[name] = names
        names_correct[name] = names == gold_names
        if names != gold_names:
            errors.append(FieldError(name, repr(gold_names), repr(names)))
    got_amb = [(d.field, tuple(sorted(r.isoformat() for r in d.readings)))
               for d in b.dates if d.value is None and d.readings]
    got_unr = [d.field for d in b.dates if d.value is None and not d.readings]
    return ItemResult(
        id=item["id"], text=item["text"], date_order=item["date_order"], negative=item["negative"],
        dates_correct=dates_correct, dates_value_only=value_only, names_correct=names_correct,
        got_names=got_names, expected_names=dict(item["names"]), got_ambiguous=got_amb, got_unreadable=got_unr,
        negative_dates=[f"{d.field}: {d.text}" for d in b.dates] if item["negative"] else [],
        negative_people=[f"{p.field}: {p.name}" for p in b.people] if item["negative"] else [],
        errors=errors,
    )


@dataclass(slots=True)
class Ratio:
    hit: int = 0
    total: int = 0

    @property
    def value(self) -> float:
        return self.hit / self.total if self.total else 1.0

    def add(self, ok: bool) -> None:
        self.hit += bool(ok)
        self.total += 1

    def __str__(self) -> str:
        return f"{self.hit}/{self.total} = {self.value:.3f}"


@dataclass(slots=True)
class Detection:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def __str__(self) -> str:
        return (f"precision {self.precision:.3f} ({self.tp}/{self.tp + self.fp}), "
                f"recall {self.recall:.3f} ({self.tp}/{self.tp + self.fn})")


@dataclass(slots=True)
class Evaluation:
    items: list[ItemResult]
    date_fields: dict[str, Ratio]
    date_overall: Ratio
    date_present: Ratio  # fields whose gold is not null (a date, ambiguous or unreadable)
    date_value_only: Ratio
    name_fields: dict[str, Ratio]
    name_overall: Ratio
    name_level: dict[str, Detection]
    ambiguous: Detection
    unreadable: Detection
    negatives: int
    false_bylines: list[ItemResult]

    @property
    def date_accuracy(self) -> float:
        return self.date_overall.value

    @property
    def name_accuracy(self) -> float:
        return self.name_overall.value

    @property
    def negative_byline_dates(self) -> list[ItemResult]:
        return [r for r in self.items if r.negative and r.negative_dates]

    @property
    def errors(self) -> list[ItemResult]:
        return [r for r in self.items if r.errors]


def load_extractor(path: Path | None = None) -> Callable[..., Any]:
    """extract_bylines from the installed package, or from another bylines.py loaded inside it."""
    if path is None:
        from medreview.bylines import extract_bylines
        return extract_bylines
    import medreview

    name = "medreview._bylines_under_test"
    spec = importlib.util.spec_from_file_location(name, Path(path).resolve())
    if spec is None or spec.loader is None:
        raise SystemExit(f"eval_bylines: cannot load {path}")
    module: ModuleType = importlib.util.module_from_spec(spec)
    module.__package__ = medreview.__name__
    sys.modules[name] = module  # dataclasses look the module up while the class is built
    spec.loader.exec_module(module)
    return module.extract_bylines


def evaluate(gold: Path = GOLD, bylines: Path | None = None) -> Evaluation:
    extract = load_extractor(bylines)
    items = load_gold(gold)
    results = [run_item(item, extract) for item in items]
    date_fields = {f: Ratio() for f in DATE_FIELDS}
    date_overall, present, value_only = Ratio(), Ratio(), Ratio()
    name_fields = {f: Ratio() for f in NAME_FIELDS}
    name_overall = Ratio()
    name_level = {f: Detection() for f in NAME_FIELDS}
    amb, unr = Detection(), Detection()
    for item, r in zip(items, results):
        for f, ok in r.dates_correct.items():
            date_fields[f].add(ok)
            date_overall.add(ok)
            value_only.add(r.dates_value_only[f])
            if expected_token(item, f) is not None:
                present.add(ok)
        for f, ok in r.names_correct.items():
            name_fields[f].add(ok)
            name_overall.add(ok)
            gold_c, got_c = Counter(r.expected_names[f]), Counter(r.got_names[f])
            common = sum((gold_c & got_c).values())
            name_level[f].tp += common
            name_level[f].fp += sum(got_c.values()) - common
            name_level[f].fn += sum(gold_c.values()) - common
        gold_amb = {(item["flag_field"], item["ambiguous"])} if item["ambiguous"] else set()
        got_amb = set(r.got_ambiguous)
        amb.tp += len(gold_amb & got_amb)
        amb.fp += len(got_amb - gold_amb)
        amb.fn += len(gold_amb - got_amb)
        gold_unr = {item["flag_field"]} if item["unreadable"] else set()
        got_unr = set(r.got_unreadable)
        unr.tp += len(gold_unr & got_unr)
        unr.fp += len(got_unr - gold_unr)
        unr.fn += len(gold_unr - got_unr)
    negatives = [r for r in results if r.negative]
    false_bylines = [r for r in negatives if r.negative_dates or r.negative_people]
    return Evaluation(results, date_fields, date_overall, present, value_only, name_fields, name_overall,
                      name_level, amb, unr, len(negatives), false_bylines)


# ------------------------------------------------------------------ report

def _one_line(text: str) -> str:
    return text.replace("\n", " ⏎ ")


def report(ev: Evaluation, out=None) -> None:
    out = out if out is not None else sys.stdout
    p = lambda *a: print(*a, file=out)  # noqa: E731
    n_neg = ev.negatives
    p(f"gold items: {len(ev.items)} ({len(ev.items) - n_neg} bylines, {n_neg} hard negatives)")
    p("")
    p("exact-date accuracy (null == null only when nothing was extracted)")
    for f, r in ev.date_fields.items():
        p(f"  {f:<14} {r}")
    p(f"  {'overall':<14} {ev.date_overall}")
    p(f"  on fields whose gold is not null: {ev.date_present}")
    p(f"  value-only (any null == any null): {ev.date_value_only}")
    p("")
    p("name accuracy (exact list per item and field, credentials included)")
    for f, r in ev.name_fields.items():
        p(f"  {f:<14} {r}   names: {ev.name_level[f]}")
    p(f"  {'overall':<14} {ev.name_overall}")
    p("")
    p(f"ambiguous-date detection:  {ev.ambiguous}")
    p(f"unreadable-date detection: {ev.unreadable}")
    p(f"false bylines on hard negatives: {len(ev.false_bylines)} of {n_neg}"
      f" ({len(ev.negative_byline_dates)} with a byline date)")
    for r in ev.false_bylines:
        p(f"  - [{r.id}] {_one_line(r.text)}")
        p(f"      got: {'; '.join(r.negative_dates + r.negative_people)}")
    errors = ev.errors
    p("")
    p(f"errors: {sum(len(r.errors) for r in errors)} in {len(errors)} items")
    for r in errors:
        order = f" (date_order {r.date_order})" if r.date_order else ""
        p(f"  - [{r.id}]{order} {_one_line(r.text)}")
        for e in r.errors:
            p(f"      {e.field}: expected {e.expected}; got {e.got}")


def as_json(ev: Evaluation) -> dict[str, Any]:
    return {
        "date_accuracy": {f: r.value for f, r in ev.date_fields.items()} | {"overall": ev.date_accuracy},
        "date_accuracy_present": ev.date_present.value,
        "date_accuracy_value_only": ev.date_value_only.value,
        "name_accuracy": {f: r.value for f, r in ev.name_fields.items()} | {"overall": ev.name_accuracy},
        "name_level": {f: {"precision": d.precision, "recall": d.recall} for f, d in ev.name_level.items()},
        "ambiguous": {"precision": ev.ambiguous.precision, "recall": ev.ambiguous.recall},
        "unreadable": {"precision": ev.unreadable.precision, "recall": ev.unreadable.recall},
        "negatives": ev.negatives,
        "false_bylines": [r.id for r in ev.false_bylines],
        "errors": [{"id": r.id, "text": r.text, "date_order": r.date_order,
                    "errors": [asdict(e) for e in r.errors]} for r in ev.errors],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gold", type=Path, default=GOLD, help="gold set YAML (default: tests/gold/bylines.yml)")
    ap.add_argument("--bylines", type=Path, metavar="FILE",
                    help="measure this version of bylines.py instead of the installed medreview.bylines")
    ap.add_argument("--min-accuracy", type=float, metavar="X",
                    help="exit 1 when the overall exact-date accuracy is below X (0..1)")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    args = ap.parse_args(argv)
    ev = evaluate(args.gold, args.bylines)
    if args.json:
        print(json.dumps(as_json(ev), indent=2, ensure_ascii=False))
    else:
        report(ev)
    if args.min_accuracy is not None and ev.date_accuracy < args.min_accuracy:
        print(f"eval_bylines: exact-date accuracy {ev.date_accuracy:.3f} < {args.min_accuracy}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Every bundled rule's own examples: what it must flag, and what it must leave alone.

Rule packs are data (rules/*.yml); each rule carries `flag` and `keep`
examples. This file turns each example into one test case, so a widened
pattern that starts eating real sentences fails with the rule's id in its name
(e.g. `ART004-keep-1`).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from medreview.clean import artifact_rules, clean_article, find_artifacts
from medreview.model import Article
from medreview.textmap import TextMap

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"
SEVERITIES = ("error", "warning", "info")
# How much of a flag example (non-space characters) its rule must take out.
MOSTLY = 0.8


def _packs() -> dict[str, dict]:
    packs = {}
    for path in sorted(RULES_DIR.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if isinstance(data, dict) and isinstance(data.get("rules"), list):
            packs[path.stem] = data
    return packs


PACKS = _packs()
ALL_RULES = [(pack, rule) for pack, data in PACKS.items() for rule in data["rules"]]


def _rule_id(pack: str, rule: dict) -> str:
    rid = str(rule.get("id", "?"))
    return rid if pack == "artifacts" else f"{pack}:{rid}"


def _examples(kind: str) -> list:
    cases = []
    for pack, rule in ALL_RULES:
        if pack != "artifacts":
            continue  # only the artifact pack's rule kind is run here
        for i, text in enumerate(rule.get(kind) or []):
            cases.append(pytest.param(rule["id"], text, id=f"{_rule_id(pack, rule)}-{kind}-{i}"))
    return cases


def _article(text: str) -> Article:
    return Article(id="example", path="example", format="text", raw=text, body=text,
                   body_map=TextMap.identity(len(text)))


def _removed_share(text: str, spans) -> float:
    removed = set()
    for s, e, *_ in spans:
        removed.update(range(s, e))
    solid = [i for i, ch in enumerate(text) if not ch.isspace()]
    return sum(1 for i in solid if i in removed) / max(len(solid), 1)


def test_there_are_bundled_packs_with_rules():
    assert "artifacts" in PACKS
    assert len(PACKS["artifacts"]["rules"]) >= 10


@pytest.mark.parametrize("pack, rule", [pytest.param(p, r, id=_rule_id(p, r)) for p, r in ALL_RULES])
def test_rule_is_well_formed(pack, rule):
    for key in ("id", "name", "message"):
        assert isinstance(rule.get(key), str) and rule[key].strip(), f"{key} missing"
    assert rule.get("severity") in SEVERITIES
    assert isinstance(rule.get("flag"), list) and len(rule["flag"]) >= 1, "needs a flag example"
    assert isinstance(rule.get("keep"), list) and len(rule["keep"]) >= 1, "needs a keep example"
    assert all(isinstance(x, str) and x.strip() for x in rule["flag"] + rule["keep"])


@pytest.mark.parametrize("pack", sorted(PACKS))
def test_rule_ids_and_names_are_unique_in_a_pack(pack):
    ids = [r.get("id") for r in PACKS[pack]["rules"]]
    names = [r.get("name") for r in PACKS[pack]["rules"]]
    assert len(ids) == len(set(ids))
    assert len(names) == len(set(names))


def test_artifact_rules_load_with_the_same_ids_as_the_yaml():
    assert [r.id for r in artifact_rules()] == [r["id"] for r in PACKS["artifacts"]["rules"]]


@pytest.mark.parametrize("rule_id, text", _examples("flag"))
def test_flag_example_is_removed_by_its_rule(rule_id, text):
    rules = artifact_rules()
    (rule,) = [r for r in rules if r.id == rule_id]
    # The rule on its own takes the example out...
    alone = find_artifacts(text, (rule,))
    assert alone, f"{rule_id} does not match its own example"
    assert _removed_share(text, alone) >= MOSTLY
    # ...and with the other rules of its scope the example still goes.
    scope = tuple(r for r in rules if r.scope == rule.scope)
    together = find_artifacts(text, scope)
    assert _removed_share(text, together) >= MOSTLY
    assert rule_id in {r.id for _, _, r in together}
    # Through the whole cleaner, the removal is credited to this rule.
    art = clean_article(_article(text))
    assert rule_id in {r.rule for r in art.removed}
    assert len("".join(art.text.split())) <= (1 - MOSTLY) * len("".join(text.split()))


@pytest.mark.parametrize("rule_id, text", _examples("keep"))
def test_keep_example_is_left_alone_by_every_rule(rule_id, text):
    rules = artifact_rules()
    for scope in ("match", "sentence"):
        hits = find_artifacts(text, tuple(r for r in rules if r.scope == scope))
        assert hits == [], [(text[s:e], r.id) for s, e, r in hits]
    art = clean_article(_article(text))
    assert art.removed == []
    assert art.text == text

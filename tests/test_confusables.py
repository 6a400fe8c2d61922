"""Real-word errors: every flag/keep example of rules/confusables.yml, and findings in place."""

from __future__ import annotations

import pytest

from medreview.checks.confusables import confusion_rules, find_confusions
from medreview.config import Config
from medreview.rulepacks import RulePackError

RULES = confusion_rules()
FLAGS = [(r, i, ex) for r in RULES for i, ex in enumerate(r.flag, 1)]
KEEPS = [(r, i, ex) for r in RULES for i, ex in enumerate(r.keep, 1)]


def test_every_rule_has_examples_both_ways():
    assert len(RULES) >= 10
    for r in RULES:
        assert r.flag and r.keep, r.info.id
        assert r.info.category == "spelling" and r.info.id.startswith("SPELL1")


@pytest.mark.parametrize("rule,n,example", FLAGS, ids=[f"{r.info.id}-flag-{i}" for r, i, _ in FLAGS])
def test_flag_example_is_reported_by_its_rule(rule, n, example):
    hits = [(r.info.id, example[s:e], sug) for r, s, e, sug in find_confusions(example, RULES)]
    assert any(rid == rule.info.id for rid, _, _ in hits), hits


@pytest.mark.parametrize("rule,n,example", KEEPS, ids=[f"{r.info.id}-keep-{i}" for r, i, _ in KEEPS])
def test_keep_example_is_left_alone_by_every_rule(rule, n, example):
    assert list(find_confusions(example, RULES)) == []


def test_suggestion_keeps_the_case_of_the_word():
    hits = list(find_confusions("Their are many causes. The side affects are mild.", RULES))
    assert [(s) for *_, s in hits] == ["There", "effects"]


def test_seed_fist_place_is_reported_in_the_source(tmp_path):
    from medreview.runner import _init, audit_file

    path = tmp_path / "a.txt"
    path.write_text("Title\n\nIt is good.\nWe need to know how it broke in the fist place.\n", encoding="utf-8")
    _init(Config())
    (result,) = audit_file((path, "text"))
    (f,) = [f for f in result.findings if f.rule == "SPELL101"]
    assert (f.line, f.column) == (4, 37) and f.excerpt == "fist" and f.suggestions == ["first"]
    assert f.evidence["context"].endswith("in the fist place.")


def test_a_team_pack_can_add_a_confusion_set(tmp_path):
    (tmp_path / "confusables.yml").write_text(
        "rules:\n"
        "  - id: SPELL190\n    name: spelling.confusion.house\n    summary: house\n    message: 'use {suggest}'\n"
        "    patterns:\n      - pattern: '\\b(ulcer)(?= cream)'\n        suggest: barrier\n"
        "    flag: ['ulcer cream']\n    keep: ['ulcer']\n", encoding="utf-8")
    rules = confusion_rules((str(tmp_path),))
    assert [r.info.id for r, *_ in find_confusions("Apply ulcer cream.", rules)] == ["SPELL190"]


def test_a_pattern_without_a_group_is_a_rule_pack_error(tmp_path):
    (tmp_path / "confusables.yml").write_text(
        "rules:\n  - id: SPELL191\n    name: x\n    summary: x\n    message: x\n"
        "    patterns:\n      - pattern: 'fist'\n        suggest: first\n", encoding="utf-8")
    with pytest.raises(RulePackError, match="group"):
        confusion_rules((str(tmp_path),))


def _scan_whole(text, rules):
    """The plain finditer scan find_confusions' anchored search must equal."""
    from medreview.checks.confusables import _same_case

    hits = {}
    for rule in rules:
        for pattern, suggest in rule.patterns:
            for m in pattern.finditer(text):
                if m.span(1) not in hits:
                    hits[m.span(1)] = (rule, *m.span(1), _same_case(suggest, m.group(1)))
    return sorted(hits.values(), key=lambda h: h[1])


def test_anchored_search_finds_what_a_whole_scan_finds():
    import random

    rng = random.Random(3)
    examples = [e for r in RULES for e in (*r.flag, *r.keep)]
    texts = [" ".join(rng.sample(examples, 10)) for _ in range(60)]
    texts += [t.upper() for t in texts[:10]] + [t.replace(" ", "\n") for t in texts[:10]]
    texts += ["Side affects. \u017fide affects, then \u0130ts a fi\u017ft place.", "their are\n\ntheir are"]
    for text in texts:
        assert list(find_confusions(text, RULES)) == _scan_whole(text, RULES), text


def test_most_patterns_are_anchored_on_their_word():
    from medreview.checks.confusables import _anchor

    anchors = [_anchor(p) for r in RULES for p, _ in r.patterns]
    assert sum(a is not None for a in anchors) >= len(anchors) - 2
    (fist,) = [_anchor(p) for p, _ in RULES[0].patterns[:1]]
    assert fist.words == ("fist",) and fist.before == (3, 9)  # "at " … "the very "

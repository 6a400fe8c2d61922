"""Unsupported claims on the real spaCy pipeline: the rule pack's examples, the seed, support, settings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from medreview.checks.base import Context
from medreview.checks.claims import ClaimCheck, claim_pack, find_claims, inflections
from medreview.clean import clean_article
from medreview.cli import main
from medreview.config import Config, ConfigError, from_dict
from medreview.ingest import Reader
from medreview.nlp import build_nlp

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "corpus" / "muscle-spasms-lower-back.txt"
PACK = claim_pack()


def article_of(tmp_path: Path, text: str, name: str = "a.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    fmt = {"md": "markdown", "html": "html"}.get(name.rsplit(".", 1)[-1], "text")
    (article,) = Reader(8_000_000).read(path, fmt)
    return clean_article(article)


def claims_in(tmp_path, text, config=None, name="a.txt"):
    article = article_of(tmp_path, text, name)
    ctx = Context(config=config or Config(), nlp=build_nlp())
    return find_claims(article, ctx.doc(article), ctx.nlp, ctx.config), article


def findings_in(tmp_path, text, config=None, name="a.txt"):
    article = article_of(tmp_path, text, name)
    ctx = Context(config=config or Config(), nlp=build_nlp())
    return list(ClaimCheck().check(article, ctx)), article


EXAMPLES = [(name, kind, n, text) for name, cls in PACK.classes.items()
            for kind in ("flag", "keep") for n, text in enumerate(getattr(cls, kind), 1)]


@pytest.mark.parametrize("cls,kind,n,text", EXAMPLES, ids=[f"{c}-{k}-{n}" for c, k, n, _ in EXAMPLES])
def test_rule_pack_examples(tmp_path, cls, kind, n, text):
    findings, _ = findings_in(tmp_path, "Title\n\n" + text + "\n")
    rule = PACK.classes[cls].info.id
    if kind == "flag":
        assert [f.rule for f in findings] == [rule], [(f.rule, f.message) for f in findings]
    else:
        assert findings == [], [(f.rule, f.message) for f in findings]


def test_every_class_has_examples_and_a_rule():
    assert set(PACK.classes) == {"statistic", "efficacy", "research", "weasel", "absolute"}
    for cls in PACK.classes.values():
        assert cls.flag and cls.keep and cls.info.id.startswith("CLAIM")


SEED_CLAIMS = {
    "Both heat and ice can relieve the pain of a muscle spasm.": "efficacy",
    "Stress management, including meditation or deep breathing, can prevent unconscious tensing.": "efficacy",
    "Lifestyle changes, such as exercising more and avoiding extended periods spent sitting may increase "
    "the effectiveness of any medication.": "efficacy",
    "Chiropractic care may help, but be sure to see a doctor to have your condition properly diagnosed first.":
        "efficacy",
}


def test_seed_claims_are_found_with_their_type(tmp_path):
    claims, article = claims_in(tmp_path, SEED.read_text(encoding="utf-8"))
    found = {article.text[c.start:c.end].strip(): c.cls for c in claims}
    for sentence, cls in SEED_CLAIMS.items():
        assert found.get(sentence) == cls, sentence
    # The seed's markers "(1, 2, 3)" sit in a sentence about the markers, not in a claim.
    assert all(not c.supported_by for c in claims)
    # Artifacts are gone before claims are looked for: the teaser's "In the first study of its kind…" is not a claim.
    assert not any("first study of its kind" in article.text[c.start:c.end] for c in claims)


def test_finding_names_type_cue_and_what_was_looked_for(tmp_path):
    text = "Title\n\nIntro line here.\nExperts say yoga can reduce back pain.\n"
    (f,), _ = findings_in(tmp_path, text)
    assert f.rule == "CLAIM004" and f.severity.value == "warning"
    assert (f.line, f.column) == (4, 1)
    assert f.evidence["type"] == "weasel"
    assert {"cue": "unnamed-authorities", "text": "Experts say"} in f.evidence["cues"]
    assert f.evidence["looked_for"] == ["a citation marker", "a link", "a named source"]
    assert "Experts say" in f.message


@pytest.mark.parametrize("support", [
    "Walking cuts the risk of heart disease by 30% [2].",
    "Walking cuts the risk of heart disease by 30% (2, 3).",
    "Walking cuts the risk of heart disease by 30% (Smith et al., 2019).",
    "Walking cuts the risk of heart disease by 30%, according to the American Heart Association.",
    "A 2019 study in JAMA found walking cuts the risk of heart disease by 30%.",
    "Walking cuts the risk of heart disease by 30%, the CDC reports.",
    "Walking cuts the risk of heart disease by 30% (https://www.cdc.gov/heart).",
])
def test_support_in_the_sentence(tmp_path, support):
    claims, _ = claims_in(tmp_path, "Title\n\n" + support + "\n")
    (claim,) = claims
    assert claim.cls == "statistic" and claim.supported_by, claim


def test_a_markdown_link_is_support(tmp_path):
    md = "---\ntitle: T\n---\nWalking cuts the risk of heart disease by [30%](https://www.cdc.gov/heart).\n"
    (claim,), _ = claims_in(tmp_path, md, name="a.md")
    assert claim.supported_by == ["link"]


@pytest.mark.parametrize("text", [
    "Apply ice for 20 minutes to relieve the pain.",
    "Gently stretch your hamstrings to reduce tension in the lower back.",
    "Can heat relieve the pain of a muscle spasm?",
    "I found that heat helps to ease my back pain.",
    "The discs sit between the vertebrae of the spine.",
    "Take 2 tablets every 4 hours, no more than 8 in a day.",
])
def test_not_claims(tmp_path, text):
    assert claims_in(tmp_path, "Title\n\n" + text + "\n")[0] == []


def test_support_window_lets_the_next_sentence_carry_the_source(tmp_path):
    text = "Title\n\nHeat can relieve the pain of a muscle spasm. That was the finding of a 2019 study in Spine.\n"
    (claim,), _ = claims_in(tmp_path, text)
    assert claim.supported_by == []
    (claim,), _ = claims_in(tmp_path, text, config=from_dict({"claims": {"support_window": 1}}))
    assert claim.supported_by


def test_support_ratio_goes_into_the_report(tmp_path):
    (tmp_path / "a.txt").write_text(
        "Title\n\nHeat can relieve the pain of a spasm [1].\nExperts say yoga can reduce back pain.\n"
        "Back pain affects 1 in 5 adults.\nRest for a day.\n", encoding="utf-8")
    out = tmp_path / "r"
    result = CliRunner().invoke(main, ["audit", str(tmp_path / "a.txt"), "--offline", "--out", str(out),
                                       "--format", "json"])
    assert result.exit_code == 1, result.output  # the statistic is an error
    (article,) = json.loads((out / "report.json").read_text())["articles"]
    assert article["claims"]["total"] == 3 and article["claims"]["supported"] == 1
    assert article["claims"]["support_ratio"] == pytest.approx(0.333)
    rules = sorted(f["rule"] for f in article["findings"] if f["category"] == "claim")
    assert rules == ["CLAIM001", "CLAIM004"]


def test_bad_claims_settings_and_broken_patterns_are_exit_2(tmp_path):
    (tmp_path / "a.txt").write_text("Text.\n")
    (tmp_path / "medreview.toml").write_text("[claims]\nsupport_window = 9\n")
    result = CliRunner().invoke(main, ["audit", str(tmp_path / "a.txt"), "--offline", "--out", str(tmp_path / "r")])
    assert result.exit_code == 2 and "support_window" in result.output
    pack_dir = tmp_path / "pack"
    pack_dir.mkdir()
    (pack_dir / "claims.yml").write_text("cues:\n  - {class: efficacy, name: bad, patterns: [[{NOPE: 1}]]}\n")
    (tmp_path / "medreview.toml").write_text('[rules]\npacks = ["pack"]\n')
    result = CliRunner().invoke(main, ["audit", str(tmp_path / "a.txt"), "--offline", "--out", str(tmp_path / "r")])
    assert result.exit_code == 2 and "not a valid spaCy Matcher pattern" in result.output


def test_lemma_patterns_match_inflections():
    assert inflections("relieve") == ["relieve", "relieved", "relieves", "relieving"]
    assert inflections("study")[:2] == ["studied", "studies"]
    assert "shown" in inflections("show")


@pytest.mark.parametrize("text,rule", [
    ("For most parents' children, yoga cures back pain in 40% of cases.", "CLAIM005"),  # possessive, not a quote
    ("About 90% of men who take 1 mg of finasteride keep their hair.", "CLAIM001"),  # the dose is not the figure
    ("About 40% of adults in England have a body mass index over 25 kg/m² and need advice.", "CLAIM001"),
])
def test_reviewer_cases_that_once_slipped_through(tmp_path, text, rule):
    findings, _ = findings_in(tmp_path, "Title\n\n" + text + "\n")
    assert [f.rule for f in findings] == [rule]


def test_require_resolved_counts_author_year_and_configured_headings(tmp_path):
    config = from_dict({"claims": {"require_resolved": True},
                        "citations": {"headings": ["Where this comes from"]}})
    author_year = ("---\ntitle: T\n---\nWalking cuts the risk of heart disease by 30% (Smith et al., 2019).\n\n"
                   "## Where this comes from\n\nSmith J, Lee K. Walking and the heart. 2019. https://example.org/b\n")
    (claim,), _ = claims_in(tmp_path, author_year, config=config, name="a.md")
    assert claim.supported_by
    numbered = ("---\ntitle: T\n---\nBack pain affects 1 in 5 adults [1]. Heat can relieve a spasm [2].\n\n"
                "## Where this comes from\n\n1. Jones A. Back pain. 2020. https://example.org/a\n")
    claims, _ = claims_in(tmp_path, numbered, config=config, name="a.md")
    assert [bool(c.supported_by) for c in claims] == [True, False]  # there is no reference 2

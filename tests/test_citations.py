"""Citations: markers, reference lists, source tiers and the CITE rules, on real readers and the gold set."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path

import pytest
import yaml

import medreview.clean
import medreview.ingest
from medreview.checks.base import Context
from medreview.checks.citations import (
    CITE_RULES, CitationCheck, Tier, citation_settings, classify_source, load_tiers,
)
from medreview.citations import extract_citations, find_markers, reference_identifiers
from medreview.config import Config, ConfigError, from_dict
from medreview.nlp import build_nlp
from medreview.rulepacks import RulePackError

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
AS_OF = dt.date(2026, 11, 25)
TIERS = load_tiers()
SOURCES = yaml.safe_load((ROOT / "rules" / "sources.yml").read_text(encoding="utf-8"))


def _eval_module():
    spec = importlib.util.spec_from_file_location("eval_citations", ROOT / "benchmarks" / "eval_citations.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["eval_citations"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


EVAL = _eval_module()


# --------------------------------------------------------------------------- helpers


def read(path: Path, fmt: str):
    reader = medreview.ingest.Reader(8_000_000, *medreview.clean.ad_container_pattern())
    articles = [a for a in reader.read(path, fmt)]
    for a in articles:
        medreview.clean.clean_article(a)
    return articles


def write(tmp_path: Path, text: str, name: str = "a.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def audit(article, config: Config | None = None):
    config = config or Config(as_of=AS_OF)
    return list(CitationCheck().check(article, Context(config=config, nlp=build_nlp())))


def audit_text(tmp_path: Path, text: str, config: Config | None = None, name: str = "a.txt"):
    fmt = {"txt": "text", "md": "markdown", "html": "html"}[name.rsplit(".", 1)[1]]
    (article,) = read(write(tmp_path, text, name), fmt)
    return article, audit(article, config)


def rules_of(findings) -> list[str]:
    return [f.rule for f in findings]


def config(**citations) -> Config:
    return from_dict({"citations": citations}).with_overrides(as_of=AS_OF)


def at(article, finding) -> str:
    """The source text at a finding's line and column."""
    lines = article.raw.split("\n")
    line = lines[finding.line - article.first_line]
    return line[finding.column - 1:]


# --------------------------------------------------------------------------- the corpus


def test_seed_has_three_markers_no_references_and_one_cite001_per_cited_source():
    (article,) = read(CORPUS / "muscle-spasms-lower-back.txt", "text")
    cit = extract_citations(article)
    assert [m.numbers for m in cit.markers] == [(1, 2, 3)]
    assert cit.references == [] and cit.sections == []
    findings = audit(article)
    assert rules_of(findings) == ["CITE001"] * 3
    assert [f.message for f in findings][1] == (
        "This cites source 2, but the article has no reference 2. Add the reference or remove the marker.")
    # Each finding sits on its number inside "(1, 2, 3)" in the file.
    start = article.raw.index("(1, 2, 3)")
    assert [article.line_col(start + k) for k in (1, 4, 7)] == [(f.line, f.column) for f in findings]
    assert [f.excerpt for f in findings] == ["1", "2", "3"]
    assert all(f.evidence["references"] == 0 and f.evidence["marker"] == "(1, 2, 3)" for f in findings)


def test_html_sup_and_parenthesis_markers_resolve_against_the_ordered_reference_list():
    (article,) = read(CORPUS / "sciatica-relief.html", "html")
    cit = extract_citations(article)
    assert [m.numbers for m in cit.markers] == [(1,), (2, 3), (1,), (4,), (2,), (3,), (5,), (5,), (4, 6)]
    assert [m.text for m in cit.markers][:2] == ["[1]", "(2, 3)"]
    assert cit.section is not None and cit.section.heading == "References" and cit.section.numbered
    refs = cit.references
    assert [r.number for r in refs] == [1, 2, 3, 4, 5, 6]
    assert refs[0].urls == ["https://doi.org/10.1136/bmj.l6273"] and refs[0].dois == ["10.1136/bmj.l6273"]
    assert refs[2].pmids == ["22331277"] and refs[2].year == 2012 and refs[2].key == "Pinto 2012"
    assert refs[5].urls == ["https://www.backbuddyshop.com/blog/best-sciatica-cushions-2019?ref=wellspring"]
    assert all(cit.resolve(c) is not None for m in cit.markers for c in m.cites)
    # Byline links are inline links of the body, not references.
    assert [s.url for s in cit.inline] == ["https://www.wellspringhealth.com/reviewers/anita-rao",
                                           "https://www.wellspringhealth.com/authors/megan-holloway"]


def test_html_findings_and_where_they_land():
    (article,) = read(CORPUS / "sciatica-relief.html", "html")
    findings = audit(article)
    assert sorted(rules_of(findings)) == ["CITE004", "CITE005"]
    old = next(f for f in findings if f.rule == "CITE004")
    assert old.evidence["year"] == 2012 and old.evidence["age_years"] == 14 and old.evidence["reference"] == 3
    assert at(article, old).startswith("Pinto RZ, Maher CG")
    low = next(f for f in findings if f.rule == "CITE005")
    assert low.evidence["tier"] == "commercial" and low.evidence["where"] == "reference"
    assert at(article, low).startswith("10 Best Sciatica Pillows")
    assert "commercial site (backbuddyshop.com)" in low.message


def test_html_sup_marker_maps_to_the_digit_inside_the_sup_tag(tmp_path):
    html = ("<html><body><article><p>Sciatica hurts.<sup>1</sup> It often passes (2, 3).</p>"
            "<h2>Sources</h2><ol><li>One. <a href=\"https://www.nhs.uk/x\">NHS</a></li></ol></article></body></html>")
    article, findings = audit_text(tmp_path, html, name="a.html")
    assert [f.excerpt for f in findings if f.rule == "CITE001"] == ["2", "3"]
    for f in findings:
        assert at(article, f)[0] in "23"
    cit = extract_citations(article)
    sup = cit.markers[0]
    raw_start, _ = article.text_map.span_to_source(sup.cites[0].start, sup.cites[0].end)
    assert article.raw[raw_start - 5:raw_start + 7] == "<sup>1</sup>"


def test_markdown_markers_and_numbered_reference_list():
    (article,) = read(CORPUS / "plantar-fasciitis.md", "markdown")
    cit = extract_citations(article)
    assert [m.numbers for m in cit.markers] == [(1,), (2,), (1,), (3,), (4,)]
    assert [r.number for r in cit.references] == [1, 2, 3, 4]
    ref2 = cit.references[1]
    assert ref2.urls == ["https://www.nhs.uk/conditions/plantar-fasciitis/"]  # a reference-style link
    assert ref2.year is None  # "Accessed May 2021" is not a publication year
    assert cit.references[2].dois == ["10.1136/bjsports-2017-098221"]
    assert [s.url for s in cit.inline] == ["https://www.acfas.org/clinical-consensus-statements/heel-pain",
                                           "https://www.nhs.uk/conditions/plantar-fasciitis/"]
    assert audit(article) == []
    first = cit.markers[0]
    line, col = article.line_col(article.text_map.to_source(first.start))
    assert article.raw.split("\n")[line - 1][col - 1:col + 2] == "[1]"


def test_jsonl_markdown_record_references_and_old_source():
    articles = {a.id.rsplit("#", 1)[1]: a for a in read(CORPUS / "cms-export.jsonl", "jsonl")}
    knee = articles["a-1188"]
    cit = extract_citations(knee)
    assert [m.numbers for m in cit.markers] == [(1,), (2,)]
    assert [r.number for r in cit.references] == [1, 2]
    findings = audit(knee)
    assert rules_of(findings) == ["CITE004"]
    assert findings[0].evidence["year"] == 2015 and findings[0].line == 3
    for other in ("a-1042", "a-1107", "a-1203"):
        assert audit(articles[other]) == []


def test_reference_identifiers_skip_what_links_already_hold(tmp_path):
    for path, fmt in ((CORPUS / "sciatica-relief.html", "html"), (CORPUS / "plantar-fasciitis.md", "markdown")):
        (article,) = read(path, fmt)
        assert reference_identifiers(article) == []
    text = ("Walking helps [1]. Rest does not [2].\n\nReferences\n"
            "1. Smith J. Walking. Spine. 2019. doi:10.1097/BRS.0000000000003000.\n"
            "2. Lee K. Rest. BMJ. 2018. PMID: 29876543\n")
    (article,) = read(write(tmp_path, text), "text")
    ids = reference_identifiers(article)
    assert [(i["kind"], i["id"]) for i in ids] == [("doi", "10.1097/BRS.0000000000003000"), ("pmid", "29876543")]
    assert article.raw[ids[0]["start"]:ids[0]["end"]] == "10.1097/BRS.0000000000003000"
    assert article.raw[ids[1]["start"]:ids[1]["end"]] == "PMID: 29876543"


# --------------------------------------------------------------------------- the gold set


def test_gold_set_is_big_enough():
    gold = EVAL.load_gold()
    assert len(gold["markers"]) >= 80 and len(gold["not_markers"]) >= 40 and len(gold["urls"]) >= 40


def test_gold_marker_and_tier_figures():
    ev = EVAL.evaluate()
    seen, held = ev.part(False), ev.part(True)
    # Measured (see the final report): the texts written with the rules are all right;
    # the held-out texts, written afterwards and never tuned on, are not.
    assert seen.precision == 1.0 and seen.recall == 1.0
    assert held.precision >= 0.77 and held.recall >= 0.91
    assert ev.precision >= 0.94 and ev.recall >= 0.98
    assert ev.clean >= 0.98
    assert seen.tier_accuracy == 1.0
    assert held.tier_accuracy >= 0.68
    # When a held-out host is missed it gets no tier, never a wrong one.
    assert all(u.found is None for u in ev.tier_errors)


# --------------------------------------------------------------------------- marker rules


@pytest.mark.parametrize("text, cites", [
    ("It passes with self-care (2, 3).", [2, 3]),
    ("Surgery is rarely needed (1–3).", [1, 2, 3]),
    ("Ice helps [4, 7].", [4, 7]),
    ("Ice helps.[1][3]", [1, 3]),
    ("Walking is safe (Smith et al., 2019).", ["Smith 2019"]),
    ("Stretching did not help (Smith and Jones, 2018).", ["Smith 2018"]),
    ("Inactivity kills (WHO, 2020).", ["WHO 2020"]),
    ("Heel pain settles.[^1]", ["^1"]),
    ("Pain eases.²", [2]),
])
def test_markers_found(text, cites):
    assert [c.value for m in find_markers(text) for c in m.cites] == cites


@pytest.mark.parametrize("text", [
    "Rest for a while (2 to 3 days).", "Most people (20%) recover.", "The trial was small (n = 40).",
    "The oldest patient (age 55) improved.", "Repeat it (see step 2).", "The guideline (2019) says so.",
    "Take one (1) tablet.", "Three stages: (1) freezing, (2) frozen and (3) thawing.", "A BMI of 30 kg/m² or more.",
])
def test_not_markers(text):
    assert find_markers(text) == []


DOC_FLAGS = [
    "… with simple self-care (2, 3).", "… in the parentheses (1, 2, 3) are …", "… at some point (1–3).",
    "it (4-6)", "… first two days [4].", "x [4, 7]", "x [1-3, 5]", "… for a long time.[1]", "center[1].",
    "… (ref. 3)", "x (see reference 2)", "x [see 3, 4]", "… six weeks.²", "…pain.¹,³", "…pain.¹⁻³",
    "…within a year.[^1]", "x (Smith et al., 2019)", "x (Smith et al. 2019a)", "x (Smith and Jones, 2018)",
    "x (Nadler & Weingand 2002)", "x (WHO, 2020)", "x (American Heart Association, 2021)",
    "x (Hayden et al., 2005; Jones, 2020)", "x (Hayden et al., 2005, 2021)", "x (see Koes et al., 2007)",
    "x (e.g., Williams et al., 2014)", "x (Ferreira et al., 2020, p. 4)", "x (World Health Organization [WHO], 2020)",
    "x (van Tulder et al., 2006)", "Smith et al. (2019) found …", "Nadler & Weingand (2002)",
]
DOC_KEEPS = [
    "x (2 to 3 days)", "x (20%)", "x (n = 40)", "x (age 55)", "x (see step 2)", "x (0.5 mg)", "x (2019)",
    "x (2019–2020)", "x (Updated 2019)", "x (Accessed May 2021)", "x (1,500)", "x (18.5–24.9)", "x (ages 18–65)",
    "x (10-15 times)", "one (1) tablet", "two (2) weeks", "stages: (1) freezing, (2) frozen and (3) thawing",
    "Take (1–2) tablets", "x (1 of 3)", "x (Table 2)", "x (Grade 2)", "Figure (3)", "call (800) 555-0199",
    "30 kg/m²", "10⁹ per litre", "4 cm³", "x [sic]", "x [citation needed]", "x([[728,90],'a']", "[1] Smith J. Title.",
]


@pytest.mark.parametrize("text", DOC_FLAGS)
def test_module_docstring_flag_examples(text):
    assert find_markers(text), text


@pytest.mark.parametrize("text", DOC_KEEPS)
def test_module_docstring_keep_examples(text):
    assert find_markers(text) == []


def test_numbered_plain_text_entries_get_author_year_keys(tmp_path):
    text = ("Most back pain passes (Qaseem et al., 2017; American Diabetes Association, 2024).\n\nSources\n"
            "1. Qaseem A, Wilt TJ. Noninvasive treatments. Ann Intern Med. 2017;166(7):514-530.\n"
            "2. American Diabetes Association. Standards of Care. Diabetes Care. 2024;47(Suppl 1).\n")
    (article,) = read(write(tmp_path, text), "text")
    cit = extract_citations(article)
    assert [r.key for r in cit.references] == ["Qaseem 2017", "American Diabetes Association 2024"]
    assert [cit.resolve(c).number for m in cit.markers for c in m.cites] == [1, 2]


def test_markers_inside_the_reference_list_and_urls_are_not_markers(tmp_path):
    text = ("Walking helps [1].\n\nReferences\n[1] Smith J (2) et al. Walking (3). 2020. "
            "https://example.org/a(4)\n")
    (article,) = read(write(tmp_path, text), "text")
    cit = extract_citations(article)
    assert [m.numbers for m in cit.markers] == [(1,)]
    assert [r.number for r in cit.references] == [1]


def test_a_marker_that_is_itself_a_link_needs_no_reference(tmp_path):
    md = "Walking helps ([1](https://pubmed.ncbi.nlm.nih.gov/123/)). Rest does not [2](https://www.nhs.uk/x).\n"
    article, findings = audit_text(tmp_path, md, name="a.md")
    cit = extract_citations(article)
    assert [(m.numbers, m.url) for m in cit.markers] == [
        ((1,), "https://pubmed.ncbi.nlm.nih.gov/123/"), ((2,), "https://www.nhs.uk/x")]
    assert findings == []


# --------------------------------------------------------------------------- reference sections


@pytest.mark.parametrize("heading", ["References", "Sources:", "Works cited", "BIBLIOGRAPHY", "Citations", "Notes"])
def test_reference_headings(tmp_path, heading):
    text = f"Walking helps [1].\n\n{heading}\n1. Smith J. Walking. 2020. https://www.nhs.uk/walking\n"
    (article,) = read(write(tmp_path, text), "text")
    cit = extract_citations(article)
    assert [r.number for r in cit.references] == [1] and cit.references[0].urls == ["https://www.nhs.uk/walking"]


def test_a_section_ends_at_the_next_heading_and_wrapped_entries_join(tmp_path):
    text = ("Walking helps [1] and so does rest [2].\n\nReferences\n"
            "1. Smith J. A very long title that the export\n   wrapped onto a second line. 2020. PMID: 123\n"
            "2. Lee K. Rest. 2019. https://www.nhs.uk/rest\n\nAbout the author\n"
            "Jane writes about health and has done so for years without any citations at all in her bio.\n")
    (article,) = read(write(tmp_path, text), "text")
    cit = extract_citations(article)
    assert [r.number for r in cit.references] == [1, 2]
    assert cit.references[0].text.endswith("PMID: 123") and cit.references[0].pmids == ["123"]
    assert "About the author" not in cit.references[1].text
    assert audit(article) == []


def test_unnumbered_entries_are_numbered_in_order_and_author_year_keys_match(tmp_path):
    text = ("Walking helps (Smith et al., 2019). Rest does not (World Health Organization, 2020).\n\nSources\n"
            "Smith J, Lee K. Walking and pain. BMJ. 2019;1:2. https://www.bmj.com/x\n"
            "World Health Organization. Guidelines on physical activity. 2020. https://www.who.int/x\n")
    (article,) = read(write(tmp_path, text), "text")
    cit = extract_citations(article)
    assert [(r.number, r.key) for r in cit.references] == [(1, "Smith 2019"), (2, "World Health Organization 2020")]
    assert all(cit.resolve(c) is not None for m in cit.markers for c in m.cites)
    assert audit(article) == []


def test_plain_text_bullets_are_entries_in_order(tmp_path):
    text = ("Ice helps (Smith, 2021) [2].\n\nSources:\n- Smith J. Ice. 2021. https://www.nhs.uk/ice\n"
            "- Lee K. Heat. 2022.\n  Spine. PMID: 123\n")
    (article,) = read(write(tmp_path, text), "text")
    cit = extract_citations(article)
    assert [(r.number, r.key) for r in cit.references] == [(1, "Smith 2021"), (2, "Lee 2022")]
    assert cit.references[1].pmids == ["123"]
    assert audit(article) == []


def test_html_li_value_numbers_entries(tmp_path):
    html = ("<article><p>Ice helps.<sup>4</sup></p><h2>References</h2>"
            "<ol start=\"4\"><li value=\"4\">Smith J. Ice. 2021. <a href=\"https://www.nhs.uk/ice\">NHS</a></li></ol></article>")
    article, findings = audit_text(tmp_path, html, name="a.html")
    assert [r.number for r in extract_citations(article).references] == [4]
    assert findings == []


def test_footnotes_resolve_against_their_definitions(tmp_path):
    md = "Heel pain settles.[^1] Most need no surgery.[^late]\n\n[^1]: NHS. Heel pain. 2021. https://www.nhs.uk/heel\n"
    article, findings = audit_text(tmp_path, md, name="a.md")
    cit = extract_citations(article)
    assert [r.label for r in cit.references] == ["^1"]
    assert rules_of(findings) == ["CITE001"]
    assert "footnote late" in findings[0].message


# --------------------------------------------------------------------------- each rule, firing and not


def test_cite001_only_for_the_missing_number(tmp_path):
    text = "Walking helps (1, 2).\n\nReferences\n1. Smith J. Walking. 2020. https://pubmed.ncbi.nlm.nih.gov/123/\n"
    _, findings = audit_text(tmp_path, text)
    assert [(f.rule, f.evidence["cited"]) for f in findings] == [("CITE001", 2)]


def test_cite001_author_year_without_a_match(tmp_path):
    text = ("Walking helps (Smith et al., 2019; Jones, 2018).\n\nReferences\n"
            "Smith J, Lee K. Walking. BMJ. 2019. doi:10.1136/x1\n")
    _, findings = audit_text(tmp_path, text)
    (f,) = findings
    assert f.rule == "CITE001" and f.excerpt == "Jones, 2018"
    assert f.message == ("This cites Jones (2018), but the reference list has no matching entry. "
                         "Add the reference or remove the citation.")


def test_cite002_uncited_reference_only_when_the_article_uses_markers(tmp_path):
    refs = ("References\n1. Smith J. Walking. 2020. https://www.nhs.uk/a\n"
            "2. Lee K. Rest. 2021. https://www.nhs.uk/b\n")
    _, findings = audit_text(tmp_path, "Walking helps [1].\n\n" + refs)
    (f,) = findings
    assert f.rule == "CITE002" and f.severity.value == "info" and f.evidence["reference"] == 2
    assert f.message.startswith("Reference 2 is never cited")
    _, findings = audit_text(tmp_path, "Walking helps [1] and rest [2].\n\n" + refs)
    assert findings == []


def test_cite006_instead_of_cite002_when_nothing_is_marked(tmp_path):
    refs = ("Sources\nSmith J. Walking. 2020. https://www.nhs.uk/a\nLee K. Rest. 2021. https://www.nhs.uk/b\n")
    article, findings = audit_text(tmp_path, "Walking helps and rest helps too.\n\n" + refs)
    (f,) = findings
    assert f.rule == "CITE006" and f.evidence["references"] == 2 and at(article, f).startswith("Sources")


@pytest.mark.parametrize("entry, fires", [
    ("Smith J. Stretching for sciatica. Spine Journal. 2019.", True),
    ("Smith J. Stretching. Spine. 2019. doi:10.1097/BRS.0000000000003000", False),
    ("Smith J. Stretching. Spine. 2019. PMID: 31234567", False),
    ("Smith J. Stretching. Spine. 2019. https://www.nhs.uk/stretch", False),
    ("Smith J. Stretching. Spine. 2019. PMCID: PMC6487000", False),
    ("Smith J. Back Book. 2019. ISBN 978-0-19-852663-6", False),
])
def test_cite003_reference_without_link_or_identifier(tmp_path, entry, fires):
    article, findings = audit_text(tmp_path, f"Stretching helps [1].\n\nReferences\n1. {entry}\n")
    got = [f for f in findings if f.rule == "CITE003"]
    assert bool(got) == fires
    if fires:
        assert got[0].message == "Readers cannot check this reference: add a link, DOI or PMID."
        assert got[0].severity.value == "warning" and at(article, got[0]).startswith("1. Smith J.")


@pytest.mark.parametrize("year, max_age, fires", [(2010, None, True), (2016, None, False), (2020, None, False),
                                                   (2010, 20, False), (2010, 0, False), (2015, 5, True)])
def test_cite004_old_source_against_as_of_and_max_age_years(tmp_path, year, max_age, fires):
    text = f"Ice helps [1].\n\nReferences\n1. Smith J. Ice. BMJ. {year}. https://www.bmj.com/ice\n"
    cfg = config() if max_age is None else config(max_age_years=max_age)
    _, findings = audit_text(tmp_path, text, cfg)
    got = [f for f in findings if f.rule == "CITE004"]
    assert bool(got) == fires
    if fires:
        assert got[0].evidence["year"] == year and got[0].evidence["as_of"] == "2026-11-25"
        assert got[0].evidence["max_age_years"] == (max_age or 10) and got[0].severity.value == "info"


def test_cite004_ignores_accessed_dates_and_years_in_identifiers(tmp_path):
    text = ("Ice helps [1] [2].\n\nReferences\n1. Ice. NHS. Accessed May 2012. https://www.nhs.uk/ice-2009\n"
            "2. Smith J. Ice. 2022. doi:10.1136/bjsports-2009-098221\n")
    _, findings = audit_text(tmp_path, text)
    assert findings == []


def test_cite005_low_authority_reference(tmp_path):
    text = ("Stretching helps [1] [2].\n\nReferences\n1. A thread. https://www.reddit.com/r/backpain/x\n"
            "2. NHS. Sciatica. https://www.nhs.uk/conditions/sciatica/\n")
    _, findings = audit_text(tmp_path, text)
    (f,) = findings
    assert f.rule == "CITE005" and f.evidence["tier"] == "forum" and f.evidence["trust"] == "low"
    assert "forum or question-and-answer site (reddit.com)" in f.message


def test_cite005_inline_link_used_as_a_source(tmp_path):
    text = ("A thread on https://www.reddit.com/r/backpain says stretching cures sciatica.\n\n"
            "Buy the cushion at https://www.amazon.com/dp/B07XYZ today.\n")
    article, findings = audit_text(tmp_path, text)
    (f,) = findings
    assert f.rule == "CITE005" and f.evidence["where"] == "inline" and f.evidence["tier"] == "forum"
    assert at(article, f).startswith("https://www.reddit.com")
    _, findings = audit_text(tmp_path, text, config(inline_links="all"))
    assert sorted(f.evidence["tier"] for f in findings) == ["commercial", "forum"]
    _, findings = audit_text(tmp_path, text, config(inline_links="off"))
    assert findings == []


def test_cite005_markdown_inline_link(tmp_path):
    md = "Experts on [this forum](https://www.quora.com/Does-stretching-help) say stretching works.\n"
    article, findings = audit_text(tmp_path, md, name="a.md")
    (f,) = findings
    assert f.rule == "CITE005" and at(article, f).startswith("this forum](")


def test_rules_are_listed_with_ids_and_severities():
    assert CitationCheck.family == "CITE" and CitationCheck.category == "citation"
    rules = CitationCheck().rules(Config())
    assert [(r.id, r.severity.value) for r in rules] == [
        ("CITE001", "warning"), ("CITE002", "info"), ("CITE003", "warning"),
        ("CITE004", "info"), ("CITE005", "warning"), ("CITE006", "info")]
    assert all(r.category == "citation" and r.name.startswith("citation.") for r in rules)
    assert rules == CITE_RULES


# --------------------------------------------------------------------------- tiers


TIER_FLAGS = [(tid, url) for tid, t in SOURCES["tiers"].items() for url in t["flag"]]
TIER_KEEPS = [(tid, url) for tid, t in SOURCES["tiers"].items() for url in t["keep"]]


def test_every_tier_is_well_formed():
    assert len(SOURCES["tiers"]) >= 9
    for tid, t in SOURCES["tiers"].items():
        assert t["trust"] in ("high", "medium", "low"), tid
        assert t["label"].strip() and t["message"].strip() and t["flag"] and t["keep"], tid
        assert t.get("domains") or t.get("patterns") or t.get("strong_patterns"), tid
    lows = {tid for tid, t in SOURCES["tiers"].items() if t["trust"] == "low"}
    assert {"commercial", "blog", "forum", "content-farm"} <= lows


@pytest.mark.parametrize("tier, url", TIER_FLAGS, ids=[f"{t}-flag-{i}" for i, (t, _) in enumerate(TIER_FLAGS)])
def test_tier_flag_examples(tier, url):
    got = classify_source(url, TIERS)
    assert got is not None and got.id == tier


@pytest.mark.parametrize("tier, url", TIER_KEEPS, ids=[f"{t}-keep-{i}" for i, (t, _) in enumerate(TIER_KEEPS)])
def test_tier_keep_examples(tier, url):
    got = classify_source(url, TIERS)
    assert got is None or got.id != tier


@pytest.mark.parametrize("source, tier", [
    ("doi:10.1136/bmj.l6273", "research-index"), ("10.1136/bmj.l6273", "research-index"),
    ("PMID: 22331277", "research-index"), ("nhs.uk/conditions/sciatica", "government"),
    ("www.reddit.com/r/x", "forum"), ("not a url at all", None), ("", None), ("http://[::1", None),
])
def test_classify_source_takes_identifiers_and_bare_domains(source, tier):
    got = classify_source(source, TIERS)
    assert (got.id if got else None) == tier


def test_config_adds_a_tier_and_overrides_one(tmp_path):
    cfg = config(tiers={"partner": {"label": "partner clinic", "trust": "low", "domains": ["stridewellclinic.com"],
                                    "message": "This is a {label} ({host})."},
                        "forum": {"trust": "medium"}})
    tiers = citation_settings(cfg).tiers
    assert classify_source("https://www.stridewellclinic.com/learn", tiers).id == "partner"
    assert classify_source("https://www.reddit.com/r/x", tiers).trust == "medium"
    assert classify_source("https://www.reddit.com/r/x", tiers).label == "forum or question-and-answer site"
    text = ("Heel pain settles [1] [2].\n\nReferences\n1. Clinic. https://www.stridewellclinic.com/learn\n"
            "2. Thread. https://www.reddit.com/r/x\n")
    _, findings = audit_text(tmp_path, text, cfg)
    (f,) = findings
    assert f.evidence["tier"] == "partner" and f.message == "This is a partner clinic (stridewellclinic.com)."


def test_config_tiers_as_a_list_and_flag_trust(tmp_path):
    cfg = config(tiers=[{"id": "house", "trust": "high", "domains": ["wellspringhealth.com"]}],
                 flag_trust=["low", "medium"])
    settings = citation_settings(cfg)
    assert classify_source("https://www.wellspringhealth.com/a", settings.tiers).id == "house"
    text = "Sciatica hurts [1].\n\nReferences\n1. Healthline. https://www.healthline.com/health/sciatica\n"
    _, findings = audit_text(tmp_path, text, cfg)
    assert [(f.rule, f.evidence["tier"]) for f in findings] == [("CITE005", "health-publisher")]


def test_a_team_pack_extends_the_bundled_tiers(tmp_path):
    (tmp_path / "sources.yml").write_text(
        "tiers:\n  forum:\n    domains: [patientsforum.example]\n"
        "  wiki:\n    label: wiki\n    trust: low\n    domains: [fandom.com]\n    flag: [https://x.fandom.com/]\n"
        "    keep: [https://www.nhs.uk/]\n", encoding="utf-8")
    tiers = load_tiers((str(tmp_path),))
    assert classify_source("https://www.patientsforum.example/t/1", tiers).id == "forum"
    assert classify_source("https://x.fandom.com/wiki/Back", tiers).id == "wiki"
    assert classify_source("https://www.nhs.uk/x", tiers).id == "government"


@pytest.mark.parametrize("citations, fragment", [
    ({"max_age": 5}, "unknown key 'max_age'"),
    ({"max_age_years": -1}, "max_age_years"),
    ({"max_age_years": "ten"}, "max_age_years"),
    ({"flag_trust": ["lowest"]}, "flag_trust"),
    ({"inline_links": "some"}, "inline_links"),
    ({"headings": "Sources"}, "headings"),
    ({"tiers": {"x": {"trust": "very"}}}, "trust"),
    ({"tiers": {"x": {"patterns": ["("]}}}, "bad pattern"),
    ({"tiers": {"x": {"domains": ["*"]}}}, "not a domain"),
    ({"tiers": {"x": {"colour": "red"}}}, "unknown key 'colour'"),
    ({"tiers": [{"trust": "low"}]}, "needs an id"),
    ({"tiers": {"x": {"message": "{nope}"}}}, "message"),
])
def test_bad_citation_settings_are_config_errors(citations, fragment):
    with pytest.raises(ConfigError, match=fragment.replace("(", r"\(")):
        CitationCheck().rules(from_dict({"citations": citations}))


def test_a_broken_team_pack_is_a_rule_pack_error(tmp_path):
    (tmp_path / "sources.yml").write_text("tiers:\n  forum:\n    patterns: ['(']\n", encoding="utf-8")
    with pytest.raises(RulePackError, match="bad pattern"):
        load_tiers((str(tmp_path),))


def test_extra_headings_from_config(tmp_path):
    text = "Walking helps [1].\n\nFurther reading\n1. Smith J. Walking. 2020. https://www.nhs.uk/w\n"
    _, findings = audit_text(tmp_path, text)
    assert rules_of(findings) == ["CITE001"]
    _, findings = audit_text(tmp_path, text, config(headings=["Further reading"]))
    assert findings == []


def test_tier_is_a_frozen_value():
    t = TIERS[0]
    assert isinstance(t, Tier) and t.id == "government"
    with pytest.raises(AttributeError):
        t.id = "x"  # type: ignore[misc]

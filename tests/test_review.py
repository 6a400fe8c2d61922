"""Review dates and reviewers: extraction from bylines and metadata, and the policy."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from medreview.bylines import extract_bylines, read_date
from medreview.checks.review import add_years, review_policy
from medreview.cli import main
from medreview.config import Config, ConfigError, from_dict
from medreview.runner import _init, audit_file

AS_OF = dt.date(2026, 11, 25)
REPO = Path(__file__).resolve().parents[1]


def review_findings(tmp_path: Path, text: str, name: str = "a.txt", config: Config | None = None,
                    as_of: dt.date = AS_OF):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    fmt = {"md": "markdown", "html": "html", "jsonl": "jsonl"}.get(name.rsplit(".", 1)[-1], "text")
    _init((config or Config()).with_overrides(as_of=as_of))
    (result,) = audit_file((path, fmt))
    return [f for f in result.findings if f.category == "review"], result


def rules_of(findings):
    return sorted(f.rule for f in findings)


REVIEWED = "Medically reviewed by Anita Rao, MD.\n"


def test_seed_review_date_is_stale_and_points_at_the_byline(tmp_path):
    text = (REPO / "corpus" / "muscle-spasms-lower-back.txt").read_text(encoding="utf-8")
    findings, result = review_findings(tmp_path, text)
    stale = next(f for f in findings if f.rule == "REVIEW001")
    assert stale.severity.value == "error"
    assert stale.excerpt == "February 2, 2018"
    line = text.splitlines()[stale.line - 1]
    assert line[stale.column - 1:].startswith("February 2, 2018")
    assert stale.evidence["days_overdue"] == (AS_OF - dt.date(2020, 2, 2)).days
    assert result.meta["last_reviewed"] == "2018-02-02"
    assert result.meta["found_in"]["last_reviewed"] == "byline: last reviewed"
    assert result.stats["days_overdue"] == stale.evidence["days_overdue"]
    assert "REVIEW004" in rules_of(findings)  # nobody is named as reviewer


@pytest.mark.parametrize("byline,field,expected", [
    ("Last medically reviewed on February 2, 2018", "last_reviewed", dt.date(2018, 2, 2)),
    ("Page last reviewed: 2 February 2018", "last_reviewed", dt.date(2018, 2, 2)),
    ("Next review due: 2 February 2021", "next_review", dt.date(2021, 2, 2)),
    ("Last Reviewed: April 5, 2022", "last_reviewed", dt.date(2022, 4, 5)),
    ("Reviewed: 2018-02-02", "last_reviewed", dt.date(2018, 2, 2)),
    ("Medical review: 2/2/2018", "last_reviewed", dt.date(2018, 2, 2)),
    ("Fact checked by Sam Lee, PharmD on 3 May 2021", "last_reviewed", dt.date(2021, 5, 3)),
    ("Content last reviewed 03/2023", "last_reviewed", dt.date(2023, 3, 31)),
    ("Medically reviewed by Anita Rao, MD — Written by Jane Doe — Updated on March 14, 2019",
     "last_reviewed", dt.date(2019, 3, 14)),
    ("Medically reviewed by Anita Rao, MD — Written by Jane Doe — Updated on March 14, 2019",
     "updated", dt.date(2019, 3, 14)),
    ("Zuletzt geprüft am 2. Februar 2018", "last_reviewed", dt.date(2018, 2, 2)),
    ("By Dr. Karen Hill, DO | Published Jan. 5, 2020", "published", dt.date(2020, 1, 5)),
])
def test_house_styles(byline, field, expected):
    found = extract_bylines(byline).first(field)
    assert found is not None and found.value == expected


def test_reviewers_and_authors_keep_their_credentials():
    b = extract_bylines("Written by Jane Doe, RN, MSN. Reviewed by Tom Fox, PT, DPT on 14/03/2019.")
    assert [(p.field, p.name, p.credentials) for p in b.people] == [
        ("authors", "Jane Doe, RN, MSN", ("RN", "MSN")), ("reviewed_by", "Tom Fox, PT, DPT", ("PT", "DPT"))]


@pytest.mark.parametrize("sentence", [
    "By 2030, one in three adults will have diabetes.",
    "The drug was reviewed by the FDA in 2019 and approved.",
    "Symptoms improve by walking daily.",
])
def test_body_sentences_are_not_bylines(sentence):
    b = extract_bylines("Some text first. And more here, " + sentence.lower())
    assert b.dates == [] and b.people == []


def test_ambiguous_numeric_dates_need_a_locale():
    value, readings, _ = read_date("02/03/2018")
    assert value is None and readings == (dt.date(2018, 2, 3), dt.date(2018, 3, 2))
    assert read_date("02/03/2018", "DMY")[0] == dt.date(2018, 3, 2)
    assert read_date("02/03/2018", "MDY")[0] == dt.date(2018, 2, 3)
    assert read_date("13/03/2018")[0] == dt.date(2018, 3, 13)  # only one reading is a date


def test_ambiguous_review_date_is_reported_and_judged_by_the_later_reading(tmp_path):
    findings, _ = review_findings(tmp_path, REVIEWED + "Medical review: 02/03/2025\n\nText.\n")
    assert rules_of(findings) == ["REVIEW007"]  # even 3 Feb 2025 is within two years
    amb = findings[0]
    assert amb.evidence["readings"] == ["2025-02-03", "2025-03-02"] and "date_order" in amb.message
    stale, _ = review_findings(tmp_path, REVIEWED + "Medical review: 02/03/2018\n\nText.\n")
    assert rules_of(stale) == ["REVIEW001", "REVIEW007"]


def test_date_order_setting_resolves_ambiguity(tmp_path):
    config = from_dict({"review": {"date_order": "DMY"}})
    findings, result = review_findings(tmp_path, REVIEWED + "Medical review: 02/03/2025\n\nText.\n", config=config)
    assert findings == [] and result.meta["last_reviewed"] == "2025-03-02"


def test_due_soon_is_a_warning(tmp_path):
    findings, _ = review_findings(tmp_path, REVIEWED + "Last reviewed: 2024-12-20\n\nText.\n")
    (due,) = findings
    assert due.rule == "REVIEW002" and due.severity.value == "warning"
    assert due.evidence["days_until_due"] == 25


def test_missing_date_and_reviewer(tmp_path):
    findings, _ = review_findings(tmp_path, "Title\n\nJust text about back pain.\n")
    assert rules_of(findings) == ["REVIEW003", "REVIEW004"]
    assert all((f.line, f.column) == (1, 1) for f in findings)


def test_future_review_and_review_before_publication(tmp_path):
    future, _ = review_findings(tmp_path, REVIEWED + "Last reviewed: 2027-01-10\n\nText.\n")
    assert rules_of(future) == ["REVIEW005"]
    md = "---\ntitle: T\nreviewed_by: Ann Lee, MD\ndate: 2022-05-01\nlast_reviewed: 2021-04-01\n---\nText.\n"
    early, _ = review_findings(tmp_path, md, name="a.md")
    assert "REVIEW006" in rules_of(early)
    f = next(f for f in early if f.rule == "REVIEW006")
    assert f.line == 1  # points at the front matter


def test_unreadable_byline_date_is_a_finding_not_a_crash(tmp_path):
    findings, _ = review_findings(tmp_path, REVIEWED + "Last reviewed: Febtember 45, 2018\n\nText.\n")
    assert rules_of(findings) == ["REVIEW009"]
    assert "Febtember 45, 2018" in findings[0].message


def test_nhs_style_gets_three_years_and_next_review_due(tmp_path):
    text = REVIEWED + "Page last reviewed: 2 February 2024\nNext review due: 2 February 2027\n\nText.\n"
    findings, _ = review_findings(tmp_path, text)
    assert findings == []  # 2 years 10 months: within the NHS 3 years
    text = REVIEWED + "Page last reviewed: 2 February 2024\n\nText.\n"
    findings, _ = review_findings(tmp_path, text, config=from_dict({"review": {"profile": "default"}}))
    assert rules_of(findings) == ["REVIEW001"]


def test_time_relative_claims_in_an_old_article(tmp_path):
    text = REVIEWED + "Last reviewed: 2019-01-10\n\nNew research this year shows that walking helps.\n"
    findings, _ = review_findings(tmp_path, text)
    phrases = [f.evidence["phrase"] for f in findings if f.rule == "REVIEW008"]
    assert phrases == ["new research", "this year"]
    fresh, _ = review_findings(tmp_path, REVIEWED + "Last reviewed: 2026-10-10\n\nNew research this year.\n")
    assert fresh == []


def test_json_ld_review_date_and_conflicting_byline(tmp_path):
    html = ('<html><head><script type="application/ld+json">{"@type":"MedicalWebPage","lastReviewed":"2026-01-05",'
            '"reviewedBy":{"@type":"Person","name":"Ann Lee","honorificSuffix":"MD"}}</script></head>'
            '<body><article><p>Last medically reviewed on March 3, 2025</p><p>Text.</p></article></body></html>')
    findings, result = review_findings(tmp_path, html, name="a.html")
    assert result.meta["found_in"]["last_reviewed"] == "json-ld: lastReviewed"
    assert rules_of(findings) == ["REVIEW010"]


def test_as_of_makes_runs_reproducible(tmp_path):
    text = REVIEWED + "Last reviewed: 2023-06-01\n\nText.\n"
    early, _ = review_findings(tmp_path, text, as_of=dt.date(2024, 6, 1))
    late, _ = review_findings(tmp_path, text, as_of=dt.date(2026, 6, 1))
    assert early == [] and rules_of(late) == ["REVIEW001"]


def test_policy_is_overridable_and_validated():
    assert review_policy(Config()).max_age_years == 2
    assert review_policy(from_dict({"review": {"max_age_years": 1}})).max_age_years == 1
    for bad in ({"max_age_years": "two"}, {"date_order": "YMD"}, {"profile": "who"}, {"typo": 1}):
        with pytest.raises(ConfigError):
            review_policy(from_dict({"review": bad}))


def test_bad_review_config_is_exit_2(tmp_path):
    (tmp_path / "a.txt").write_text("Text.\n")
    (tmp_path / "medreview.toml").write_text('[review]\ndate_order = "YMD"\n')
    result = CliRunner().invoke(main, ["audit", str(tmp_path / "a.txt"), "--offline", "--out", str(tmp_path / "r")])
    assert result.exit_code == 2 and "date_order" in result.output


def test_report_json_carries_days_overdue(tmp_path):
    (tmp_path / "a.txt").write_text(REVIEWED + "Last reviewed: 2020-01-01\n\nText.\n")
    out = tmp_path / "r"
    result = CliRunner().invoke(main, ["audit", str(tmp_path / "a.txt"), "--offline", "--out", str(out),
                                       "--as-of", "2026-11-25", "--format", "json"])
    assert result.exit_code == 1
    (article,) = json.loads((out / "report.json").read_text())["articles"]
    assert article["days_overdue"] == (AS_OF - dt.date(2022, 1, 1)).days


def test_add_years_handles_leap_days():
    assert add_years(dt.date(2024, 2, 29), 2) == dt.date(2026, 2, 28)
    assert add_years(dt.date(2020, 1, 1), 1.5) == dt.date(2021, 7, 3)  # half a year is 183 days


def _review_examples():
    import yaml

    pack = yaml.safe_load((REPO / "rules" / "review.yml").read_text(encoding="utf-8"))
    for rule in pack["rules"]:
        for kind in ("flag", "keep"):
            for n, text in enumerate(rule.get(kind, []), 1):
                yield pytest.param(rule["id"], kind, text, id=f"{rule['id']}-{kind}-{n}")


@pytest.mark.parametrize("rule_id,kind,text", list(_review_examples()))
def test_review_rule_examples(tmp_path, rule_id, kind, text):
    name = "a.md" if text.startswith("---") else "a.txt"
    findings, _ = review_findings(tmp_path, text + "\n", name=name)
    fired = rule_id in rules_of(findings)
    assert fired == (kind == "flag"), [(f.rule, f.message) for f in findings]


def test_relative_phrases_found_where_the_plain_pattern_finds_them():
    import random

    policy = review_policy(Config())
    rng = random.Random(3)
    pieces = ["this year", "THIS YEAR", "this-year", "new study", "a new study", "a new studying", "İ", "ſ",
              "recent research", "this  year", "new studies", "last year's", "x", "  ", "\n", "Recent\nresearch"]
    for _ in range(2000):
        text = " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
        want = [m.span() for m in policy.relative_phrases.finditer(text)]
        assert [m.span() for m in policy.relative_matches(text)] == want, text
    # A phrase with a non-ASCII cased letter: its matches are not just its fold, so the plain pattern runs.
    accented = review_policy(from_dict({"review": {"relative_phrases": ["Études récentes"]}}))
    assert accented.relative_keys is None
    assert [m.group(0) for m in accented.relative_matches("Des ÉTUDES RÉCENTES montrent")] == ["ÉTUDES RÉCENTES"]


def test_relative_phrases_from_a_config_file_extend_the_pack(tmp_path):
    # A TOML list in [review] used to crash the policy's cache ("unhashable type: 'list'").
    (tmp_path / "medreview.toml").write_text('[review]\nrelative_phrases = ["this decade"]\n', encoding="utf-8")
    (tmp_path / "a.txt").write_text(REVIEWED + "Last reviewed: 2019-01-10\n\nThis decade brought new drugs.\n",
                                    encoding="utf-8")
    result = CliRunner().invoke(main, ["audit", str(tmp_path / "a.txt"), "--config", str(tmp_path / "medreview.toml"),
                                       "--offline", "--no-cache", "--format", "json", "--out", str(tmp_path / "out"),
                                       "--fail-on", "never", "--as-of", "2026-11-25"])
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    phrases = [f["evidence"]["phrase"] for a in report["articles"] for f in a["findings"] if f["rule"] == "REVIEW008"]
    assert phrases == ["this decade"]

"""The CI formats: SARIF 2.1.0, JUnit XML, CSV and GitHub Actions annotations.

SARIF is validated against the SARIF 2.1.0 JSON schema and JUnit against the
Jenkins junit-10.xsd, both kept in tests/fixtures/schemas/ (see its README).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from medreview.model import ArticleResult, Finding, RuleInfo, Severity
from medreview.render.csv_report import COLUMNS, render_csv
from medreview.render.github import render_github
from medreview.render.junit import render_junit
from medreview.render.report import Report
from medreview.render.sarif import render_sarif

SCHEMAS = Path(__file__).parent / "fixtures" / "schemas"
AS_OF = dt.date(2026, 11, 25)

RULES = [
    RuleInfo("SPELL001", "spelling.unknown-word", "spelling", Severity.ERROR, "A word no dictionary knows."),
    RuleInfo("ART005", "artifact.cta", "artifact", Severity.WARNING, "A call to action left in the text."),
    RuleInfo("REVIEW001", "review.overdue", "review", Severity.INFO, "The medical review is overdue."),
    RuleInfo("INPUT001", "input.unreadable", "input", Severity.ERROR, "The file cannot be read."),
]

TRICKY_PATH = "corpus/notes, 100%: draft #2.md"


def finding(rule: str, severity: str, line: int = 1, column: int = 1, *, end_line: int | None = None,
            end_column: int | None = None, message: str = "Something to fix.", excerpt: str = "word",
            category: str = "spelling", **kwargs) -> Finding:
    return Finding(rule=rule, category=category, severity=Severity(severity), message=message,
                   line=line, column=column, end_line=line if end_line is None else end_line,
                   end_column=column + len(excerpt) if end_column is None else end_column,
                   excerpt=excerpt, fingerprint=f"fp-{rule}-{line}-{column}", **kwargs)


def article(path: str, findings: list[Finding], *, record: str | None = None, line: int = 1,
            title: str | None = "A title", failed: bool = False, days_overdue: int | None = None,
            last_reviewed: str | None = None) -> ArticleResult:
    stats = {"id": f"{path}#{record}" if record else path, "line": line, "days_overdue": days_overdue}
    if failed:
        stats["failed"] = True
    meta = {"authors": [], "reviewed_by": [], "published": None, "updated": None,
            "last_reviewed": last_reviewed, "found_in": {}}
    return ArticleResult(path=path, format="unknown" if failed else "markdown", title=title, meta=meta,
                         findings=findings, words=100, stats=stats)


def hand_report(fail_on: str = "error") -> Report:
    heat = article(TRICKY_PATH, [
        finding("SPELL001", "error", 3, 5, excerpt="=HYPERLINK(\"http://x\",\"y\")",
                message='Unknown word, "teh"\nsecond line <b>&amp;</b>\x0c', suggestions=["the", "tea"],
                evidence={"count": 2, "as_of": dt.date(2026, 1, 2), "ratio": float("nan"), "pair": (1, 2)}),
        finding("ART005", "warning", 7, 1, end_line=9, end_column=4, excerpt="@SUM(A1) Subscribe now",
                category="artifact", message="A call to action, left in: remove it."),
        finding("REVIEW001", "info", 1, 1, excerpt="-12 days", category="review", message="Review due."),
        finding("SPELL001", "error", 12, 2, excerpt="+recieve\rthen\ttab", baselined=True),
        finding("HOUSE001", "warning", 14, 1, excerpt="\tTabbed", category="claim",
                message="A house rule the registry does not list."),
    ], days_overdue=-30, last_reviewed="2026-01-02")
    record = article("corpus/cms.jsonl", [
        finding("SPELL001", "error", 3, 40, excerpt="speling"),
    ], record="r1", line=3, title="Record one")
    unreadable = article("corpus/broken.md", [
        finding("INPUT001", "error", 1, 1, end_column=1, excerpt="", category="input",
                message="This file cannot be read: permission denied."),
    ], failed=True, title=None)
    baselined_only = article("corpus/old.md", [
        finding("SPELL001", "error", 2, 2, excerpt="olde", baselined=True),
    ])
    clean = article("corpus/clean.md", [], title=None)
    return Report(version="0.1.0", as_of=AS_OF, fail_on=fail_on,
                  articles=[heat, record, unreadable, baselined_only, clean], elapsed=1.23456)


@pytest.fixture(scope="module")
def pipeline_report(repo_root: Path) -> tuple[Report, list[RuleInfo]]:
    """One real article through the real pipeline (no network: links run corpus-wide, not here)."""
    from medreview import runner
    from medreview.checks import all_rules
    from medreview.config import Config

    before = os.getcwd()
    os.chdir(repo_root)
    try:
        config = Config()
        runner._init(config)
        results = runner.audit_file((Path("corpus/muscle-spasms-lower-back.txt"), "text"))
    finally:
        os.chdir(before)
    assert results and results[0].findings
    return Report(version="0.1.0", as_of=AS_OF, fail_on="error", articles=results, elapsed=4.5), all_rules(config)


# --- SARIF ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sarif_validator():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((SCHEMAS / "sarif-2.1.0-rtm.5.json").read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(schema)


def strict_json(text: str):
    def no_constants(name):
        raise ValueError(f"{name} is not JSON")
    return json.loads(text, parse_constant=no_constants)


def assert_valid_sarif(validator, log: dict) -> None:
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def test_sarif_is_valid_and_complete(sarif_validator, monkeypatch, repo_root):
    monkeypatch.chdir(repo_root)
    report = hand_report()
    log = strict_json(render_sarif(report, RULES))
    assert_valid_sarif(sarif_validator, log)
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "medreview" and driver["version"] == "0.1.0"
    assert "informationUri" not in driver
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["invocations"] == [{"executionSuccessful": True}]
    ids = [r["id"] for r in driver["rules"]]
    assert ids == ["SPELL001", "ART005", "REVIEW001", "INPUT001", "HOUSE001"]  # unknown rule appended
    assert driver["rules"][2]["defaultConfiguration"]["level"] == "note"
    assert driver["rules"][0]["shortDescription"]["text"] == "A word no dictionary knows."
    assert driver["rules"][1]["properties"]["category"] == "artifact"
    results = run["results"]
    assert len(results) == sum(1 for _ in report.findings())
    for r in results:
        assert driver["rules"][r["ruleIndex"]]["id"] == r["ruleId"]
        assert "baselineState" not in r
    assert [r["level"] for r in results[:3]] == ["error", "warning", "note"]


def test_sarif_locations(monkeypatch, repo_root):
    monkeypatch.chdir(repo_root)
    results = strict_json(render_sarif(hand_report(), RULES))["runs"][0]["results"]
    first = results[0]
    loc = first["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {
        # ":" is escaped too: "notes:…" would otherwise read as a URI scheme.
        "uri": "corpus/notes%2C%20100%25%3A%20draft%20%232.md", "uriBaseId": "%SRCROOT%"}
    assert loc["region"] == {"startLine": 3, "startColumn": 5, "endLine": 3, "endColumn": 5 + 26,
                             "snippet": {"text": '=HYPERLINK("http://x","y")'}}
    assert first["partialFingerprints"] == {"medreview/v1": "fp-SPELL001-3-5"}
    assert first["message"]["text"].startswith('Unknown word, "teh"\nsecond line')
    props = first["properties"]
    assert props["category"] == "spelling" and props["suggestions"] == ["the", "tea"]
    assert props["evidence"] == {"count": 2, "as_of": "2026-01-02", "ratio": "nan", "pair": [1, 2]}
    multi_line = results[1]["locations"][0]["physicalLocation"]["region"]
    assert (multi_line["startLine"], multi_line["endLine"], multi_line["endColumn"]) == (7, 9, 4)
    record = next(r for r in results if r["properties"].get("record") == "r1")
    region = record["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == 3 and region["startColumn"] == 40
    assert record["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "corpus/cms.jsonl"
    empty = next(r for r in results if r["ruleId"] == "INPUT001")["locations"][0]["physicalLocation"]["region"]
    assert "snippet" not in empty


def test_sarif_paths_are_relative_to_the_current_directory(sarif_validator, tmp_path, monkeypatch):
    inside = tmp_path / "repo"
    (inside / "docs").mkdir(parents=True)
    monkeypatch.chdir(inside)
    report = Report(version="0.1.0", as_of=AS_OF, fail_on="error", articles=[
        article(str(inside / "docs" / "a.md"), [finding("SPELL001", "error")]),
        article("./docs/b.md", [finding("SPELL001", "error")]),
        article(str(tmp_path / "elsewhere" / "c d.md"), [finding("SPELL001", "error")]),
        article("../sibling/e.md", [finding("SPELL001", "error")]),
    ])
    log = strict_json(render_sarif(report, RULES))
    assert_valid_sarif(sarif_validator, log)
    locations = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in log["runs"][0]["results"]]
    assert locations[0] == {"uri": "docs/a.md", "uriBaseId": "%SRCROOT%"}
    assert locations[1] == {"uri": "docs/b.md", "uriBaseId": "%SRCROOT%"}
    assert locations[2] == {"uri": (tmp_path / "elsewhere" / "c d.md").as_uri()}
    assert locations[3] == {"uri": (tmp_path / "sibling" / "e.md").as_uri()}


def test_sarif_baseline_state_only_with_a_baseline(sarif_validator):
    report = hand_report()
    without = strict_json(render_sarif(report, RULES))["runs"][0]["results"]
    assert all("baselineState" not in r for r in without)
    log = strict_json(render_sarif(report, RULES, baseline_used=True))
    assert_valid_sarif(sarif_validator, log)
    states = {(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"]): r["baselineState"]
              for r in log["runs"][0]["results"]}
    assert states[("SPELL001", 12)] == "unchanged"
    assert states[("SPELL001", 3)] == "new"


def test_sarif_of_an_empty_report_is_valid(sarif_validator):
    log = strict_json(render_sarif(Report(version="0.1.0", as_of=AS_OF, fail_on="error"), RULES))
    assert_valid_sarif(sarif_validator, log)
    assert log["runs"][0]["results"] == []


def test_sarif_of_a_real_audit(sarif_validator, pipeline_report):
    report, rules = pipeline_report
    log = strict_json(render_sarif(report, rules))
    assert_valid_sarif(sarif_validator, log)
    run = log["runs"][0]
    assert len(run["tool"]["driver"]["rules"]) == len(rules)
    assert len(run["results"]) == len(report.articles[0].findings)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    assert uris == {"corpus/muscle-spasms-lower-back.txt"}


# --- JUnit ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def junit_schema():
    from lxml import etree

    return etree.XMLSchema(etree.parse(str(SCHEMAS / "junit-10.xsd")))


def assert_valid_junit(schema, text: str) -> ET.Element:
    from lxml import etree

    doc = etree.fromstring(text.encode("utf-8"))
    assert schema.validate(doc), schema.error_log
    return ET.fromstring(text.encode("utf-8"))


def cases(root: ET.Element) -> dict[str, ET.Element]:
    return {c.get("classname") + "/" + c.get("name"): c for c in root.iter("testcase")}


def test_junit_is_valid_with_one_case_per_article(junit_schema):
    text = render_junit(hand_report(), RULES)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites')
    root = assert_valid_junit(junit_schema, text)
    assert root.tag == "testsuites" and root.get("name") == "medreview"
    (suite,) = root.findall("testsuite")
    assert suite.get("name") == "medreview"
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("time")) == ("5", "2", "1", "1.235")
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("5", "2", "1")
    assert sorted(cases(root)) == [
        "corpus.broken.md/broken.md", "corpus.clean.md/clean.md", "corpus.cms.jsonl/r1",
        "corpus.notes, 100%: draft #2.md/A title", "corpus.old.md/A title",
    ]


def test_junit_failures_follow_fail_on(junit_schema):
    by_name = cases(assert_valid_junit(junit_schema, render_junit(hand_report("error"), RULES)))
    heat = by_name["corpus.notes, 100%: draft #2.md/A title"]
    failure = heat.find("failure")
    assert failure.get("type") == "medreview" and failure.get("message") == "1 error, 0 warnings"
    # Markup and quotes come back as they were; a form feed XML cannot carry becomes U+FFFD.
    assert failure.text == '3:5 error SPELL001 Unknown word, "teh"\nsecond line <b>&amp;</b>\ufffd'
    out = heat.find("system-out").text.splitlines()
    assert out == ["7:1 warning ART005 A call to action, left in: remove it.", "1:1 info REVIEW001 Review due.",
                   "12:2 error SPELL001 Something to fix. [baselined]",
                   "14:1 warning HOUSE001 A house rule the registry does not list."]
    assert by_name["corpus.old.md/A title"].find("failure") is None  # baselined never fails
    assert by_name["corpus.clean.md/clean.md"].find("failure") is None
    error = by_name["corpus.broken.md/broken.md"].find("error")
    assert error.get("type") == "medreview.unreadable" and error.get("message") == "1 error, 0 warnings"
    assert by_name["corpus.broken.md/broken.md"].find("failure") is None

    warning = cases(assert_valid_junit(junit_schema, render_junit(hand_report("warning"), RULES)))
    assert warning["corpus.notes, 100%: draft #2.md/A title"].find("failure").get("message") == "1 error, 2 warnings"

    never = assert_valid_junit(junit_schema, render_junit(hand_report("never"), RULES))
    assert (never.get("failures"), never.get("errors")) == ("0", "0")
    assert not list(never.iter("failure")) and not list(never.iter("error"))


def test_junit_of_a_real_audit(junit_schema, pipeline_report):
    report, rules = pipeline_report
    root = assert_valid_junit(junit_schema, render_junit(report, rules))
    (case,) = root.iter("testcase")
    assert case.get("classname") == "corpus.muscle-spasms-lower-back.txt"
    errors = [f for f in report.articles[0].findings if f.severity is Severity.ERROR]
    assert (case.find("failure") is not None) == bool(errors)


# --- CSV ------------------------------------------------------------------------------------

def test_csv_round_trips(monkeypatch):
    report = hand_report()
    text = render_csv(report, RULES)
    assert "\r" not in text and text.endswith("\n") and not text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert list(rows[0]) == list(COLUMNS)
    assert len(rows) == sum(1 for _ in report.findings())
    first = rows[0]
    assert first["path"] == TRICKY_PATH and first["record"] == ""
    assert first["message"] == 'Unknown word, "teh"\nsecond line <b>&amp;</b>\x0c'
    assert first["suggestions"] == "the | tea"
    assert (first["line"], first["column"], first["end_line"], first["end_column"]) == ("3", "5", "3", "31")
    assert (first["title"], first["last_reviewed"], first["days_overdue"]) == ("A title", "2026-01-02", "-30")
    assert first["baselined"] == "false" and rows[3]["baselined"] == "true"
    record = next(r for r in rows if r["path"] == "corpus/cms.jsonl")
    assert record["record"] == "r1" and record["days_overdue"] == ""


def test_csv_guards_against_formula_injection():
    rows = list(csv.DictReader(io.StringIO(render_csv(hand_report(), RULES), newline="")))
    excerpts = [r["excerpt"] for r in rows[:5]]
    assert excerpts == ["'=HYPERLINK(\"http://x\",\"y\")", "'@SUM(A1) Subscribe now", "'-12 days",
                        "'+recieve\nthen\ttab", "'\tTabbed"]
    report = Report(version="0.1.0", as_of=AS_OF, fail_on="error", articles=[
        article("a.md", [finding("SPELL001", "error", excerpt="\rstart", message="=1+2")], title="@title"),
    ])
    (row,) = csv.DictReader(io.StringIO(render_csv(report, RULES), newline=""))
    assert (row["excerpt"], row["message"], row["title"]) == ("'\nstart", "'=1+2", "'@title")


def test_csv_of_a_real_audit(pipeline_report):
    report, rules = pipeline_report
    rows = list(csv.DictReader(io.StringIO(render_csv(report, rules), newline="")))
    findings = report.articles[0].findings
    assert len(rows) == len(findings)
    assert [r["fingerprint"] for r in rows] == [f.fingerprint for f in findings]


def test_csv_of_an_empty_report_is_the_header():
    assert render_csv(Report(version="0.1.0", as_of=AS_OF, fail_on="error"), RULES) == ",".join(COLUMNS) + "\n"


# --- GitHub Actions annotations ------------------------------------------------------------

def test_github_annotations_are_escaped(monkeypatch, repo_root):
    monkeypatch.chdir(repo_root)
    text = render_github(hand_report(), RULES)
    assert text.endswith("\n")
    lines = text.split("\n")[:-1]  # the runner splits on LF only (splitlines would split at the \x0c too)
    # Baselined findings are skipped; errors come first.
    assert len(lines) == 6
    assert lines[0] == ("::error file=corpus/broken.md,line=1,col=1,endLine=1,endColumn=1,title=INPUT001::"
                        "This file cannot be read: permission denied.")
    assert lines[1] == ("::error file=corpus/cms.jsonl,line=3,col=40,endLine=3,endColumn=47,title=SPELL001::"
                        "Something to fix.")
    assert lines[2] == (
        "::error file=corpus/notes%2C 100%25%3A draft #2.md,line=3,col=5,endLine=3,endColumn=31,title=SPELL001::"
        'Unknown word, "teh"%0Asecond line <b>&amp;</b>\x0c%0ASuggestions: the, tea'
    )
    # A span over several lines: GitHub takes no columns for it.
    assert lines[3] == ("::warning file=corpus/notes%2C 100%25%3A draft #2.md,line=7,endLine=9,title=ART005::"
                        "A call to action, left in: remove it.")
    assert lines[4].startswith("::warning file=corpus/notes%2C 100%25%3A draft #2.md,line=14,")
    assert lines[5].startswith("::notice file=") and lines[5].endswith("title=REVIEW001::Review due.")


def test_github_message_cannot_start_a_command():
    report = Report(version="0.1.0", as_of=AS_OF, fail_on="error", articles=[
        article("a.md", [finding("SPELL001", "warning", message="fine\r\n::error::injected 100%")]),
    ])
    (line,) = render_github(report, RULES).splitlines()
    assert line.endswith("::fine%0D%0A::error::injected 100%25")


def test_github_annotations_are_capped():
    many = [finding("REVIEW001", "info", n, 1) for n in range(1, 31)]
    many += [finding("SPELL001", "error", n, 1) for n in range(1, 31)]
    report = Report(version="0.1.0", as_of=AS_OF, fail_on="error", articles=[article("a.md", many)])
    lines = render_github(report, RULES).splitlines()
    assert len(lines) == 51
    assert all(line.startswith("::error ") for line in lines[:30])
    assert lines[-1] == "::notice::medreview: 60 findings, 50 shown as annotations; the report files list them all."
    capped = render_github(report, RULES, max_annotations=5).splitlines()
    assert len(capped) == 6 and "60 findings, 5 shown" in capped[-1]
    assert render_github(report, RULES, max_annotations=60).count("\n") == 60


def test_github_of_a_real_audit(pipeline_report):
    report, rules = pipeline_report
    lines = render_github(report, rules).splitlines()
    findings = report.articles[0].findings
    assert len(lines) == min(len(findings), 50) + (len(findings) > 50)
    assert all(line.startswith(("::error file=corpus/muscle-spasms-lower-back.txt,",
                                "::warning file=corpus/muscle-spasms-lower-back.txt,",
                                "::notice file=corpus/muscle-spasms-lower-back.txt,")) for line in lines[:50])

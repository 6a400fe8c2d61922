"""report.json: the contract other tools read. Its keys and value shapes stay stable."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from medreview.model import CATEGORIES

FINDING_KEYS = {"rule", "category", "severity", "message", "line", "column", "end_line", "end_column",
                "excerpt", "suggestions", "evidence", "fingerprint"}
ARTICLE_KEYS = {"path", "format", "title", "meta", "findings"}
META_KEYS = {"authors", "reviewed_by", "published", "updated", "last_reviewed", "found_in"}
SEVERITIES = {"error", "warning", "info"}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

MD = """\
---
title: Heat or ice for back spasms
authors:
  - name: Jane Roe
    credentials: MD
reviewed_by: Ann Lee, PhD
published: 2019-04-01
last_reviewed: 2024-02-03
updated: not a date
---
# Heat or ice

Both heat and ice can help. All rights reserved. Rest for a day.
"""


def audit_json(run_cli, as_of, *paths) -> dict:
    result = run_cli("audit", *paths, "--as-of", as_of, "--offline", "--out", "-", "--format", "json",
                     "--fail-on", "never")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def report(run_cli, as_of, tmp_path_factory, seed_path) -> dict:
    folder = tmp_path_factory.mktemp("mixed")
    shutil.copy(seed_path, folder / "seed.txt")
    (folder / "heat.md").write_text(MD, encoding="utf-8")
    (folder / "cms.jsonl").write_text(
        json.dumps({"id": "r1", "title": "R one", "body": "Was this article helpful? Walk daily.",
                    "author": "Sam Poe", "dateModified": "2025-06-07"}) + "\n"
        + "{broken json\n"
        + json.dumps({"slug": "r3", "body": "Swim twice a week."}) + "\n", encoding="utf-8")
    (folder / "empty.txt").write_text("   \n", encoding="utf-8")
    return audit_json(run_cli, as_of, folder)


def by_name(report: dict) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for a in report["articles"]:
        out.setdefault(Path(a["path"]).name, []).append(a)
    return out


# --- shape ------------------------------------------------------------------------------------

def test_top_level_keys(report, as_of):
    assert set(report) == {"medreview", "as_of", "articles", "summary"}
    assert isinstance(report["medreview"], str) and report["medreview"]
    assert report["as_of"] == as_of
    assert isinstance(report["articles"], list) and report["articles"]


def test_every_article_has_the_contract_keys(report):
    for a in report["articles"]:
        assert ARTICLE_KEYS <= set(a), a.keys()
        assert set(a) - ARTICLE_KEYS <= {"words", "record", "line", "days_overdue", "claims", "suppressed"}
        assert isinstance(a["path"], str)
        assert a["title"] is None or isinstance(a["title"], str)
        assert META_KEYS <= set(a["meta"])
        assert set(a["meta"]) - META_KEYS <= {"extra"}
        assert isinstance(a["meta"]["authors"], list) and isinstance(a["meta"]["reviewed_by"], list)
        assert isinstance(a["meta"]["found_in"], dict)
        for key in ("published", "updated", "last_reviewed"):
            value = a["meta"][key]
            assert value is None or ISO_DATE.match(value), (key, value)


def test_every_finding_has_exactly_the_contract_keys(report):
    findings = [f for a in report["articles"] for f in a["findings"]]
    assert findings
    for f in findings:
        assert FINDING_KEYS <= set(f)
        assert set(f) - FINDING_KEYS <= {"baselined"}
        assert f["category"] in CATEGORIES
        assert f["severity"] in SEVERITIES
        assert isinstance(f["message"], str) and f["message"]
        for key in ("line", "column", "end_line", "end_column"):
            assert isinstance(f[key], int) and f[key] >= 1
        assert (f["end_line"], f["end_column"]) >= (f["line"], f["column"])
        assert isinstance(f["excerpt"], str)
        assert isinstance(f["suggestions"], list) and isinstance(f["evidence"], dict)
        assert re.fullmatch(r"[0-9a-f]{20}", f["fingerprint"])


def test_categories_list_is_the_documented_one():
    assert set(CATEGORIES) == {"artifact", "spelling", "grammar", "citation", "link", "review",
                               "claim", "readability", "input"}


def test_fingerprints_are_unique_in_a_report(report):
    fps = [f["fingerprint"] for a in report["articles"] for f in a["findings"]]
    assert len(fps) == len(set(fps))


def test_summary_adds_up(report):
    s = report["summary"]
    findings = [f for a in report["articles"] for f in a["findings"]]
    assert s["findings"] == len(findings)
    assert sum(s["by_severity"].values()) == len(findings)
    assert set(s["by_severity"]) == SEVERITIES
    assert sum(s["by_category"].values()) == len(findings)
    assert sum(s["by_rule"].values()) == len(findings)
    assert s["articles"] + s["unreadable"] == len(report["articles"])
    assert s["files"] == 4
    assert s["fail_on"] == "never" and s["failed"] is False


# --- content ------------------------------------------------------------------------------------

def test_markdown_meta_with_found_in(report):
    (md,) = by_name(report)["heat.md"]
    assert md["format"] == "markdown"
    assert md["title"] == "Heat or ice for back spasms"
    m = md["meta"]
    assert m["authors"] == ["Jane Roe, MD"]
    assert m["reviewed_by"] == ["Ann Lee, PhD"]
    assert m["published"] == "2019-04-01"
    assert m["last_reviewed"] == "2024-02-03"
    assert m["updated"] is None  # not a date: reported, not guessed
    assert m["found_in"]["last_reviewed"] == "front matter: last_reviewed"
    assert m["found_in"]["authors"] == "front matter: authors"
    rules = {f["rule"] for f in md["findings"]}
    assert {"INPUT006", "ART003"} <= rules


def test_multi_article_file_records_carry_record_and_line(report):
    records = by_name(report)["cms.jsonl"]
    assert len(records) == 3
    good = [a for a in records if a["format"] != "unknown"]
    assert [(a["record"].rsplit("#", 1)[1], a["line"]) for a in good] == [("r1", 1), ("r3", 3)]
    assert good[0]["title"] == "R one"
    assert good[0]["meta"]["authors"] == ["Sam Poe"]
    assert good[0]["meta"]["updated"] == "2025-06-07"
    assert good[0]["meta"]["found_in"]["updated"] == "record: dateModified"
    (widget,) = [f for f in good[0]["findings"] if f["category"] == "artifact"]
    assert widget["rule"] == "ART004" and widget["line"] == 1
    line = json.dumps({"id": "r1", "title": "R one", "body": "Was this article helpful? Walk daily.",
                       "author": "Sam Poe", "dateModified": "2025-06-07"})
    assert line[widget["column"] - 1:].startswith("Was this article helpful?")
    (bad,) = [a for a in records if a["format"] == "unknown"]
    assert bad["line"] == 2
    assert [f["rule"] for f in bad["findings"]] == ["INPUT005"]
    assert bad["findings"][0]["line"] == 2


def test_unreadable_file_is_an_input_finding(report):
    (empty,) = by_name(report)["empty.txt"]
    (f,) = empty["findings"]
    assert (f["rule"], f["category"]) == ("INPUT003", "input")
    assert empty["title"] is None
    assert empty["meta"]["published"] is None


def test_text_article_title_from_first_line(report):
    (seed,) = by_name(report)["seed.txt"]
    assert seed["format"] == "text"
    assert seed["title"] == "muscle spasms in lower back"
    assert seed["meta"]["found_in"] == {"title": "first line", "last_reviewed": "byline: last reviewed"}
    assert seed.get("words", 0) > 1000
    # Findings come in source order.
    positions = [(f["line"], f["column"]) for f in seed["findings"]]
    assert positions == sorted(positions)


# --- fingerprints survive edits elsewhere ---------------------------------------------------------

def test_fingerprints_stable_when_a_line_is_inserted_at_the_top(run_cli, as_of, tmp_path, seed_path):
    folder = tmp_path / "fp"
    folder.mkdir()
    article = folder / "article.txt"
    original = seed_path.read_text(encoding="utf-8")
    article.write_text(original, encoding="utf-8")
    before = audit_json(run_cli, as_of, article)["articles"][0]["findings"]
    article.write_text("An editor's note added at the top of the file.\n" + original, encoding="utf-8")
    after = {f["fingerprint"]: f for f in audit_json(run_cli, as_of, article)["articles"][0]["findings"]}
    assert len(before) > 5
    for f in before:
        moved = after.get(f["fingerprint"])
        assert moved is not None, f  # same finding, same fingerprint
        assert (moved["rule"], moved["excerpt"]) == (f["rule"], f["excerpt"])
        if f["excerpt"] == "" and (f["line"], f["column"]) == (1, 1):
            continue  # about the whole article (no reviewer named): it stays at the top
        assert (moved["line"], moved["column"]) == (f["line"] + 1, f["column"])


def test_fingerprints_stable_when_markdown_body_grows(run_cli, as_of, tmp_path):
    article = tmp_path / "grow.md"
    body = "All rights reserved. Rest.\n\nSecond paragraph. All rights reserved.\n"
    article.write_text("---\ntitle: T\n---\n" + body, encoding="utf-8")
    before = [f for f in audit_json(run_cli, as_of, article)["articles"][0]["findings"] if f["rule"] == "ART003"]
    article.write_text("---\ntitle: T\n---\nA new first paragraph.\n\n" + body, encoding="utf-8")
    after = [f for f in audit_json(run_cli, as_of, article)["articles"][0]["findings"] if f["rule"] == "ART003"]
    # Two identical excerpts get two different fingerprints, each stable.
    assert len(before) == 2 and len({f["fingerprint"] for f in before}) == 2
    assert [f["fingerprint"] for f in before] == [f["fingerprint"] for f in after]
    assert [f["line"] + 2 for f in before] == [f["line"] for f in after]


def test_fingerprint_changes_with_the_article_and_the_rule(run_cli, as_of, tmp_path):
    a = tmp_path / "a.txt"
    b = tmp_path / "b.txt"
    for p in (a, b):
        p.write_text("All rights reserved. Rest.\n", encoding="utf-8")
    report = audit_json(run_cli, as_of, a, b)
    fa, fb = ([f["fingerprint"] for f in art["findings"] if f["rule"] == "ART003"] for art in report["articles"])
    assert len(fa) == len(fb) == 1
    assert fa != fb


def test_report_json_is_utf8_not_ascii_escaped(run_cli, as_of, tmp_path):
    p = tmp_path / "u.txt"
    p.write_text("Café\n\nThe café menu. All rights reserved — © 2021 Café Media.\n", encoding="utf-8")
    result = run_cli("audit", p, "--as-of", as_of, "--offline", "--out", tmp_path / "o", "--format", "json")
    text = (tmp_path / "o" / "report.json").read_text(encoding="utf-8")
    assert "Café" in text and "\\u00e9" not in text
    assert json.loads(text)["articles"][0]["title"] == "Café"
    assert result.exit_code == 0

"""Editorial CI: baselines, --changed-since with a real git repository, inline suppression, annotations."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from medreview.cli import main
from medreview.suppress import parse_directives

AS_OF = "2026-11-25"
ARTICLE = """Back pain basics

Medically reviewed by Ann Lee, MD. Last reviewed: 2026-10-01.

Both heat and ice can relieve the pain of a muscle spasm.
Rest for a day, then start moving again.
"""


def audit(*args: str, env: dict[str, str] | None = None):
    result = CliRunner().invoke(main, ["audit", "--as-of", AS_OF, "--offline", *args], env=env)
    return result


def report_of(out: Path) -> dict:
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


# --- baselines --------------------------------------------------------------------------------

def test_baseline_round_trip_fails_only_on_new_findings(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    article = site / "back.txt"
    article.write_text(ARTICLE.replace("Rest for a day", "Back pain affects 1 in 5 adults. Rest for a day"))
    baseline = tmp_path / "baseline.json"
    made = CliRunner().invoke(main, ["baseline", str(site), "--as-of", AS_OF, "--offline", "-o", str(baseline)])
    assert made.exit_code == 0, made.output
    data = json.loads(baseline.read_text())
    assert data["medreview_baseline"] == 1 and any(f["rule"] == "CLAIM001" for f in data["findings"])

    # Unchanged: everything is baselined, the error no longer fails the run.
    out = tmp_path / "r1"
    result = audit(str(site), "--out", str(out), "--baseline", str(baseline), "--format", "json,sarif")
    assert result.exit_code == 0, result.output
    summary = report_of(out)["summary"]
    assert summary["new"] == 0 and summary["baselined"] == len(data["findings"])
    sarif = json.loads((out / "report.sarif").read_text())
    assert {r["baselineState"] for r in sarif["runs"][0]["results"]} == {"unchanged"}

    # Lines inserted above keep fingerprints; a new unsupported statistic fails.
    article.write_text("Editor's note: updated.\n\n" + article.read_text()
                       + "Smoking raises your risk of back pain by 40%.\n")
    out2 = tmp_path / "r2"
    result = audit(str(site), "--out", str(out2), "--baseline", str(baseline), "--format", "json")
    assert result.exit_code == 1
    new = [f for a in report_of(out2)["articles"] for f in a["findings"] if not f["baselined"]]
    assert [f["rule"] for f in new] == ["CLAIM001"] and "40%" in new[0]["excerpt"]
    assert "1 new findings" in result.output


def test_bad_baseline_is_a_usage_error(tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLE)
    for content, message in (("{", "not valid JSON"), ('{"x": 1}', "not a medreview baseline")):
        (tmp_path / "b.json").write_text(content)
        result = audit(str(tmp_path / "a.txt"), "--out", str(tmp_path / "r"), "--baseline", str(tmp_path / "b.json"))
        assert result.exit_code == 2 and message in result.output
    result = audit(str(tmp_path / "a.txt"), "--out", str(tmp_path / "r"), "--baseline", str(tmp_path / "none.json"))
    assert result.exit_code == 2 and "not found" in result.output


# --- --changed-since with a real git repository -------------------------------------------------

def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True, env=env).stdout


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_changed_since_audits_only_what_git_says_changed(tmp_path, monkeypatch):
    repo = tmp_path / "content"
    (repo / "articles").mkdir(parents=True)
    for name in ("a.txt", "b.txt", "c.txt"):
        (repo / "articles" / name).write_text(ARTICLE)
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "first")
    base = git(repo, "rev-parse", "HEAD").strip()
    (repo / "articles" / "a.txt").write_text(ARTICLE + "More text.\n")  # modified, uncommitted
    (repo / "articles" / "d.txt").write_text(ARTICLE)  # new, untracked
    (repo / "articles" / "c.txt").unlink()  # deleted: nothing to audit
    git(repo, "add", "articles/a.txt")
    git(repo, "commit", "-qm", "second")
    monkeypatch.chdir(repo)
    out = tmp_path / "r"
    result = audit("articles", "--out", str(out), "--changed-since", base, "--format", "json")
    assert result.exit_code in (0, 1), result.output
    assert sorted(Path(a["path"]).name for a in report_of(out)["articles"]) == ["a.txt", "d.txt"]
    assert "2 articles changed since" in result.output

    untracked = audit("articles", "--out", str(tmp_path / "r2"), "--changed-since", "HEAD", "--format", "json")
    assert [Path(a["path"]).name for a in report_of(tmp_path / "r2")["articles"]] == ["d.txt"], untracked.output
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "third")
    nothing = audit("articles", "--out", str(tmp_path / "r3"), "--changed-since", "HEAD", "--format", "json")
    assert nothing.exit_code == 0 and "nothing changed to audit" in nothing.output
    bad = audit("articles", "--out", str(tmp_path / "r4"), "--changed-since", "no-such-rev")
    assert bad.exit_code == 2 and "no such commit" in bad.output


# --- inline suppression ------------------------------------------------------------------------

def test_directive_forms():
    raw = ("a\n<!-- medreview-disable SPELL001, CLAIM -->\nb\n<!-- medreview-enable SPELL001 -->\n"
           "<!-- medreview-disable-next-line -->\nc\nd <!-- medreview-disable-line ART007 -->\n")
    found = {(s.rules, s.first_line, s.last_line) for s in parse_directives(raw)}
    assert found == {(("SPELL001",), 2, 4), (("CLAIM",), 2, None), (("*",), 6, 6), (("ART007",), 7, 7)}


def test_suppressed_findings_are_counted_not_hidden(tmp_path):
    text = ("Back pain basics\n\nMedically reviewed by Ann Lee, MD. Last reviewed: 2026-10-01.\n\n"
            "<!-- medreview-disable-next-line CLAIM002 -->\n"
            "Both heat and ice can relieve the pain of a muscle spasm.\n"
            "Experts say yoga can reduce back pain. <!-- medreview-disable-line claim -->\n"
            "Stress can prevent sleep. See https://www.example.invalid/x <!-- medreview-disable-line LINK -->\n"
            "Massage may help with cramps.\n")
    (tmp_path / "a.txt").write_text(text)
    out = tmp_path / "r"
    result = audit(str(tmp_path / "a.txt"), "--out", str(out), "--format", "json,md", "--fail-on", "never")
    assert result.exit_code == 0, result.output
    data = report_of(out)
    claims = [f for f in data["articles"][0]["findings"] if f["category"] == "claim"]
    assert [f["line"] for f in claims] == [8, 9]  # lines 6 and 7 are suppressed
    assert data["summary"]["suppressed"] == 2
    assert data["articles"][0]["suppressed"] == 2
    assert "2 findings suppressed inline" in (out / "report.md").read_text()


def test_a_link_finding_added_after_the_audit_is_suppressed_inline_too(tmp_path):
    """The link stage adds its findings once every article is spooled; the line's directive still
    holds for them (a relative link with no base URL is reported offline, as not checkable)."""
    (tmp_path / "a.md").write_text("---\ntitle: T\n---\n\n# T\n\n"
                                   "See [one](/relative/one) here. <!-- medreview-disable-line LINK -->\n\n"
                                   "See [two](/relative/two) there.\n")
    out = tmp_path / "r"
    result = audit(str(tmp_path / "a.md"), "--out", str(out), "--format", "json", "--fail-on", "never")
    assert result.exit_code == 0, result.output
    article = report_of(out)["articles"][0]
    assert [(f["rule"], f["line"]) for f in article["findings"] if f["rule"].startswith("LINK")] == [("LINK009", 9)]
    assert article["suppressed"] == 1


# --- GitHub annotations and the subprocess CLI --------------------------------------------------

def test_github_annotations_when_running_in_actions(tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLE.replace("Rest for a day", "Back pain affects 1 in 5 adults. Rest"))
    result = audit(str(tmp_path / "a.txt"), "--out", str(tmp_path / "r"), "--format", "json",
                   env={"GITHUB_ACTIONS": "true"})
    lines = [l for l in result.output.splitlines() if l.startswith("::")]
    assert any(l.startswith("::error file=") and "title=CLAIM001" in l for l in lines), lines


def test_real_subprocess_exit_codes_and_sarif(tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLE)
    out = tmp_path / "r"
    cmd = [sys.executable, "-m", "medreview.cli", "audit", str(tmp_path / "a.txt"), "--as-of", AS_OF, "--offline",
           "--out", str(out), "--format", "sarif,junit,csv,html"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr  # the efficacy claim is a warning
    assert {p.name for p in out.iterdir()} >= {"report.sarif", "report.junit.xml", "findings.csv", "report.html"}
    strict = subprocess.run(cmd + ["--fail-on", "warning"], capture_output=True, text=True, timeout=300)
    assert strict.returncode == 1


def test_baseline_matches_however_the_path_is_spelled(tmp_path, monkeypatch):
    site = tmp_path / "site"
    site.mkdir()
    (site / "a.txt").write_text(ARTICLE.replace("Rest for a day", "Back pain affects 1 in 5 adults. Rest"))
    monkeypatch.chdir(tmp_path)
    baseline = tmp_path / "b.json"
    made = CliRunner().invoke(main, ["baseline", "./site/a.txt", "--as-of", AS_OF, "--offline", "-o", str(baseline)])
    assert made.exit_code == 0, made.output
    for spelling in ("site/a.txt", str(site / "a.txt"), "site/../site/a.txt"):
        result = audit(spelling, "--out", str(tmp_path / "r"), "--baseline", str(baseline), "--format", "json")
        assert result.exit_code == 0, (spelling, result.output)
        assert "0 new findings" in result.output


def test_baseline_refuses_changed_since(tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLE)
    result = CliRunner().invoke(main, ["baseline", str(tmp_path), "--changed-since", "HEAD", "-o",
                                       str(tmp_path / "b.json")])
    assert result.exit_code == 2 and "cannot make a baseline" in result.output


def test_enable_one_rule_inside_a_broader_block():
    raw = ("<!-- medreview-disable SPELL -->\na\n<!-- medreview-enable SPELL001 -->\nb\n"
           "<!-- medreview-disable -->\nc\n<!-- medreview-enable CLAIM002 -->\nd\n")
    from medreview.model import Finding, Severity
    from medreview.suppress import applies

    def f(rule, line):
        return Finding(rule=rule, category="x", severity=Severity.INFO, message="", line=line, column=1,
                       end_line=line, end_column=1, excerpt="")

    ds = parse_directives(raw)
    hit = lambda rule, line: any(applies(s, f(rule, line), "") for s in ds)  # noqa: E731
    assert hit("SPELL001", 2) and not hit("SPELL001", 4) and hit("SPELL002", 4)
    assert hit("CLAIM002", 6) and not hit("CLAIM002", 8) and hit("CLAIM001", 8)


def test_directives_inside_a_json_lines_body(tmp_path):
    body = ("Title line.\\n<!-- medreview-disable-next-line CLAIM002 -->\\n"
            "Both heat and ice can relieve the pain of a muscle spasm.\\nMassage may help with cramps.\\n")
    escaped = body.replace("<", "\\u003c").replace(">", "\\u003e")  # as Go and Django export them
    (tmp_path / "a.jsonl").write_text(
        '{"id": "r1", "title": "T", "body": "%s"}\n{"id": "r2", "title": "T", "body": "%s"}\n' % (body, escaped))
    out = tmp_path / "r"
    result = audit(str(tmp_path / "a.jsonl"), "--out", str(out), "--format", "json", "--fail-on", "never")
    assert result.exit_code == 0, result.output
    for article in report_of(out)["articles"]:
        claims = [f for f in article["findings"] if f["category"] == "claim"]
        assert len(claims) == 1 and "Massage" in claims[0]["excerpt"], article["record"]
        assert article["suppressed"] == 1

"""The command line, in-process through click's CliRunner and as a real subprocess."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from medreview import __version__

AD_MARK = "ez_write_tag"
AD_CODE = "eval(ez_write_tag([[300,250],'site_com-medrectangle-3','ezslot_2',110,'0','0']));"

CLEAN_MD = """\
---
title: Stretching for back pain
author: Jane Roe
reviewed_by: Dr Ann Lee
last_reviewed: 2026-01-10
---
# Stretching for back pain

Gentle stretching keeps the lower back flexible. Hold each stretch for thirty seconds.
"""


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file under `folder`: content hash and modification time."""
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            out[str(p.relative_to(folder))] = (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
    return out


def fingerprints(report: dict) -> list[tuple[str, str, str]]:
    return sorted((a["path"], f["rule"], f["fingerprint"]) for a in report["articles"] for f in a["findings"])


@pytest.fixture
def batch(tmp_path, seed_path) -> Path:
    """A folder of several articles in every format the core reads."""
    folder = tmp_path / "batch"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(seed_path, folder / "seed.txt")
    (folder / "stretch.md").write_text(CLEAN_MD, encoding="utf-8")
    (folder / "sub" / "heat.txt").write_text(
        "Heat or ice\n\nBoth heat and ice help. All rights reserved. Was this article helpful?\n", encoding="utf-8")
    (folder / "sub" / "export.jsonl").write_text(
        json.dumps({"id": "r1", "body": "Sign up for our free newsletter. Rest helps."}) + "\n"
        + json.dumps({"id": "r2", "body": "Walking is good for the back."}) + "\n", encoding="utf-8")
    (folder / ".hidden.txt").write_text("Not audited. All rights reserved.\n", encoding="utf-8")
    (folder / "notes.rst").write_text("Not an article format.\n", encoding="utf-8")
    return folder


@pytest.fixture
def junk(tmp_path) -> Path:
    """A short article with ad code (ART001, a warning) and a footer line (ART003, info)."""
    p = tmp_path / "junk.txt"
    p.write_text("Back pain\n\nRest helps. " + AD_CODE + " Walk every day.\nAll rights reserved.\n",
                 encoding="utf-8")
    return p


@pytest.fixture
def only_warnings(tmp_path) -> Path:
    """A folder whose only finding is INPUT003 (a warning): no check runs on an empty file."""
    folder = tmp_path / "warn-only"
    folder.mkdir()
    (folder / "empty.txt").write_text("  \n", encoding="utf-8")
    return folder


@pytest.fixture
def clean_folder(tmp_path) -> Path:
    folder = tmp_path / "clean"
    folder.mkdir()
    (folder / "stretch.md").write_text(CLEAN_MD, encoding="utf-8")
    return folder


# --- audit through CliRunner -------------------------------------------------------------

def test_audit_seed_writes_json_and_md_reports(run_cli, seed_path, as_of, tmp_path):
    out = tmp_path / "out"
    result = run_cli("audit", seed_path, "--as-of", as_of, "--offline", "--out", out, "--fail-on", "never")
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["as_of"] == as_of
    assert report["medreview"] == __version__
    (article,) = report["articles"]
    assert article["path"] == str(seed_path)
    assert "ART001" in {f["rule"] for f in article["findings"]}
    md = (out / "report.md").read_text(encoding="utf-8")
    assert md.startswith("# medreview report")
    assert "ART001" in md and as_of in md
    # The terminal lines go to stdout in file:line:col form, then a verdict.
    assert f"{seed_path}:3:" in result.stdout
    assert "PASS (--fail-on never)" in result.stdout
    assert f"Wrote {out / 'report.json'}" in result.stderr
    # No temporary files left next to the reports.
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "report.json", "report.md"]


def test_out_dash_prints_only_json_on_stdout(run_cli, junk, as_of):
    result = run_cli("audit", junk, "--as-of", as_of, "--offline", "--out", "-", "--fail-on", "never")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert set(report) == {"medreview", "as_of", "articles", "summary"}
    assert "PASS" in result.stderr  # the terminal summary moved to stderr
    assert "md, html skipped" in result.stderr


def test_format_json_only_writes_no_markdown(run_cli, junk, as_of, tmp_path):
    out = tmp_path / "only-json"
    result = run_cli("audit", junk, "--as-of", as_of, "--offline", "--out", out, "--format", "json",
                     "--fail-on", "never")
    assert result.exit_code == 0
    assert (out / "report.json").exists()
    assert not (out / "report.md").exists()
    assert "ART001" not in result.stdout  # no terminal report asked for


def test_terminal_format_lines(run_cli, junk, as_of, tmp_path):
    result = run_cli("audit", junk, "--as-of", as_of, "--offline", "--out", tmp_path / "o",
                     "--format", "terminal", "--fail-on", "never")
    line = next(l for l in result.stdout.splitlines() if " ART001 " in l)
    assert line.startswith(f"{junk}:3:{len('Rest helps. ') + 1}: warning ART001 ")
    assert "“eval(ez_write_tag" in line
    assert not (tmp_path / "o").exists()  # terminal only: no files


@pytest.mark.parametrize("value", ["pdf", "json,docx", ",", ""])
def test_bad_format_is_a_usage_error(run_cli, seed_path, tmp_path, value):
    result = run_cli("audit", seed_path, "--offline", "--out", tmp_path / "o", "--format", value)
    assert result.exit_code == 2
    assert "--format" in result.stderr
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("value", ["2026-13-01", "25/11/2026", "tomorrow"])
def test_bad_as_of_is_a_usage_error(run_cli, seed_path, tmp_path, value):
    result = run_cli("audit", seed_path, "--offline", "--out", tmp_path / "o", "--as-of", value)
    assert result.exit_code == 2
    assert "--as-of" in result.stderr


def test_bad_fail_on_and_jobs_are_usage_errors(run_cli, seed_path, tmp_path):
    assert run_cli("audit", seed_path, "--out", tmp_path / "o", "--fail-on", "sometimes").exit_code == 2
    assert run_cli("audit", seed_path, "--out", tmp_path / "o", "--jobs", "-1").exit_code == 2


def test_nonexistent_path_is_a_usage_error_naming_it(run_cli, tmp_path):
    missing = tmp_path / "no-such-article.md"
    result = run_cli("audit", missing, "--offline", "--out", tmp_path / "o")
    assert result.exit_code == 2
    assert str(missing) in result.stderr
    assert "medreview: error:" in result.stderr


def test_missing_path_among_good_ones_is_reported_and_the_rest_audited(run_cli, clean_folder, tmp_path, as_of):
    missing = tmp_path / "gone.txt"
    out = tmp_path / "o"
    result = run_cli("audit", clean_folder, missing, "--as-of", as_of, "--offline", "--out", out)
    assert str(missing) in result.stderr
    assert result.exit_code == 0
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert [Path(a["path"]).name for a in report["articles"]] == ["stretch.md"]


def test_folder_without_articles_is_a_usage_error(run_cli, tmp_path):
    empty = tmp_path / "nothing"
    empty.mkdir()
    (empty / "readme.rst").write_text("not an article", encoding="utf-8")
    result = run_cli("audit", empty, "--offline", "--out", tmp_path / "o")
    assert result.exit_code == 2
    assert str(empty) in result.stderr
    assert "nothing to audit" in result.stderr


def test_glob_that_matches_nothing_is_a_usage_error(run_cli, tmp_path):
    result = run_cli("audit", str(tmp_path / "*.md"), "--offline", "--out", tmp_path / "o")
    assert result.exit_code == 2
    assert "matches no articles" in result.stderr


def test_glob_pattern_selects_files(run_cli, batch, tmp_path, as_of):
    result = run_cli("audit", str(batch / "**" / "*.txt"), "--as-of", as_of, "--offline", "--out", "-",
                     "--format", "json", "--fail-on", "never")
    assert result.exit_code == 0
    paths = sorted(Path(a["path"]).name for a in json.loads(result.stdout)["articles"])
    assert paths == ["heat.txt", "seed.txt"]


# --- exit status and --fail-on ---------------------------------------------------------------

def test_fail_on_never_is_always_zero(run_cli, junk, as_of):
    result = run_cli("audit", junk, "--as-of", as_of, "--offline", "--out", "-", "--fail-on", "never")
    assert result.exit_code == 0
    summary = json.loads(result.stdout)["summary"]
    assert summary["findings"] > 0 and summary["failed"] is False


def test_fail_on_info_with_findings_is_one(run_cli, junk, as_of):
    result = run_cli("audit", junk, "--as-of", as_of, "--offline", "--out", "-", "--fail-on", "info")
    assert result.exit_code == 1
    summary = json.loads(result.stdout)["summary"]
    assert summary["failed"] is True and summary["by_severity"]["info"] > 0
    assert "FAIL (--fail-on info)" in result.stderr


def test_fail_on_warning_with_a_warning_is_one(run_cli, junk, as_of):
    # The ad code (ART001) is a warning.
    result = run_cli("audit", junk, "--as-of", as_of, "--offline", "--out", "-", "--fail-on", "warning")
    assert result.exit_code == 1


@pytest.mark.parametrize("level, status", [("never", 0), ("error", 0), ("warning", 1), ("info", 1)])
def test_exit_status_for_a_warning_only_run(run_cli, only_warnings, as_of, level, status):
    result = run_cli("audit", only_warnings, "--as-of", as_of, "--offline", "--out", "-", "--fail-on", level)
    summary = json.loads(result.stdout)["summary"]
    assert summary["by_severity"] == {"error": 0, "warning": 1, "info": 0}
    assert result.exit_code == status


def test_default_fail_on_is_error(run_cli, only_warnings, as_of):
    result = run_cli("audit", only_warnings, "--as-of", as_of, "--offline", "--out", "-")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["summary"]["fail_on"] == "error"


def test_fail_on_error_exit_status_follows_the_errors(run_cli, junk, as_of):
    result = run_cli("audit", junk, "--as-of", as_of, "--offline", "--out", "-", "--fail-on", "error")
    errors = json.loads(result.stdout)["summary"]["by_severity"]["error"]
    assert result.exit_code == (1 if errors else 0)


def test_fail_on_error_with_an_error_is_one(run_cli, tmp_path, as_of):
    folder = tmp_path / "bin"
    folder.mkdir()
    (folder / "blob.txt").write_bytes(b"\x00\x01binary")
    result = run_cli("audit", folder, "--as-of", as_of, "--offline", "--out", "-")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["summary"]["by_severity"]["error"] == 1


def test_config_file_sets_fail_on_and_the_flag_overrides_it(run_cli, only_warnings, tmp_path, as_of):
    cfg = tmp_path / "medreview.toml"
    cfg.write_text("[audit]\nfail_on = 'warning'\n", encoding="utf-8")
    base = ["audit", only_warnings, "--as-of", as_of, "--offline", "--out", "-", "--config", cfg]
    assert run_cli(*base).exit_code == 1
    assert run_cli(*base, "--fail-on", "never").exit_code == 0


def test_config_found_in_the_audited_folder(run_cli, junk, as_of):
    args = ("--as-of", as_of, "--offline", "--out", "-", "--format", "json", "--fail-on", "never")
    without = json.loads(run_cli("audit", junk, *args).stdout)["summary"]
    assert without["by_category"].get("artifact", 0) >= 2
    (junk.parent / "medreview.toml").write_text("[rules]\ndisable = ['ART']\n", encoding="utf-8")
    with_cfg = json.loads(run_cli("audit", junk, *args).stdout)["summary"]
    assert with_cfg["by_category"].get("artifact", 0) == 0


def test_bad_config_and_broken_rule_pack_exit_two(run_cli, seed_path, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[audit\n", encoding="utf-8")
    result = run_cli("audit", seed_path, "--offline", "--out", tmp_path / "o", "--config", bad)
    assert result.exit_code == 2
    assert str(bad) in result.stderr and "TOML" in result.stderr

    packs = tmp_path / "packs"
    packs.mkdir()
    (packs / "artifacts.yml").write_text("rules: [\n", encoding="utf-8")
    cfg = tmp_path / "medreview.toml"
    cfg.write_text("[rules]\npacks = ['packs']\n", encoding="utf-8")
    result = run_cli("audit", seed_path, "--offline", "--out", tmp_path / "o", "--config", cfg)
    assert result.exit_code == 2
    assert "not valid YAML" in result.stderr
    assert not (tmp_path / "o").exists()

    # A pattern that does not compile: exit 2 naming the rule, from the audit and from `rules`
    # (the audit compiles artifact patterns only once something must be audited).
    (packs / "artifacts.yml").write_text(
        "rules:\n  - {id: ART150, name: n, summary: s, message: m, patterns: ['(unclosed']}\n", encoding="utf-8")
    for command in (("audit", seed_path, "--offline", "--out", tmp_path / "o", "--jobs", "2"), ("rules",),
                    ("clean", seed_path)):
        result = run_cli(*command, "--config", cfg)
        assert result.exit_code == 2, command
        assert "ART150" in result.stderr and "bad pattern" in result.stderr
    assert not (tmp_path / "o").exists()


def test_out_pointing_at_a_file_is_a_usage_error(run_cli, junk, tmp_path, as_of):
    not_a_folder = tmp_path / "report-file"
    not_a_folder.write_text("", encoding="utf-8")
    try:
        result = run_cli("audit", junk, "--as-of", as_of, "--offline", "--out", not_a_folder, "--format", "json")
    except OSError:
        pytest.fail("audit raised instead of reporting a usage error")
    assert result.exit_code == 2
    assert str(not_a_folder) in result.stderr


def test_same_file_named_twice_is_audited_once(run_cli, junk, as_of):
    result = run_cli("audit", junk, junk, str(junk.parent / "." / junk.name), "--as-of", as_of,
                     "--offline", "--out", "-", "--format", "json", "--fail-on", "never")
    assert len(json.loads(result.stdout)["articles"]) == 1


# --- jobs -----------------------------------------------------------------------------------

def test_jobs_two_gives_the_same_findings_as_jobs_one(run_cli, batch, as_of, tmp_path):
    one = run_cli("audit", batch, "--as-of", as_of, "--offline", "--out", "-", "--format", "json", "--jobs", "1")
    two = run_cli("audit", batch, "--as-of", as_of, "--offline", "--out", "-", "--format", "json", "--jobs", "2")
    r1, r2 = json.loads(one.stdout), json.loads(two.stdout)
    assert fingerprints(r1) == fingerprints(r2)
    assert len(fingerprints(r1)) > 10
    # Same articles, in the same (input) order.
    assert [(a["path"], a.get("record")) for a in r1["articles"]] == [(a["path"], a.get("record")) for a in r2["articles"]]
    assert one.exit_code == two.exit_code


def test_folder_audit_skips_hidden_files_and_unknown_endings(run_cli, batch, as_of):
    result = run_cli("audit", batch, "--as-of", as_of, "--offline", "--out", "-", "--format", "json")
    names = {Path(a["path"]).name for a in json.loads(result.stdout)["articles"]}
    assert names == {"seed.txt", "stretch.md", "heat.txt", "export.jsonl"}


# --- clean, rules, version -------------------------------------------------------------------

def test_clean_prints_text_without_ad_code(run_cli, seed_path):
    result = run_cli("clean", seed_path)
    assert result.exit_code == 0
    assert AD_MARK not in result.stdout
    assert "All rights reserved" not in result.stdout
    assert "Both heat and ice can relieve the pain of a muscle spasm." in result.stdout
    assert result.stdout.startswith("muscle spasms in lower back")


def test_clean_of_a_missing_file_is_an_error_naming_it(run_cli, tmp_path):
    missing = tmp_path / "missing.txt"
    result = run_cli("clean", missing)
    assert result.exit_code != 0
    assert str(missing) in result.stderr


def test_rules_lists_every_rule(run_cli):
    result = run_cli("rules")
    assert result.exit_code == 0
    ids = [line.split()[0] for line in result.stdout.splitlines() if line.strip()]
    for rid in ("ART001", "ART009", "ART011", "INPUT001", "INPUT008"):
        assert rid in ids
    line = next(l for l in result.stdout.splitlines() if l.startswith("ART001"))
    assert "artifact.ad-code" in line and "warning" in line


def test_rules_includes_a_user_pack(run_cli, tmp_path):
    packs = tmp_path / "house"
    packs.mkdir()
    (packs / "artifacts.yml").write_text(
        "rules:\n  - {id: ART150, name: artifact.house, severity: info, summary: House line.,"
        " message: m, patterns: ['house line'], flag: [house line], keep: [home]}\n", encoding="utf-8")
    cfg = tmp_path / "medreview.toml"
    cfg.write_text("[rules]\npacks = ['house']\n", encoding="utf-8")
    result = run_cli("rules", "--config", cfg)
    assert result.exit_code == 0
    assert any(l.startswith("ART150") for l in result.stdout.splitlines())


def test_version(run_cli):
    result = run_cli("--version")
    assert result.exit_code == 0
    assert __version__ in result.stdout and "medreview" in result.stdout


def test_help_names_the_commands(run_cli):
    result = run_cli("--help")
    assert result.exit_code == 0
    for cmd in ("audit", "clean", "rules"):
        assert cmd in result.stdout


# --- never writes into the audited files ------------------------------------------------------

def test_audit_never_writes_into_the_audited_folder(run_cli, batch, as_of, tmp_path):
    before = snapshot(batch)
    out = tmp_path / "reports-elsewhere"
    result = run_cli("audit", batch, "--as-of", as_of, "--offline", "--out", out, "--jobs", "2")
    assert result.exit_code in (0, 1)
    assert snapshot(batch) == before
    run_cli("clean", batch / "seed.txt")
    assert snapshot(batch) == before


def test_markdown_report_keeps_the_case_of_names(run_cli, tmp_path, as_of):
    folder = tmp_path / "names"
    folder.mkdir()
    (folder / "a.md").write_text(CLEAN_MD + "\nAll rights reserved.\n", encoding="utf-8")
    out = tmp_path / "o"
    run_cli("audit", folder, "--as-of", as_of, "--offline", "--out", out)
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "Jane Roe" in md and "Dr Ann Lee" in md


# --- as a real process ------------------------------------------------------------------------

def _run(args, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "medreview.cli", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, encoding="utf-8", env=env, timeout=120)


def test_subprocess_audit_of_default_corpus_writes_reports(seed_path, as_of, tmp_path):
    # With no path, `audit` reads corpus/ of the current folder.
    work = tmp_path / "proj"
    (work / "corpus").mkdir(parents=True)
    shutil.copy(seed_path, work / "corpus" / "seed.txt")
    before = snapshot(work / "corpus")
    proc = _run(["audit", "--as-of", as_of, "--offline", "--out", "out", "--fail-on", "info"], work)
    assert proc.returncode == 1, proc.stderr  # the seed has findings
    assert "Traceback" not in proc.stderr
    report = json.loads((work / "out" / "report.json").read_text(encoding="utf-8"))
    assert report["as_of"] == as_of
    assert [Path(a["path"]).name for a in report["articles"]] == ["seed.txt"]
    assert "ART001" in {f["rule"] for f in report["articles"][0]["findings"]}
    assert (work / "out" / "report.md").exists()
    assert "seed.txt:3:" in proc.stdout
    assert snapshot(work / "corpus") == before


def test_subprocess_usage_errors_exit_two(tmp_path):
    proc = _run(["audit", tmp_path / "missing.txt", "--offline", "--out", "-"], tmp_path)
    assert proc.returncode == 2
    assert str(tmp_path / "missing.txt") in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = _run(["audit", tmp_path, "--format", "xml"], tmp_path)
    assert proc.returncode == 2


def test_subprocess_rules_and_version(tmp_path):
    proc = _run(["rules"], tmp_path)
    assert proc.returncode == 0
    assert "ART001" in proc.stdout and "INPUT001" in proc.stdout
    proc = _run(["--version"], tmp_path)
    assert proc.returncode == 0 and __version__ in proc.stdout


def test_subprocess_leaves_at_once_with_everything_written_and_cleaned(seed_path, as_of, tmp_path):
    # entry() skips the interpreter's teardown (~1 s of freeing objects): stdout must still be
    # complete, the spool's temporary files removed, the exit status kept, workers joined.
    site = tmp_path / "site"
    site.mkdir()
    for n in range(10):
        shutil.copy(seed_path, site / f"a{n}.txt")
    spool = tmp_path / "tmp"
    spool.mkdir()
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "TMPDIR": str(spool)}
    for jobs, fail_on, status in (("1", "never", 0), ("2", "info", 1)):
        proc = subprocess.run([sys.executable, "-m", "medreview.cli", "audit", str(site), "--as-of", as_of,
                               "--offline", "--no-cache", "--jobs", jobs, "--out", "-", "--fail-on", fail_on],
                              cwd=tmp_path, capture_output=True, text=True, encoding="utf-8", env=env, timeout=300)
        assert proc.returncode == status, proc.stderr
        report = json.loads(proc.stdout)  # the whole document: nothing lost in an unflushed buffer
        assert len(report["articles"]) == 10
        assert list(spool.iterdir()) == []  # the findings spool went with the exit handlers
    # The installed command is the same entry point.
    script = Path(sys.executable).parent / "medreview"
    if script.exists():
        assert "entry" in script.read_text(encoding="utf-8")

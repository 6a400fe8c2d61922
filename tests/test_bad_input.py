"""Bad inputs: each gets a clear one-line error and an `input` finding; the batch goes on."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from medreview.ingest import Failure, Reader

GOOD = "Stretching\n\nGentle stretching keeps the lower back flexible. All rights reserved.\n"


def audit(run_cli, as_of, *paths):
    """Audit `paths`; return (click result, parsed report.json)."""
    result = run_cli("audit", *paths, "--as-of", as_of, "--offline", "--out", "-", "--format", "json",
                     "--fail-on", "never")
    assert result.exit_code == 0, result.stderr
    return result, json.loads(result.stdout)


def folder_with(tmp_path: Path, name: str, content: bytes | None) -> tuple[Path, Path]:
    """A folder holding a good article and `name` (written unless content is None)."""
    folder = tmp_path / "batch"
    folder.mkdir(exist_ok=True)
    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    bad = folder / name
    if content is not None:
        bad.write_bytes(content)
    return folder, bad


def entries(report: dict, path: Path) -> list[dict]:
    return [a for a in report["articles"] if a["path"] == str(path)]


def assert_good_was_audited(report: dict, folder: Path) -> None:
    (good,) = entries(report, folder / "good.txt")
    assert good["format"] == "text"
    assert good["title"] == "Stretching"
    assert "ART003" in {f["rule"] for f in good["findings"]}


def error_lines(stderr: str) -> list[str]:
    return [l for l in stderr.splitlines() if l.startswith("medreview: error: ")]


def assert_failed_file(result, report, bad: Path, rule: str) -> dict:
    """One `input` finding for the file, and one stderr line naming it."""
    (entry,) = entries(report, bad)
    (finding,) = entry["findings"]
    assert finding["rule"] == rule
    assert finding["category"] == "input"
    assert finding["line"] == 1 and finding["column"] == 1
    assert finding["message"].startswith("This file ")
    lines = [l for l in error_lines(result.stderr) if str(bad) in l]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"medreview: error: {bad}: ")
    assert report["summary"]["unreadable"] >= 1
    return finding


# --- undecodable and binary -------------------------------------------------------------------

def test_binary_file_named_txt(run_cli, as_of, tmp_path):
    folder, bad = folder_with(tmp_path, "photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))
    result, report = audit(run_cli, as_of, folder)
    finding = assert_failed_file(result, report, bad, "INPUT002")
    assert "binary" in finding["message"]
    assert finding["severity"] == "error"
    assert_good_was_audited(report, folder)


def test_random_undecodable_bytes_are_input002(run_cli, as_of, tmp_path):
    import random

    rng = random.Random(7)
    data = bytes(rng.randint(1, 255) for _ in range(4000))  # no NUL, not UTF-8, no encoding fits
    folder, bad = folder_with(tmp_path, "garbage.md", data)
    result, report = audit(run_cli, as_of, folder)
    finding = assert_failed_file(result, report, bad, "INPUT002")
    assert "UTF-8" in finding["message"]
    assert_good_was_audited(report, folder)


def test_latin1_text_is_detected_and_read_with_input007(run_cli, as_of, tmp_path):
    text = ("Heat therapy\n\nApply a warm pack at 40°C for twenty minutes. Café-au-lait spots are harmless. "
            "Müller and Schröder described the exercises first. All rights reserved.\n")
    folder, latin = folder_with(tmp_path, "latin.txt", text.encode("latin-1"))
    result, report = audit(run_cli, as_of, folder)
    (entry,) = entries(report, latin)
    assert entry["format"] == "text"
    assert entry["title"] == "Heat therapy"
    rules = [f["rule"] for f in entry["findings"]]
    assert "INPUT007" in rules
    (note,) = [f for f in entry["findings"] if f["rule"] == "INPUT007"]
    assert note["severity"] == "info" and note["category"] == "input"
    assert "not UTF-8" in note["message"]
    # The text was decoded correctly, so the artifact check still finds its footer line.
    (footer,) = [f for f in entry["findings"] if f["rule"] == "ART003"]
    assert footer["excerpt"] == "All rights reserved."
    assert_good_was_audited(report, folder)


def test_utf16_with_bom_is_read_without_a_note(run_cli, as_of, tmp_path):
    folder, u16 = folder_with(tmp_path, "u16.txt", GOOD.replace("Stretching", "Sixteen").encode("utf-16"))
    _, report = audit(run_cli, as_of, folder)
    (entry,) = entries(report, u16)
    assert entry["title"] == "Sixteen"
    assert "INPUT007" not in {f["rule"] for f in entry["findings"]}


# --- empty ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("content", [b"", b"   \n\t\n  \r\n", b"\xef\xbb\xbf\n"], ids=["empty", "whitespace", "bom-only"])
def test_empty_and_whitespace_only_files_are_input003(run_cli, as_of, tmp_path, content):
    folder, bad = folder_with(tmp_path, "blank.txt", content)
    result, report = audit(run_cli, as_of, folder)
    finding = assert_failed_file(result, report, bad, "INPUT003")
    assert finding["severity"] == "warning"
    assert "empty" in finding["message"]
    assert_good_was_audited(report, folder)


def test_markdown_with_front_matter_only_is_input003(run_cli, as_of, tmp_path):
    folder, bad = folder_with(tmp_path, "stub.md", b"---\ntitle: Coming soon\n---\n\n")
    result, report = audit(run_cli, as_of, folder)
    assert_failed_file(result, report, bad, "INPUT003")
    assert_good_was_audited(report, folder)


# --- too large ------------------------------------------------------------------------------------

def test_file_over_the_size_limit_is_input004_and_not_read(run_cli, as_of, tmp_path):
    folder, big = folder_with(tmp_path, "huge.txt", None)
    with big.open("wb") as fh:
        fh.write(b"Huge\n\nA real start of an article.\n")
        fh.truncate(20_000_000)  # ~20 MB; the rest is NUL bytes, so reading it would say INPUT002
    result, report = audit(run_cli, as_of, folder)
    finding = assert_failed_file(result, report, big, "INPUT004")
    assert "20.0 MB" in finding["message"] and "8.0 MB" in finding["message"]
    assert "max_bytes" in finding["message"]
    assert_good_was_audited(report, folder)


def test_size_limit_comes_from_the_config(run_cli, as_of, tmp_path):
    folder, bad = folder_with(tmp_path, "medium.txt", ("Word " * 400).encode())
    cfg = tmp_path / "medreview.toml"
    cfg.write_text("[input]\nmax_bytes = 1000\n", encoding="utf-8")
    result = run_cli("audit", folder, "--as-of", as_of, "--offline", "--out", "-", "--format", "json",
                     "--fail-on", "never", "--config", cfg)
    report = json.loads(result.stdout)
    assert_failed_file(result, report, bad, "INPUT004")
    assert_good_was_audited(report, folder)


def test_reader_refuses_large_file_before_opening_it(tmp_path, monkeypatch):
    big = tmp_path / "big.txt"
    with big.open("wb") as fh:
        fh.truncate(9_000_000)
    opened = []
    real_open = Path.open

    def spy(self, *a, **k):
        opened.append(self)
        return real_open(self, *a, **k)

    monkeypatch.setattr(Path, "open", spy)
    (item,) = list(Reader(8_000_000).read(big, "text"))
    assert isinstance(item, Failure) and item.rule == "INPUT004"
    assert big not in opened


# --- folders and permissions ------------------------------------------------------------------------

def test_folder_named_like_an_article_is_not_read_as_a_file(run_cli, as_of, tmp_path):
    folder, fake = folder_with(tmp_path, "x.md", None)
    fake.mkdir()
    result, report = audit(run_cli, as_of, folder)
    assert entries(report, fake) == []
    assert_good_was_audited(report, folder)
    assert "Traceback" not in result.stderr


def test_folder_named_like_an_article_given_explicitly(run_cli, as_of, tmp_path):
    folder, fake = folder_with(tmp_path, "y.md", None)
    fake.mkdir()
    result, report = audit(run_cli, as_of, fake, folder / "good.txt")
    lines = [l for l in error_lines(result.stderr) if str(fake) in l]
    assert len(lines) == 1
    assert_good_was_audited(report, folder)


def test_folder_named_like_an_article_is_input001_for_the_reader(tmp_path):
    fake = tmp_path / "z.txt"
    fake.mkdir()
    (item,) = list(Reader(8_000_000).read(fake, "text"))
    assert isinstance(item, Failure)
    assert item.rule == "INPUT001" and "folder" in item.message


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root can read any file, so chmod 000 does not make it unreadable")
def test_unreadable_file_is_input001(run_cli, as_of, tmp_path):
    folder, bad = folder_with(tmp_path, "locked.txt", b"Locked\n\nSecret text.\n")
    bad.chmod(0)
    try:
        result, report = audit(run_cli, as_of, folder)
    finally:
        bad.chmod(0o644)
    finding = assert_failed_file(result, report, bad, "INPUT001")
    assert "permission" in finding["message"]
    assert_good_was_audited(report, folder)


# --- malformed but readable ------------------------------------------------------------------------

def test_jsonl_with_one_bad_line_among_good_ones(run_cli, as_of, tmp_path):
    lines = [json.dumps({"id": "a", "body": "Walking helps. All rights reserved."}),
             '{"id": "b", "body": "unterminated',
             json.dumps({"id": "c", "body": "Swimming helps too."})]
    folder, export = folder_with(tmp_path, "export.jsonl", ("\n".join(lines) + "\n").encode())
    result, report = audit(run_cli, as_of, folder)
    records = entries(report, export)
    assert len(records) == 3
    ok = [r for r in records if r["format"] == "jsonl"]
    assert [r["record"] for r in ok] == [f"{export}#a", f"{export}#c"]
    assert "ART003" in {f["rule"] for f in ok[0]["findings"]}
    (bad,) = [r for r in records if r["format"] == "unknown"]
    (finding,) = bad["findings"]
    assert (finding["rule"], finding["category"], finding["line"]) == ("INPUT005", "input", 2)
    assert finding["message"].startswith("This record ")
    assert bad["line"] == 2
    (line,) = [l for l in error_lines(result.stderr) if str(export) in l]
    assert line.startswith(f"medreview: error: {export}:2: ")
    assert "not valid JSON" in line
    assert_good_was_audited(report, folder)


def test_markdown_with_broken_front_matter_is_still_audited(run_cli, as_of, tmp_path):
    md = b"---\ntitle: [unclosed\nauthor: Jane\n---\n# Heat\n\nHeat helps. All rights reserved.\n"
    folder, bad = folder_with(tmp_path, "broken.md", md)
    result, report = audit(run_cli, as_of, folder)
    (entry,) = entries(report, bad)
    rules = {f["rule"] for f in entry["findings"]}
    assert "INPUT005" in rules  # the front matter was skipped...
    assert "ART003" in rules    # ...and the body was still checked
    (note,) = [f for f in entry["findings"] if f["rule"] == "INPUT005"]
    assert note["category"] == "input" and note["line"] == 1
    assert "front matter" in note["message"]
    assert entry["meta"]["authors"] == []
    assert_good_was_audited(report, folder)


def test_reader_crash_on_one_file_does_not_stop_the_batch(run_cli, as_of, tmp_path):
    # An impossible unquoted YAML date makes the YAML parser raise; it becomes an
    # input finding on that file and the batch goes on.
    md = b"---\ntitle: X\ndate: 2021-13-45\n---\nBody text here.\n"
    folder, bad = folder_with(tmp_path, "baddate.md", md)
    result, report = audit(run_cli, as_of, folder)
    (entry,) = entries(report, bad)
    assert any(f["category"] == "input" for f in entry["findings"])
    assert "Traceback" not in result.stderr
    assert_good_was_audited(report, folder)


def test_every_error_line_is_one_line_naming_a_file(run_cli, as_of, tmp_path):
    folder, _ = folder_with(tmp_path, "empty.txt", b"")
    (folder / "bin.txt").write_bytes(b"\x00" * 10)
    (folder / "rows.jsonl").write_bytes(b"[1]\n")
    result, report = audit(run_cli, as_of, folder)
    lines = error_lines(result.stderr)
    assert len(lines) == 3
    for name in ("empty.txt", "bin.txt", "rows.jsonl"):
        assert sum(str(folder / name) in l for l in lines) == 1
    assert report["summary"]["unreadable"] == 3
    assert report["summary"]["articles"] == 1
    assert_good_was_audited(report, folder)


def test_bad_inputs_are_never_modified(run_cli, as_of, tmp_path):
    folder, bad = folder_with(tmp_path, "latin.txt", "Caf\u00e9 text. All rights reserved.\n".encode("latin-1"))
    (folder / "bin.txt").write_bytes(b"\x00\x01\x02")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    audit(run_cli, as_of, folder)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before

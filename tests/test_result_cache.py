"""The result cache: unchanged articles are not audited again; any change that matters is a miss."""

from __future__ import annotations

import json
import os
from pathlib import Path

from click.testing import CliRunner

from medreview.cli import main

ARTICLE = "Title\n\nMedically reviewed by Ann Lee, MD.\n\nBoth heat and ice can relieve the pain of a spasm.\n"


def run(tmp_path: Path, *extra: str):
    out = tmp_path / "r"
    result = CliRunner().invoke(main, ["audit", str(tmp_path / "site"), "--offline", "--as-of", "2026-11-25",
                                       "--out", str(out), "--format", "json", "--profile", "--fail-on", "never",
                                       *extra], env={"MEDREVIEW_CACHE_DIR": str(tmp_path / "cache")})
    assert result.exit_code == 0, result.output
    findings = [(f["rule"], f["line"], f["fingerprint"]) for a in json.loads((out / "report.json").read_text())
                ["articles"] for f in a["findings"]]
    return result.output, findings


def test_warm_run_serves_the_same_findings_from_the_cache(tmp_path):
    (tmp_path / "site").mkdir()
    for n in range(3):
        (tmp_path / "site" / f"a{n}.txt").write_text(ARTICLE + f"Note {n}.\n")
    cold_output, cold = run(tmp_path)
    warm_output, warm = run(tmp_path)
    assert "cache hits" not in cold_output and "cache hits" in warm_output
    assert warm == cold and any(rule == "CLAIM002" for rule, _, _ in cold)
    assert "check CLAIM" not in warm_output  # nothing was audited again


def test_what_changes_findings_misses_the_cache(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "a.txt").write_text(ARTICLE)
    (site / "b.txt").write_text(ARTICLE)
    run(tmp_path)
    # An edited article is audited again; the other one comes from the cache.
    (site / "a.txt").write_text(ARTICLE + "Experts say yoga can reduce back pain.\n")
    output, findings = run(tmp_path)
    assert "cache hits" in output and "check CLAIM" in output
    assert sum(rule == "CLAIM004" for rule, _, _ in findings) == 1
    # A team rule pack changes what a check finds: everything is audited again.
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "accept.txt").write_text("somenewword\n")
    (tmp_path / "site" / "medreview.toml").write_text('[rules]\npacks = ["../pack"]\n')
    output, _ = run(tmp_path)
    assert "cache hits" not in output
    # --as-of changes review judgements: a miss too; --no-cache never reads it.
    output, _ = run(tmp_path, "--as-of", "2030-01-01")
    assert "cache hits" not in output
    output, _ = run(tmp_path, "--no-cache")
    assert "cache hits" not in output


def test_a_truncated_entry_is_a_miss_not_a_crash(tmp_path):
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "a.txt").write_text(ARTICLE)
    _, cold = run(tmp_path)
    for entry in (tmp_path / "cache" / "results").rglob("*.pickle"):
        entry.write_bytes(entry.read_bytes()[:20])  # as if a run was killed mid-write (without the rename)
    output, again = run(tmp_path)
    assert again == cold and "cache hits" not in output


def test_a_new_accept_word_misses_the_cache(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "a.txt").write_text(ARTICLE + "Wrap it in Zorbliflex tape.\n")
    (site / "words.txt").write_text("# house words\n")
    (site / "medreview.toml").write_text('[spelling]\naccept_files = ["words.txt"]\n')
    _, before = run(tmp_path)
    if not any(rule == "SPELL001" for rule, _, _ in before):
        import pytest

        pytest.skip("spelling is not available here")
    (site / "words.txt").write_text("# house words\nZorbliflex\n")
    output, after = run(tmp_path)
    assert "cache hits" not in output
    assert not any(rule == "SPELL001" for rule, _, _ in after)


def _site_of(tmp_path: Path, monkeypatch, articles: int):
    """A site folder of `articles` small articles, its discovered files, the cache under tmp_path."""
    from medreview.discover import discover

    monkeypatch.setenv("MEDREVIEW_CACHE_DIR", str(tmp_path / "cache"))
    site = tmp_path / "site"
    site.mkdir()
    for n in range(articles):
        (site / f"a{n}.txt").write_text(ARTICLE + f"Note {n}.\n")
    return site, discover([str(site)])[0]


def test_a_run_the_cache_answers_whole_builds_no_pipeline(tmp_path, monkeypatch):
    """The parent reads the cache first: no worker, no spaCy patterns, no lexicon when nothing changed."""
    from medreview import runner
    from medreview.config import Config

    site, files = _site_of(tmp_path, monkeypatch, 10)
    config = Config(formats=("json",), jobs=2)
    prepared: list[int] = []

    def results() -> list[tuple[str, list[str]]]:
        return [(r.path, [f.fingerprint for f in r.findings])
                for per_file in runner.run(files, config, prepare=lambda: prepared.append(1)) for r in per_file]

    cold = results()
    assert prepared == [1]  # once, however many files were audited
    inits: list[Config] = []
    monkeypatch.setattr(runner, "_init", lambda c: inits.append(c))  # would be called to audit anything
    assert results() == cold and prepared == [1] and inits == []
    # One changed file: only it is audited (here, as one file does not repay a pool), in input order.
    monkeypatch.undo()
    monkeypatch.setenv("MEDREVIEW_CACHE_DIR", str(tmp_path / "cache"))
    (site / "a3.txt").write_text(ARTICLE + "Experts say yoga can reduce back pain.\n")
    mixed = results()
    assert prepared == [1, 1]
    assert [p for p, _ in mixed] == [p for p, _ in cold]
    assert mixed[3] != cold[3] and mixed[:3] == cold[:3] and mixed[4:] == cold[4:]


def test_packed_results_from_workers_and_from_the_cache_unpack_to_the_plain_ones(tmp_path, monkeypatch):
    """The CLI asks for packed results (model.Packed): audited by workers or served by the cache,
    they hold the same findings as the plain results other callers get."""
    from medreview import runner
    from medreview.config import Config
    from medreview.model import unpack

    _, files = _site_of(tmp_path, monkeypatch, 4)
    config = Config(formats=("json", "html"), jobs=2)

    def flat(**kw):
        return [r for per_file in runner.run(files, config, **kw) for r in per_file]

    cold = flat(packed=True)  # audited by two workers
    warm = flat(packed=True)  # served by the cache
    plain = flat()
    for results in (cold, warm):
        assert all(r.packed is not None and r.findings == [] and r.display is None for r in results)
    for results in (cold, warm):
        for r, p in zip(results, plain):
            r.stats.pop("timings", None)
            p.stats.pop("timings", None)
            assert unpack(r) == p
    assert all(any(f.rule == "CLAIM002" for f in p.findings) and p.display for p in plain)


def test_an_unreadable_cache_entry_is_audited_again(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDREVIEW_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "site").mkdir()
    for n in range(2):
        (tmp_path / "site" / f"a{n}.txt").write_text(ARTICLE + f"Note {n}.\n")
    _, cold = run(tmp_path)
    for entry in (tmp_path / "cache").rglob("*.pickle"):
        entry.write_bytes(b"not a pickle")
    output, again = run(tmp_path)
    assert again == cold and "check CLAIM" in output


def _report_of(out: Path) -> list[tuple]:
    data = json.loads((out / "report.json").read_text())
    return [(a["path"], a["claims"], a["days_overdue"], a["suppressed"],
             [(f["rule"], f["line"], f["column"], f["message"], f["suggestions"], f["fingerprint"])
              for f in a["findings"]]) for a in data["articles"]]


FAMILY_ARTICLE = (ARTICLE + "Experts say yoga can reduce back pain. Researchers found this in a 2019 trial [1].\n"
                  "Stretching helps 80% of people with a xyzzyword spasm.\n"
                  "<!-- medreview-disable-next-line SPELL001 -->\nA qwxzzyq word stays quiet.\n\n"
                  "References\n\n1. Smith J. Yoga for back pain. BMJ. 2019.\n")


def test_an_edited_word_list_reaudits_spelling_alone(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    for n in range(3):
        (site / f"a{n}.md").write_text(FAMILY_ARTICLE + f"Note {n}.\n")
    words = tmp_path / "words.txt"  # outside the site: a .txt there is an article
    words.write_text("kinesio\n")
    (site / "medreview.toml").write_text('[spelling]\naccept_files = ["../words.txt"]\n')
    cold_output, cold = run(tmp_path)
    assert any(rule == "SPELL001" for rule, _, _ in cold) and "check CLAIM" in cold_output
    words.write_text("kinesio\nxyzzyword\n")
    output, _ = run(tmp_path)
    assert "check SPELL " in output and "check CLAIM" not in output and "check REVIEW" not in output
    partial = _report_of(tmp_path / "r")
    run(tmp_path, "--no-cache")
    assert partial == _report_of(tmp_path / "r")  # exactly what a full audit finds
    assert partial != [] and all(a[3] == 1 for a in partial)  # the suppressed SPELL001 is still counted
    assert not any("xyzzyword" in f[3] for a in partial for f in a[4])


def test_an_edited_claims_pack_reaudits_claims_alone(tmp_path):
    """A team's claims.yml changes only CLAIM findings; everything else comes from the cache.
    Each run is a new process, as rule packs are read once per process."""
    import subprocess
    import sys

    site, pack, out = tmp_path / "site", tmp_path / "pack", tmp_path / "r"
    site.mkdir()
    pack.mkdir()
    for n in range(3):
        (site / f"a{n}.md").write_text(FAMILY_ARTICLE + f"Note {n}.\n")
    (site / "medreview.toml").write_text('[rules]\npacks = ["../pack"]\n')
    (pack / "claims.yml").write_text("pack: claims\n")
    env = {**os.environ, "MEDREVIEW_CACHE_DIR": str(tmp_path / "cache")}

    def audit(*extra: str) -> tuple[str, list[tuple]]:
        done = subprocess.run([sys.executable, "-m", "medreview.cli", "audit", str(site), "--offline", "--as-of",
                               "2026-11-25", "--out", str(out), "--format", "json", "--profile", "--fail-on",
                               "never", "--jobs", "1", *extra], env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        return done.stderr, _report_of(out)

    _, cold = audit()
    (pack / "claims.yml").write_text("pack: claims\nsettings:\n  support_window: 1\n")
    output, partial = audit()
    assert "check CLAIM" in output and "check SPELL" not in output and "check CITE" not in output
    _, full = audit("--no-cache")
    assert partial == full and partial != cold  # the window changed what counts as supported


def test_the_near_word_index_goes_to_the_configured_cache_folder(tmp_path, monkeypatch):
    from medreview import runner, word_data
    from medreview.config import from_dict

    monkeypatch.setattr(word_data, "_cache_folder", None)
    runner._init(from_dict({"cache": {"dir": str(tmp_path / "team-cache")}}))
    assert word_data._near_index_path("k") == tmp_path / "team-cache" / "near-index" / "k.bin"


def test_offline_results_do_not_stand_in_for_a_remote_grammar_server():
    """--offline skips a remote LanguageTool silently; a later online run must ask it (GRAM alone)."""
    from medreview.config import from_dict
    from medreview.result_cache import family_digests

    remote = from_dict({"grammar": {"server": "https://languagetool.example.org"}})
    local = from_dict({"grammar": {"server": "http://127.0.0.1:8081"}})
    for config, differs in ((remote, True), (local, False), (from_dict({}), False)):
        online, offline = family_digests(config), family_digests(config.with_overrides(offline=True))
        assert (online["GRAM"] != offline["GRAM"]) is differs
        assert {k: v for k, v in online.items() if k != "GRAM"} == {k: v for k, v in offline.items() if k != "GRAM"}


def test_other_medreview_code_misses_the_cache(tmp_path, monkeypatch):
    # Edited checks (or an upgrade that kept the version number) must not be answered with
    # findings the code would no longer give: the key holds a digest of the package's source.
    from medreview import result_cache

    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "a.txt").write_text(ARTICLE)
    run(tmp_path)
    output, _ = run(tmp_path)
    assert "cache hits" in output
    monkeypatch.setattr(result_cache, "_code_digest", lambda: "other code")
    output, _ = run(tmp_path)
    assert "cache hits" not in output


def test_the_source_digest_follows_every_source_file(tmp_path):
    from medreview.result_cache import source_digest

    (tmp_path / "checks").mkdir()
    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / "checks" / "b.py").write_text("y = 2\n")
    first = source_digest(tmp_path)
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "c.py").write_text("stale\n")
    assert source_digest(tmp_path) == first  # byte-code folders do not count
    (tmp_path / "checks" / "b.py").write_text("y = 3\n")
    assert source_digest(tmp_path) != first


def test_a_run_the_cache_answers_imports_neither_spacy_nor_numpy(tmp_path):
    """What a warm CI run pays for: importing spaCy (~1 s) or numpy (~0.1 s) would be most of it."""
    import subprocess
    import sys

    site, out = tmp_path / "site", tmp_path / "r"
    site.mkdir()
    for n in range(2):
        (site / f"a{n}.txt").write_text(ARTICLE + f"Note {n}: experts say it works.\n")
    env = {**os.environ, "MEDREVIEW_CACHE_DIR": str(tmp_path / "cache")}
    argv = ["audit", str(site), "--offline", "--as-of", "2026-11-25", "--out", str(out), "--format", "json,html",
            "--fail-on", "never", "--jobs", "1"]

    def imported_by_an_audit() -> set[str]:
        done = subprocess.run([sys.executable, "-X", "importtime", "-m", "medreview.cli", *argv], env=env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        return {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}

    assert {"spacy", "numpy"} <= imported_by_an_audit()  # the cold run parses
    warm = imported_by_an_audit()
    assert "medreview.result_cache" in warm  # it did run
    # (the Hunspell binding is imported, ~3 ms: it says whether spelling can run); the byline and
    # citation readers compile ~40 ms of patterns on import
    heavy = {"spacy", "numpy", "wordfreq", "medreview.bylines", "medreview.citations"}
    assert not heavy & warm, sorted(heavy & warm)

"""Worker processes: results in input order, and a worker that dies loses no other file's results."""

from __future__ import annotations

import json
import multiprocessing
import os
from pathlib import Path

import pytest

from medreview import runner
from medreview.config import Config

pytestmark = pytest.mark.skipif(multiprocessing.get_start_method() != "fork",
                                reason="the crash is injected by patching the parent before workers fork")

ARTICLE = "Title\n\nRest helps. Both heat and ice can relieve the pain of a muscle spasm.\n"


def files_in(tmp_path: Path, names: list[str]) -> list[tuple[Path, str]]:
    out = []
    for name in names:
        path = tmp_path / name
        path.write_text(ARTICLE, encoding="utf-8")
        out.append((path, "text"))
    return out


def test_results_come_back_in_input_order_with_two_workers(tmp_path):
    files = files_in(tmp_path, [f"a{n:02}.txt" for n in range(12)])
    results = list(runner.run(files, Config().with_overrides(jobs=2)))
    assert [r[0].path for r in results] == [str(p) for p, _ in files]
    assert all(any(f.rule == "CLAIM002" for f in r[0].findings) for r in results)


_REAL_AUDIT_FILE = runner.audit_file_packed


def dies_on_one_file(item):
    """audit_file_packed (what workers run), except that the worker process dies on one file (module level: workers unpickle it)."""
    if item[0].name == "crash-me.txt":
        os._exit(137)  # as if the kernel's OOM killer took the worker
    return _REAL_AUDIT_FILE(item)


def test_a_worker_that_dies_loses_only_its_own_file(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "audit_file_packed", dies_on_one_file)
    names = [f"a{n:02}.txt" for n in range(5)] + ["crash-me.txt"] + [f"b{n:02}.txt" for n in range(5)]
    files = files_in(tmp_path, names)
    results = [r for batch in runner.run(files, Config().with_overrides(jobs=2)) for r in batch]
    assert [Path(r.path).name for r in results] == names
    crashed = results[names.index("crash-me.txt")]
    assert crashed.stats["failed"] and crashed.findings[0].rule == "INPUT008"
    assert "stopped" in crashed.findings[0].message
    others = [r for r in results if Path(r.path).name != "crash-me.txt"]
    assert all(not r.stats.get("failed") and any(f.rule == "CLAIM002" for f in r.findings) for r in others)


def test_ctrl_c_leaves_no_report_and_a_cache_the_next_run_trusts(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    site = tmp_path / "site"
    site.mkdir()
    for n in range(40):
        (site / f"a{n:02}.txt").write_text(ARTICLE * 30 + f"Note {n}.\n")
    out, cache = tmp_path / "r", tmp_path / "cache"
    cmd = [sys.executable, "-m", "medreview.cli", "audit", str(site), "--offline", "--out", str(out),
           "--jobs", "2", "--fail-on", "never", "--as-of", "2026-11-25"]
    env = {**os.environ, "MEDREVIEW_CACHE_DIR": str(cache)}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not list(cache.rglob("*.pickle")) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.1)  # wait until some articles are done
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    if proc.returncode == 0:
        pytest.skip("the audit finished before the interrupt arrived")
    assert proc.returncode == 130, err
    assert "interrupted" in err
    assert not out.exists() or not any(out.iterdir())  # no report, not even half of one
    done = subprocess.run(cmd + ["--format", "json"], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert len(json.loads((out / "report.json").read_text())["articles"]) == 40

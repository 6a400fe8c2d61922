"""Worker processes: results in input order, and a worker that dies loses no other file's results."""

from __future__ import annotations

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


_REAL_AUDIT_FILE = runner.audit_file


def dies_on_one_file(item):
    """audit_file, except that the worker process dies on one file (module level: workers unpickle it)."""
    if item[0].name == "crash-me.txt":
        os._exit(137)  # as if the kernel's OOM killer took the worker
    return _REAL_AUDIT_FILE(item)


def test_a_worker_that_dies_loses_only_its_own_file(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "audit_file", dies_on_one_file)
    names = [f"a{n:02}.txt" for n in range(5)] + ["crash-me.txt"] + [f"b{n:02}.txt" for n in range(5)]
    files = files_in(tmp_path, names)
    results = [r for batch in runner.run(files, Config().with_overrides(jobs=2)) for r in batch]
    assert [Path(r.path).name for r in results] == names
    crashed = results[names.index("crash-me.txt")]
    assert crashed.stats["failed"] and crashed.findings[0].rule == "INPUT008"
    assert "stopped" in crashed.findings[0].message
    others = [r for r in results if Path(r.path).name != "crash-me.txt"]
    assert all(not r.stats.get("failed") and any(f.rule == "CLAIM002" for f in r.findings) for r in others)

"""Auditing on a Dask cluster: a LocalCluster of two worker processes on loopback finds what a local run finds."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from medreview.cli import main

distributed = pytest.importorskip("distributed", reason="dask.distributed is in the test extra")

REPO = Path(__file__).resolve().parents[1]


def fingerprints(out: Path) -> list[tuple[str, str, str]]:
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return sorted((a.get("record") or a["path"], f["rule"], f["fingerprint"])
                  for a in report["articles"] for f in a["findings"])


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as c:
        yield c


def test_cluster_run_matches_a_local_run(tmp_path, cluster):
    site = tmp_path / "site"
    shutil.copytree(REPO / "corpus", site)
    for n in range(20):  # more files than one batch, so the work spreads over both workers
        (site / f"copy{n}.txt").write_text((REPO / "corpus" / "muscle-spasms-lower-back.txt").read_text())
    common = ["audit", str(site), "--offline", "--as-of", "2026-11-25", "--format", "json", "--fail-on", "never",
              "--no-cache"]
    local = CliRunner().invoke(main, [*common, "--out", str(tmp_path / "local"), "--jobs", "1"])
    assert local.exit_code == 0, local.output
    remote = CliRunner().invoke(main, [*common, "--out", str(tmp_path / "dask"), "--executor", "dask",
                                       "--scheduler", cluster.scheduler_address])
    assert remote.exit_code == 0, remote.output
    assert fingerprints(tmp_path / "dask") == fingerprints(tmp_path / "local")
    assert len(fingerprints(tmp_path / "local")) > 100


def test_an_unreachable_scheduler_is_a_usage_error(tmp_path):
    (tmp_path / "a.txt").write_text("Title\n\nText.\n")
    result = CliRunner().invoke(main, ["audit", str(tmp_path / "a.txt"), "--offline", "--out", str(tmp_path / "r"),
                                       "--executor", "dask", "--scheduler", "tcp://127.0.0.1:9"])
    assert result.exit_code == 2 and "cannot reach the Dask scheduler" in result.output


def test_a_file_that_kills_its_worker_loses_only_itself(tmp_path, monkeypatch):
    """Workers run a sitecustomize hook that kills the process on one file; the rest of the batch survives."""
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(
        "import os\n"
        "from medreview import runner\n"
        "_real = runner.audit_file_packed\n"
        "def _audit(item):\n"
        "    if item[0].name == 'kill.txt':\n"
        "        os._exit(9)\n"
        "    return _real(item)\n"
        "runner.audit_file_packed = _audit\n")
    monkeypatch.setenv("PYTHONPATH", str(hook) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    site = tmp_path / "site"
    site.mkdir()
    names = [f"a{n}.txt" for n in range(5)] + ["kill.txt"] + [f"b{n}.txt" for n in range(5)]
    for name in names:
        (site / name).write_text("Title\n\nBoth heat and ice can relieve the pain of a muscle spasm.\n")
    out = tmp_path / "r"
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as c:
        result = CliRunner().invoke(main, ["audit", str(site), "--offline", "--format", "json", "--fail-on", "never",
                                           "--no-cache", "--out", str(out), "--executor", "dask",
                                           "--scheduler", c.scheduler_address])
    assert result.exit_code == 0, result.output
    articles = json.loads((out / "report.json").read_text())["articles"]
    assert sorted(Path(a["path"]).name for a in articles) == sorted(names)
    killed = [a for a in articles if Path(a["path"]).name == "kill.txt"]
    assert killed[0]["findings"][0]["rule"] == "INPUT008"
    assert all(any(f["rule"] == "CLAIM002" for f in a["findings"]) for a in articles if a not in killed)

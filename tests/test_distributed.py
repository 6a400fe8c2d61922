"""Auditing on a Dask cluster: a LocalCluster of two worker processes on loopback finds what a local run finds."""

from __future__ import annotations

import json
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

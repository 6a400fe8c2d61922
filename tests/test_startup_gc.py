"""The collector runs rarely while the pipeline is built, then as usual over a frozen start-up heap."""

from __future__ import annotations

import gc

from medreview import startup_gc


def test_defer_then_settle_restores_the_thresholds_and_freezes_the_heap():
    before = gc.get_threshold()
    try:
        startup_gc.defer()
        startup_gc.defer()  # twice is once: the thresholds to restore are the first ones
        assert gc.get_threshold()[0] >= 200_000
        startup_gc.settle()
        assert gc.get_threshold() == before
        assert gc.get_freeze_count() > 0
        startup_gc.settle()  # nothing deferred: nothing happens
        assert gc.get_threshold() == before
    finally:
        gc.unfreeze()  # this test process goes on: let its start-up objects be collected again
        gc.set_threshold(*before)


def test_the_audit_settles_before_workers_fork(tmp_path, monkeypatch):
    # _prepare_checks runs before the first worker is forked; it must hand back the usual thresholds.
    from click.testing import CliRunner

    from medreview.cli import main

    before = gc.get_threshold()
    (tmp_path / "a.txt").write_text("Title\n\nHeat helps a spasm.\n", encoding="utf-8")
    try:
        startup_gc.defer()
        result = CliRunner().invoke(main, ["audit", str(tmp_path / "a.txt"), "--offline", "--no-cache",
                                           "--out", "-", "--fail-on", "never"])
        assert result.exit_code == 0, result.output
        assert gc.get_threshold() == before
    finally:
        gc.unfreeze()
        startup_gc.settle()
        gc.set_threshold(*before)

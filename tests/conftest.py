"""Shared fixtures for the medreview test suite."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def _result_cache_outside_the_repo(tmp_path_factory):
    """Audits in tests keep their result cache in a temporary folder, not in the checkout."""
    import os

    folder = tmp_path_factory.mktemp("medreview-cache")
    old = os.environ.get("MEDREVIEW_CACHE_DIR")
    os.environ["MEDREVIEW_CACHE_DIR"] = str(folder)
    yield
    if old is None:
        os.environ.pop("MEDREVIEW_CACHE_DIR", None)
    else:
        os.environ["MEDREVIEW_CACHE_DIR"] = old


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository root (the folder holding pipeline/, rules/, corpus/)."""
    return REPO_ROOT


@pytest.fixture(scope="session")
def seed_path(repo_root: Path) -> Path:
    """The bundled seed article: scraped plain text full of page furniture."""
    return repo_root / "corpus" / "muscle-spasms-lower-back.txt"


@pytest.fixture(scope="session")
def as_of() -> str:
    """The fixed date every date judgement in the tests uses."""
    return "2026-11-25"


@pytest.fixture(scope="session")
def run_cli():
    """Run `medreview ARGS...` in-process; returns click's Result.

    `audit` ends with sys.exit(), which CliRunner turns into result.exit_code.
    stderr is kept apart from stdout (result.stdout / result.stderr).
    """
    from medreview.cli import main

    def run(*args: str, input: str | None = None):
        try:
            runner = CliRunner(mix_stderr=False)
        except TypeError:  # click >= 8.2 always keeps stderr apart
            runner = CliRunner()
        return runner.invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)

    return run

"""--changed-since REV: only the articles git says changed.

Changed means added, copied, modified, renamed or type-changed between REV
and the working tree (committed or not), plus untracked files git does not
ignore. Deleted files have nothing left to audit.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


class ChangedError(Exception):
    """git could not answer: a usage error (exit 2)."""


def _git(args: list[str], cwd: Path) -> str:
    if shutil.which("git") is None:
        raise ChangedError("--changed-since needs git, and git is not installed")
    if not cwd.is_dir():
        raise ChangedError(f"--changed-since: {cwd} is not a folder")
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=60)
    except FileNotFoundError:
        raise ChangedError("--changed-since needs git, and git is not installed") from None
    except subprocess.TimeoutExpired:
        raise ChangedError("git did not answer within 60 s") from None
    if done.returncode != 0:
        message = (done.stderr.strip().splitlines() or ["git failed"])[-1]
        raise ChangedError(f"git: {message}")
    return done.stdout


def changed_files(rev: str, where: Path | None = None) -> set[Path]:
    """Resolved paths of the files changed since `rev` in the git work tree around `where`."""
    where = (where or Path.cwd()).resolve()
    folder = where if where.is_dir() else where.parent
    top = Path(_git(["rev-parse", "--show-toplevel"], folder).strip())
    try:
        _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], top)
    except ChangedError:
        raise ChangedError(f"--changed-since {rev}: git knows no such commit in {top}") from None
    names = _git(["diff", "--name-only", "-z", "--diff-filter=ACMRT", rev, "--"], top).split("\0")
    names += _git(["ls-files", "--others", "--exclude-standard", "-z"], top).split("\0")
    return {(top / n).resolve() for n in names if n}

"""Which files an audit reads: folders walked in a stable order, hidden and vendored folders skipped,
each file once however it is named."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from medreview.discover import FileList, discover
from medreview.ingest import format_of


def _rglob_oracle(folder: Path) -> list[Path]:
    """What discovery gave before it walked folders with scandir: sorted rglob, filtered."""
    out = []
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).parts
        if any(part.startswith(".") or part in ("node_modules", "__pycache__") for part in rel[:-1]):
            continue
        if not rel[-1].startswith(".") and p.is_file() and format_of(p):
            out.append(p)
    return out


def _tree(root: Path) -> Path:
    site = root / "site"
    for name in ["b.md", "a.txt", "A.txt", "notes.docx", ".hidden.txt", "Z/z.html", "z/y.jsonl", "z/a b.TXT",
                 "d10/x.txt", "d2/x.txt", "d2/deeper/more/x.md", ".git/x.txt", "node_modules/pkg/readme.md",
                 "__pycache__/x.txt", "kept/.cache/x.txt", "kept/node_modules.txt"]:
        path = site / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("Title\n\nText.\n", encoding="utf-8")
    (site / "empty").mkdir()
    elsewhere = root / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "linked.txt").write_text("Title\n\nText.\n", encoding="utf-8")
    (elsewhere / "inner.txt").write_text("Title\n\nText.\n", encoding="utf-8")
    os.symlink(elsewhere / "linked.txt", site / "link.txt")  # a symlinked file is read
    os.symlink(elsewhere, site / "linked-folder")  # a symlinked folder is not followed
    os.symlink(site / "a.txt", site / "same-as-a.txt")  # the same file twice: audited once
    return site


def test_a_folder_gives_what_sorted_rglob_gave(tmp_path):
    site = _tree(tmp_path)
    files, errors = discover([str(site)])
    expected = [p for p in _rglob_oracle(site) if p.name != "same-as-a.txt"]
    assert [p for p, _ in files] == expected and errors == []
    names = [p.relative_to(site).as_posix() for p, _ in files]
    assert "link.txt" in names and "kept/node_modules.txt" in names
    assert not any(n.startswith(("linked-folder/", ".git/", "node_modules/", "__pycache__/", "kept/.cache/"))
                   for n in names)
    assert dict((p.name, fmt) for p, fmt in files)["y.jsonl"] == "jsonl"


def test_a_file_named_twice_or_through_a_link_is_audited_once(tmp_path):
    site = _tree(tmp_path)
    files, _ = discover([str(site / "a.txt"), str(site), str(site / "same-as-a.txt"), str(tmp_path / "elsewhere")])
    resolved = [p.resolve() for p, _ in files]
    assert len(resolved) == len(set(resolved))
    assert files[0][0] == site / "a.txt"
    assert (tmp_path / "elsewhere" / "linked.txt").resolve() in resolved
    assert sum(p.name in ("link.txt", "linked.txt") for p, _ in files) == 1  # one file, two names


def test_a_folder_reached_through_a_symlinked_parent_is_one_folder(tmp_path):
    site = _tree(tmp_path)
    os.symlink(site, tmp_path / "alias")
    files, _ = discover([str(site), str(tmp_path / "alias")])
    assert [p for p, _ in files] == [p for p, _ in discover([str(site)])[0]]


def test_an_unreadable_folder_is_one_error_line_and_the_rest_is_audited(tmp_path, monkeypatch):
    """chmod does not stop root, so the folder's listing fails as a permission error would."""
    site = _tree(tmp_path)
    real_scandir = os.scandir

    def scandir(path):
        if Path(path).name == "d2":
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    files, errors = discover([str(site)])
    assert errors == [f"{site / 'd2'}: cannot read this folder (Permission denied); its articles were not audited"]
    names = [p.relative_to(site).as_posix() for p, _ in files]
    assert "a.txt" in names and "d10/x.txt" in names and not any(n.startswith("d2/") for n in names)


def test_the_file_list_reads_like_the_list_of_pairs_it_holds(tmp_path):
    pairs = [(tmp_path / "a b.txt", "text"), (tmp_path / "sub" / "é.md", "markdown"), (tmp_path / "c.jsonl", "jsonl"),
             (tmp_path / "d.txt", "text")]
    files = FileList(pairs)
    assert len(files) == 4 and list(files) == pairs and files == pairs and files == FileList(pairs)
    assert files[0] == pairs[0] and files[-1] == pairs[-1] and files[1:3] == pairs[1:3] and files[::-2] == pairs[::-2]
    assert all(isinstance(p, Path) for p, _ in files)
    with pytest.raises(IndexError):
        files[4]
    assert FileList() == [] and not FileList() and files != pairs[:3]

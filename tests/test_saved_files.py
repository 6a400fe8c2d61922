"""Derived data in the cache folder: a save keeps the newest two keys of its kind and drops the rest."""

from __future__ import annotations

import os

from medreview.saved_files import prune_stale


def test_prune_keeps_the_two_newest_keys_with_all_their_files(tmp_path):
    files = {"old.bin": 100, "older.pickle": 50, "mid-3.blob.npy": 200, "mid-3.hashes.npy": 210,
             "new-4.blob.npy": 300, "new-4.hashes.npy": 300, "x.123.abc.tmp": 10}
    for name, mtime in files.items():
        (tmp_path / name).write_bytes(b"x")
        os.utime(tmp_path / name, (mtime, mtime))
    prune_stale(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "mid-3.blob.npy", "mid-3.hashes.npy", "new-4.blob.npy", "new-4.hashes.npy", "x.123.abc.tmp"]


def test_prune_of_a_missing_folder_is_harmless(tmp_path):
    prune_stale(tmp_path / "nothing-here")


def test_saving_a_word_list_drops_older_versions(tmp_path, monkeypatch):
    from medreview import word_data

    monkeypatch.setattr(word_data, "_cache_folder", None, raising=False)
    word_data.use_cache_folder(tmp_path)
    for n, key in enumerate(("k1", "k2", "k3")):
        assert word_data.saved_words("accept-words", key, lambda: {"iliopsoas"}) == {"iliopsoas"}
        stamp = 1000 + n
        os.utime(tmp_path / "accept-words" / f"{key}.txt", (stamp, stamp))
    word_data.saved_words("accept-words", "k4", lambda: {"lumborum"})
    assert sorted(p.name for p in (tmp_path / "accept-words").iterdir()) == ["k3.txt", "k4.txt"]


def test_poly_hash_each_equals_the_per_character_hash():
    from medreview.word_data import POLY_BASE, poly_hash_each

    words = ["", "a", "iliopsoas", "sautéed", "café", "naïve", "ſ", "İstanbul", "x" * 40, "lumborum", "a"]

    def plain(w: str) -> int:
        h = 0
        for c in w:
            h = (h * POLY_BASE + ord(c)) & 0xFFFFFFFFFFFFFFFF
        return h

    assert poly_hash_each(words).tolist() == [plain(w) for w in words]

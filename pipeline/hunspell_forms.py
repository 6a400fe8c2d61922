"""Every form Hunspell's dictionaries could accept, as a set of hashes: asked before spell().

A typo with no known word within two edits is looked up one edit away in
Hunspell itself (affixed forms wordfreq does not list). Asking spell() for
each of the ~650 one-edit strings cost ~15-20 us each; the stems of the .dic
files with every affix rule their flags name (conditions ignored, so a
superset: ~1.0M forms) are hashed once, saved in the cache folder
(`hunspell-forms/`) and memory-mapped, and only strings in the set go to
spell(). Moved from word_data.py, which keeps the other saved word data.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from .word_data import _save_atomic, _saved_path, poly_hash_each, poly_hashes


# of the saved hunspell-forms/ array. 2: word_data's polynomial hash (was blake2b), which
# corrections.one_edit_listed() computes for a word's edits without making the strings
_FORMS_FORMAT = 2


class FormSet:
    """A superset of the lowercase words two Hunspell dictionaries accept, as sorted 64-bit hashes:
    every stem of each .dic file (lowercased) with every prefix and suffix rule its flags name,
    and every prefix with every suffix, the rules' conditions ignored (so more forms, never
    fewer: ~1.0M for en_US + medical and en_GB). A word whose hash is not here is no word of
    those dictionaries: what far_candidates() asks before Hunspell's spell() (~15 us a call with
    en_US's compound rules). Compounds are left out: en_US's and en_GB's compound rules join
    digits ("21st"), so only strings of letters may be asked (may_spell() checks).
    """

    def __init__(self, hashes: Any) -> None:
        self.hashes = hashes  # numpy uint64, sorted, unique

    def __len__(self) -> int:
        return len(self.hashes)

    def may_spell(self, words: list[str]) -> list[bool]:
        """For each word: False when neither dictionary can accept it (it is letters only and
        not a form), True when it may (a form, a hash collision, or not letters only)."""
        import numpy as np

        letters = [w.isalpha() for w in words]
        keys = poly_hash_each([w.lower() if ok else "" for w, ok in zip(words, letters)])
        at = np.minimum(self.hashes.searchsorted(keys), max(len(self.hashes) - 1, 0))
        hit = (self.hashes[at] == keys).tolist() if len(self.hashes) else [False] * len(words)
        return [h or not ok for h, ok in zip(hit, letters)]


def hunspell_forms(dictionaries: tuple[tuple[str, tuple[str, ...]], ...]) -> FormSet:
    """The FormSet of these dictionaries ((.aff file, its .dic files), ...), saved in the cache
    folder (`hunspell-forms/`, keyed by the files' digest) and memory-mapped by later processes;
    built (~3 s) when it is not there."""
    return _hunspell_forms(dictionaries)


@lru_cache(maxsize=2)
def _hunspell_forms(dictionaries: tuple[tuple[str, tuple[str, ...]], ...]) -> FormSet:
    import hashlib
    import io

    import numpy as np

    h = hashlib.sha256(f"hunspell forms {_FORMS_FORMAT}\n".encode())
    for aff, dics in dictionaries:
        for f in (aff, *dics):
            h.update(hashlib.sha256(Path(f).read_bytes()).digest())
    path = _saved_path("hunspell-forms", h.hexdigest()[:32], ".npy")
    if path is not None:
        try:
            hashes = np.load(path, mmap_mode="r")
            if hashes.dtype == np.uint64 and hashes.ndim == 1:
                return FormSet(hashes.view(np.ndarray))
        except (OSError, ValueError):
            pass
    forms: set[str] = set()
    for aff, dics in dictionaries:
        _expand(aff, dics, forms)
    hashes = poly_hashes(forms)
    if path is not None:
        buf = io.BytesIO()
        np.save(buf, hashes)
        _save_atomic(path, buf.getvalue())
    return FormSet(hashes)


def _affix_rules(aff: str) -> tuple[dict[str, list[tuple[str, str]]], dict[str, list[tuple[str, str]]]]:
    """(suffix rules, prefix rules) of an .aff file: flag -> [(letters stripped, letters added)]."""
    sfx: dict[str, list[tuple[str, str]]] = {}
    pfx: dict[str, list[tuple[str, str]]] = {}
    with open(aff, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            p = line.split()
            if len(p) < 4 or p[0] not in ("PFX", "SFX") or (p[2] in ("Y", "N") and p[3].isdigit()):
                continue  # not a rule, or a rule group's header
            strip = "" if p[2] == "0" else p[2]
            add = p[3].split("/", 1)[0]
            (sfx if p[0] == "SFX" else pfx).setdefault(p[1], []).append((strip, "" if add == "0" else add))
    return sfx, pfx


def _expand(aff: str, dics: tuple[str, ...], out: set[str]) -> None:
    """Add to `out` every form the .dic files' stems take with the .aff file's rules (lowercased,
    conditions ignored, every prefix with every suffix): a superset of what Hunspell accepts."""
    sfx, pfx = _affix_rules(aff)
    groups: dict[str, list[str]] = {}
    for dic in dics:
        with open(dic, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                tok = line.split(None, 1)
                if not tok:
                    continue
                word, _, flags = tok[0].partition("/")
                groups.setdefault(flags, []).append(word.lower())
                if not flags and len(tok) > 1:  # a line of words (a header): each may be read as one
                    out.update(t.lower() for t in line.split())
    for flags, stems in groups.items():
        out.update(stems)
        suffixes = [r for f in flags for r in sfx.get(f, ())]
        for strip, add in suffixes:
            out.update(_suffixed(stems, strip, add))
        for strip, add in (r for f in flags for r in pfx.get(f, ())):
            n = len(strip)
            prefixed = [add + w[n:] for w in stems if w.startswith(strip)]
            out.update(prefixed)
            for s_strip, s_add in suffixes:
                out.update(_suffixed(prefixed, s_strip, s_add))


def _suffixed(stems: list[str], strip: str, add: str) -> list[str]:
    if not strip:
        return [w + add for w in stems]
    n = len(strip)
    return [w[:-n] + add for w in stems if w.endswith(strip)]


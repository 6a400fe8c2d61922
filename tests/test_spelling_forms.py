"""hunspell_forms.hunspell_forms(): a superset of what Hunspell's dictionaries accept, asked before
spell() in far_candidates(); and NearIndex.scan()'s count bound read off the query's letters.

The filter must never drop a word Hunspell accepts (it would change suggestions), so it is
checked against the real dictionaries on the strings far_candidates() asks about: every edit of
typos, of medical words, of affixed forms and of random strings.
"""

from __future__ import annotations

import dataclasses
import random

import pytest

from medreview.checks.spelling import lexicon_for, spelling_status
from medreview.config import Config
from medreview import hunspell_forms as forms_module
from medreview.corrections import edits1, far_candidates

pytestmark = pytest.mark.skipif(
    spelling_status(Config()) is not None,
    reason=f"spelling engine unavailable here: {spelling_status(Config())} (scripts/bootstrap installs it)",
)

TYPOS = ["interrtupible", "reconstuctors", "autoformating", "expermenetelly", "vulberabuiliti",
         "compatilibities", "reimplementaions", "ameelarated", "orthongonalizes", "traslalation",
         "perscriptions", "nessessarily", "probelm", "unecessary", "diabetis", "stabilisors", "colour's",
         "re-enterd", "qqqxzz"]


@pytest.fixture(scope="module")
def lexicon():
    return dataclasses.replace(lexicon_for(Config()), _known={}, _suggest={}, _variant={})


def _strings(lexicon) -> list[str]:
    rng = random.Random(7)
    words = TYPOS + rng.sample(sorted(lexicon.medical), 50) + rng.sample(sorted(lexicon.accepted), 30)
    words += ["".join(rng.choice("aeioulnrstcdmp") for _ in range(rng.randint(2, 12))) for _ in range(40)]
    out = []
    for w in words:
        out += sorted(edits1(w.lower()))
    return out


def test_no_word_hunspell_accepts_is_left_out(lexicon):
    strings = _strings(lexicon)
    assert len(strings) > 50_000
    accepted = [s for s in strings if lexicon.spells(s)]
    assert len(accepted) > 300  # the check has something to find
    assert lexicon.spelled(strings) == accepted


def test_the_forms_drop_nearly_every_edit_of_a_far_typo(lexicon):
    forms = forms_module.hunspell_forms(lexicon.dictionaries)
    assert len(forms) > 500_000
    edits = sorted(edits1("expermenetelly"))
    assert sum(forms.may_spell(edits)) < len(edits) / 20
    assert forms.may_spell(["reconstructors", "colour", "x-ray", "it's", ""]) == [True] * 5


def test_far_candidates_equal_asking_hunspell_every_edit(lexicon):
    plain = dataclasses.replace(lexicon, dictionaries=())  # no forms: every edit goes to spell()
    for typo in TYPOS:
        assert far_candidates(lexicon, typo) == far_candidates(plain, typo), typo


def test_forms_saved_and_read_back(tmp_path, monkeypatch, lexicon):
    import numpy as np

    from medreview import word_data

    monkeypatch.setattr(word_data, "_cache_folder", str(tmp_path))
    forms_module._hunspell_forms.cache_clear()
    try:
        built = forms_module.hunspell_forms(lexicon.dictionaries)
        files = list((tmp_path / "hunspell-forms").glob("*.npy"))
        assert len(files) == 1
        forms_module._hunspell_forms.cache_clear()  # as the next process
        loaded = forms_module.hunspell_forms(lexicon.dictionaries)
        assert loaded is not built and np.array_equal(loaded.hashes, built.hashes)
        assert not loaded.hashes.flags.owndata  # the file's pages
    finally:
        forms_module._hunspell_forms.cache_clear()


def test_scan_bound_reused_for_the_next_distance_gives_the_plain_scan():
    from medreview.suggest import NearIndex, within

    rng = random.Random(3)
    words = sorted({"".join(rng.choice("abcdeéfg") for _ in range(rng.randint(1, 11))) for _ in range(1500)})
    index = NearIndex(words)
    for _ in range(60):
        q = "".join(rng.choice("abcdeéfgh") for _ in range(rng.randint(1, 12)))
        for k in (3, 4, 3):
            assert index.scan(q, k) == sorted(w for w in words if w != q and within(q, w, k)), (q, k)


def test_one_edit_words_equal_the_edits_looked_up_in_the_lists(lexicon):
    """Lexicon.suggest's first circle: the hashed look-up (with a user's accept word, not in the
    saved table) against every edit looked up in wordfreq's list and the accept lists."""
    from medreview import word_data
    from medreview.corrections import one_edit_listed

    lex = dataclasses.replace(lexicon, accepted=lexicon.accepted | {"okafor"}, _listed=None)
    vocab, _ = word_data.frequencies()
    rng = random.Random(11)
    words = TYPOS + ["okafr", "cafe", "naïve", "it's", "a", ""] + rng.sample(sorted(vocab), 300)
    for w in words:
        edits = edits1(w.lower())
        want = (edits & vocab) | (edits & lex.accepted)
        got = {c for c in one_edit_listed(w.lower(), lex._listed_hashes()) if c in vocab or c in lex.accepted}
        assert got == want, w


def test_listed_hashes_saved_and_read_back(tmp_path, monkeypatch, lexicon):
    import numpy as np

    from medreview import word_data

    monkeypatch.setattr(word_data, "_cache_folder", str(tmp_path))
    word_data.listed_hashes.cache_clear()
    try:
        built = word_data.listed_hashes(lexicon.medical, lexicon.medical_digest)
        assert len(list((tmp_path / "listed").glob("*.npy"))) == 1
        word_data.listed_hashes.cache_clear()  # as the next process
        loaded = word_data.listed_hashes(lexicon.medical, lexicon.medical_digest)
        assert not loaded.flags.owndata and np.array_equal(loaded, built)
        vocab, _ = word_data.frequencies()
        assert np.array_equal(built, word_data.poly_hashes(vocab | lexicon.medical | word_data._bundled_accept()))
    finally:
        word_data.listed_hashes.cache_clear()


def test_medical_words_saved_and_read_back_equal_reading_the_dic(tmp_path, monkeypatch):
    from medreview import lexicon as lexicon_module
    from medreview import word_data
    from medreview.lexicon import _find, _search_dirs, LexiconSettings, MEDICAL_DIC, read_word_list

    med = _find(MEDICAL_DIC, _search_dirs(LexiconSettings()))
    if med is None:
        pytest.skip("no medical dictionary here")
    monkeypatch.setattr(word_data, "_cache_folder", str(tmp_path))
    want = read_word_list(med.read_bytes().decode("utf-8", errors="replace"))
    lexicon_module.load_lexicon.cache_clear()
    try:
        first = lexicon_module.load_lexicon(LexiconSettings())
        assert len(list((tmp_path / "medical-words").glob("*.txt"))) == 1
        lexicon_module.load_lexicon.cache_clear()  # as the next process: read back
        second = lexicon_module.load_lexicon(LexiconSettings())
        assert first.medical == second.medical == want and first.accepted == second.accepted
    finally:
        lexicon_module.load_lexicon.cache_clear()
    assert word_data.saved_words("w", "empty", set) == set() == word_data.saved_words("w", "empty", lambda: {"x"})

"""The fast paths of the spelling check give exactly what the plain ones give.

- checks.spelling_words.judged_words (a verdict per distinct word, cached per process, context rules
  only where a word is in question) against judging every word of words_to_check() with
  _defined_names(), the check's previous loop, on the gold set, the bundled corpus, the
  benchmark's clean prose and random texts built to hit every rule;
- _LocalSkips (skip spans searched around a word) against _skip_spans(text);
- the near-word index saved on disk and mapped back against the one built in memory, and a
  cache folder that cannot be written.
"""

from __future__ import annotations

import dataclasses
import random
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from medreview.checks.base import Context
from medreview.checks.spelling import SpellingCheck, lexicon_for, spelling_status
from medreview.checks.spelling_words import (
    _STYLED, _UNKNOWN, _LocalSkips, _skip_spans, _style, judged_words, words_to_check,
)
from medreview.clean import clean_article
from medreview.config import Config
from medreview.ingest import Reader
from medreview.model import Article
from medreview.nlp import build_nlp

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(
    spelling_status(Config()) is not None,
    reason=f"spelling engine unavailable here: {spelling_status(Config())} (scripts/bootstrap installs it)",
)


# The check's previous name rule, over every word (the new one looks only at unknown words).
def _defined_names(article: Article, words: list[tuple[str, int, int, bool]]) -> set[str]:
    """Capitalised words the article itself establishes as names: used capitalised mid-sentence
    at least twice, names of its authors and reviewers, and title words the body uses too (a
    word only the title has is checked: a misspelt headline is the worst kind)."""
    counts = Counter(w for w, _, _, initial in words if w[:1].isupper() and not initial)
    names = {w for w, n in counts.items() if n >= 2}
    m = article.meta
    for loc in [*m.authors, *m.reviewed_by]:
        names.update(re.findall(r"[^\W\d_]+", str(loc.value)))
    if m.title is not None:
        title = str(m.title.value)
        at = article.text.find(title, 0, 400)
        title_end = at + len(title) if at >= 0 else 0
        body = {w for w, start, _, _ in words if start >= title_end}
        names.update(w for w in re.findall(r"[^\W\d_]+", title) if w in body)
    return names


@pytest.fixture(scope="module")
def nlp():
    return build_nlp()


def _article(tmp_path: Path, text: str, name: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    (article,) = Reader(8_000_000).read(path, "markdown" if name.endswith(".md") else "text")
    clean_article(article)
    return article


def _plain_path(article, doc, lexicon):
    """The check's loop before judged_words: every word of words_to_check, names, lexicon."""
    words = list(words_to_check(article, doc))
    names = _defined_names(article, words)
    out = []
    for word, start, end, _ in words:
        if word in names:
            continue
        if not lexicon.known(word):
            out.append((word, start, end, (_UNKNOWN, None)))
        else:
            style = _style(lexicon, word)
            if style is not None:
                out.append((word, start, end, (_STYLED, style)))
    if not any(v == (_STYLED, other) for *_, v in out for other in ("en-GB", "en-US") if other != lexicon.locale):
        out = [o for o in out if o[3][0] != _STYLED]  # house-style words alone are never reported
    return out


_PIECES = [
    "The patient felt better.", "Take 5mg twice daily, or 10 mg/kg.", "You’ve probably felt it.",
    "Don't worry, you can't and won't break it.", "Read https://www.nhs.uk/conditions/back-pain/ today.",
    "Write to info@spinecare-clinic.org or visit nhs.uk/x.", "Use `pip instal medreview` here.",
    "Follow @Okafor and #backpain.", "Kongsted A, Kjaer P. Spinal manipulaton. 2016.", "Maher et al. found it.",
    "Dr Brightwell says so. Brightwell also says.", "Brightwell said it.", "The colour and the color differ.",
    "Stabilising and stabilizing.", "A probelm, a Probelm and PROBELM.", "nessessarily fisrt",
    "MedlinePlus and YouTube and eGFR.", "DOMS and NSAID.", "the iliopsoas and quadratus lumborum",
    "gel-like self-care X-ray", "Okafor's advice (Okafor, 2020).", "www.example.com/probelm?x=fisrt",
    "The ca n't case.", "Wierdword Wierdword here.", "centre, center, haemoglobin, hemoglobin",
    "e.g. i.e. etc.", "Ölçüm café naïve", "probelm@mail.com", "See probelm.org/x.", "Smith J. et al.",
]


def _random_text(rng: random.Random, clean: list[str]) -> str:
    title = rng.choice(["Back pain, Brightwell and you", "Heel pain", "Wierdword explained", "A probelm"])
    authors = rng.choice(["Daniel Okafor", "Wierdword Smith", "Jo Brightwell"])
    front = f"---\ntitle: \"{title}\"\nauthor:\n  name: {authors}\n---\n\n" if rng.random() < 0.5 else ""
    parts = []
    for _ in range(rng.randint(3, 25)):
        parts.append(rng.choice(_PIECES) if rng.random() < 0.6 else rng.choice(clean))
        if rng.random() < 0.2:
            parts.append("\n\n")
    return front + (title + "\n\n" if not front else "") + " ".join(parts) + "\n"


def _texts(tmp_path: Path):
    gold = yaml.safe_load((REPO / "tests" / "gold" / "spelling.yml").read_text(encoding="utf-8"))
    for k, item in enumerate(gold["flag"] + gold["keep"]):
        yield _article(tmp_path, item["text"] + "\n", f"gold{k}.{'md' if item.get('format') == 'md' else 'txt'}")
    for p in sorted((REPO / "corpus").glob("*.txt")) + sorted((REPO / "corpus").glob("*.md")):
        yield _article(tmp_path, p.read_text(encoding="utf-8"), p.name)
    clean_file = REPO / "benchmarks" / "data" / "clean_health_text.txt"
    clean = [s for s in clean_file.read_text(encoding="utf-8").split("\n\n") if s.strip()]
    for k, sec in enumerate(clean_file.read_text(encoding="utf-8").split("\n=====\n")):
        yield _article(tmp_path, sec, f"clean{k}.txt")
    rng = random.Random(11)
    for k in range(150):
        yield _article(tmp_path, _random_text(rng, clean), f"random{k}.{'md' if k % 2 else 'txt'}")


def test_judged_words_equal_judging_every_word(tmp_path, nlp):
    lexicon = lexicon_for(Config())
    fresh = dataclasses.replace(lexicon, _known={}, _suggest={}, _variant={}, _verdicts=None)
    seen = 0
    for article in _texts(tmp_path):
        doc = nlp(article.text)
        expected = _plain_path(article, doc, lexicon)
        assert judged_words(article, doc, lexicon) == expected, article.path
        assert judged_words(article, doc, fresh) == expected, article.path  # empty cache, filled per article
        seen += bool(expected)
    assert seen > 100  # the texts do reach the context rules
    assert lexicon._verdicts.open and len(lexicon._verdicts.quiet)  # kept for the next article


def test_verdict_cache_is_bounded_and_follows_the_vocab(tmp_path, nlp, monkeypatch):
    from medreview.checks import spelling_words

    lexicon = dataclasses.replace(lexicon_for(Config()), _known={}, _suggest={}, _variant={}, _verdicts=None)
    monkeypatch.setattr(spelling_words, "_VERDICT_CACHE_MAX", 20)
    article = _article(tmp_path, "A probelm. " + " ".join(f"word{k} plain text here" for k in range(30)) + "\n",
                       "a.txt")
    doc = nlp(article.text)
    first = judged_words(article, doc, lexicon)
    assert [w for w, *_ in first] == ["probelm"]
    judged_words(article, doc, lexicon)
    assert len(lexicon._verdicts) <= 20 + len(set(t.text for t in doc))
    other = build_nlp()
    assert judged_words(article, other(article.text), lexicon) == first
    assert lexicon._verdicts.vocab is other.vocab


def test_local_skip_search_equals_the_whole_text_search(nlp):
    rng = random.Random(3)
    alphabet = ["a", "b", "x", ".", "@", "/", ":", "-", "_", "+", "#", "`", " ", " ", "\n", "com", "org", "uk",
                "www", "http", "https://", "nhs", "probelm", "\u00a0", "\u212a", "é", "'"]
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60))) for _ in range(3000)]
    texts += [p + " " + q for p in _PIECES for q in _PIECES[:5]]
    for text in texts:
        local, spans = _LocalSkips(text), _skip_spans(text)
        for token in nlp.make_doc(text):
            s, e = token.idx, token.idx + len(token.text)
            if not token.text.strip():
                continue
            assert local.covers(s, e) == any(a < e and s < b for a, b in spans), (text, token.text)


def test_the_check_gives_the_same_findings_with_a_cold_and_a_warm_cache(tmp_path, nlp):
    lexicon = lexicon_for(Config())
    ctx = Context(config=Config(), nlp=nlp)
    article = _article(tmp_path, (REPO / "corpus" / "muscle-spasms-lower-back.txt").read_text(encoding="utf-8"),
                       "seed.txt")
    warm = [(f.rule, f.line, f.column, f.message, f.suggestions) for f in SpellingCheck().check(article, ctx)]
    lexicon._verdicts = None
    cold = [(f.rule, f.line, f.column, f.message, f.suggestions) for f in SpellingCheck().check(article, ctx)]
    assert warm == cold and {m[3].split("”")[0] for m in warm} >= {"“probelm", "“fisrt", "“nessessarily"}


# --- the near-word index on disk ---------------------------------------------------------------

def _small_index_words():
    rng = random.Random(8)
    words = {"".join(rng.choice("abcdeé") for _ in range(rng.randint(1, 12))) for _ in range(4000)}
    return sorted(words) + ["properties", "changing", "café"]


def test_index_saved_and_mapped_back_equals_the_one_built_in_memory(tmp_path):
    import numpy as np

    from medreview.suggest import NearIndex

    built = NearIndex(_small_index_words())
    path = tmp_path / "i.bin"
    built.save(path, "k1")
    mapped = NearIndex.load(path, "k1")
    assert mapped is not None and not mapped.arrays()["packed"].flags.owndata  # the file's pages, not a copy
    for name, a in built.arrays().items():
        b = mapped.arrays()[name]
        assert a.dtype == b.dtype and np.array_equal(a, b), name
    assert mapped.words == built.words and len(mapped) == len(built)
    rng = random.Random(2)
    for _ in range(300):
        q = "".join(rng.choice("abcdeéf") for _ in range(rng.randint(1, 13)))
        assert mapped.near(q) == built.near(q), q
        assert mapped.scan(q, 3) == built.scan(q, 3), q
    assert NearIndex.load(path, "another key") is None
    assert NearIndex.load(tmp_path / "missing.bin", "k1") is None
    path.write_bytes(path.read_bytes()[:5000])  # cut short: not used
    assert NearIndex.load(path, "k1") is None
    assert not list(tmp_path.glob("*.tmp"))


def test_process_index_is_saved_once_and_loaded_after(tmp_path, monkeypatch):
    from medreview import word_data

    monkeypatch.setenv("MEDREVIEW_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(word_data, "_cache_folder", None)  # no earlier run's [cache] dir
    medical = frozenset({"iliopsoas", "lumborum", "radiculopathy"})
    word_data.near_index.cache_clear()
    try:
        built = word_data.near_index(medical, "digest-a")
        files = list((tmp_path / "cache" / "near-index").glob("*.bin"))
        assert len(files) == 1
        stamp = files[0].stat().st_mtime_ns
        word_data.near_index.cache_clear()  # as a new process would
        loaded = word_data.near_index(medical, "digest-a")
        assert loaded is not built and files[0].stat().st_mtime_ns == stamp
        for q in ("radiculopaty", "perperties", "illiopsoas", "lumborun", "cahgning"):
            assert loaded.near(q) == built.near(q)
        assert "radiculopathy" in loaded.near("radiculopaty")
        # Other inputs, another file.
        word_data.near_index.cache_clear()
        word_data.near_index(medical | {"kinesio"}, None)
        assert len(list((tmp_path / "cache" / "near-index").glob("*.bin"))) == 2
    finally:
        word_data.near_index.cache_clear()


def test_an_unwritable_cache_folder_still_gives_the_index(tmp_path, monkeypatch):
    from medreview import word_data

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("MEDREVIEW_CACHE_DIR", str(blocker))
    monkeypatch.setattr(word_data, "_cache_folder", None)
    word_data.near_index.cache_clear()
    try:
        index = word_data.near_index(frozenset({"radiculopathy"}), "digest-b")
        assert "radiculopathy" in index.near("radiculopaty") and len(index) > 150_000
        assert not (tmp_path / "not-a-folder").is_dir()
        lexicon = dataclasses.replace(lexicon_for(Config()), _known={}, _suggest={}, _variant={})
        assert lexicon.suggest("perperties")[0] == "properties"
    finally:
        word_data.near_index.cache_clear()


def test_two_processes_saving_one_index_at_once_leave_one_whole_file(tmp_path):
    import subprocess
    import sys

    from medreview.suggest import NearIndex

    words = _small_index_words()
    script = ("import sys; from pathlib import Path; from medreview.suggest import NearIndex\n"
              "words = sys.stdin.read().split()\n"
              "for _ in range(5): NearIndex(words).save(Path(sys.argv[1]), 'k')\n")
    procs = [subprocess.Popen([sys.executable, "-c", script, str(tmp_path / "i.bin")], stdin=subprocess.PIPE,
                              text=True) for _ in range(2)]
    for p in procs:
        p.communicate("\n".join(words))
        assert p.returncode == 0
    loaded = NearIndex.load(tmp_path / "i.bin", "k")
    assert loaded is not None and loaded.words == NearIndex(words).words
    assert [p.name for p in tmp_path.iterdir()] == ["i.bin"]


def test_saved_zipf_table_gives_wordfreqs_own_values(tmp_path, monkeypatch):
    """Suggestions are ranked by Zipf values read from a table saved once (no 320,000-word dict
    per process); every value must be what wordfreq's zipf_frequency() says."""
    import random as _random

    from wordfreq import get_frequency_dict, zipf_frequency

    from medreview import word_data

    monkeypatch.setattr(word_data, "_cache_folder", str(tmp_path))
    word_data.frequencies.cache_clear()
    try:
        vocab, zipf = word_data.frequencies()
        assert len(list((tmp_path / "zipf").glob("*.npy"))) == 4
        word_data.frequencies.cache_clear()  # as the next process: read back
        vocab2, zipf2 = word_data.frequencies()
        freqs = get_frequency_dict("en", "best")
        assert frozenset(vocab) == frozenset(vocab2) == frozenset(w for w in freqs if w.isalpha())
        assert len(vocab2) == len(frozenset(vocab2)) and not vocab2.hashes.flags.owndata  # mapped
        edits = {"receive", "recieve", "naïve", "Paris", "zzzqxw", "", "the"}
        assert edits & vocab2 == vocab2 & edits == {w for w in edits if w in freqs and w.isalpha()}
        rng = _random.Random(5)
        sample = rng.sample(sorted(vocab), 3000) + ["".join(rng.choice("abcdefghij") for _ in range(7)) for _ in range(300)]
        sample += ["back pain", "x-ray", "Pain", "naïve", "it's", "ﬁbre", "receive", "the"]
        for word in sample:
            assert zipf2(word) == zipf_frequency(word, "en"), word
    finally:
        word_data.frequencies.cache_clear()


def test_zipf_table_in_an_unwritable_folder_is_built_in_memory(tmp_path, monkeypatch):
    from medreview import word_data

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setattr(word_data, "_cache_folder", str(blocker))
    word_data.frequencies.cache_clear()
    try:
        vocab, zipf = word_data.frequencies()
        assert "receive" in vocab and zipf("receive") > 4
    finally:
        word_data.frequencies.cache_clear()


def test_a_lowercase_word_with_an_accent_is_ranked_without_importing_wordfreq(tmp_path):
    """Its Zipf value is in the saved table (importing wordfreq and building its dict cost ~1 s)."""
    import os
    import subprocess
    import sys

    code = ("import sys; from medreview import word_data; _, zipf = word_data.frequencies(); "
            "print(zipf('sautéed'), zipf('café'), 'wordfreq' in sys.modules)")
    env = {**os.environ, "MEDREVIEW_CACHE_DIR": str(tmp_path)}
    runs = [subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
            for _ in range(2)]  # the first builds the table, the second reads it back
    assert all(r.returncode == 0 for r in runs), runs[0].stderr + runs[1].stderr
    from wordfreq import zipf_frequency

    expected = f"{zipf_frequency('sautéed', 'en')} {zipf_frequency('café', 'en')}"
    assert runs[1].stdout.split()[:2] == expected.split() and runs[1].stdout.split()[2] == "False"

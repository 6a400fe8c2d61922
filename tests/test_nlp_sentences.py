"""The spaCy stage: sentence starts equal the per-token rules, tokens equal spaCy's tokenizer."""

from __future__ import annotations

import random
from pathlib import Path

import spacy
from spacy.language import Language

from medreview.nlp import ABBREVIATIONS, CacheFillingTokenizer, build_nlp, distinct_orths, token_arrays

REPO = Path(__file__).resolve().parent.parent


def _trailing_marker(doc, i):
    tok = doc[i]
    if tok.text[:1] in "¹²³⁴⁵⁶⁷⁸⁹⁰":
        return True
    return tok.text == "[" and i + 2 < len(doc) and doc[i + 1].like_num and doc[i + 2].text in ("]", ",")


def _after_abbreviation(doc, i):
    j = i - 1
    while j > 0 and doc[j].is_punct and not doc[j].text.endswith("."):
        j -= 1
    if doc[j].text == "." and j >= 1:
        word = doc[j - 1].text.lower() + "."
    elif doc[j].text.endswith("."):
        word = doc[j].text.lower()
    else:
        return False
    if word not in ABBREVIATIONS:
        return False
    nxt = doc[i]
    return (j < i - 1 or nxt.is_punct or nxt.text[:1].islower() or nxt.like_num
            or word in ("al.", "e.g.", "i.e.", "dr.", "prof.", "vs.", "v.", "cf."))


@Language.component("reference_sentences")
def _reference(doc):
    """The rules as first written: every token looked at in turn, through Token objects."""
    for i, tok in enumerate(doc[1:], start=1):
        prev = doc[i - 1]
        if prev.is_space and "\n" in prev.text and not tok.is_space:
            if "\n\n" in prev.text.replace("\r", "") or not tok.text[:1].islower():
                tok.is_sent_start = True
            continue
        if tok.is_sent_start and (_after_abbreviation(doc, i) or _trailing_marker(doc, i)):
            tok.is_sent_start = False
    return doc


def _texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted((REPO / "corpus").iterdir())]
    texts += ["", "a", "\n", "\n\nA", "Hi.\n\nthere", "e.g. this. And [1] that.", "Smith et al. 2019. Next one.",
              "x \n y", " \n\n ", "See Dr. Lee.\nthen rest.\r\n\r\nNext.", "It works.² Then [3, 4] more.",
              "Pain (vs. ice) helps. no. 5 is fine.\n- a list item\n- Another"]
    rng = random.Random(7)
    pieces = ["Pain eases.", "e.g.", "et al.", "Dr.", "[1]", "²", "\n", "\n\n", "word", "Word", "3", "—", "vs.",
              "(2019).", "it", "The", "  ", "\r\n",
              "?", "!", '."', ".)", "...", "?!", "।", "-", ",", "'"]
    texts += [" ".join(rng.choice(pieces) for _ in range(rng.randint(1, 60))) for _ in range(400)]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 40))) for _ in range(200)]  # glued
    return texts


def test_sentence_starts_equal_the_per_token_rules():
    nlp = build_nlp()
    reference = spacy.blank("en")
    reference.add_pipe("sentencizer")
    reference.add_pipe("reference_sentences")
    for text in _texts():
        assert [s.start for s in nlp(text).sents] == [s.start for s in reference(text).sents], text


def test_cache_filling_tokenizer_gives_spacys_tokens():
    # Run twice: the second pass reads every chunk from the cache the first filled.
    tokenizer = CacheFillingTokenizer(spacy.blank("en").tokenizer)
    reference = spacy.blank("en").tokenizer
    texts = _texts() + ["Don’t stop. (cannot) it's 10am, Dr. Lee's e.g. U.S. don't DON'T :) back. back, back"]
    for _ in range(2):
        for text in texts:
            got, want = tokenizer(text), reference(text)
            assert [(t.text, t.whitespace_) for t in got] == [(t.text, t.whitespace_) for t in want], text
    assert tokenizer.tokenizer.max_cache_size >= CacheFillingTokenizer.CACHE_CHUNKS


def test_token_arrays_and_distinct_ids_kept_by_the_pipeline_equal_spacys():
    import numpy
    from spacy.attrs import IDX, ORTH, SENT_START, SPACY

    nlp = build_nlp()
    kept = 0
    for text in _texts():
        doc = nlp(text)
        kept += "medreview.token_arrays" in doc.user_data
        want = doc.to_array([ORTH, SPACY, IDX, SENT_START]) if len(doc) else numpy.zeros((0, 4), numpy.uint64)
        got = token_arrays(doc)
        assert got.dtype == want.dtype and numpy.array_equal(got, want), text
        distinct, where = distinct_orths(doc)
        assert numpy.array_equal(distinct[where], want[:, 0]) and numpy.array_equal(distinct, numpy.unique(want[:, 0]))
    assert kept > 500  # the checks read the pipeline's arrays, not a to_array of their own
    bare = nlp.make_doc("A doc the sentence component never saw. Two.")  # made now
    assert numpy.array_equal(token_arrays(bare), bare.to_array([ORTH, SPACY, IDX, SENT_START]))
    distinct, where = distinct_orths(bare)
    assert numpy.array_equal(distinct[where], bare.to_array("ORTH"))

"""The spaCy pipeline: built once per process, shared by every check.

A blank English pipeline (tokeniser only, no model download: these machines
cannot fetch one at run time) and one component that sets sentences: spaCy's
rule-based sentencizer (a sentence ends after . ! ? and their kin), computed
on the Doc's arrays, plus what punctuation alone gets wrong in articles: a
line break between a heading, a list item or a byline and the next text ends
a sentence, and "et al.", "e.g." or "Dr." does not.

spaCy's own Sentencizer gives the same first boundaries but makes a Token
object for every token (a third of the spaCy stage on a 300-article corpus);
tests/test_nlp_sentences.py checks the two agree token for token.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy
from spacy.attrs import IS_PUNCT, IS_SPACE, LIKE_NUM, ORTH, SENT_START
from spacy.language import Language
from spacy.pipeline import Sentencizer

ABBREVIATIONS = frozenset(
    "al. e.g. i.e. vs. v. dr. mr. mrs. ms. prof. st. no. nos. fig. figs. approx. inc. ltd. co. corp. jr. sr. "
    "vol. pp. cf. ca. etc.".split()
)


@Language.component("medreview_sentences")
def line_and_abbreviation_boundaries(doc: Any) -> Any:
    """Set sentence starts: the sentencizer's, adjusted for article text (module docstring).

    Only two kinds of token can change: one after a line break, and one the
    sentencizer starts a sentence with. Tokens are read from the Doc's arrays
    (a token's text from the vocab, by its ORTH id; Doc.text would make every
    Token), and the boundaries are written back at once.
    """
    n = len(doc)
    if n == 0:
        return doc
    cols = doc.to_array([ORTH, IS_SPACE, IS_PUNCT, LIKE_NUM, SENT_START])
    tokens = _Tokens(doc.vocab.strings, *(cols[:, k] for k in range(4)))  # arrays: .tolist() cost more
    sent = _sentencizer_starts(cols[:, 0], cols[:, 2], cols[:, 4].astype(numpy.int64), doc.vocab.strings)
    after_break = {i + 1 for i in numpy.flatnonzero(cols[:-1, 1]).tolist() if "\n" in tokens.text(i)}
    starts = numpy.flatnonzero(sent[1:] == 1) + 1
    for i in sorted(after_break.union(starts.tolist())):
        if i in after_break and not tokens.space[i]:
            # A blank line always ends a sentence; a single line break does when the
            # next line starts like a new unit (a capital, a digit, a bullet).
            if "\n\n" in tokens.text(i - 1).replace("\r", "") or not tokens.text(i)[:1].islower():
                sent[i] = 1
            continue
        if sent[i] == 1 and (_after_abbreviation(tokens, i) or _trailing_marker(tokens, i)):
            sent[i] = -1
    # In one go (Token.is_sent_start= scans the whole Doc on every call); always,
    # since the sentencizer's own starts are set here too.
    doc.from_array([SENT_START], sent.reshape(-1, 1).astype(numpy.uint64))
    return doc


def _sentencizer_starts(orth: Any, is_punct: Any, preset: Any, strings: Any) -> Any:
    """spaCy's Sentencizer.predict + set_annotations on arrays: 1 starts a sentence, -1 does not.

    The sentencizer starts a sentence at the first token that is neither
    punctuation nor a sentence-final character after one of those characters
    (so '." ) Next' starts at Next); the first token always starts one. That
    is: a non-punctuation token starts a sentence when a sentence-final
    character lies between it and the previous non-punctuation token.
    A boundary already set on the Doc (preset != 0) is kept, as the
    sentencizer keeps it.
    """
    final = numpy.isin(orth, _final_ids(strings))
    word = ~(final | is_punct.astype(bool))
    words = numpy.flatnonzero(word)
    finals_before = numpy.cumsum(final)  # sentence-final characters in [0, i]
    prev_word = numpy.concatenate(([-1], words[:-1]))
    # (words - 1 is -1 for a word at 0; that entry is dropped below: token 0 always starts)
    seen = finals_before[words - 1] - numpy.where(prev_word >= 0, finals_before[prev_word], 0)
    guess = numpy.full(len(orth), -1, dtype=numpy.int64)
    guess[0] = 1
    guess[words[(words > 0) & (seen > 0)]] = 1
    return numpy.where(preset != 0, preset, guess)


@lru_cache(maxsize=4)
def _final_ids(strings: Any) -> Any:
    return numpy.array([strings.add(c) for c in Sentencizer.default_punct_chars], dtype=numpy.uint64)


class _Tokens:
    """What the sentence rules read of each token, as the Doc's arrays (no Token objects)."""

    __slots__ = ("strings", "orth", "space", "punct", "num", "_texts")

    def __init__(self, strings: Any, orth: Any, space: Any, punct: Any, num: Any) -> None:
        self.strings, self.orth, self.space, self.punct, self.num = strings, orth, space, punct, num
        self._texts: dict[int, str] = {}

    def __len__(self) -> int:
        return len(self.orth)

    def text(self, i: int) -> str:
        orth = int(self.orth[i])
        text = self._texts.get(orth)
        if text is None:
            text = self._texts[orth] = self.strings[orth]
        return text


def _trailing_marker(tokens: _Tokens, i: int) -> bool:
    """"…within weeks.[1]" or "…children.²": the marker belongs to the sentence before it."""
    text = tokens.text(i)
    if text[:1] in "¹²³⁴⁵⁶⁷⁸⁹⁰":
        return True
    return (text == "[" and i + 2 < len(tokens) and bool(tokens.num[i + 1])
            and tokens.text(i + 2) in ("]", ","))


def _after_abbreviation(tokens: _Tokens, i: int) -> bool:
    """True when the boundary before token i comes from the period of an abbreviation."""
    j = i - 1
    while j > 0 and tokens.punct[j] and not tokens.text(j).endswith("."):
        j -= 1  # "et al., 2019": look past the comma
    before = tokens.text(j)
    if before == "." and j >= 1:
        word = tokens.text(j - 1).lower() + "."
    elif before.endswith("."):
        word = before.lower()
    else:
        return False
    if word not in ABBREVIATIONS:
        return False
    nxt = tokens.text(i)
    return (j < i - 1 or bool(tokens.punct[i]) or nxt[:1].islower() or bool(tokens.num[i])
            or word in ("al.", "e.g.", "i.e.", "dr.", "prof.", "vs.", "v.", "cf."))


@lru_cache(maxsize=1)
def build_nlp() -> Any:
    import spacy

    nlp = spacy.blank("en")
    nlp.tokenizer = CacheFillingTokenizer(nlp.tokenizer)
    nlp.add_pipe("medreview_sentences")
    nlp.max_length = 20_000_000  # articles are bounded by [input] max_bytes instead
    return nlp


class CacheFillingTokenizer:
    """spaCy's tokenizer, with its cache of word chunks filled before each text.

    spaCy caches how each whitespace-separated chunk splits into tokens, but
    stops caching for the rest of a text once it meets a special case
    ("don't", "Dr.": spaCy issue #13950, still open in 3.8). Most articles
    have one early, so their words were split again in every article: the
    seed article tokenised at ~80k words/s instead of ~1M. Here the chunks
    not seen before are tokenised first on their own (plain words in one
    text, other chunks one by one, so a special case cannot stop the rest),
    and the article then finds them in the cache. The tokens are the same:
    the cache holds exactly what spaCy would split a chunk into.

    spaCy's default cache holds 10,000 chunks, fewer than a site's
    vocabulary; it is raised to CACHE_CHUNKS (~100 bytes each).
    """

    CACHE_CHUNKS = 200_000

    def __init__(self, tokenizer: Any) -> None:
        self.tokenizer = tokenizer
        tokenizer.max_cache_size = max(tokenizer.max_cache_size, self.CACHE_CHUNKS)
        self._special = frozenset(tokenizer.rules)
        self._seen: set[str] = set()

    def __call__(self, text: str) -> Any:
        if len(self._seen) < self.tokenizer.max_cache_size:
            new = set(text.split()).difference(self._seen)
            if new:
                self._seen.update(new)
                plain = sorted(c for c in new if c.isalpha() and c not in self._special)
                self.tokenizer(" ".join(plain))
                for chunk in sorted(new.difference(plain)):
                    self.tokenizer(chunk)
        return self.tokenizer(text)


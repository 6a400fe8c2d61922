"""The spaCy pipeline: built once per process, shared by every check.

A blank English pipeline with the rule-based sentencizer: tokenisation and
sentences at ~100k words/s, with no model download (these machines cannot
fetch one at run time). One small rule component fixes what punctuation
alone gets wrong in articles: a line break between a heading, a list item or
a byline and the next text ends a sentence, and "et al.", "e.g." or "Dr."
does not.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy
from spacy.attrs import IS_PUNCT, IS_SPACE, LIKE_NUM, ORTH, SENT_START
from spacy.language import Language

ABBREVIATIONS = frozenset(
    "al. e.g. i.e. vs. v. dr. mr. mrs. ms. prof. st. no. nos. fig. figs. approx. inc. ltd. co. corp. jr. sr. "
    "vol. pp. cf. ca. etc.".split()
)


@Language.component("medreview_sentences")
def line_and_abbreviation_boundaries(doc: Any) -> Any:
    """Adjust the sentencizer's boundaries for article text (see module docstring).

    Only two kinds of token can change: one after a line break, and one the
    sentencizer starts a sentence with. Tokens are read from the Doc's arrays
    (a token's text from the vocab, by its ORTH id; Doc.text would make every
    Token), and the changed boundaries are written back at once.
    """
    n = len(doc)
    if n < 2:
        return doc
    cols = doc.to_array([ORTH, IS_SPACE, IS_PUNCT, LIKE_NUM, SENT_START])
    tokens = _Tokens(doc.vocab.strings, *(cols[:, k] for k in range(4)))  # arrays: .tolist() cost more
    sent = cols[:, 4].astype(numpy.int64)
    after_break = {i + 1 for i in numpy.flatnonzero(cols[:-1, 1]).tolist() if "\n" in tokens.text(i)}
    starts = numpy.flatnonzero(sent[1:] == 1) + 1
    changed = False
    for i in sorted(after_break.union(starts.tolist())):
        if i in after_break and not tokens.space[i]:
            # A blank line always ends a sentence; a single line break does when the
            # next line starts like a new unit (a capital, a digit, a bullet).
            if "\n\n" in tokens.text(i - 1).replace("\r", "") or not tokens.text(i)[:1].islower():
                changed |= sent[i] != 1
                sent[i] = 1
            continue
        if sent[i] == 1 and (_after_abbreviation(tokens, i) or _trailing_marker(tokens, i)):
            sent[i] = -1
            changed = True
    if changed:  # in one go: Token.is_sent_start= scans the whole Doc on every call
        doc.from_array([SENT_START], sent.reshape(-1, 1).astype(numpy.uint64))
    return doc


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
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("medreview_sentences")
    nlp.max_length = 20_000_000  # articles are bounded by [input] max_bytes instead
    return nlp

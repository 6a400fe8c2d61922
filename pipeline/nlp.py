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
from spacy.attrs import IS_SPACE, SENT_START
from spacy.language import Language

ABBREVIATIONS = frozenset(
    "al. e.g. i.e. vs. v. dr. mr. mrs. ms. prof. st. no. nos. fig. figs. approx. inc. ltd. co. corp. jr. sr. "
    "vol. pp. cf. ca. etc.".split()
)


@Language.component("medreview_sentences")
def line_and_abbreviation_boundaries(doc: Any) -> Any:
    """Adjust the sentencizer's boundaries for article text (see module docstring).

    Only two kinds of token can change: one after a line break, and one the
    sentencizer starts a sentence with. They are found from the Doc's arrays,
    so the other ~95% of tokens never become Python objects.
    """
    if len(doc) < 2:
        return doc
    attrs = doc.to_array([IS_SPACE, SENT_START])
    after_break = {i + 1 for i in numpy.flatnonzero(attrs[:-1, 0]) if "\n" in doc[int(i)].text}
    starts = numpy.flatnonzero(attrs[1:, 1] == 1) + 1
    for i in sorted(after_break.union(int(i) for i in starts)):
        tok = doc[i]
        if i in after_break and not tok.is_space:
            # A blank line always ends a sentence; a single line break does when the
            # next line starts like a new unit (a capital, a digit, a bullet).
            if "\n\n" in doc[i - 1].text.replace("\r", "") or not tok.text[:1].islower():
                tok.is_sent_start = True
            continue
        if tok.is_sent_start and (_after_abbreviation(doc, i) or _trailing_marker(doc, i)):
            tok.is_sent_start = False
    return doc


def _trailing_marker(doc: Any, i: int) -> bool:
    """"…within weeks.[1]" or "…children.²": the marker belongs to the sentence before it."""
    tok = doc[i]
    if tok.text[:1] in "¹²³⁴⁵⁶⁷⁸⁹⁰":
        return True
    return tok.text == "[" and i + 2 < len(doc) and doc[i + 1].like_num and doc[i + 2].text in ("]", ",")


def _after_abbreviation(doc: Any, i: int) -> bool:
    """True when the boundary before doc[i] comes from the period of an abbreviation."""
    j = i - 1
    while j > 0 and doc[j].is_punct and not doc[j].text.endswith("."):
        j -= 1  # "et al., 2019": look past the comma
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


@lru_cache(maxsize=1)
def build_nlp() -> Any:
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("medreview_sentences")
    nlp.max_length = 20_000_000  # articles are bounded by [input] max_bytes instead
    return nlp

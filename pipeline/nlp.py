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

from .spacy_import import import_spacy

import_spacy()  # first: spaCy without its command line (spacy_import)

import numpy  # noqa: E402
from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LIKE_NUM, ORTH, SENT_START, SPACY  # noqa: E402
from spacy.language import Language  # noqa: E402
from spacy.pipeline import Sentencizer  # noqa: E402

ABBREVIATIONS = frozenset(
    "al. e.g. i.e. vs. v. dr. mr. mrs. ms. prof. st. no. nos. fig. figs. approx. inc. ltd. co. corp. jr. sr. "
    "vol. pp. cf. ca. etc.".split()
)


@Language.component("medreview_sentences")
def line_and_abbreviation_boundaries(doc: Any) -> Any:
    """Set sentence starts: the sentencizer's, adjusted for article text (module docstring).

    Only two kinds of token can change: one after a line break, and one the
    sentencizer starts a sentence with. Tokens are read from the Doc's arrays,
    and what the rules ask of a token's text from flags worked out once per
    distinct text (no Token objects, no string work per token); the
    boundaries are written back at once.
    """
    n = len(doc)
    if n == 0:
        return doc
    cols = doc.to_array([ORTH, IS_SPACE, IS_PUNCT, LIKE_NUM, SENT_START, SPACY, IDX])
    distinct, where = numpy.unique(cols[:, 0], return_inverse=True)
    doc.user_data[_DISTINCT] = (distinct, where.reshape(-1))
    flags = _orth_flags(doc.vocab.strings).of(distinct, where)
    sent = _sentencizer_starts(flags & _FINAL != 0, cols[:, 2], cols[:, 4].astype(numpy.int64))
    after_break = set((numpy.flatnonzero(flags[:-1] & _NEWLINE) + 1).tolist())
    starts = (numpy.flatnonzero(sent[1:] == 1) + 1).tolist()
    if not after_break and not starts:
        return _set_starts(doc, cols, sent)
    fl, space, punct, num = flags.tolist(), cols[:, 1].tolist(), cols[:, 2].tolist(), cols[:, 3].tolist()
    for i in sorted(after_break.union(starts)):
        if i in after_break and not space[i]:
            # A blank line always ends a sentence; a single line break does when the
            # next line starts like a new unit (a capital, a digit, a bullet).
            if fl[i - 1] & _BLANK_LINE or not fl[i] & _LOWER_START:
                sent[i] = 1
            continue
        if sent[i] == 1 and (_after_abbreviation(fl, punct, num, i) or _trailing_marker(fl, num, i)):
            sent[i] = -1
    return _set_starts(doc, cols, sent)


def _set_starts(doc: Any, cols: Any, sent: Any) -> Any:
    """Write the sentence starts in one go (Token.is_sent_start= scans the whole Doc on every
    call; always, since the sentencizer's own starts are set here too), and keep the arrays the
    checks read (token_arrays)."""
    starts = sent.reshape(-1, 1).astype(numpy.uint64)
    doc.from_array([SENT_START], starts)
    doc.user_data[_ARRAYS] = numpy.column_stack((cols[:, 0], cols[:, 5], cols[:, 6], starts[:, 0]))
    return doc


_ARRAYS = "medreview.token_arrays"
_DISTINCT = "medreview.distinct_orths"


def token_arrays(doc: Any) -> Any:
    """Each token's ORTH, SPACY, IDX and SENT_START, as doc.to_array([ORTH, SPACY, IDX, SENT_START]):
    the arrays the sentence component kept for its Doc (spelling and claims each called
    to_array, ~0.1 ms an article a call), or made now for a Doc from elsewhere."""
    kept = doc.user_data.get(_ARRAYS)
    if kept is not None and len(kept) == len(doc):
        return kept
    if not len(doc):
        return numpy.zeros((0, 4), dtype=numpy.uint64)
    return doc.to_array([ORTH, SPACY, IDX, SENT_START])


def distinct_orths(doc: Any) -> tuple[Any, Any]:
    """numpy.unique(ORTH ids, return_inverse=True) of the Doc's tokens: the distinct ids, sorted,
    and each token's index among them; kept by the sentence component, which needs them too."""
    kept = doc.user_data.get(_DISTINCT)
    if kept is not None and len(kept[1]) == len(doc):
        return kept
    distinct, where = numpy.unique(token_arrays(doc)[:, 0], return_inverse=True)
    return distinct, where.reshape(-1)


def _sentencizer_starts(final: Any, is_punct: Any, preset: Any) -> Any:
    """spaCy's Sentencizer.predict + set_annotations on arrays: 1 starts a sentence, -1 does not.

    The sentencizer starts a sentence at the first token that is neither
    punctuation nor a sentence-final character after one of those characters
    (so '." ) Next' starts at Next); the first token always starts one. That
    is: a non-punctuation token starts a sentence when a sentence-final
    character lies between it and the previous non-punctuation token.
    A boundary already set on the Doc (preset != 0) is kept, as the
    sentencizer keeps it.
    """
    word = ~(final | is_punct.astype(bool))
    words = numpy.flatnonzero(word)
    finals_before = numpy.cumsum(final)  # sentence-final characters in [0, i]
    prev_word = numpy.concatenate(([-1], words[:-1]))
    # (words - 1 is -1 for a word at 0; that entry is dropped below: token 0 always starts)
    seen = finals_before[words - 1] - numpy.where(prev_word >= 0, finals_before[prev_word], 0)
    guess = numpy.full(len(final), -1, dtype=numpy.int64)
    guess[0] = 1
    guess[words[(words > 0) & (seen > 0)]] = 1
    return numpy.where(preset != 0, preset, guess)


# What the rules ask of a token's text, as bits.
_FINAL = 1 << 0          # a sentence-final character (the sentencizer's list)
_NEWLINE = 1 << 1        # holds a line break (a whitespace token)
_BLANK_LINE = 1 << 2     # holds a blank line
_LOWER_START = 1 << 3    # starts with a lower-case letter
_ENDS_DOT = 1 << 4       # ends with "."
_DOT = 1 << 5            # is "."
_ABBR = 1 << 6           # is an abbreviation with its period ("e.g.", "Dr.")
_ABBR_STRONG = 1 << 7    # ... one that never ends a sentence
_STEM = 1 << 8           # is an abbreviation without its period ("Dr" before a "." token)
_STEM_STRONG = 1 << 9
_MARKER = 1 << 10        # starts with a superscript digit (a citation marker)
_OPEN = 1 << 11          # is "["
_CLOSE = 1 << 12         # is "]" or ","
_FINAL_CHARS = frozenset(Sentencizer.default_punct_chars)
_STRONG = frozenset(("al.", "e.g.", "i.e.", "dr.", "prof.", "vs.", "v.", "cf."))


def _flags_of(text: str) -> int:
    low = text.lower()
    f = (_FINAL * (text in _FINAL_CHARS) | _NEWLINE * ("\n" in text)
         | _BLANK_LINE * ("\n\n" in text.replace("\r", "")) | _LOWER_START * text[:1].islower()
         | _ENDS_DOT * text.endswith(".") | _DOT * (text == ".")
         | _ABBR * (low in ABBREVIATIONS) | _ABBR_STRONG * (low in _STRONG)
         | _STEM * (low + "." in ABBREVIATIONS) | _STEM_STRONG * (low + "." in _STRONG)
         | _MARKER * (text[:1] in "¹²³⁴⁵⁶⁷⁸⁹⁰" and text != "") | _OPEN * (text == "[")
         | _CLOSE * (text in ("]", ",")))
    return f


class _OrthFlags:
    """Flags of each distinct token text (ORTH id), worked out once per process."""

    def __init__(self, strings: Any) -> None:
        self.strings = strings
        self.flags: dict[int, int] = {}

    def of(self, distinct: Any, where: Any) -> Any:
        """The flags of every token (numpy.unique's distinct ORTH ids and inverse): each distinct
        id looked up once."""
        get, values = self.flags.get, []
        for o in distinct.tolist():
            f = get(o)
            if f is None:
                f = self.flags[o] = _flags_of(self.strings[o])
            values.append(f)
        return numpy.array(values, dtype=numpy.int32)[where.reshape(-1)]


@lru_cache(maxsize=4)
def _orth_flags(strings: Any) -> _OrthFlags:
    return _OrthFlags(strings)


def _trailing_marker(fl: list[int], num: list[int], i: int) -> bool:
    """"…within weeks.[1]" or "…children.²": the marker belongs to the sentence before it."""
    if fl[i] & _MARKER:
        return True
    return bool(fl[i] & _OPEN and i + 2 < len(fl) and num[i + 1] and fl[i + 2] & _CLOSE)


def _after_abbreviation(fl: list[int], punct: list[int], num: list[int], i: int) -> bool:
    """True when the boundary before token i comes from the period of an abbreviation."""
    j = i - 1
    while j > 0 and punct[j] and not fl[j] & _ENDS_DOT:
        j -= 1  # "et al., 2019": look past the comma
    before = fl[j]
    if before & _DOT and j >= 1:  # "Dr" "." : the word before the period
        abbreviation, strong = fl[j - 1] & _STEM, fl[j - 1] & _STEM_STRONG
    elif before & _ENDS_DOT:
        abbreviation, strong = before & _ABBR, before & _ABBR_STRONG
    else:
        return False
    if not abbreviation:
        return False
    return bool(j < i - 1 or punct[i] or fl[i] & _LOWER_START or num[i] or strong)


@lru_cache(maxsize=1)
def build_nlp() -> Any:
    nlp = import_spacy().blank("en")
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


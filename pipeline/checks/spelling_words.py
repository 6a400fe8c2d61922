"""Which words of an article a dictionary judges, and what the lexicon says of each.

The words are the spaCy tokens of the cleaned text less what is never judged:
links, e-mail addresses, domain names, code, handles (_skip_spans), numbers,
acronyms, mixed-case brand names, the parts of contractions, surnames in
references, and names the article defines. judged_words() gives each
occurrence the lexicon does not know or knows as one variant's; its verdict on
a distinct word is cached per process (_VerdictCache).
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from typing import Any, Iterator

from ..lexicon import Lexicon, is_checkable
from ..model import Article

# Text spans never spell-checked: links, e-mail addresses, domain names, code, handles.
_SKIP_PARTS = (
    r"(?:https?://|ftp://|www\.)\S+",
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+",
    r"\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|gov|edu|int|info|io|co|uk|us|ca|au|de|fr|nl|eu|health|nhs)\b\S*",
    r"`[^`\n]+`",
    r"(?<!\w)[@#]\w+",
)
_SKIP_SPANS = re.compile("|".join(_SKIP_PARTS), re.I)
# Speed: the whole pattern costs ~1 ms an article (the e-mail part retries at every letter), so
# only the parts whose indispensable characters the text has are searched: a part that cannot
# match anywhere cannot change what the others match, so the spans are the same.
_TLDS = tuple("." + t for t in "com org net gov edu int info io co uk us ca au de fr nl eu health nhs".split())
_SKIP_NEEDS = (
    lambda low: "://" in low or "www." in low,
    lambda low: "@" in low,
    lambda low: any(t in low for t in _TLDS),
    lambda low: "`" in low,
    lambda low: "@" in low or "#" in low,
)


@lru_cache(maxsize=32)
def _skip_pattern(parts: tuple[bool, ...]) -> re.Pattern[str] | None:
    chosen = [p for p, on in zip(_SKIP_PARTS, parts) if on]
    return re.compile("|".join(chosen), re.I) if chosen else None


def _skip_spans(text: str) -> list[tuple[int, int]]:
    """The spans _SKIP_SPANS finds in `text`."""
    # Letters that IGNORECASE matches to ASCII ones but lower() does not map to them (ı ſ K İ):
    # a text holding one is searched with the whole pattern.
    if not text.isascii() and any(c in text for c in "\u0131\u017f\u212a\u0130"):
        pattern: re.Pattern[str] | None = _SKIP_SPANS
    else:
        low = text.lower()
        pattern = _skip_pattern(tuple(need(low) for need in _SKIP_NEEDS))
    return [m.span() for m in pattern.finditer(text)] if pattern is not None else []


_ACRONYM_MAX = 6  # all-capital words up to this length are taken as acronyms (DOMS, NSAID, SAMHSA)
_CONTRACTION_TAILS = ("n't", "n’t", "'", "’")


def words_to_check(article: Article, doc: Any) -> Iterator[tuple[str, int, int, bool]]:
    """(word, start, end, sentence_initial) of each token a dictionary should judge, in text order.

    Speed: the doc's token attributes come as one array (doc.to_array), not as a spaCy Token
    object per token (creating those was a third of the check's time), and what depends on
    the word alone is judged once per distinct word.
    """
    from spacy.attrs import LIKE_EMAIL, LIKE_NUM, LIKE_URL, ORTH, SENT_START, SPACY

    text = article.text
    if not len(doc):
        return
    arr = doc.to_array([ORTH, SPACY, LIKE_URL, LIKE_EMAIL, LIKE_NUM, SENT_START])
    strings = doc.vocab.strings
    words = [strings[o] for o in arr[:, 0].tolist()]
    # bit 0: a space follows; bit 1: like a URL, e-mail or number; bit 2: starts a sentence
    small = arr[:, 1:5].astype("int64")
    flags = (small[:, 0] | ((small[:, 1] | small[:, 2] | small[:, 3]) << 1)
             | ((arr[:, 5] == 1).astype("int64") << 2)).tolist()
    skip = _skip_spans(text)
    si = 0
    n = len(words)
    pos = 0  # doc.text is the tokens' texts, each followed by its whitespace (SPACY)
    for i, word in enumerate(words):
        f = flags[i]
        space = f & 1
        start = pos
        end = start + len(word)
        pos = end + space
        ok = _WORD_VERDICT.get(word)
        if ok is None:
            ok = _judgeable(word) and not f & 2
            if len(_WORD_VERDICT) > 200_000:
                _WORD_VERDICT.clear()
            _WORD_VERDICT[word] = ok
        if not ok:
            continue
        while si < len(skip) and skip[si][1] <= start:
            si += 1
        if si < len(skip) and skip[si][0] < end:
            continue
        if not space and i + 1 < n and words[i + 1].lower().startswith(_CONTRACTION_TAILS):
            continue  # "ca" of "can't", "wo" of "won't"
        if word[0].isupper() and _cited_author(words, i):
            continue
        yield word, start, end, bool(f & 4)


# Whether a word, on its own, is one a dictionary should judge (like_url/like_email/like_num are
# spaCy lexeme flags, so also the word's alone). Shared by the process's articles.
_WORD_VERDICT: dict[str, bool] = {}


def _judgeable(word: str) -> bool:
    if len(word) < 2 or not is_checkable(word):
        return False
    if word[0] in "'’" or word.lower() in ("n't", "n’t"):
        return False  # the tail of a contraction or possessive: 've, 's, ’ll, n't
    if word.isupper() and len(word) <= _ACRONYM_MAX:
        return False
    if any(c.isupper() for c in word[1:]) and not word.isupper():
        return False  # mixed case is a brand or product name: MedlinePlus, YouTube, eGFR
    return True


def _cited_author(words: list[str], i: int) -> bool:
    """A surname in a reference: "Kongsted A, Kjaer P" (initials follow) or "Maher et al." """
    after = words[i + 1:i + 3]
    if after and re.match(r"^[A-Z]{1,3}\.?$", after[0]) and (
            after[0].endswith(".") or len(after) < 2 or after[1] in (",", ".", ";", ":")):
        return True
    return len(after) >= 2 and after[0] == "et" and after[1].startswith("al")


# What a distinct word is, on its own, for a lexicon: _QUIET (never a finding wherever it stands:
# not a word a dictionary judges, or a known word of no particular variant), _UNKNOWN (a
# misspelling unless the article defines it as a name or the place it stands is skipped) or
# _STYLED (a known word of one variant, for SPELL002, with the same provisos).
_QUIET, _UNKNOWN, _STYLED = 0, 1, 2
_QUIET_VERDICT = (_QUIET, None)
_VERDICT_CACHE_MAX = 200_000


class _VerdictCache:
    """A lexicon's verdicts on the distinct words (spaCy ORTH ids) of one vocab (the lexeme flags
    read are the vocab's), kept for the process. The quiet words, nearly all of an article's,
    are a sorted array an article's tokens are looked up in at once (a Python set of them cost
    ~0.2 ms an article once other checks had pushed it out of the CPU caches), plus a set of
    those found since it was last merged; the few others are kept with their verdict."""

    __slots__ = ("vocab", "quiet", "quiet_new", "open")

    def __init__(self, vocab: Any) -> None:
        import numpy as np

        self.vocab = vocab
        self.quiet = np.zeros(0, dtype=np.uint64)
        self.quiet_new: set[int] = set()
        self.open: dict[int, tuple[int, str | None]] = {}

    def __len__(self) -> int:
        return len(self.quiet) + len(self.quiet_new) + len(self.open)

    def unsettled(self, distinct: Any) -> tuple[Any, list[int]]:
        """Of `distinct` (sorted uint64 ids), where the ones not known to be quiet are, and them."""
        import numpy as np

        q = self.quiet
        at = np.flatnonzero(q[np.minimum(np.searchsorted(q, distinct), len(q) - 1)] != distinct) if len(q) else \
            np.arange(len(distinct))
        return at, distinct[at].tolist()

    def add_quiet(self, orth: int) -> None:
        self.quiet_new.add(orth)
        if len(self.quiet_new) > max(256, len(self.quiet) // 8):  # merged now and then: O(1) a word
            import numpy as np

            new = np.fromiter(self.quiet_new, dtype=np.uint64, count=len(self.quiet_new))
            self.quiet = np.union1d(self.quiet, new)
            self.quiet_new.clear()


def _open_verdicts(lexicon: Lexicon, doc: Any) -> tuple[dict[int, tuple[int, str | None]], list[int]]:
    """The distinct words of the Doc (ORTH ids) whose verdict is not _QUIET, with their verdicts,
    and the positions of their tokens."""
    import numpy as np

    from ..nlp import distinct_orths  # here, not at the top: spaCy is imported only to parse

    vocab = doc.vocab
    cache = lexicon._verdicts
    if cache is None or cache.vocab is not vocab or len(cache) > _VERDICT_CACHE_MAX:
        cache = lexicon._verdicts = _VerdictCache(vocab)
    distinct, where = distinct_orths(doc)
    at, orths = cache.unsettled(distinct)
    out: dict[int, tuple[int, str | None]] = {}
    kept = []
    for k, o in zip(at.tolist(), orths):
        if o in cache.quiet_new:
            continue
        v = cache.open.get(o)
        if v is None:
            v = _verdict_on(lexicon, vocab, o)
            if v[0] == _QUIET:
                cache.add_quiet(o)
                continue
            cache.open[o] = v
        out[o] = v
        kept.append(k)
    if not kept:
        return out, []
    mask = np.zeros(len(distinct), dtype=bool)
    mask[kept] = True
    return out, np.flatnonzero(mask[where]).tolist()


def _verdict_on(lexicon: Lexicon, vocab: Any, orth: int) -> tuple[int, str | None]:
    """What one word is on its own: not judged or known of no variant (_QUIET), unknown, or styled."""
    word = vocab.strings[orth]
    lex = vocab[orth]
    if not _judgeable(word) or lex.like_url or lex.like_email or lex.like_num:
        return _QUIET_VERDICT
    if not lexicon.known(word):
        return (_UNKNOWN, None)
    style = _style(lexicon, word)
    return _QUIET_VERDICT if style is None else (_STYLED, style)


def judged_words(article: Article, doc: Any, lexicon: Lexicon) -> list[tuple[str, int, int, tuple[int, str | None]]]:
    """(word, start, end, verdict) of each occurrence that is a misspelling (verdict[0] _UNKNOWN)
    or a variant spelling (_STYLED, verdict[1] its locale), in text order: the words of
    words_to_check() that the lexicon does not know or knows as one variant's, less the names
    the article defines (_names_among). Words of the house style's variant are listed only
    when the article has a word of the other variant too: alone they are never reported.

    Speed: the same result as judging every word of words_to_check(), at a few numpy calls (the
    article's tokens looked up among the words known to be quiet) and a dictionary hit per
    distinct word left. The verdict on a word alone (judgeable, known, variant)
    is cached per process; the rules that depend on where a word stands (skip spans,
    contractions, cited authors, sentence starts, names) are applied only to the occurrences of
    the rare words the verdict leaves in question, and whether such a word is a defined name
    depends only on its own occurrences.
    """

    from ..nlp import token_arrays  # here, not at the top: spaCy is imported only to parse

    if not len(doc):
        return []
    arr = token_arrays(doc)  # ORTH, SPACY, IDX, SENT_START: no Token objects
    ids = arr[:, 0]
    verdicts, positions = _open_verdicts(lexicon, doc)
    if not any(v[0] == _STYLED and v[1] != lexicon.locale for v in verdicts.values()):
        # No word of the other variant: the house-style ones are never reported (SPELL002 needs both).
        verdicts = {o: v for o, v in verdicts.items() if v[0] != _STYLED}
        positions = [i for i in positions if int(ids[i]) in verdicts]
    if not verdicts:
        return []
    text = article.text
    strings = doc.vocab.strings
    n = len(ids)
    skip: _LocalSkips = _LocalSkips(text)
    kept: list[tuple[str, int, int, bool, tuple[int, str | None]]] = []
    for i in positions:
        orth, space, start, sent_start = arr[i].tolist()
        word = strings[orth]
        end = start + len(word)
        if skip.covers(start, end):
            continue
        if not space and i + 1 < n and strings[int(ids[i + 1])].lower().startswith(_CONTRACTION_TAILS):
            continue  # "ca" of "can't", "wo" of "won't"
        if word[0].isupper() and _cited_author([strings[o] for o in ids[i:i + 3].tolist()], 0):
            continue
        kept.append((word, start, end, sent_start == 1, verdicts[orth]))
    if not kept:
        return []
    names = _names_among(article, kept)
    out = [(w, s, e, v) for w, s, e, _, v in kept if w not in names]
    if not any(v[0] == _STYLED and v[1] != lexicon.locale for *_, v in out):  # as above, after the filters
        out = [o for o in out if o[3][0] != _STYLED]
    return out


def _names_among(article: Article, kept: list[tuple[str, int, int, bool, Any]]) -> set[str]:
    """Which of the words of `kept` the article defines as names: whether a word is one
    depends only on its own occurrences (capitalised mid-sentence twice, after the title) and
    on the article's authors, reviewers and title."""
    counts = Counter(w for w, _, _, initial, _ in kept if w[:1].isupper() and not initial)
    names = {w for w, n in counts.items() if n >= 2}
    m = article.meta
    for loc in [*m.authors, *m.reviewed_by]:
        names.update(re.findall(r"[^\W\d_]+", str(loc.value)))
    if m.title is not None:
        title = str(m.title.value)
        at = article.text.find(title, 0, 400)
        title_end = at + len(title) if at >= 0 else 0
        body = {w for w, start, _, _, _ in kept if start >= title_end}
        names.update(w for w in re.findall(r"[^\W\d_]+", title) if w in body)
    return names


class _LocalSkips:
    """Whether a span of the text overlaps one of _skip_spans(text), searched only around it.

    Every part of _SKIP_SPANS but the backtick one matches no whitespace, so a match of the
    whole-text search lies inside one run of non-space characters, and the whole-text search
    reaches a run's first character with no match in progress: searching that run alone
    (finditer with pos/endpos, so look-behinds still see the text before it) finds the same
    matches there. A text with a backtick is searched whole, once.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.whole: list[tuple[int, int]] | None = _skip_spans(text) if "`" in text else None

    def covers(self, start: int, end: int) -> bool:
        if self.whole is not None:
            return any(a < end and start < b for a, b in self.whole)
        text = self.text
        a = start
        while a > 0 and not text[a - 1].isspace():
            a -= 1
        b = end
        while b < len(text) and not text[b].isspace():
            b += 1
        return any(s < end and start < e for s, e in (m.span() for m in _SKIP_SPANS.finditer(text, a, b)))


def _style(lexicon: Lexicon, word: str) -> str | None:
    """Which variant a known word shows: its own, or, for an -ize word both dictionaries
    accept (Oxford spelling), American when its -ise twin is British-only."""
    style = lexicon.variant(word)
    if style is not None:
        return style
    lower = word.lower()
    if "iz" in lower or "yz" in lower:
        twin = re.sub(r"(?<=[iy])z(?=e|i|a)", "s", lower)
        if twin != lower and lexicon.known(twin) and lexicon.variant(twin) == "en-GB":
            return "en-US"
    return None


def unknown_words(article: Article, doc: Any, lexicon: Lexicon) -> Iterator[str]:
    """Every unknown word of an article (for `medreview words`), as written."""
    for word, _, _, verdict in judged_words(article, doc, lexicon):
        if verdict[0] == _UNKNOWN:
            yield word

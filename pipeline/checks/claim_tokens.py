"""What the claims check reads of a document: per-word attributes and token tests as bits, and
per-document arrays instead of spaCy Token objects (each doc[i] makes a Python object).

A token spec such as `{LOWER: {IN: [can, may]}, IS_ALPHA: true}` is a set of *atoms*, each one
of spaCy's predicates on the token's lexeme (a word list, an exact text, a regex, a flag, a
length). The Lexicon gives every atom of the rule pack a bit and every word, once per process,
the bits of the atoms it satisfies, mostly from dictionaries (word -> bits of the lists that hold
it) rather than by running each test. A spec's test is then `lex.bits & mask == mask`, inline in
the matcher's loops. tests/test_claim_matcher.py checks every spec of the pack against spaCy.
"""

from __future__ import annotations

import re
from typing import Any, Callable

_FLAGS = {"LIKE_NUM": "like_num", "IS_PUNCT": "is_punct", "IS_ALPHA": "is_alpha", "IS_TITLE": "is_title",
          "IS_UPPER": "is_upper", "IS_LOWER": "is_lower", "IS_DIGIT": "is_digit", "IS_SPACE": "is_space"}
_COMPARE: dict[str, Callable[[int, int], bool]] = {
    "==": lambda a, b: a == b, "!=": lambda a, b: a != b, ">=": lambda a, b: a >= b,
    "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, "<": lambda a, b: a < b}


class Lex:
    """A word's lexical attributes (the same for every token of that word), the bits of the atoms
    it satisfies, and per matcher the patterns anchored on it."""

    __slots__ = ("text", "lower", "flags", "bits", "anchors", "anchored")

    def __init__(self, text: str, lower: str, flags: frozenset[str], bits: int = 0) -> None:
        self.text, self.lower, self.flags, self.bits = text, lower, flags, bits
        self.anchors: list[tuple[int, ...]] = []  # indexed by AnchoredMatcher.slot
        self.anchored = False  # any of them


def _atoms(spec: dict[str, Any]) -> list[tuple] | None:
    """A token spec's constraints (OP aside) as hashable atoms; None if any is one this module does
    not know (then the spec is "may match" and spaCy decides)."""
    atoms: list[tuple] = []
    for attr, value in spec.items():
        if attr == "OP":
            continue
        if attr in ("LOWER", "TEXT", "ORTH"):
            field = "lower" if attr == "LOWER" else "text"
            if isinstance(value, str):
                atoms.append((field, "IN", frozenset([value])))
                continue
            if isinstance(value, dict) and len(value) == 1:
                (op, arg), = value.items()
                if op in ("IN", "NOT_IN") and isinstance(arg, list) and all(isinstance(v, str) for v in arg):
                    atoms.append((field, op, frozenset(arg)))
                    continue
                if op == "REGEX" and isinstance(arg, str):
                    re.compile(arg)  # spaCy's own error for a bad one comes first; this never raises then
                    atoms.append((field, "REGEX", arg))
                    continue
            return None
        if attr in _FLAGS and isinstance(value, bool):
            atoms.append(("flag", _FLAGS[attr], value))
            continue
        if attr == "LENGTH":
            if isinstance(value, int) and not isinstance(value, bool):
                atoms.append(("length", "==", value))
                continue
            if isinstance(value, dict) and len(value) == 1:
                (op, arg), = value.items()
                if op in _COMPARE and isinstance(arg, int) and not isinstance(arg, bool):
                    atoms.append(("length", op, arg))
                    continue
        return None
    return atoms


class Lexicon:
    """Lexical attributes and atom bits per ORTH id, read once per process from the vocab (not per token)."""

    MAX_WORDS = 100_000  # ~300 bytes each; then start afresh, so a long varied run stays bounded

    def __init__(self, vocab: Any) -> None:
        self.vocab = vocab
        self._cache: dict[int, Lex] = {}
        self._flag_sets: dict[frozenset[str], frozenset[str]] = {}  # a few distinct sets, shared
        self._bit: dict[tuple, int] = {}  # atom -> its bit
        self._in: dict[str, dict[str, int]] = {"lower": {}, "text": {}}  # word -> bits of the IN lists holding it
        self._not_in: dict[str, dict[str, int]] = {"lower": {}, "text": {}}  # the same for NOT_IN lists
        self._not_in_all = {"lower": 0, "text": 0}
        self._tested: list[tuple[int, tuple]] = []  # (bit, atom) decided by running it: regex, flag, length
        self._matchers: list[Any] = []  # whose anchors each Lex records

    def mask(self, spec: dict[str, Any]) -> int | None:
        """The bits a word needs for `spec` to match it (0: any word); None if spaCy must decide."""
        atoms = _atoms(spec)
        if atoms is None:
            return None
        mask = 0
        for atom in atoms:
            bit = self._bit.get(atom)
            if bit is None:
                bit = self._bit[atom] = 1 << len(self._bit)
                self._cache.clear()  # words read before this atom lack its bit
                field, kind, arg = atom
                if kind in ("IN", "NOT_IN") and field in self._in:
                    index = self._in[field] if kind == "IN" else self._not_in[field]
                    for word in arg:
                        index[word] = index.get(word, 0) | bit
                    if kind == "NOT_IN":
                        self._not_in_all[field] |= bit
                else:
                    self._tested.append((bit, atom if kind != "REGEX" else (field, kind, re.compile(arg))))
            mask |= bit
        return mask

    def add_matcher(self, matcher: Any) -> int:
        """Record `matcher.anchors_of(lex)` on every word from now on; returns the matcher's slot."""
        self._matchers.append(matcher)
        self._cache.clear()
        return len(self._matchers) - 1

    def lex(self, orth: int) -> Lex:
        lx = self._cache.get(orth)
        if lx is None:
            if len(self._cache) >= self.MAX_WORDS:
                self._cache.clear()
            lexeme = self.vocab[orth]
            flags = frozenset(f for f in _FLAGS.values() if getattr(lexeme, f))
            flags = self._flag_sets.setdefault(flags, flags)
            lx = Lex(lexeme.orth_, lexeme.lower_, flags)
            lx.bits = self._bits(lx)
            lx.anchors = [m.anchors_of(lx) for m in self._matchers]
            lx.anchored = any(lx.anchors)
            self._cache[orth] = lx
        return lx

    def lexes(self, orths: list[int]) -> list[Lex]:
        try:
            return list(map(self._cache.__getitem__, orths))  # every word seen before: the usual case
        except KeyError:
            get = self._cache.get
            return [get(o) or self.lex(o) for o in orths]

    def _bits(self, lx: Lex) -> int:
        bits = 0
        for field, value in (("lower", lx.lower), ("text", lx.text)):
            bits |= self._in[field].get(value, 0) | (self._not_in_all[field] & ~self._not_in[field].get(value, 0))
        for bit, (field, kind, arg) in self._tested:
            if field in ("lower", "text"):  # a regex
                ok = arg.search(lx.lower if field == "lower" else lx.text) is not None
            elif field == "flag":
                ok = (kind in lx.flags) == arg
            else:  # length
                ok = _COMPARE[kind](len(lx.text), arg)
            if ok:
                bits |= bit
        return bits


class DocTokens:
    """Per-document arrays the claims check reads instead of Token objects: each token's Lex, the
    space after it, its character offset, the sentence it is in, where some pattern is anchored;
    sentence Spans only on demand."""

    def __init__(self, doc: Any, lexicon: Lexicon, text: str | None = None) -> None:
        import numpy as np  # here, not at the top: a run the result cache answers never needs it
        from ..nlp import token_arrays

        self.doc = doc
        n = len(doc)
        arr = token_arrays(doc)
        self.lexes = lexicon.lexes(arr[:, 0].tolist())
        self.anchored = [p for p, lx in enumerate(self.lexes) if lx.anchored]  # for every matcher at once
        self.space: list[int] = arr[:, 1].tolist()  # 1: a space after the token
        self.idx: list[int] = arr[:, 2].tolist()  # its first character in the text
        if "sents" in doc.user_hooks or not doc.has_annotation("SENT_START"):
            self.bounds = [(s.start, s.end) for s in doc.sents]  # spaCy's own answer (or its error)
        else:  # as Doc.sents reads them: token 0 and every token whose sent_start is 1
            starts = [0] + [i for i in np.flatnonzero(arr[:, 3].astype(np.int64) == 1).tolist() if i]
            self.bounds = list(zip(starts, starts[1:] + [n])) if n else []
        self.sent_of: list[int] = []
        for k, (start, end) in enumerate(self.bounds):
            self.sent_of += [k] * (end - start)
        # The doc's text without Doc.text (which joins every token): the article's, when it is that.
        last_end = self.end_char(n - 1) + self.space[-1] if n else 0
        self.text = text if text is not None and len(text) == last_end else doc.text
        self._spans: dict[int, Any] = {}

    def end_char(self, i: int) -> int:
        """The character after token i."""
        return self.idx[i] + len(self.lexes[i].text)

    def sentence(self, k: int) -> Any:
        """Sentence k as a spaCy Span."""
        span = self._spans.get(k)
        if span is None:
            span = self._spans[k] = self.doc[self.bounds[k][0]:self.bounds[k][1]]
        return span

    def sentence_chars(self, k: int) -> tuple[int, int]:
        """Sentence k's (start_char, end_char), as Span.start_char and Span.end_char."""
        start, end = self.bounds[k]
        return self.idx[start], self.end_char(end - 1)

    def sentence_text(self, k: int) -> str:
        """Span.text of sentence k."""
        start, end = self.sentence_chars(k)
        return self.text[start:end]

    def span_text(self, start: int, end: int) -> str:
        """doc[start:end].text (tokens tile the text: from the first's first character to the last's last)."""
        return self.text[self.idx[start]:self.end_char(end - 1)]

"""The claims check's pattern matcher: spaCy Matchers, run only where a pattern can match.

spaCy's Matcher costs about a microsecond per token per pattern, whatever the
pattern, plus two Token objects per token per call; with ~120 claim patterns
over every sentence, matching was a quarter of a whole audit. So each pattern
gets an *anchor*: one of its required tokens with a cheap test (a word list,
an exact text, a regex or flag over the token's string). Per document:

1. the anchor positions come from the document's ORTH ids (numpy), each
   distinct word looked up once per process, not from Token objects;
2. at each anchor position a small NFA over the pattern's token tests asks,
   on those same words, whether the pattern can match there at all inside
   the sentence, and how far such a match can reach before and after the
   anchor (`?`, `*` and `+` as in spaCy); most anchors fail on a neighbour;
3. only that stretch of the sentence, plus the token after it, is handed to
   the pattern's own spaCy Matcher. spaCy decides a match ending at token e
   while it reads token e, so a match that ends inside the stretch comes out
   as it would from the whole sentence; a match touching a stretch's end
   (possible only when the stretch stops before the sentence's end) holds no
   anchor whose stretch it fits, and is dropped.

Steps 1-2 only skip work: a test this module does not understand counts as
"may match", and every test it does understand is the spaCy predicate on the
token's lexeme (tests/test_claim_matcher.py checks them against spaCy on
every token spec of the rule pack, and the matches against each pattern's
Matcher on every sentence of the gold sets, the sample corpus and random
word soups). spaCy still decides every match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable


# Words too common to say whether a pattern can match a sentence.
_COMMON = frozenset("the a an is are be was were been being to of in on for and or with by at from that this "
                    "it its can may will do does not as".split())
_FLAGS = {"LIKE_NUM": "like_num", "IS_PUNCT": "is_punct", "IS_ALPHA": "is_alpha", "IS_TITLE": "is_title",
          "IS_UPPER": "is_upper", "IS_LOWER": "is_lower", "IS_DIGIT": "is_digit", "IS_SPACE": "is_space"}
_COMPARE: dict[str, Callable[[int, int], bool]] = {
    "==": lambda a, b: a == b, "!=": lambda a, b: a != b, ">=": lambda a, b: a >= b,
    "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, "<": lambda a, b: a < b}


@dataclass(frozen=True, slots=True)
class Lex:
    """What the token tests read: a word's lexical attributes (the same for every token of that word)."""

    text: str
    lower: str
    flags: frozenset[str]


Test = Callable[[Lex], bool]


def _value_test(attr: str, spec: Any) -> Test | None:
    """The test `{attr: spec}` as spaCy applies it, or None when this module does not know it."""
    if attr in ("LOWER", "TEXT", "ORTH"):
        get: Callable[[Lex], Any] = (lambda lx: lx.lower) if attr == "LOWER" else (lambda lx: lx.text)
        if isinstance(spec, str):
            return lambda lx: get(lx) == spec
        if isinstance(spec, dict) and len(spec) == 1:
            (op, arg), = spec.items()
            if op in ("IN", "NOT_IN") and isinstance(arg, list) and all(isinstance(v, str) for v in arg):
                words = frozenset(arg)
                return (lambda lx: get(lx) in words) if op == "IN" else (lambda lx: get(lx) not in words)
            if op == "REGEX" and isinstance(arg, str):
                rx = re.compile(arg)
                return lambda lx: rx.search(get(lx)) is not None
        return None
    if attr in _FLAGS and isinstance(spec, bool):
        flag = _FLAGS[attr]
        return lambda lx: (flag in lx.flags) == spec
    if attr == "LENGTH":
        if isinstance(spec, int) and not isinstance(spec, bool):
            return lambda lx: len(lx.text) == spec
        if isinstance(spec, dict) and len(spec) == 1:
            (op, arg), = spec.items()
            if op in _COMPARE and isinstance(arg, int) and not isinstance(arg, bool):
                cmp = _COMPARE[op]
                return lambda lx: cmp(len(lx.text), arg)
    return None


def token_test(token_spec: dict[str, Any]) -> Test | None:
    """All of a token spec's constraints (OP aside) as one test; None if any is unknown (then: may match)."""
    tests = []
    for attr, spec in token_spec.items():
        if attr == "OP":
            continue
        test = _value_test(attr, spec)
        if test is None:
            return None
        tests.append(test)
    if not tests:
        return lambda lx: True  # {} matches any token
    return tests[0] if len(tests) == 1 else (lambda lx: all(t(lx) for t in tests))


@dataclass
class _Step:
    """One token spec of a pattern in the NFA: its test (None: any token may match) and how often."""

    test: Test | None
    repeat: bool  # `*` (after `+` is split into one required and a `*`)
    optional: bool


def _steps(pattern: list[dict[str, Any]]) -> list[_Step] | None:
    out = []
    for tok in pattern:
        op, test = tok.get("OP", "1"), token_test(tok)
        if op == "1":
            out.append(_Step(test, False, False))
        elif op == "?":
            out.append(_Step(test, False, True))
        elif op == "*":
            out.append(_Step(test, True, True))
        elif op == "+":
            out += [_Step(test, False, False), _Step(test, True, True)]
        else:
            return None  # "!" or a counted {n,m}: no prefilter, the pattern runs on every sentence
    return out


def _anchor_index(pattern: list[dict[str, Any]]) -> tuple[int, str, frozenset[str]] | None:
    """The required token whose exact words are rarest: (index, LOWER or TEXT, words), or None."""
    best = None
    for i, tok in enumerate(pattern):
        if tok.get("OP", "1") != "1":
            continue
        for attr in ("LOWER", "TEXT", "ORTH"):
            spec = tok.get(attr)
            if isinstance(spec, str):
                words = frozenset([spec])
            elif isinstance(spec, dict) and set(spec) == {"IN"} and all(isinstance(v, str) for v in spec["IN"]):
                words = frozenset(spec["IN"])
            else:
                continue
            lowered = {w.lower() for w in words}
            score = (bool(lowered & _COMMON), len(words))
            if best is None or score < best[0]:
                best = (score, (i, "LOWER" if attr == "LOWER" else "TEXT", words))
    return best[1] if best else None


class _Pattern:
    """One pattern: its Matcher, its anchor and the NFA steps before (reversed) and after the anchor."""

    def __init__(self, name: str, pattern: list[dict[str, Any]], matcher: Any) -> None:
        self.name, self.matcher = name, matcher
        self.words: tuple[str, frozenset[str]] | None = None  # the anchor's LOWER or TEXT word list
        self.anchor_test: Test | None = None  # the anchor token's whole test (None: unknown, may match)
        self.everywhere = True
        steps = _steps(pattern)
        if steps is None:
            return
        anchor = _anchor_index(pattern)
        if anchor is not None:
            i, attr, words = anchor
            self.words = (attr, words)
            self.anchor_test = token_test(pattern[i])
        else:  # no word list: the first required token with a known test (a regex, a flag)
            known = [i for i, tok in enumerate(pattern) if tok.get("OP", "1") == "1" and token_test(tok)]
            if not known:
                return
            i = known[0]
            self.anchor_test = token_test(pattern[i])
        self.everywhere = False
        # The anchor's place among the steps ("+" before it became two steps).
        k = sum(2 if tok.get("OP") == "+" else 1 for tok in pattern[:i])
        self.before, self.after = _Side(steps[:k][::-1]), _Side(steps[k + 1:])


class _Side:
    """The steps on one side of the anchor, as an NFA over token positions (states: the next step)."""

    def __init__(self, steps: list[_Step]) -> None:
        self.steps, self.n = steps, len(steps)
        # States reachable from each state without a token: past optional steps.
        self.closure = []
        for j in range(self.n + 1):
            k = j
            while k < self.n and steps[k].optional:
                k += 1
            self.closure.append(frozenset(range(j, k + 1)))
        # Most anchors fail on their neighbour: test a required first step before building state sets.
        self.first = steps[0].test if steps and not steps[0].optional else None

    def reach(self, lexes: list[Lex], i: int, stop: int, step: int) -> int:
        """How many tokens, from i onwards (moving by `step`, never reaching `stop`), the longest run
        these steps can match takes; -1 if they match none (not even the empty run)."""
        n = self.n
        if not n:
            return 0
        if self.first is not None and (i == stop or not self.first(lexes[i])):
            return -1
        steps, closure = self.steps, self.closure
        states = closure[0]
        best = 0 if n in states else -1
        taken = 0
        while i != stop:
            lx = lexes[i]
            nxt: set[int] = set()
            for j in states:
                if j < n:
                    s = steps[j]
                    if s.test is None or s.test(lx):
                        nxt |= closure[j if s.repeat else j + 1]
            if not nxt:
                break
            states = nxt
            taken += 1
            if n in states:
                best = taken
            i += step
        return best


class DocTokens:
    """Per-document arrays the claims check reads instead of Token objects (each one a Python object
    made on every doc[i]): ORTH ids, each token's lexical attributes (one Lex per distinct word),
    the space after it, its character offset, the sentence it is in; sentence Spans only on demand."""

    def __init__(self, doc: Any, lexicon: "Lexicon", text: str | None = None) -> None:
        import numpy as np  # here, not at the top: a run the result cache answers never needs it
        from spacy.attrs import IDX, ORTH, SENT_START, SPACY

        self.doc = doc
        n = len(doc)
        arr = doc.to_array([ORTH, SPACY, IDX, SENT_START]) if n else np.zeros((0, 4), np.uint64)
        self.orth = arr[:, 0].astype(np.uint64)
        self.space: list[int] = arr[:, 1].tolist()  # 1: a space after the token
        self.idx: list[int] = arr[:, 2].tolist()  # its first character in the text
        self.unique, inverse = np.unique(self.orth, return_inverse=True)
        self.inverse = inverse.reshape(-1)
        self.unique_lexes = lexicon.lexes(self.unique.tolist())
        self.lexes = [self.unique_lexes[u] for u in self.inverse.tolist()]
        if "sents" in doc.user_hooks or not doc.has_annotation("SENT_START"):
            self.bounds = [(s.start, s.end) for s in doc.sents]  # spaCy's own answer (or its error)
        else:  # as Doc.sents reads them: token 0 and every token whose sent_start is 1
            starts = [0] + [i for i in np.flatnonzero(arr[:, 3].astype(np.int64) == 1).tolist() if i]
            self.bounds = list(zip(starts, starts[1:] + [n])) if n else []
        sent_of = np.zeros(n, dtype=np.int64)
        for k, (start, end) in enumerate(self.bounds):
            sent_of[start:end] = k
        self.sent_of: list[int] = sent_of.tolist()
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


class Lexicon:
    """Lexical attributes per ORTH id, read once per process from the vocab (not per token)."""

    MAX_WORDS = 100_000  # ~300 bytes each; then start afresh, so a long varied run stays bounded

    def __init__(self, vocab: Any) -> None:
        self.vocab = vocab
        self._cache: dict[int, Lex] = {}
        self._flag_sets: dict[frozenset[str], frozenset[str]] = {}  # a few distinct sets, shared

    def lex(self, orth: int) -> Lex:
        lx = self._cache.get(orth)
        if lx is None:
            if len(self._cache) >= self.MAX_WORDS:
                self._cache.clear()
            lexeme = self.vocab[orth]
            flags = frozenset(f for f in _FLAGS.values() if getattr(lexeme, f))
            flags = self._flag_sets.setdefault(flags, flags)
            lx = self._cache[orth] = Lex(lexeme.orth_, lexeme.lower_, flags)
        return lx

    def lexes(self, orths: list[int]) -> list[Lex]:
        get = self._cache.get
        return [get(o) or self.lex(o) for o in orths]


class AnchoredMatcher:
    """A spaCy Matcher per pattern, run only on the sentences where the pattern can match (see module doc)."""

    def __init__(self, vocab: Any, named_patterns: dict[str, list[list[dict[str, Any]]]],
                 lexicon: Lexicon | None = None) -> None:
        from spacy.matcher import Matcher

        self.lexicon = lexicon or Lexicon(vocab)
        self.patterns: list[_Pattern] = []
        for name, patterns in named_patterns.items():
            for pattern in patterns:
                matcher = Matcher(vocab)
                matcher.add(name, [pattern])  # spaCy validates the pattern here
                self.patterns.append(_Pattern(name, pattern, matcher))
        self._by_lower: dict[str, list[int]] = {}
        self._by_text: dict[str, list[int]] = {}
        self._tested: list[int] = []
        self._everywhere: list[int] = []
        for n, p in enumerate(self.patterns):
            if p.everywhere:
                self._everywhere.append(n)
            elif p.words is not None:
                index = self._by_lower if p.words[0] == "LOWER" else self._by_text
                for word in p.words[1]:
                    index.setdefault(word, []).append(n)
            else:
                self._tested.append(n)
        self._anchored_at: dict[int, tuple[int, ...]] = {}  # ORTH id -> patterns anchored on that word

    def _anchors(self, orth: int) -> tuple[int, ...]:
        """The patterns whose anchor token this word is: its word list, then its whole test ("Pain" for
        a journal must be title case), decided once per word."""
        found = self._anchored_at.get(orth)
        if found is None:
            if len(self._anchored_at) >= Lexicon.MAX_WORDS:
                self._anchored_at.clear()
            lx = self.lexicon.lex(orth)
            hits = set(self._by_lower.get(lx.lower, ())) | set(self._by_text.get(lx.text, ())) | set(self._tested)
            tests = [(n, self.patterns[n].anchor_test) for n in sorted(hits)]
            found = self._anchored_at[orth] = tuple(n for n, test in tests if test is None or test(lx))
        return found

    def __call__(self, tokens: DocTokens) -> list[tuple[str, int, int]]:
        """(pattern name, start, end) in document tokens, in document order."""
        import numpy as np
        bounds = tokens.bounds
        # (pattern, sentence) -> [start, end): the tokens the pattern's Matcher must see there.
        windows: dict[tuple[int, int], list[int]] = {
            (n, sent): [start, end] for n in self._everywhere for sent, (start, end) in enumerate(bounds)}
        get = self._anchored_at.get
        anchored = [get(o) for o in tokens.unique.tolist()]
        anchored = [self._anchors(o) if a is None else a for o, a in zip(tokens.unique.tolist(), anchored)]
        has_anchor = np.fromiter((bool(a) for a in anchored), dtype=bool, count=len(anchored))
        lexes, inverse, sent_of = tokens.lexes, tokens.inverse, tokens.sent_of
        for p in np.flatnonzero(has_anchor[inverse]).tolist():
            sent = sent_of[p]
            start, end = bounds[sent]
            for n in anchored[inverse[p]]:
                pat = self.patterns[n]
                first = pat.before.first  # the neighbour rules most anchors out: test it inline
                if first is not None and (p == start or not first(lexes[p - 1])):
                    continue
                first = pat.after.first
                if first is not None and (p + 1 == end or not first(lexes[p + 1])):
                    continue
                back = pat.before.reach(lexes, p - 1, start - 1, -1)
                if back < 0:
                    continue
                ahead = pat.after.reach(lexes, p + 1, end, 1)
                if ahead < 0:
                    continue
                # Every match with p in the anchor's place lies in [p - back, p + 1 + ahead); one more
                # token lets spaCy decide about a match ending there exactly as in the whole sentence.
                lo, hi = p - back, min(end, p + 2 + ahead)
                window = windows.get((n, sent))
                if window is None:
                    windows[(n, sent)] = [lo, hi]
                else:
                    window[0], window[1] = min(window[0], lo), max(window[1], hi)
        found: set[tuple[str, int, int]] = set()
        doc = tokens.doc
        for (n, sent), (lo, hi) in windows.items():  # a Span per window: cheap, unlike a Token per token
            whole = hi == bounds[sent][1]
            name = self.patterns[n].name
            # A match touching the window's end before the sentence's end was read without the
            # token after it (see module doc): every real match ends before that, so drop it.
            found.update((name, lo + s, lo + e) for _, s, e in self.patterns[n].matcher(doc[lo:hi])
                         if whole or lo + e < hi)
        return sorted(found, key=lambda h: (h[1], h[2], h[0]))

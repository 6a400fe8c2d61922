"""The claims check's pattern matcher: spaCy Matcher patterns, matched only where they can match.

spaCy's Matcher costs about a microsecond per token per pattern, whatever the
pattern, plus two Token objects per token per call; with ~120 claim patterns
over every sentence, matching was a quarter of a whole audit. So each pattern
gets an *anchor*: one of its required tokens, preferably an exact word or word
list (the rarest), else a regex or a flag. Per document:

1. the anchor positions come from each token's Lex, which records once per
   process and word the patterns anchored on that word (claim_tokens.py);
2. at each anchor position a small NFA over the pattern's token tests (bits,
   see claim_tokens.py) reads the tokens before and after the anchor, inside
   the sentence, and gives every length the pattern's steps before and after
   it can match (`?`, `*` and `+` as in spaCy); most anchors fail on a
   neighbour;
3. spaCy's Matcher returns every (start, end) whose tokens fit the pattern, so
   when every token test of a pattern is one claim_tokens.py knows, the matches
   at that anchor are exactly every start before it paired with every end
   after it, and spaCy is not called at all;
4. a pattern with a test this module does not know (counted as "may match")
   or an operator it does not model ("!", "{n,m}") keeps spaCy deciding: its
   own Matcher runs on the stretch of the sentence the NFA allows, plus the
   token after it (spaCy decides a match ending at token e while it reads
   token e, so a match that ends inside the stretch comes out as from the
   whole sentence; a match touching a stretch's end before the sentence's end
   holds no anchor whose stretch it fits, and is dropped), or on every
   sentence when it has no anchor.

tests/test_claim_matcher.py checks the token tests against spaCy on every
token spec of the rule pack, and the matches against each pattern's own
Matcher on every sentence of the gold sets, the sample corpus and random word
soups, with patterns beyond the rule pack's operators.
"""

from __future__ import annotations

from typing import Any

from .claim_tokens import DocTokens, Lex, Lexicon

__all__ = ["AnchoredMatcher", "DocTokens", "Lex", "Lexicon"]

# Words too common to say whether a pattern can match a sentence.
_COMMON = frozenset("the a an is are be was were been being to of in on for and or with by at from that this "
                    "it its can may will do does not as".split())


class _Side:
    """The steps on one side of the anchor (before it: reversed), as an NFA over token positions."""

    def __init__(self, steps: list[tuple[int, bool, bool]]) -> None:
        # (mask, repeat, optional) per step: `*` is a repeating optional step, `+` one required and a `*`.
        self.masks = [m for m, _, _ in steps]
        self.repeat = [r for _, r, _ in steps]
        self.n = n = len(steps)
        # A run of required single steps: one length or none, read without state sets.
        self.fixed = all(not r and not o for _, r, o in steps)
        # States reachable from each state without a token: past optional steps.
        self.closure = []
        for j in range(n + 1):
            k = j
            while k < n and steps[k][2]:
                k += 1
            self.closure.append(frozenset(range(j, k + 1)))
        # Most anchors fail on their neighbour, which must pass one of the steps a run can start
        # with (the caller tests them inline); None when the side may match no token at all.
        self.firsts = None if n in self.closure[0] else tuple(sorted({self.masks[j] for j in self.closure[0]}))

    def lengths(self, lexes: list[Lex], i: int, stop: int, step: int) -> list[int]:
        """Every number of tokens, from i onwards (moving by `step`, never reaching `stop`), that
        these steps match as a whole; [] if none (an empty side matches 0 tokens)."""
        n, masks = self.n, self.masks
        if self.fixed:
            if (stop - i) * step < n:
                return []
            for m in masks:
                if lexes[i].bits & m != m:
                    return []
                i += step
            return [n]
        repeat, closure = self.repeat, self.closure
        states = closure[0]
        found = [0] if n in states else []
        taken = 0
        while i != stop:
            bits = lexes[i].bits
            nxt: set[int] = set()
            for j in states:
                if j < n and bits & masks[j] == masks[j]:
                    nxt |= closure[j if repeat[j] else j + 1]
            if not nxt:
                break
            states = nxt
            taken += 1
            if n in states:
                found.append(taken)
            i += step
        return found


def _steps(pattern: list[dict[str, Any]], lexicon: Lexicon) -> list[tuple[int | None, bool, bool]] | None:
    """(mask or None, repeat, optional) per NFA step; None for an operator the NFA does not model."""
    out: list[tuple[int | None, bool, bool]] = []
    for tok in pattern:
        op, mask = tok.get("OP", "1"), lexicon.mask(tok)
        if op == "1":
            out.append((mask, False, False))
        elif op == "?":
            out.append((mask, False, True))
        elif op == "*":
            out.append((mask, True, True))
        elif op == "+":
            out += [(mask, False, False), (mask, True, True)]
        else:
            return None  # "!" or a counted {n,m}: no prefilter, the pattern runs on every sentence
    return out


def _anchor_index(pattern: list[dict[str, Any]]) -> tuple[int, str, frozenset[str]] | None:
    """The required token whose exact words are rarest: (index, "lower" or "text", words), or None."""
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
                best = (score, (i, "lower" if attr == "LOWER" else "text", words))
    return best[1] if best else None


class _Pattern:
    """One pattern: its Matcher, its anchor and the NFA steps before (reversed) and after the anchor."""

    def __init__(self, name: str, pattern: list[dict[str, Any]], matcher: Any, lexicon: Lexicon) -> None:
        self.name, self.matcher = name, matcher
        self.words: tuple[str, frozenset[str]] | None = None  # the anchor's word list ("lower" or "text")
        self.anchor_mask: int | None = None  # the anchor token's whole test (None: unknown, may match)
        self.everywhere = True  # no anchor: spaCy on every sentence
        self.exact = False  # every test known: the NFA's lengths are the matches (no spaCy)
        steps = _steps(pattern, lexicon)
        if steps is None:
            return
        anchor = _anchor_index(pattern)
        if anchor is not None:
            i, field, words = anchor
            self.words = (field, words)
        else:  # no word list: the first required token with a known test (a regex, a flag)
            known = [i for i, tok in enumerate(pattern) if tok.get("OP", "1") == "1" and lexicon.mask(tok)]
            if not known:
                return
            i = known[0]
        self.anchor_mask = lexicon.mask(pattern[i])
        self.everywhere = False
        self.exact = all(mask is not None for mask, _, _ in steps)
        # Unknown tests count as "may match" (mask 0) for the stretch spaCy is given.
        known_steps = [(mask or 0, repeat, optional) for mask, repeat, optional in steps]
        # The anchor's place among the steps ("+" before it became two steps).
        k = sum(2 if tok.get("OP") == "+" else 1 for tok in pattern[:i])
        self.before, self.after = _Side(known_steps[:k][::-1]), _Side(known_steps[k + 1:])


class AnchoredMatcher:
    """Every pattern matched only at its anchors, by the NFA or spaCy's Matcher (see module doc)."""

    def __init__(self, vocab: Any, named_patterns: dict[str, list[list[dict[str, Any]]]],
                 lexicon: Lexicon | None = None) -> None:
        from spacy.matcher import Matcher

        self.lexicon = lexicon or Lexicon(vocab)
        self.patterns: list[_Pattern] = []
        for name, patterns in named_patterns.items():
            for pattern in patterns:
                matcher = Matcher(vocab)
                matcher.add(name, [pattern])  # spaCy validates the pattern here
                self.patterns.append(_Pattern(name, pattern, matcher, self.lexicon))
        self._by_word: dict[str, dict[str, list[int]]] = {"lower": {}, "text": {}}
        self._tested: list[int] = []
        self._everywhere: list[int] = []
        for n, p in enumerate(self.patterns):
            if p.everywhere:
                self._everywhere.append(n)
            elif p.words is not None:
                for word in p.words[1]:
                    self._by_word[p.words[0]].setdefault(word, []).append(n)
            else:
                self._tested.append(n)
        # What the anchor loop reads per pattern, in one tuple.
        self._plan = [(p.name, p.exact, p.before, p.after, p.before.firsts, p.after.firsts) if not p.everywhere
                      else None for p in self.patterns]
        self.slot = self.lexicon.add_matcher(self)

    def anchors_of(self, lx: Lex) -> tuple[int, ...]:
        """The patterns whose anchor token this word is: its word list, then its whole test ("Pain"
        for a journal must be title case). Asked once per word by the Lexicon."""
        hits = set(self._by_word["lower"].get(lx.lower, ())) | set(self._by_word["text"].get(lx.text, ()))
        hits.update(self._tested)
        bits = lx.bits
        return tuple(n for n in sorted(hits)
                     if (mask := self.patterns[n].anchor_mask) is None or bits & mask == mask)

    def __call__(self, tokens: DocTokens) -> list[tuple[str, int, int]]:
        """(pattern name, start, end) in document tokens, in document order."""
        bounds, lexes, sent_of, slot, plan = tokens.bounds, tokens.lexes, tokens.sent_of, self.slot, self._plan
        patterns = self.patterns
        found: set[tuple[str, int, int]] = set()
        # (pattern, sentence) -> [start, end): the tokens a pattern's own Matcher must see there.
        windows: dict[tuple[int, int], list[int]] = {
            (n, sent): [start, end] for n in self._everywhere for sent, (start, end) in enumerate(bounds)}
        for p in tokens.anchored:
            anchored = lexes[p].anchors[slot]
            if not anchored:
                continue
            start, end = bounds[sent_of[p]]
            for n in anchored:
                name, exact, before, after, firsts_before, firsts_after = plan[n]
                if firsts_before is not None:  # the neighbours rule most anchors out: test them inline
                    if p == start:
                        continue
                    bits = lexes[p - 1].bits
                    for mask in firsts_before:
                        if bits & mask == mask:
                            break
                    else:
                        continue
                if firsts_after is not None:
                    if p + 1 == end:
                        continue
                    bits = lexes[p + 1].bits
                    for mask in firsts_after:
                        if bits & mask == mask:
                            break
                    else:
                        continue
                backs = before.lengths(lexes, p - 1, start - 1, -1) if before.n else [0]
                if not backs:
                    continue
                aheads = after.lengths(lexes, p + 1, end, 1) if after.n else [0]
                if not aheads:
                    continue
                if exact:
                    found.update((name, p - b, p + 1 + a) for b in backs for a in aheads)
                    continue
                # Every match with p in the anchor's place lies in [p - back, p + 1 + ahead); one more
                # token lets spaCy decide about a match ending there exactly as in the whole sentence.
                lo, hi = p - max(backs), min(end, p + 2 + max(aheads))
                window = windows.get((n, sent_of[p]))
                if window is None:
                    windows[(n, sent_of[p])] = [lo, hi]
                else:
                    window[0], window[1] = min(window[0], lo), max(window[1], hi)
        doc = tokens.doc
        for (n, sent), (lo, hi) in windows.items():  # a Span per window: cheap, unlike a Token per token
            whole = hi == bounds[sent][1]
            name = patterns[n].name
            # A match touching the window's end before the sentence's end was read without the
            # token after it (see module doc): every real match ends before that, so drop it.
            found.update((name, lo + s, lo + e) for _, s, e in patterns[n].matcher(doc[lo:hi])
                         if whole or lo + e < hi)
        return sorted(found, key=lambda h: (h[1], h[2], h[0]))

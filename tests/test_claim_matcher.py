"""The claims matcher's prefilter skips work only: the same matches as every pattern's spaCy Matcher
on every sentence, its token tests the same as spaCy's, DocTokens the same as Token and Span."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml
from spacy.matcher import Matcher
from spacy.tokens import Doc

from medreview.checks.claim_matcher import AnchoredMatcher, DocTokens, Lexicon
from medreview.checks.claims import claim_pack, is_instruction
from medreview.nlp import build_nlp

REPO = Path(__file__).resolve().parents[1]
NLP = build_nlp()
PACK = claim_pack()
GOLD = [item["text"] for name in ("claims.yml", "claims_holdout.yml", "claims_holdout2.yml")
        for item in yaml.safe_load((REPO / "tests" / "gold" / name).read_text(encoding="utf-8"))["items"]]
SEED_TEXTS = [p.read_text(encoding="utf-8") for p in sorted((REPO / "corpus").glob("*.txt"))]


def every_sentence(named: dict, doc) -> list[tuple[str, int, int]]:
    """The reference: each pattern's own Matcher over each sentence."""
    found = set()
    for name, patterns in named.items():
        for pattern in patterns:
            matcher = Matcher(NLP.vocab)
            matcher.add(name, [pattern])
            for sent in doc.sents:
                found |= {(name, sent.start + s, sent.start + e) for _, s, e in matcher(sent)}
    return sorted(found, key=lambda h: (h[1], h[2], h[0]))


def soup(words: list[str], n: int, seed: int) -> str:
    """Random sentences over `words`: many near-misses and matches at sentence edges."""
    rng = random.Random(seed)
    return " ".join(" ".join(rng.choice(words) for _ in range(rng.randint(1, 14))) + " ." for _ in range(n))


def pattern_words(named: dict) -> list[str]:
    words = set()
    for patterns in named.values():
        for pattern in patterns:
            for tok in pattern:
                for spec in tok.values():
                    if isinstance(spec, str):
                        words.add(spec)
                    elif isinstance(spec, dict) and isinstance(spec.get("IN"), list):
                        words.update(str(w) for w in spec["IN"])
    return sorted(w for w in words if w.strip() and " " not in w)


@pytest.mark.parametrize("kind", ["cues", "support"])
def test_same_matches_as_every_pattern_on_every_sentence(kind):
    named = getattr(PACK, kind)
    matcher = AnchoredMatcher(NLP.vocab, named)
    words = pattern_words(named) + ["40%", "1", "5", "1,000", "Mayo", "The", "Journal", "JAMA", "NHS", "'s", "’",
                                    "-", "2019", "healthiest", "on", "Pain", "pain", "quickly", "it", "This", "?"]
    texts = GOLD + SEED_TEXTS + [soup(words, 400, seed) for seed in range(3)]
    for text in texts:
        doc = NLP(text)
        assert matcher(DocTokens(doc, matcher.lexicon, text)) == every_sentence(named, doc), text[:80]


def test_operators_and_anchors_beyond_the_rule_pack():
    """`+`, `!` (no prefilter: every sentence), wildcards, regex and flag anchors, optional ends, and
    tests this module does not know (SHAPE: spaCy decides on the stretch the anchors allow)."""
    named = {
        "plus": [[{"LOWER": "very", "OP": "+"}, {"LOWER": "good"}]],
        "neg": [[{"LOWER": "not", "OP": "!"}, {"LOWER": "bad"}]],
        "regex": [[{"TEXT": {"REGEX": "^[a-z]+est$"}}, {"OP": "?"}, {"IS_TITLE": True}]],
        "flags": [[{"IS_TITLE": True}, {"IS_TITLE": True, "OP": "*"}, {"LIKE_NUM": True}]],
        "tail": [[{"LOWER": "a"}, {"LOWER": "b", "OP": "?"}, {"LOWER": "b", "OP": "*"}]],
        "lead": [[{"LOWER": {"IN": ["x", "y"]}, "OP": "*"}, {"LOWER": "z"}, {"OP": "?"}, {"OP": "?"}]],
        "text": [[{"TEXT": {"IN": ["Big", "BIG"]}}, {"LENGTH": {">=": 2}, "OP": "+"}, {"TEXT": "."}]],
        "shape": [[{"LOWER": "big"}, {"SHAPE": "dd", "OP": "?"}, {"LOWER": {"NOT_IN": ["a", "b"]}, "OP": "*"},
                   {"LOWER": "x"}]],
        "unknown-anchor": [[{"LOWER": "of", "SHAPE": "xx"}, {"IS_LOWER": True, "OP": "+"}]],
    }
    matcher = AnchoredMatcher(NLP.vocab, named)
    assert [p.everywhere for p in matcher.patterns] == [False, True, False, False, False, False, False, False, False]
    assert [p.exact for p in matcher.patterns] == [True, False, True, True, True, True, True, False, False]
    assert matcher.patterns[2].words is None and matcher.patterns[3].words is None  # regex, flag anchors
    words = ["very", "good", "not", "bad", "best", "of", "The", "Big", "BIG", "3", "a", "b", "x", "y", "z", "the", "Of",
             "big", "10", "Big"]
    for seed in range(5):
        doc = NLP(soup(words, 300, seed))
        found = matcher(DocTokens(doc, matcher.lexicon))
        assert found == every_sentence(named, doc)
        assert {name for name, _, _ in found} == set(named)


def _random_pattern(rng: random.Random, vocab: list[str]) -> list[dict]:
    """A pattern of 1-5 tokens over `vocab`: word lists, NOT_IN, flags, wildcards; each with any operator."""
    def spec() -> dict:
        kind = rng.random()
        if kind < 0.5:
            return {"LOWER": {"IN": rng.sample(vocab, rng.randint(1, 3))}}
        if kind < 0.6:
            return {"LOWER": rng.choice(vocab)}
        if kind < 0.7:
            return {"LOWER": {"NOT_IN": rng.sample(vocab, 2)}}
        if kind < 0.8:
            return {"IS_TITLE": rng.random() < 0.5}
        if kind < 0.9:
            return {"LENGTH": {rng.choice([">=", "<", "=="]): rng.randint(1, 3)}}
        return {}
    pattern = []
    for _ in range(rng.randint(1, 5)):
        tok = spec()
        op = rng.choice(["1", "1", "1", "?", "*", "+"])
        if op != "1":
            tok["OP"] = op
        pattern.append(tok)
    if all(t.get("OP", "1") in "?*" for t in pattern):  # spaCy needs a token that must match
        pattern[0].pop("OP", None)
    return pattern


def test_nfa_matches_equal_spacy_on_random_patterns():
    """Exact patterns never call spaCy: every start before an anchor paired with every end after it must be
    what spaCy's Matcher returns, for any mix of operators (random patterns over a small vocabulary, so
    that long, overlapping and repeated runs are common)."""
    rng = random.Random(5)
    vocab = ["a", "b", "c", "d", "ab", "B", "Cd"]
    named = {f"p{k}": [_random_pattern(rng, vocab)] for k in range(80)}
    matcher = AnchoredMatcher(NLP.vocab, named)
    assert sum(p.exact for p in matcher.patterns) >= 70
    total = 0
    for seed in range(4):
        doc = NLP(soup(vocab + ["."], 150, seed))
        found = matcher(DocTokens(doc, matcher.lexicon))
        assert found == every_sentence(named, doc), seed
        total += len(found)
    assert total > 1000


def test_token_tests_beyond_the_rule_pack_agree_with_spacy():
    specs = [{"LOWER": {"NOT_IN": ["pain", "the"]}}, {"TEXT": "Pain"}, {"ORTH": "pain"}, {"LENGTH": 4},
             {"LENGTH": {"<": 3}}, {"LENGTH": {"!=": 4}}, {"IS_UPPER": True}, {"IS_DIGIT": False},
             {"IS_SPACE": True}, {"LOWER": {"REGEX": "^p"}, "IS_TITLE": True}, {"TEXT": {"NOT_IN": ["Pain"]}},
             {"LOWER": {"IN": ["pain", "x"]}, "LENGTH": {">": 3}}]
    doc = NLP("Pain pain PAIN the 42 a \n\n Painful x 100% ok.")
    lexicon = Lexicon(NLP.vocab)
    for spec in specs:
        mask = lexicon.mask(spec)
        matcher = Matcher(NLP.vocab)
        matcher.add("t", [[spec]])
        assert {i for i, tok in enumerate(doc) if lexicon.lex(tok.orth).bits & mask == mask} == \
            {s for _, s, _ in matcher(doc)}, spec
    assert lexicon.mask({"SHAPE": "Xxxx"}) is None and lexicon.mask({"LOWER": {"FUZZY": "pain"}}) is None


def test_token_tests_agree_with_spacy_on_every_token_spec_of_the_pack():
    specs = [tok for named in (PACK.cues, PACK.support) for patterns in named.values()
             for pattern in patterns for tok in pattern]
    specs = [dict(s) for s in {repr(sorted(t.items())): t for t in specs}.values()]
    words = sorted({t.text for text in GOLD + SEED_TEXTS for t in NLP(text)}
                   | set(pattern_words(PACK.cues)) | set(pattern_words(PACK.support))
                   | {"Pain", "PAIN", "100%", "40%", "2,000", "CDC's", "Dr.", "'", "’s", "-fold", "X"})
    doc = Doc(NLP.vocab, words=words)
    lexicon = Lexicon(NLP.vocab)
    checked = 0
    for spec in specs:
        mask = lexicon.mask(spec)
        if mask is None:
            continue
        single = {k: v for k, v in spec.items() if k != "OP"} or {}
        matcher = Matcher(NLP.vocab)
        matcher.add("t", [[single]])
        spacy_says = {s for _, s, _ in matcher(doc)}
        ours = {i for i, tok in enumerate(doc) if lexicon.lex(tok.orth).bits & mask == mask}
        assert ours == spacy_says, spec
        checked += 1
    assert checked == len(specs)  # every spec of the pack is understood (none falls back to "may match")


LEXICON = AnchoredMatcher(NLP.vocab, PACK.cues).lexicon  # words record where the cues are anchored


def test_doc_tokens_read_what_tokens_and_spans_say():
    anchored = 0
    for text in SEED_TEXTS + GOLD[:50]:
        doc = NLP(text)
        tokens = DocTokens(doc, LEXICON, text)
        sents = list(doc.sents)
        assert tokens.bounds == [(s.start, s.end) for s in sents]
        for k, sent in enumerate(sents):
            assert tokens.sentence_text(k) == sent.text
            assert tokens.sentence_chars(k) == (sent.start_char, sent.end_char)
            assert tokens.sentence(k).text == sent.text
            assert all(tokens.sent_of[i] == k for i in range(sent.start, sent.end))
        for s in range(0, len(doc) - 3, 7):
            assert tokens.span_text(s, s + 3) == doc[s:s + 3].text
        assert tokens.space == [int(bool(t.whitespace_)) for t in doc]
        assert [lx.text for lx in tokens.lexes] == [t.text for t in doc]
        assert tokens.anchored == [i for i, lx in enumerate(tokens.lexes) if any(lx.anchors)]
        anchored += len(tokens.anchored)
    assert anchored > 100
    assert DocTokens(NLP("Short text."), Lexicon(NLP.vocab), "not the doc's text").text == "Short text."


def _is_instruction_reference(tokens, imperative):
    """is_instruction as it was, over a list of all the sentence's words."""
    from medreview.checks.claims import _LEADING_ADVERBS
    words = [t for t in tokens if not t.is_punct and not t.is_space]
    i = 0
    while i < len(words) - 1 and words[i].lower_ in _LEADING_ADVERBS:
        i += 1
    if i >= len(words) or words[i].lower_ not in imperative:
        return False
    nxt = words[i + 1].lower_ if i + 1 < len(words) else ""
    return nxt not in {"is", "are", "was", "were", "can", "may", "might", "will", "helps", "has", "have", "does"}


def test_is_instruction_reads_only_the_first_words_with_the_same_answer():
    extra = ["Gently.", "Then slowly.", "Then, gently, apply ice.", "Rest is the best treatment.", "…", "Now rest"]
    for text in GOLD + extra:
        for sent in NLP(text).sents:
            assert is_instruction(sent, PACK.imperative) == _is_instruction_reference(list(sent), PACK.imperative)

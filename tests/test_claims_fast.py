"""find_claims' shortcuts give the answers of the plain code they replace: the instruction rule read off
the token arrays, the quotation test after its text prefilter, citation markers found by bisection."""

from __future__ import annotations

import random
from pathlib import Path

import yaml
from spacy.tokens import Span

from medreview.checks import claims
from medreview.clean import clean_article
from medreview.ingest import Reader
from medreview.checks.claim_matcher import DocTokens
from medreview.checks.claim_support import Markers
from medreview.checks.claims import _quoted, _starts_with_order, claim_matchers, claim_pack, is_instruction
from medreview.config import Config
from medreview.nlp import build_nlp

REPO = Path(__file__).resolve().parents[1]
NLP = build_nlp()
PACK = claim_pack()
LEXICON = claim_matchers((), NLP)[0].lexicon
GOLD = [item["text"] for name in ("claims.yml", "claims_holdout.yml", "claims_holdout2.yml")
        for item in yaml.safe_load((REPO / "tests" / "gold" / name).read_text(encoding="utf-8"))["items"]]
SEED_TEXTS = [p.read_text(encoding="utf-8") for p in sorted((REPO / "corpus").glob("*.txt"))]
QUOTED = ['He said "studies show" it works.', "The ‘clinically proven’ label, it says, is 'best' for parents' kids.",
          "Parents' children say \"Experts agree\" and 'most' people ' do.", "“Open ‘nested’ quote never closed studies"]


def _quoted_reference(tokens: DocTokens, start: int) -> bool:
    """_quoted as it was: every token from the sentence's start looked at."""
    opened = 0
    for i in range(tokens.bounds[tokens.sent_of[start]][0], start):
        text = tokens.lexes[i].text
        if text not in claims._OPENING and text not in claims._CLOSING or claims._possessive(tokens, i):
            continue
        if text in claims._OPENING or (text in claims._STRAIGHT and opened % 2 == 0):
            opened += 1
        elif text in claims._CLOSING and opened % 2 == 1:
            opened += 1
    return opened % 2 == 1


def test_instruction_rule_on_arrays_equals_the_rule_on_spans():
    extra = ["Gently.", "Then slowly.", "Then, gently, apply ice.", "Rest is the best treatment.", "…", "Now rest",
             "  \n Apply heat.", "- Take a walk every day.", "Stretch gently , then rest ."]
    checked = 0
    for text in GOLD + SEED_TEXTS + extra:
        doc = NLP(text)
        tokens = DocTokens(doc, LEXICON, text)
        for k, (start, end) in enumerate(tokens.bounds):
            words = (lx.lower for lx in tokens.lexes[start:end] if "is_punct" not in lx.flags
                     and "is_space" not in lx.flags)
            assert _starts_with_order(words, PACK.imperative) == is_instruction(tokens.sentence(k), PACK.imperative)
            checked += 1
    assert checked > 500


def test_a_swapped_instruction_rule_is_asked_with_the_sentence(monkeypatch, tmp_path):
    """benchmarks/claims_benchmark.py swaps is_instruction for rules that read the parse: they get the Span."""
    path = tmp_path / "a.txt"
    path.write_text("Title\n\nHeat can relieve the pain of a muscle spasm. Experts say yoga can reduce back pain.\n",
                    encoding="utf-8")
    (article,) = Reader(8_000_000).read(path, "text")
    clean_article(article)
    doc = NLP(article.text)
    assert len(claims.find_claims(article, doc, NLP, Config())) == 2
    asked: list[object] = []
    monkeypatch.setattr(claims, "is_instruction", lambda sent, imperative: asked.append(sent) or True)
    assert claims.find_claims(article, doc, NLP, Config()) == []
    assert len(asked) == 2 and all(isinstance(sent, Span) for sent in asked)


def test_quoted_equals_the_plain_scan():
    rng = random.Random(2)
    pieces = ['"', "'", "“", "”", "‘", "’", "studies", "show", "parents", "s", " ", "it", "works", ".", "\n"]
    soups = ["".join(rng.choice(pieces) + rng.choice(["", " "]) for _ in range(40)) for _ in range(200)]
    checked = 0
    for text in GOLD + SEED_TEXTS + QUOTED + soups:
        tokens = DocTokens(NLP(text), LEXICON, text)
        for i in range(len(tokens.lexes)):
            assert _quoted(tokens, i) == _quoted_reference(tokens, i), (text, i)
            checked += 1
    assert checked > 10_000


def test_markers_in_a_range_by_bisection_and_by_scan():
    rng = random.Random(4)
    for _ in range(200):
        markers = sorted((s, s + 3, f"[{s}]") for s in rng.sample(range(100), rng.randint(0, 12)))
        shuffled = markers[:]
        rng.shuffle(shuffled)
        for given in (markers, shuffled):
            found = Markers(given)
            assert found.ordered == (given == markers) or len(given) < 2
            a, b = sorted(rng.sample(range(-5, 110), 2))
            assert found.texts_in(a, b) == [t for s, _, t in given if a <= s < b]

"""The byline labels' scan (regex_starts): the same matches as finditer over the whole text,
and leading strings that every match of a pattern starts with."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
import yaml

from medreview import bylines
from medreview.prefilter import fold
from medreview.regex_starts import StartScanner, leading_strings, trie_pattern

REPO = Path(__file__).resolve().parents[1]
LABEL = re.compile(bylines._LABEL_RE.pattern)  # the case-sensitive copy the scanner runs on folded text


def _texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted((REPO / "corpus").iterdir())]
    texts += [item["text"] for item in yaml.safe_load((REPO / "tests" / "gold" / "bylines.yml").read_text("utf-8"))["items"]]
    # Word soups: label words and their pieces, glued to each other and to every kind of separator.
    starts = list(bylines._LABEL_FOLDED.starts)
    pieces = starts + [s[:-1] for s in starts] + [s[1:] for s in starts] + [
        "reviewed", "medically reviewed by", "last updated", "next review due", "fact-checked", "mise à jour",
        "zuletzt geprüft", "stand:", "stand", "reviewed/revised", "by", "baby", "-by", "_by", "2by", "é", "İ", "ſ",
        "\n", " ", "  ", "\t", "—", "–", "|", "·", "(", ")", ":", ".", ",", '"', "“", "’", "-", "_", "1", "x"]
    rng = random.Random(11)
    for _ in range(300):
        texts.append("".join(rng.choice(pieces) + rng.choice(["", " ", "", "\n", "-", "—", "(", "x"])
                             for _ in range(rng.randint(1, 40))))
    texts += ["", "by", "by by", "byby", "Reviewed", "-reviewed", "reviewed-", "x reviewed"]
    return texts


TEXTS = _texts()


def test_label_scan_finds_what_finditer_finds():
    for text in TEXTS:
        folded = fold(text)
        expected = [(m.span(), m.lastgroup) for m in LABEL.finditer(folded)]
        assert [(m.span(), m.lastgroup) for m in bylines._LABEL_FOLDED.finditer(folded)] == expected, text[:80]


def test_label_pattern_is_scanned_by_its_leading_words():
    starts = bylines._LABEL_FOLDED.starts
    assert "by" in starts and "review" in starts and "medical" in starts and "mis" in starts
    assert not any(a != b and b.startswith(a) for a in starts for b in starts)  # none covers another


@pytest.mark.parametrize("pattern,expected", [
    (r"abc", ("abc",)),
    (r"(?:last\s+)?reviewed", ("last", "reviewed")),
    (r"mise?\s+à", ("mis",)),
    (r"[ab]x|c", ("ax", "bx", "c")),
    (r"(?<![\w-])(?:by|bye)\b", ("by",)),
    (r"stand(?=\s*:)", ("stand",)),
    (r"(?:ab)+c", ("ab",)),
    (r"(?:ab){2}c", ("ab",)),
    (r"x(?i:abc)", ("x",)),
    (r"x*y", ("x", "y")),
    (r"(a)\1", ("a",)),
])
def test_leading_strings(pattern, expected):
    assert leading_strings(re.compile(pattern)) == expected


@pytest.mark.parametrize("pattern", [r"\w+", r"a?", r"(?:ab)?\d", r".x", r"(?i)abc", r"(?i:a)bc", r"(?:\w)?a"])
def test_no_leading_strings_when_a_match_may_start_otherwise(pattern):
    assert leading_strings(re.compile(pattern)) == ()


def test_scanner_without_leading_strings_is_plain_finditer():
    scanner = StartScanner(re.compile(r"\w+"), r"\W")
    assert [m.group() for m in scanner.finditer("a bc, d")] == ["a", "bc", "d"]


def test_trie_pattern_matches_exactly_its_strings():
    rng = random.Random(3)
    for _ in range(200):
        strings = sorted({"".join(rng.choice("abé") for _ in range(rng.randint(1, 4))) for _ in range(rng.randint(1, 8))})
        trie = re.compile(trie_pattern(strings))
        for n in range(1, 5):
            for word in {"".join(rng.choice("abé") for _ in range(n)) for _ in range(30)}:
                assert bool(trie.fullmatch(word)) == (word in strings), (strings, word)

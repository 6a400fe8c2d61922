"""corrections.distance (within()'s band for up to four edits) and _slips (banded by the distance)
give what the whole tables give."""

from __future__ import annotations

import random

from medreview.corrections import _full_distance, _slips, distance


def _pairs(n: int):
    rng = random.Random(1)
    for _ in range(n):
        a = "".join(rng.choice("abcdeé") for _ in range(rng.randint(0, 9)))
        if rng.random() < 0.5:  # a few edits away
            b = list(a)
            for _ in range(rng.randint(0, 5)):
                op, i = rng.randint(0, 3), rng.randint(0, len(b))
                if op == 0 and i < len(b):
                    del b[i]
                elif op == 1:
                    b.insert(i, rng.choice("abcdef"))
                elif op == 2 and i < len(b):
                    b[i] = rng.choice("abcdef")
                elif op == 3 and i + 1 < len(b):
                    b[i], b[i + 1] = b[i + 1], b[i]
            yield a, "".join(b)
        else:
            yield a, "".join(rng.choice("abcde") for _ in range(rng.randint(0, 12)))


def test_distance_and_slips_equal_the_whole_tables():
    for a, b in _pairs(20_000):
        d = _full_distance(a, b)
        assert distance(a, b) == d == distance(a.upper(), b), (a, b)
        if d:
            assert _slips(a, b, d) == _slips(a, b), (a, b)


def test_one_edit_listed_finds_what_the_edits_find():
    from medreview import word_data
    from medreview.corrections import edits1, one_edit_listed

    rng = random.Random(3)
    words = sorted({"".join(rng.choice("abcdeé'") for _ in range(rng.randint(0, 7))) for _ in range(4000)})
    table, listed = word_data.poly_hashes(words), set(words)
    for _ in range(2000):
        q = "".join(rng.choice("abcdeé'") for _ in range(rng.randint(0, 8)))
        assert {c for c in one_edit_listed(q, table) if c in listed} == edits1(q) & listed, q
    assert one_edit_listed("abc", word_data.poly_hashes([])) == set()


def test_one_edit_listed_through_its_filters_finds_the_same():
    """The bitmap, hole masks and table stretches (what Lexicon.listed_edits passes) change the speed only."""
    from medreview import word_data
    from medreview.corrections import edits1, hole_masks, listed_filter, one_edit_listed, table_starts

    rng = random.Random(5)
    letters = "abcdefghijklmnopqrstuvwxyzé'-"
    words = sorted({"".join(rng.choice(letters[:8] if k % 2 else letters) for _ in range(rng.randint(1, 9)))
                    for k in range(6000)})
    table, listed = word_data.poly_hashes(words), set(words)
    filters = (listed_filter(table), hole_masks(words), table_starts(table))
    found = 0
    for k in range(3000):
        q = "".join(rng.choice(letters[:8] if k % 2 else letters) for _ in range(rng.randint(0, 10)))
        plain = one_edit_listed(q, table)
        assert one_edit_listed(q, table, filters) == plain, q
        assert {c for c in plain if c in listed} == edits1(q) & listed, q
        found += bool(plain)
    assert found > 500  # the queries do reach listed words

"""TextMap, TextBuilder and LineIndex: offsets in derived text back to the source."""

from __future__ import annotations

import random

import pytest

from medreview.textmap import LineIndex, Segment, TextBuilder, TextMap


# --- identity maps -----------------------------------------------------------

def test_identity_maps_every_offset_to_itself():
    m = TextMap.identity(10)
    assert [m.to_source(i) for i in range(10)] == list(range(10))
    assert m.span_to_source(2, 7) == (2, 7)


def test_identity_with_source_offset_shifts_every_offset():
    m = TextMap.identity(5, src=100)
    assert [m.to_source(i) for i in range(5)] == [100, 101, 102, 103, 104]
    assert m.span_to_source(1, 4) == (101, 104)


def test_identity_offset_past_the_end_clamps_to_end_of_source():
    m = TextMap.identity(5, src=20)
    assert m.to_source(5) == 25
    assert m.to_source(50) == 25


def test_identity_of_empty_text_has_no_segments_and_maps_to_zero():
    m = TextMap.identity(0)
    assert m.segments == []
    assert m.to_source(0) == 0
    assert m.span_to_source(0, 0) == (0, 0)


def test_empty_span_is_a_point_at_its_start():
    m = TextMap.identity(10, src=3)
    assert m.span_to_source(4, 4) == (7, 7)
    assert m.span_to_source(6, 2) == (9, 9)  # end before start: still a point


# --- TextBuilder ---------------------------------------------------------------

def test_builder_add_defaults_to_one_to_one_and_concatenates():
    source = "Hello, world"
    b = TextBuilder()
    b.add(source[0:5], 0)
    b.add(source[7:12], 7)
    assert b.text() == "Helloworld"
    assert len(b) == 10
    assert [b.map.to_source(i) for i in range(10)] == [0, 1, 2, 3, 4, 7, 8, 9, 10, 11]
    for i, ch in enumerate(b.text()):
        assert source[b.map.to_source(i)] == ch


def test_builder_ignores_empty_text():
    b = TextBuilder()
    b.add("", 5)
    b.add_synthetic("")
    assert b.text() == ""
    assert b.map.segments == []


def test_add_synthetic_maps_to_just_after_previous_source_run():
    source = "one|two"
    b = TextBuilder()
    b.add("one", 0)
    b.add_synthetic("\n\n")
    b.add("two", 4)
    assert b.text() == "one\n\ntwo"
    # Both synthetic characters point at the source position right after "one".
    assert b.map.to_source(3) == 3
    assert b.map.to_source(4) == 3
    assert b.map.span_to_source(3, 5) == (3, 3)
    # Characters after it are still mapped one to one.
    assert [source[b.map.to_source(i)] for i in range(5, 8)] == list("two")


def test_add_synthetic_at_start_maps_to_zero():
    b = TextBuilder()
    b.add_synthetic(" ")
    b.add("x", 7)
    assert b.map.to_source(0) == 0
    assert b.map.to_source(1) == 7


def test_entity_like_segment_maps_every_char_to_start_of_its_source_run():
    source = "a&eacute;b&hellip;c"
    b = TextBuilder()
    b.add("a", 0)
    b.add("é", 1, len("&eacute;"))
    b.add("b", 9)
    b.add("...", 10, len("&hellip;"))  # longer than one char, still one run
    b.add("c", 18)
    text = b.text()
    assert text == "aéb...c"
    assert b.map.to_source(1) == 1
    assert [b.map.to_source(i) for i in (3, 4, 5)] == [10, 10, 10]
    assert source[b.map.to_source(6)] == "c"
    # A span ending inside an entity covers the whole entity in the source.
    assert b.map.span_to_source(1, 2) == (1, 9)
    assert source[slice(*b.map.span_to_source(0, 3))] == "a&eacute;b"
    assert source[slice(*b.map.span_to_source(3, 6))] == "&hellip;"
    assert source[slice(*b.map.span_to_source(4, 5))] == "&hellip;"
    assert source[slice(*b.map.span_to_source(0, 7))] == source


def test_span_to_source_of_one_to_one_text_is_exact():
    source = "The quick brown fox"
    b = TextBuilder()
    b.add(source[4:9], 4)
    b.add(" ", 9)
    b.add(source[10:15], 10)
    text = b.text()
    assert text == "quick brown"
    s, e = b.map.span_to_source(text.index("brown"), len(text))
    assert source[s:e] == "brown"


# --- composition ---------------------------------------------------------------

def _json_like(source: str) -> TextBuilder:
    """Derive text from `source`, turning each '\\n' escape into a newline."""
    b = TextBuilder()
    i = run = 0
    while i < len(source):
        if source.startswith("\\n", i):
            b.add(source[run:i], run)
            b.add("\n", i, 2)
            i += 2
            run = i
        else:
            i += 1
    b.add(source[run:], run)
    return b


def test_add_mapped_composes_through_an_intermediate_map():
    source = 'x = "Line one\\nLine two"'
    inner = _json_like(source)
    mid = inner.text()
    assert mid == 'x = "Line one\nLine two"'
    # Keep "one\nLine" from the intermediate text.
    start = mid.index("one")
    end = mid.index("Line two") + 4
    out = TextBuilder()
    out.add_mapped(mid, start, end, inner.map)
    assert out.text() == "one\nLine"
    m = out.map
    assert source[m.to_source(0)] == "o"
    assert m.to_source(3) == source.index("\\n")  # the escape, not the intermediate offset
    assert source[m.to_source(4)] == "L"
    assert m.to_source(4) == source.index("Line two")
    assert source[slice(*m.span_to_source(0, len(out)))] == "one\\nLine"


def test_add_mapped_with_empty_range_adds_nothing():
    inner = _json_like("abc")
    out = TextBuilder()
    out.add_mapped("abc", 2, 2, inner.map)
    out.add_mapped("abc", 2, 1, inner.map)
    assert out.text() == ""


def test_add_mapped_of_a_whole_entity_keeps_it_one_run():
    source = "a&amp;b"
    inner = TextBuilder()
    inner.add("a", 0)
    inner.add("&", 1, 5)
    inner.add("b", 6)
    mid = inner.text()
    out = TextBuilder()
    out.add_mapped(mid, 1, 3, inner.map)
    assert out.text() == "&b"
    assert out.map.to_source(0) == 1
    assert out.map.to_source(1) == 6
    assert source[slice(*out.map.span_to_source(0, 1))] == "&amp;"


def test_compose_maps_derived_text_to_the_outer_source():
    # Outer stage: a JSON-like string whose "\\n" escape becomes a newline.
    source = 'pre "a\\nb&c" post'
    outer = _json_like(source)
    mid = outer.text()
    assert mid == 'pre "a\nb&c" post'
    # Inner stage: keep "a", the newline and "b" one to one; decode "&c" to one char.
    s = mid.index("a")
    inner = TextBuilder()
    inner.add(mid[s:s + 3], s)
    inner.add("C", s + 3, 2)
    assert inner.text() == "a\nbC"
    composed = inner.map.compose(outer.map)
    assert source[composed.to_source(0)] == "a"
    assert composed.to_source(1) == source.index("\\n")
    assert source[composed.to_source(2)] == "b"
    assert composed.to_source(3) == source.index("&c")
    assert source[slice(*composed.span_to_source(0, 4))] == "a\\nb&c"
    assert source[slice(*composed.span_to_source(1, 2))] == "\\n"


def test_compose_of_synthetic_segment_points_into_outer_source():
    outer = TextMap.identity(10, src=50)
    inner = TextBuilder()
    inner.add("abc", 2)
    inner.add_synthetic("\n")
    inner.add("de", 7)
    composed = inner.map.compose(outer)
    assert [composed.to_source(i) for i in range(3)] == [52, 53, 54]
    assert composed.to_source(3) == 55  # after "abc" in the outer source
    assert [composed.to_source(i) for i in (4, 5)] == [57, 58]


def test_compose_with_empty_outer_map_does_not_crash():
    inner = TextMap.identity(3)
    composed = inner.compose(TextMap())
    assert composed.to_source(0) == 0


def test_partial_piece_of_a_many_to_few_segment_stays_a_single_run():
    # "abc" came from a 2-character source run starting at 10: every char maps to 10.
    inner = TextBuilder()
    inner.add("abc", 10, 2)
    assert [inner.map.to_source(i) for i in range(3)] == [10, 10, 10]
    out = TextBuilder()
    out.add_mapped(inner.text(), 0, 2, inner.map)
    # Expected: still the start of the source run; got [10, 11].
    assert [out.map.to_source(i) for i in range(2)] == [10, 10]


# --- a seeded random property: kept characters map to where they came from -----

def _derive(rng: random.Random, text: str, expected_src: list[int | None], through: TextMap | None):
    """Derive text from `text` by copying runs, dropping runs, decoding 'entities'
    (a run of 2+ chars becoming one '*') and inserting separators.

    `expected_src[j]` is the source offset text[j] should map to (None: synthetic).
    With `through`, copies go through add_mapped (a second stage); otherwise add().
    Returns the builder and the expected source offset of each derived char.
    """
    b = TextBuilder()
    out: list[int | None] = []
    i = 0
    while i < len(text):
        piece = text[i:i + rng.randint(1, 6)]
        op = rng.random()
        if op < 0.55 or (through is None and op < 0.9 and len(piece) < 2):
            if through is None:
                b.add(piece, i)
            else:
                b.add_mapped(text, i, i + len(piece), through)
            out.extend(expected_src[i:i + len(piece)])
        elif op < 0.75:
            pass  # dropped, like a stripped artifact
        elif op < 0.9 and through is None:
            b.add("*", i, len(piece))  # an entity-like run: maps to its start
            out.append(expected_src[i])
        else:
            b.add_synthetic(" ")
            out.append(None)
            continue
        i += len(piece)
    return b, out


@pytest.mark.parametrize("seed", range(25))
def test_random_two_stage_derivation_maps_chars_to_their_source(seed):
    rng = random.Random(seed)
    source = "".join(rng.choice("abcdefghij \n.,") for _ in range(rng.randint(20, 120)))
    first, exp1 = _derive(rng, source, list(range(len(source))), None)
    mid = first.text()
    assert len(exp1) == len(mid)
    for j, want in enumerate(exp1):
        if want is not None:
            assert first.map.to_source(j) == want
    second, exp2 = _derive(rng, mid, exp1, first.map)
    final = second.text()
    assert len(exp2) == len(final)
    for i, want in enumerate(exp2):
        if want is not None:
            assert second.map.to_source(i) == want, (seed, i)
    # One-to-one segments of the final map point at identical source characters.
    for seg in second.map.segments:
        if seg.length == seg.src_len:
            assert source[seg.src:seg.src + seg.length] == final[seg.start:seg.start + seg.length]
    # compose() of an identity inner map reproduces the outer map.
    composed = TextMap.identity(len(mid)).compose(first.map)
    for j in range(len(mid)):
        if exp1[j] is not None:
            assert composed.to_source(j) == first.map.to_source(j)


def test_hypothesis_identity_composition_property():
    hypothesis = pytest.importorskip("hypothesis")
    st = pytest.importorskip("hypothesis.strategies")

    @hypothesis.given(st.text(min_size=1, max_size=60), st.integers(0, 50))
    def prop(text, shift):
        m = TextMap.identity(len(text), src=shift)
        for i in range(len(text)):
            assert m.to_source(i) == shift + i
        assert m.compose(TextMap.identity(len(text) + shift)).to_source(0) == shift

    prop()


# --- LineIndex -------------------------------------------------------------------

def test_line_col_is_one_based():
    src = "ab\ncde\n\nf"
    li = LineIndex(src)
    assert li.line_col(0) == (1, 1)
    assert li.line_col(1) == (1, 2)
    assert li.line_col(2) == (1, 3)  # the newline itself ends line 1
    assert li.line_col(3) == (2, 1)
    assert li.line_col(5) == (2, 3)
    assert li.line_col(7) == (3, 1)  # the empty line
    assert li.line_col(8) == (4, 1)
    assert li.line_col(9) == (4, 2)  # end of text


def test_line_col_honours_first_line_offset():
    li = LineIndex("x\ny", first_line=41)
    assert li.line_col(0) == (41, 1)
    assert li.line_col(2) == (42, 1)


def test_line_col_with_crlf_counts_only_newlines():
    src = "one\r\ntwo"
    li = LineIndex(src)
    assert li.line_col(src.index("two")) == (2, 1)


def test_line_col_of_text_without_newline():
    li = LineIndex("no newline here")
    assert li.line_col(3) == (1, 4)


def test_segment_is_immutable():
    seg = Segment(0, 1, 0, 1)
    with pytest.raises(Exception):
        seg.start = 3  # type: ignore[misc]

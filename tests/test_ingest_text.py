"""The plain-text reader: scraped text, with a title or search query on the first line."""

from __future__ import annotations

from pathlib import Path

import pytest

from medreview.ingest import Failure, Reader, format_of
from medreview.ingest.plaintext import extract_text


def _read_one(path: Path, fmt: str = "text"):
    items = list(Reader(8_000_000).read(path, fmt))
    assert len(items) == 1
    return items[0]


def test_short_first_line_before_blank_line_is_the_title():
    src = "muscle spasms in lower back\n\nBoth heat and ice can relieve the pain.\n"
    e = extract_text(src)
    assert e.meta.title is not None
    assert e.meta.title.value == "muscle spasms in lower back"
    assert e.meta.title.source == "first line"
    assert src[e.meta.title.start:e.meta.title.end] == "muscle spasms in lower back"


def test_body_is_the_whole_source_mapped_one_to_one():
    src = "A title\n\nFirst sentence. Second sentence.\n"
    e = extract_text(src)
    assert e.body == src
    assert [e.body_map.to_source(i) for i in range(len(src))] == list(range(len(src)))


def test_title_with_leading_spaces_and_crlf_is_located_exactly():
    src = "   Lower back pain  \r\n\r\nText of the article.\r\n"
    e = extract_text(src)
    assert e.meta.title is not None
    assert e.meta.title.value == "Lower back pain"
    assert src[e.meta.title.start:e.meta.title.end] == "Lower back pain"


@pytest.mark.parametrize("src", [
    "This first line is a sentence.\n\nBody.\n",        # ends like a sentence
    "Is this a question?\n\nBody.\n",
    "Not followed by a blank line\nBody.\n",
    "Only one line without newline",
    "\n\nBody after blank lines.\n",                     # empty first line
    ("x" * 151) + "\n\nBody.\n",                          # too long for a title
])
def test_no_title_when_first_line_does_not_look_like_one(src):
    assert extract_text(src).meta.title is None


def test_title_of_exactly_the_limit_is_accepted():
    src = ("t" * 150) + "\n\nBody.\n"
    assert extract_text(src).meta.title is not None


def test_bare_urls_in_plain_text_become_links():
    src = "Title\n\nSee https://example.org/a-b. Or www.nhs.uk, then (https://cdc.gov/x).\n"
    e = extract_text(src)
    assert [(l.url, src[l.start:l.end]) for l in e.links] == [
        ("https://example.org/a-b", "https://example.org/a-b"),
        ("https://www.nhs.uk", "www.nhs.uk"),
        ("https://cdc.gov/x", "https://cdc.gov/x"),
    ]
    assert e.notices == []


def test_reader_reads_a_txt_file_into_one_article(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text("Knee pain\n\nIce helps with swelling.\n", encoding="utf-8")
    art = _read_one(p, format_of(p))
    assert not isinstance(art, Failure)
    assert art.format == "text"
    assert art.id == art.path == str(p)
    assert art.first_line == 1
    assert art.meta.title.value == "Knee pain"
    assert art.raw == art.body


def test_reader_strips_utf8_bom_and_keeps_offsets_in_decoded_text(tmp_path):
    p = tmp_path / "bom.txt"
    p.write_bytes("\ufeffTitle\n\nCafé au lait.\n".encode("utf-8"))
    art = _read_one(p)
    assert not art.raw.startswith("\ufeff")
    assert art.meta.title.value == "Title"
    assert art.notices == []  # UTF-8 with BOM is read directly, no INPUT007
    i = art.body.index("au")
    assert art.line_col(art.body_map.to_source(i)) == (3, 6)


def test_reader_reads_utf16_with_bom(tmp_path):
    p = tmp_path / "u16.txt"
    p.write_bytes("Title\n\nUTF-16 body text.\n".encode("utf-16"))
    art = _read_one(p)
    assert not isinstance(art, Failure)
    assert "UTF-16 body text." in art.body
    assert art.notices == []


def test_unknown_suffix_has_no_format_so_it_is_read_as_text(tmp_path):
    assert format_of(Path("notes.rst")) is None
    assert format_of(Path("A.TXT")) == "text"
    assert format_of(Path("a.MD")) == "markdown"
    assert format_of(Path("a.ndjson")) == "jsonl"


def test_line_col_of_a_word_in_the_body(tmp_path):
    p = tmp_path / "lc.txt"
    p.write_text("Title\n\nFirst line here.\nSecond line has teh typo.\n", encoding="utf-8")
    art = _read_one(p)
    off = art.body.index("teh")
    assert art.line_col(art.body_map.to_source(off)) == (4, 17)

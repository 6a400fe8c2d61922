"""The JSON-lines reader: one CMS record per line, every offset mapped into the raw line."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
from pathlib import Path

import pytest

from medreview.ingest import Failure, Reader


def read_all(path: Path, max_bytes: int = 8_000_000) -> list:
    return list(Reader(max_bytes).read(path, "jsonl"))


def write_lines(tmp_path: Path, lines: list[str], name: str = "export.jsonl") -> Path:
    p = tmp_path / name
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def articles(items):
    return [i for i in items if not isinstance(i, Failure)]


def failures(items):
    return [i for i in items if isinstance(i, Failure)]


def position_of(article, word: str) -> tuple[int, int]:
    """(line, column) in the file of `word` in the article's body."""
    return article.line_col(article.body_map.to_source(article.body.index(word)))


# --- body and id keys -----------------------------------------------------------------

@pytest.mark.parametrize("key", ["body", "content", "text", "article_body", "articleBody"])
def test_plain_body_keys(tmp_path, key):
    p = write_lines(tmp_path, [json.dumps({key: "Ice helps with swelling."})])
    (art,) = read_all(p)
    assert not isinstance(art, Failure)
    assert art.body == "Ice helps with swelling."
    assert art.format == "jsonl"


def test_first_body_key_wins_and_empty_values_are_skipped(tmp_path):
    p = write_lines(tmp_path, [json.dumps({"body": "   ", "content": "From content.", "text": "From text."})])
    (art,) = read_all(p)
    assert art.body == "From content."


@pytest.mark.parametrize("record, expected_id", [
    ({"id": 42, "slug": "s", "body": "x y z"}, "42"),
    ({"slug": "back-pain", "url": "https://u", "body": "x y z"}, "back-pain"),
    ({"url": "https://example.org/a", "body": "x y z"}, "https://example.org/a"),
    ({"path": "/a/b", "body": "x y z"}, "/a/b"),
    ({"id": "", "body": "x y z"}, "line 1"),
    ({"body": "x y z"}, "line 1"),
])
def test_record_id_keys(tmp_path, record, expected_id):
    p = write_lines(tmp_path, [json.dumps(record)])
    (art,) = read_all(p)
    assert art.id == f"{p}#{expected_id}"
    assert art.path == str(p)


def test_record_metadata(tmp_path):
    rec = {
        "id": "a", "headline": "Back pain", "body": "Text of the article.",
        "author": {"name": "Jane Roe", "credentials": "MD"},
        "reviewedBy": ["Ann Lee", {"name": "Bo Park", "honorificSuffix": "PhD"}],
        "datePublished": "2020-01-02", "dateModified": "2021-03-04T05:06:07Z", "lastReviewed": "March 5, 2022",
    }
    p = write_lines(tmp_path, [json.dumps(rec)])
    (art,) = read_all(p)
    m = art.meta
    assert m.title.value == "Back pain" and m.title.source == "record: headline"
    assert [a.value for a in m.authors] == ["Jane Roe, MD"]
    assert [r.value for r in m.reviewed_by] == ["Ann Lee", "Bo Park, PhD"]
    assert m.published.value == dt.date(2020, 1, 2)
    assert m.updated.value == dt.date(2021, 3, 4)
    assert m.last_reviewed.value == dt.date(2022, 3, 5)
    assert art.notices == []


def test_bad_record_date_is_input006(tmp_path):
    p = write_lines(tmp_path, [json.dumps({"body": "Text.", "updated": "someday"})])
    (art,) = read_all(p)
    assert [n[0] for n in art.notices] == ["INPUT006"]
    assert art.meta.updated is None


# --- escapes map back to the raw line ---------------------------------------------------

def test_escapes_decoded_and_words_after_them_point_at_the_right_column(tmp_path):
    # Written by hand so every escape form appears exactly as a CMS writes it.
    line = r'{"id": "e1", "body": "Caf\u00e9 first.\nHe said \"hi\" \ud83d\ude00 then teh end\t\/x"}'
    p = write_lines(tmp_path, [line])
    (art,) = read_all(p)
    assert art.body == 'Café first.\nHe said "hi" \U0001F600 then teh end\t/x'
    assert art.raw == line
    # The typo's finding would point at line 1, the column of "teh" in the raw line.
    assert position_of(art, "teh") == (1, line.index("teh") + 1)
    assert position_of(art, "then") == (1, line.index("then") + 1)
    # Each escape maps to its backslash in the raw line.
    assert art.body_map.to_source(art.body.index("é")) == line.index(r"\u00e9")
    assert art.body_map.to_source(art.body.index("\n")) == line.index(r"\n")
    assert art.body_map.to_source(art.body.index('"')) == line.index(r"\"hi")
    assert art.body_map.to_source(art.body.index("\U0001F600")) == line.index(r"\ud83d")
    # A span over a multi-character escape covers the whole escape.
    i = art.body.index("\U0001F600")
    s, e = art.body_map.span_to_source(i, i + 1)
    assert line[s:e] == r"\ud83d\ude00"
    s, e = art.body_map.span_to_source(art.body.index("Café"), art.body.index("Café") + 4)
    assert line[s:e] == r"Caf\u00e9"


def test_every_unescaped_char_maps_to_the_same_char_in_the_line(tmp_path):
    line = json.dumps({"body": "Tab\there, quote \" and slash \\ and newline\nend. Ünïcödé ok."}, ensure_ascii=False)
    p = write_lines(tmp_path, [line])
    (art,) = read_all(p)
    for i, ch in enumerate(art.body):
        src = art.body_map.to_source(i)
        if line[src] == "\\":
            continue  # an escape: maps to its backslash
        assert line[src] == ch


def test_raw_is_the_line_and_first_line_is_the_file_line(tmp_path):
    lines = [json.dumps({"id": "one", "body": "First record."}),
             "",
             "   ",
             json.dumps({"id": "two", "body": "Second record has a word."})]
    p = write_lines(tmp_path, lines)
    arts = read_all(p)
    assert [a.id.split("#")[1] for a in arts] == ["one", "two"]
    second = arts[1]
    assert second.first_line == 4
    assert second.raw == lines[3]
    assert position_of(second, "word") == (4, lines[3].index("word") + 1)


def test_body_key_inside_another_string_or_object_is_not_confused(tmp_path):
    line = ('{"note": "see \\"body\\": \\"decoy\\"", "meta": {"body": "nested"}, '
            '"body": "The real body text."}')
    assert json.loads(line)["body"] == "The real body text."
    p = write_lines(tmp_path, [line])
    (art,) = read_all(p)
    assert art.body == "The real body text."
    assert position_of(art, "real") == (1, line.index("real body") + 1)


def test_crlf_line_endings_and_bom(tmp_path):
    p = tmp_path / "crlf.jsonl"
    p.write_bytes(b"\xef\xbb\xbf" + b'{"id":"a","body":"Alpha text."}\r\n{"id":"b","body":"Beta text."}\r\n')
    arts = read_all(p)
    assert [a.body for a in arts] == ["Alpha text.", "Beta text."]
    assert not arts[1].raw.endswith("\r")
    assert position_of(arts[1], "Beta") == (2, 19)


# --- bodies in other formats ----------------------------------------------------------------

def test_markdown_body_is_read_as_markdown_and_mapped_to_the_line(tmp_path):
    line = json.dumps({"id": "m", "markdown": "# Heading\n\nSome *md* with a [link](https://x.org/a)."})
    p = write_lines(tmp_path, [line])
    (art,) = read_all(p)
    assert art.format == "jsonl+markdown"
    assert art.body == "Heading\n\nSome md with a link."
    (link,) = art.links
    assert link.url == "https://x.org/a"
    assert line[link.start:link.end] == "link"
    assert position_of(art, "Some") == (1, line.index("Some") + 1)


def test_html_body_is_read_as_html(tmp_path):
    if importlib.util.find_spec("medreview.ingest.html") is None:
        pytest.skip("medreview.ingest.html is not written yet")
    line = json.dumps({"id": "h", "body_html": "<p>Ice helps with swelling.</p><p>Heat relaxes muscles.</p>"})
    p = write_lines(tmp_path, [line])
    (art,) = read_all(p)
    assert art.format == "jsonl+html"
    assert "Ice helps with swelling." in art.body
    assert "Heat relaxes muscles." in art.body
    assert "<p>" not in art.body


def test_block_tags_in_a_plain_body_key_make_it_html(tmp_path):
    if importlib.util.find_spec("medreview.ingest.html") is None:
        pytest.skip("medreview.ingest.html is not written yet")
    line = json.dumps({"id": "h2", "body": "<div><p>Stretch gently every morning.</p></div>"})
    (art,) = read_all(write_lines(tmp_path, [line]))
    assert art.format == "jsonl+html"
    assert "Stretch gently every morning." in art.body


def test_angle_brackets_without_block_tags_stay_plain_text(tmp_path):
    line = json.dumps({"body": "Keep your dose <5 mg a day and x > y."})
    (art,) = read_all(write_lines(tmp_path, [line]))
    assert art.format == "jsonl"
    assert art.body == "Keep your dose <5 mg a day and x > y."


# --- bad lines are reported; the rest is read -------------------------------------------------

def test_bad_lines_are_failures_with_their_line_numbers_and_good_lines_still_read(tmp_path):
    lines = [
        json.dumps({"id": "good1", "body": "First good record."}),
        "{not json at all",
        "[1, 2, 3]",
        json.dumps({"id": "nobody", "title": "Only a title"}),
        json.dumps({"id": "blank", "body": "   "}),
        "",
        json.dumps({"id": "good2", "body": "Second good record."}),
    ]
    p = write_lines(tmp_path, lines)
    items = read_all(p)
    assert [a.id for a in articles(items)] == [f"{p}#good1", f"{p}#good2"]
    fails = failures(items)
    assert [(f.line, f.rule) for f in fails] == [(2, "INPUT005"), (3, "INPUT005"), (4, "INPUT003"), (5, "INPUT003")]
    assert all(f.path == str(p) for f in fails)
    assert [f.id for f in fails] == [f"{p}:{n}" for n in (2, 3, 4, 5)]
    assert "not valid JSON" in fails[0].message
    assert "not a JSON object" in fails[1].message
    # Good records keep their own file line numbers.
    assert articles(items)[1].first_line == 7


def test_non_utf8_line_is_input002_and_others_read(tmp_path):
    p = tmp_path / "mixed.jsonl"
    p.write_bytes(b'{"body": "Good one."}\n{"body": "caf\xe9 latin-1"}\n{"body": "Good two."}\n')
    items = read_all(p)
    assert [a.body for a in articles(items)] == ["Good one.", "Good two."]
    assert [(f.line, f.rule) for f in failures(items)] == [(2, "INPUT002")]


def test_over_long_record_is_input004(tmp_path):
    lines = [json.dumps({"body": "short ok"}), json.dumps({"body": "x" * 500})]
    items = read_all(write_lines(tmp_path, lines), max_bytes=200)
    assert [a.body for a in articles(items)] == ["short ok"]
    assert [(f.line, f.rule) for f in failures(items)] == [(2, "INPUT004")]


def test_file_of_blank_lines_is_input003(tmp_path):
    p = tmp_path / "blank.jsonl"
    p.write_text("\n\n   \n", encoding="utf-8")
    (item,) = read_all(p)
    assert isinstance(item, Failure) and item.rule == "INPUT003"


def test_binary_jsonl_is_input002(tmp_path):
    p = tmp_path / "bin.jsonl"
    p.write_bytes(b'{"body": "x"}\n\x00\x01\x02\x03')
    (item,) = read_all(p)
    assert isinstance(item, Failure) and item.rule == "INPUT002"

"""The Markdown reader: YAML front matter, markup dropped, links kept, all mapped to the source."""

from __future__ import annotations

import datetime as dt

import pytest

from medreview.ingest import Failure, Reader
from medreview.ingest.markdown import extract_markdown

ARTICLE = """\
---
title: "Lower back spasms: causes and care"
authors:
  - name: Jane Roe
    credentials: MD
  - John Doe
reviewed_by:
  name: Ann Lee
  credentials: PhD, RN
published: 2021-03-04
updated: "2022-05-06"
last_reviewed: February 2, 2018
---
# Lower *back* spasms

Some **bold** and _emphasised_ text with a [link label](https://example.com/a "Title") and
a [reference link][r1] plus <https://auto.example.org/x> and bare https://bare.example.net/y.
<!-- an editor's hidden
note spanning lines --> Visible after the comment.

```python
secret_code = "never in the body"
```

- item one
> quoted `inline code` here
![an image](pic.png)

[r1]: https://ref.example.com/z
"""


def assert_kept_chars_map_to_source(raw: str, body: str, body_map) -> None:
    """Every visible character of the body is the source character it maps to."""
    for i, ch in enumerate(body):
        if ch.isspace():
            continue  # separators and blanked comments
        src = body_map.to_source(i)
        assert raw[src] == ch, f"body[{i}]={ch!r} maps to raw[{src}]={raw[src]!r}"


@pytest.fixture(scope="module")
def article():
    return extract_markdown(ARTICLE)


# --- front matter ----------------------------------------------------------------

def test_front_matter_title(article):
    assert article.meta.title.value == "Lower back spasms: causes and care"
    assert article.meta.title.source == "front matter: title"


def test_front_matter_author_objects_with_credentials_and_strings(article):
    assert [a.value for a in article.meta.authors] == ["Jane Roe, MD", "John Doe"]
    assert all(a.source == "front matter: authors" for a in article.meta.authors)


def test_front_matter_reviewer_object(article):
    assert [r.value for r in article.meta.reviewed_by] == ["Ann Lee, PhD, RN"]
    assert article.meta.reviewed_by[0].source == "front matter: reviewed_by"


def test_front_matter_dates_yaml_date_quoted_string_and_written_date(article):
    assert article.meta.published.value == dt.date(2021, 3, 4)
    assert article.meta.updated.value == dt.date(2022, 5, 6)
    assert article.meta.last_reviewed.value == dt.date(2018, 2, 2)
    assert article.meta.last_reviewed.source == "front matter: last_reviewed"


def test_front_matter_span_covers_the_block(article):
    end = article.meta.title.end
    assert ARTICLE[:end].startswith("---\n")
    assert ARTICLE[:end].rstrip().endswith("---")
    assert article.notices == []


def test_front_matter_is_not_in_the_body(article):
    assert "Jane Roe" not in article.body
    assert "reviewed_by" not in article.body


@pytest.mark.parametrize("keys, field, expected", [
    ("headline: A headline\n", "title", "A headline"),
    ("author: Sam Poe\n", "authors", ["Sam Poe"]),
    ("byline: [A One, B Two]\n", "authors", ["A One", "B Two"]),
    ("medical_reviewer: Dr Kim\n", "reviewed_by", ["Dr Kim"]),
    ("reviewers:\n  - name: R One\n    credentials: DO\n", "reviewed_by", ["R One, DO"]),
    ("date: 2020-01-02\n", "published", dt.date(2020, 1, 2)),
    ("lastmod: 2023-07-08T10:11:12Z\n", "updated", dt.date(2023, 7, 8)),
    ("review_date: '2019-09-30'\n", "last_reviewed", dt.date(2019, 9, 30)),
])
def test_front_matter_alternative_field_names(keys, field, expected):
    e = extract_markdown(f"---\n{keys}---\nBody text.\n")
    value = getattr(e.meta, field)
    if isinstance(value, list):
        assert [v.value for v in value] == expected
    else:
        assert value.value == expected
    assert e.notices == []


def test_first_present_key_wins():
    e = extract_markdown("---\ntitle: First\nheadline: Second\n---\nBody.\n")
    assert e.meta.title.value == "First"


def test_invalid_yaml_front_matter_is_an_input005_notice_and_body_still_read():
    src = "---\ntitle: [unclosed\nauthor: X\n---\nThe body survives.\n"
    e = extract_markdown(src)
    assert [n[0] for n in e.notices] == ["INPUT005"]
    assert "not valid YAML" in e.notices[0][1]
    assert e.meta.title is None
    assert e.body.strip() == "The body survives."
    assert "title" not in e.body


def test_front_matter_that_is_not_a_mapping_is_input005():
    e = extract_markdown("---\n- a\n- b\n---\nBody text.\n")
    assert [n[0] for n in e.notices] == ["INPUT005"]
    assert e.body.strip() == "Body text."


def test_bad_date_string_is_input006_and_other_fields_kept():
    e = extract_markdown("---\ntitle: Kept\nupdated: not a date\nlast_reviewed: '2021-02-30'\n---\nBody.\n")
    rules = [n[0] for n in e.notices]
    assert rules == ["INPUT006", "INPUT006"]
    assert "'updated'" in e.notices[0][1]
    assert "'last_reviewed'" in e.notices[1][1]
    assert e.meta.updated is None and e.meta.last_reviewed is None
    assert e.meta.title.value == "Kept"


def test_unquoted_impossible_yaml_date_is_a_notice_not_a_crash():
    e = extract_markdown("---\ntitle: X\ndate: 2021-13-45\n---\nBody text.\n")
    assert {n[0] for n in e.notices} & {"INPUT005", "INPUT006"}
    assert e.body.strip() == "Body text."


def test_front_matter_with_crlf_and_dots_terminator():
    e = extract_markdown("---\r\ntitle: CR\r\n...\r\nLine one.\r\nLine two.\r\n")
    assert e.meta.title.value == "CR"
    assert e.body == "Line one.\nLine two.\n"


def test_no_front_matter_means_empty_meta():
    e = extract_markdown("Just a body.\n")
    assert e.meta.title is None and e.meta.authors == [] and e.notices == []
    assert e.body == "Just a body.\n"


def test_front_matter_only_gives_an_empty_body():
    assert extract_markdown("---\ntitle: X\n---\n").body.strip() == ""


# --- body text ---------------------------------------------------------------------

def test_markup_removed_from_body(article):
    body = article.body
    assert "Lower back spasms" in body  # heading marker and emphasis gone
    assert "Some bold and emphasised text with a link label and" in body
    for marker in ("#", "**", "_emph", "](", "![", "> ", "`", "- item"):
        assert marker not in body, marker
    assert "item one" in body
    assert "quoted inline code here" in body


def test_code_blocks_and_html_comments_dropped(article):
    assert "secret_code" not in article.body
    assert "never in the body" not in article.body
    assert "hidden" not in article.body and "spanning" not in article.body
    assert "<!--" not in article.body and "-->" not in article.body
    assert "Visible after the comment." in article.body


def test_images_dropped(article):
    assert "an image" not in article.body
    assert "pic.png" not in article.body


def test_every_kept_character_maps_to_its_source_character(article):
    assert_kept_chars_map_to_source(ARTICLE, article.body, article.body_map)


def test_visible_text_after_a_comment_keeps_its_column(article):
    i = article.body.index("Visible")
    src = article.body_map.to_source(i)
    assert ARTICLE[src:src + 7] == "Visible"


def test_lines_of_the_body_stay_on_their_source_lines(article):
    # Each body line maps to the same source line, so line numbers are exact.
    body = article.body
    i = body.index("item one")
    src = article.body_map.to_source(i)
    assert ARTICLE.count("\n", 0, src) + 1 == ARTICLE.splitlines().index("- item one") + 1


# --- links ---------------------------------------------------------------------------

def test_links_of_every_kind_with_urls(article):
    assert [(l.url, l.anchor) for l in article.links] == [
        ("https://example.com/a", "link label"),
        ("https://ref.example.com/z", "reference link"),
        ("https://auto.example.org/x", "https://auto.example.org/x"),
        ("https://bare.example.net/y", "https://bare.example.net/y"),
    ]


def test_link_anchor_spans_map_to_the_source(article):
    for link in article.links:
        assert ARTICLE[link.start:link.end] == link.anchor
        assert link.anchor in article.body


def test_links_are_sorted_by_position(article):
    starts = [l.start for l in article.links]
    assert starts == sorted(starts)


def test_bare_url_excludes_trailing_punctuation():
    e = extract_markdown("See https://example.org/page. Or https://example.org/b, ok.\n")
    assert [l.url for l in e.links] == ["https://example.org/page", "https://example.org/b"]


def test_collapsed_reference_link_and_case_insensitive_labels():
    src = "A [Label][] and [other][REF] here.\n\n[label]: https://y.org/\n[ref]: <https://z.org/>\n"
    e = extract_markdown(src)
    assert [(l.url, l.anchor) for l in e.links] == [("https://y.org/", "Label"), ("https://z.org/", "other")]
    assert "y.org" not in e.body  # definitions are not text
    assert e.body.startswith("A Label and other here.")


def test_reference_link_without_definition_keeps_label_and_records_no_link():
    e = extract_markdown("Text [missing][nope] here.\n")
    assert e.links == []
    assert "Text missing here." in e.body


def test_link_inside_list_item_and_heading_maps_to_source():
    src = "## See [NHS advice](https://www.nhs.uk/back-pain/)\n\n1. Read [this](https://a.org/b).\n"
    e = extract_markdown(src)
    assert [l.anchor for l in e.links] == ["NHS advice", "this"]
    for l in e.links:
        assert src[l.start:l.end] == l.anchor
    assert e.body.startswith("See NHS advice\n")
    assert_kept_chars_map_to_source(src, e.body, e.body_map)


def test_link_url_with_balanced_parentheses():
    src = "See [the entry](https://en.wikipedia.org/wiki/Back_pain_(disorder)) now.\n"
    e = extract_markdown(src)
    assert [l.url for l in e.links] == ["https://en.wikipedia.org/wiki/Back_pain_(disorder)"]
    assert e.body == "See the entry now.\n"


def test_markup_inside_link_label_is_removed():
    e = extract_markdown("See [**the study**](https://x.org/a) now.\n")
    assert e.body == "See the study now.\n"


@pytest.mark.parametrize("src, body", [
    ("1. First step.\n2) Second step.\n* star\n+ plus\n- [x] done task\n",
     "First step.\nSecond step.\nstar\nplus\ndone task\n"),
    ("Escaped \\*stars\\* and snake_case_word.\n", "Escaped *stars* and snake_case_word.\n"),
    ("## Heading ##\n", "Heading\n"),
    ("Above\n\n---\n\nBelow\n", "Above\n\n\n\nBelow\n"),
    ("~~~\ncode ~~~\n~~~\nafter\n", "\n\n\nafter\n"),
    ("Text <br> and <span class='x'>inline</span> tags.\n", "Text  and inline tags.\n"),
    ("~~gone~~ strike\n", "gone strike\n"),
])
def test_markup_variants(src, body):
    e = extract_markdown(src)
    assert e.body == body
    assert_kept_chars_map_to_source(src, e.body, e.body_map)


def test_reader_reads_md_file_with_line_numbers_of_the_file(tmp_path):
    p = tmp_path / "a.md"
    p.write_text(ARTICLE, encoding="utf-8")
    items = list(Reader(8_000_000).read(p, "markdown"))
    assert len(items) == 1 and not isinstance(items[0], Failure)
    art = items[0]
    assert art.format == "markdown"
    i = art.body.index("Visible")
    line, col = art.line_col(art.body_map.to_source(i))
    lines = ARTICLE.splitlines()
    assert lines[line - 1][col - 1:].startswith("Visible")


def test_reader_markdown_with_only_front_matter_is_input003(tmp_path):
    p = tmp_path / "empty.md"
    p.write_text("---\ntitle: Nothing here\n---\n\n", encoding="utf-8")
    items = list(Reader(8_000_000).read(p, "markdown"))
    assert len(items) == 1 and isinstance(items[0], Failure)
    assert items[0].rule == "INPUT003"

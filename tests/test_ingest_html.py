"""The HTML reader: main text, source positions, links, ad containers, metadata."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from medreview.clean import ad_container_pattern
from medreview.ingest import Failure, Reader
from medreview.ingest.html import extract_html

FIXTURE = Path(__file__).parent / "fixtures" / "html" / "sciatica-page.html"


@pytest.fixture(scope="module")
def ad_pattern():
    return ad_container_pattern()


@pytest.fixture(scope="module")
def page(ad_pattern):
    source = FIXTURE.read_text(encoding="utf-8")
    return source, extract_html(source, *ad_pattern)


def test_body_is_the_article_without_page_furniture(page):
    _, e = page
    assert "Sciatica is pain that runs along the sciatic nerve" in e.body
    assert "Don’t ignore it." in e.body  # &#8217; decoded, runs of spaces collapsed
    assert "Medically reviewed by Anita Rao, MD — Written by Jane Doe" in e.body  # the byline stays
    for furniture in ("Home", "Popular now", "All rights reserved", "We use cookies", "Advertisement", "adsbygoogle"):
        assert furniture not in e.body


def test_every_body_character_maps_to_its_source_character(page):
    source, e = page
    for i, ch in enumerate(e.body):
        if ch.isspace() or ch in "[]—’":  # separators, synthetic brackets, decoded entities
            continue
        assert source[e.body_map.to_source(i)] == ch, (i, ch)


def test_entities_map_to_the_start_of_the_entity(page):
    source, e = page
    i = e.body.index("—")
    assert source[e.body_map.to_source(i):].startswith("&mdash;")
    start, end = e.body_map.span_to_source(i, i + 1)
    assert source[start:end] == "&mdash;"


def test_superscript_citation_becomes_a_bracketed_marker(page):
    _, e = page
    assert "sciatic nerve[1]." in e.body


def test_links_keep_anchor_text_and_source_span(page):
    source, e = page
    by_anchor = {link.anchor: link for link in e.links}
    nhs = by_anchor["NHS page on sciatica"]  # anchor text across a tag and a line break
    assert nhs.url == "https://www.nhs.uk/conditions/sciatica/"
    assert source[nhs.start:nhs.end].startswith("NHS page on")
    assert source[nhs.start:nhs.end].endswith("sciatica")
    # A relative link is resolved against the canonical URL; navigation links are not article links.
    assert by_anchor["this"].url == "https://www.example-health.com/related"
    assert "Home" not in by_anchor
    assert {"https://doi.org/10.1000/xyz", "https://pubmed.ncbi.nlm.nih.gov/123456/"} <= {l.url for l in e.links}


def test_ad_container_inside_the_article_is_removed_and_recorded(page):
    source, e = page
    assert len(e.removed) == 1  # the cookie banner outside <article> is not the article's problem
    removal = e.removed[0]
    assert removal.rule == "ART009"
    assert removal.text == "Advertisement"
    assert source[removal.start:removal.end].startswith('<div class="ad-slot">')
    assert source[removal.start:removal.end].endswith("</div>")


def test_metadata_prefers_json_ld_and_says_where_it_was_found(page):
    _, e = page
    m = e.meta
    assert m.title.value == "Sciatica relief" and m.title.source == "json-ld: headline"
    assert [a.value for a in m.authors] == ["Jane Doe, RN"]
    assert [r.value for r in m.reviewed_by] == ["Anita Rao, MD"]
    assert m.last_reviewed.value == dt.date(2019, 3, 14) and m.last_reviewed.source == "json-ld: lastReviewed"
    assert m.updated.value == dt.date(2019, 3, 15)
    assert m.published.value == dt.date(2017, 5, 2) and m.published.source == "meta: article:published_time"
    assert e.notices == []


def test_page_without_article_element_uses_main_content_extraction(ad_pattern):
    source = FIXTURE.read_text(encoding="utf-8").replace("<article>", '<div class="content">').replace(
        "</article>", "</div>")
    e = extract_html(source, *ad_pattern)
    assert "Sciatica is pain that runs along the sciatic nerve" in e.body
    assert "Home" not in e.body.split("\n")
    assert "All rights reserved" not in e.body
    assert [r.text for r in e.removed] == ["Advertisement"]


def test_time_elements_and_meta_tags_without_json_ld(ad_pattern):
    source = """<html><head><meta name="author" content="Sam Lee">
    <meta property="article:modified_time" content="2024-01-09"></head><body><main>
    <p>Updated <time class="updated" datetime="2024-01-10">Jan 10</time></p>
    <p>Reviewed <time itemprop="lastReviewed" datetime="2023-12-01">Dec 1</time></p></main></body></html>"""
    m = extract_html(source, *ad_pattern).meta
    assert [a.value for a in m.authors] == ["Sam Lee"]
    assert m.updated.value == dt.date(2024, 1, 9)  # <meta> outranks <time>
    assert m.last_reviewed.value == dt.date(2023, 12, 1) and m.last_reviewed.source == "time: lastReviewed"


def test_bad_json_ld_and_bad_dates_are_notices_not_crashes(ad_pattern):
    source = """<html><head><script type="application/ld+json">{"@type": "Article", </script>
    <meta property="article:published_time" content="not a date"></head>
    <body><p>Text stays readable.</p></body></html>"""
    e = extract_html(source, *ad_pattern)
    assert "Text stays readable." in e.body
    rules = [rule for rule, _, _ in e.notices]
    assert rules == ["INPUT005", "INPUT006"]
    assert e.meta.published is None


@pytest.mark.parametrize("source", [
    "<p>unclosed <b>bold <i>italic</div></span> text",
    "<<<>>><p <b>broken &bogus; &#99999999; text",
    "<html><head><title>no end of head<body><p>Body text here.",
    "<div class='ad'><div class='ad'>nested ads never closed",
    "</p></p></div>stray end tags first",
])
def test_malformed_html_never_crashes(ad_pattern, source):
    e = extract_html(source, *ad_pattern)
    assert isinstance(e.body, str)
    for i, ch in enumerate(e.body):
        if not ch.isspace() and ch.isalpha():
            assert source[e.body_map.to_source(i)] == ch


def test_head_left_open_does_not_hide_the_body(ad_pattern):
    e = extract_html("<html><head><title>T</title><body><p>Body text here.</p></body></html>", *ad_pattern)
    assert "Body text here." in e.body


def test_fragment_is_all_article(ad_pattern):
    e = extract_html('<p>First <a href="https://a.example/x">link</a>.</p><div class="ad-slot">Buy</div><p>Second.</p>',
                     *ad_pattern)
    assert e.body.split() == ["First", "link.", "Second."]
    assert [l.url for l in e.links] == ["https://a.example/x"]
    assert [r.text for r in e.removed] == ["Buy"]


def test_reader_reports_an_html_file_with_no_text(tmp_path, ad_pattern):
    path = tmp_path / "empty.html"
    path.write_text("<html><head><script>var x = 1;</script></head><body><nav>Home</nav></body></html>")
    (item,) = Reader(8_000_000, *ad_pattern).read(path, "html")
    assert isinstance(item, Failure) and item.rule == "INPUT003"


def test_finding_positions_land_on_the_html_source(tmp_path):
    """End to end: an artifact inside a paragraph is reported at its line and column in the file."""
    from medreview.config import Config
    from medreview.runner import _init, audit_file

    page = "<html><body><article>\n<p>Rest helps.</p>\n  <p>Related: 10 stretches for sciatica</p>\n</article></body></html>\n"
    path = tmp_path / "p.html"
    path.write_text(page)
    _init(Config())
    (result,) = audit_file((path, "html"))
    teaser = [f for f in result.findings if f.rule == "ART007"]
    assert len(teaser) == 1
    assert (teaser[0].line, teaser[0].column) == (3, 6)
    assert page.splitlines()[2][5:].startswith("Related: 10 stretches")


# -- regressions ---------------------------------------------------------------------------------

_PARA = "Sciatica is pain that runs along the sciatic nerve and <b>rest</b> helps most people within weeks"


def _paragraph_page(n: int, closed: bool) -> str:
    end = "</p>" if closed else ""
    return "<html><body><article>" + "".join(f"\n<p>{_PARA} {i}.{end}" for i in range(n)) + "\n</article></body></html>"


def test_unclosed_paragraphs_do_not_pile_up_on_the_stack():
    """20,000 unclosed <p> (about 2 MB): each <p> ends the one before, so the stack stays shallow
    (it used to grow by one per paragraph, and every text run scanned it: minutes for a page)."""
    from medreview.ingest.html import _PageParser

    source = _paragraph_page(20_000, closed=False)
    assert len(source) > 2_000_000
    parser = _PageParser(source, None, "ART009")
    parser.feed(source)
    parser.close()
    assert parser.max_depth <= 5  # html, body, article, p, b
    assert [e.tag for e in parser.stack] == []  # </article></body></html> closed the rest
    blocks = [b.builder.text() for b in parser.blocks if len(b.builder)]
    assert len(blocks) == 20_000
    assert blocks[-1] == "Sciatica is pain that runs along the sciatic nerve and rest helps most people within weeks 19999."
    assert all(b.in_container for b in parser.blocks if len(b.builder))


def test_unclosed_paragraphs_read_like_closed_ones(ad_pattern):
    closed = extract_html(_paragraph_page(50, closed=True), *ad_pattern)
    unclosed = extract_html(_paragraph_page(50, closed=False), *ad_pattern)
    assert unclosed.body == closed.body
    assert unclosed.body.count("\n\n") == 49


def test_optional_end_tags_are_implied_as_in_a_browser():
    from medreview.ingest.html import _PageParser

    source = ("<div><p>one <b>bold<div>block</div>two<h2>H<h3>J</h3></div>"
              "<ul><li>a<li>b<ul><li>inner<li>inner2</ul><li>c</ul>"
              "<dl><dt>T<dd>D<dt>T2<dd>D2</dl>"
              "<table><thead><tr><th>h1<th>h2<tbody><tr><td>a<td><p>b<tr><td>c<td>d</table>"
              "<select><option>x<option>y</select><p>after<hr>rule")
    parser = _PageParser(source, None, "ART009")
    depths = []
    original = parser._push

    def push(el):
        original(el)
        depths.append((el.tag, [e.tag for e in parser.stack]))

    parser._push = push
    parser.feed(source)
    parser.close()
    opened = dict(depths)  # the stack as each tag opened (the last of a repeated tag)
    assert opened["li"] == ["ul", "li"]  # <li>c: the first <li> ended at <li>b, the inner list at </ul>
    assert opened["dd"] == ["dl", "dd"]
    assert opened["td"] == ["table", "tbody", "tr", "td"]  # <tr> ended the row and its cells
    assert opened["th"] == ["table", "thead", "tr", "th"]
    assert opened["option"] == ["select", "option"]
    assert opened["h3"] == ["div", "h3"]  # a heading ends an open heading
    blocks = [b.builder.text() for b in parser.blocks if len(b.builder)]
    assert blocks == ["one bold", "block", "two", "H", "J", "a", "b", "inner", "inner2", "c", "T", "D", "T2", "D2",
                      "h1", "h2", "a", "b", "c", "d", "after", "rule"]


def test_superscript_exponent_is_not_a_citation():
    from medreview.citations import find_markers

    e = extract_html("<p>BMI is weight in kg/m<sup>2</sup>; a count of 5 x 10<sup>9</sup>/L; 4,000 cells/mm<sup>3</sup>; "
                     "an area of 5 m<sup>2</sup>.</p>")
    assert e.body == "BMI is weight in kg/m2; a count of 5 x 109/L; 4,000 cells/mm3; an area of 5 m2.\n"
    assert find_markers(e.body) == []


def test_superscript_after_a_word_is_still_a_citation():
    from medreview.citations import find_markers

    e = extract_html("<p>Pain in the nerve<sup>1</sup>. A study<sup>2,3</sup> found it in 2019<sup>4,5</sup>. "
                     "Also <sup>6</sup>.</p>")
    assert e.body == "Pain in the nerve[1]. A study[2,3] found it in 2019[4,5]. Also [6].\n"
    assert len(find_markers(e.body)) == 4


def test_footnote_letter_is_bracketed_not_fused_into_the_word():
    source = "<p>Vitamin D<sup>a</sup> and calcium<sup>b</sup> help; 2<sup>n</sup> cells.</p>"
    e = extract_html(source)
    assert e.body == "Vitamin D[a] and calcium[b] help; 2n cells.\n"
    i = e.body.index("[a]") + 1
    assert source[e.body_map.to_source(i)] == "a"


def test_numeric_reference_without_semicolon_is_read_no_further_than_its_digits():
    source = "<p>Item &#35 2; then &#35; and &#x23 and &#8217;s end</p>"
    e = extract_html(source)
    assert e.body == "Item # 2; then # and # and ’s end\n"
    i = e.body.index("#")
    assert source[slice(*e.body_map.span_to_source(i, i + 1))] == "&#35"
    j = e.body.index("2;")
    assert source[e.body_map.to_source(j):].startswith("2; then")


def test_line_break_inside_a_link_separates_the_anchor_words():
    e = extract_html('<p>See the <a href="https://www.nhs.uk/w">NHS page<br>on weight</a>.</p>')
    assert [l.anchor for l in e.links] == ["NHS page on weight"]


def test_nested_link_ends_the_outer_one():
    source = '<p><a href="https://a.example/1">one <b><a href="https://a.example/2">two</a></b> three</a> four</p>'
    e = extract_html(source)
    assert e.body == "one two three four\n"
    assert [(l.url, l.anchor) for l in e.links] == [("https://a.example/1", "one"), ("https://a.example/2", "two")]
    outer = e.links[0]
    assert source[outer.start:outer.end] == "one"

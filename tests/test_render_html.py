"""report.html: structure, dashboard figures, risk order, text marks, and escaping.

The page is parsed with lxml.html; tests/test_html_browser.py opens it in a
real headless Chromium.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re

import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from medreview.model import ArticleResult, Finding, Severity
from medreview.render import html_report
from medreview.render.html_report import RISK_FORMULA, render_html, risk_of
from medreview.render.report import Report

AS_OF = dt.date(2026, 11, 25)

# Every payload the issue names, plus ones that would mark the page if they ran.
PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "</script>",
    "<!--",
    "<img src=x onerror=\"document.documentElement.setAttribute('data-pwned','1')\">",
    "<script>document.documentElement.setAttribute('data-pwned','1')</script>",
    "' onmouseover='alert(1)",
]
PAYLOAD = " ".join(PAYLOADS)


def finding(rule: str, category: str, severity: str, message: str = "", *, line: int = 1, column: int = 1,
            excerpt: str = "", suggestions=(), evidence=None, baselined: bool = False) -> Finding:
    return Finding(rule=rule, category=category, severity=Severity(severity),
                   message=message or f"{rule} message", line=line, column=column, end_line=line,
                   end_column=column + len(excerpt), excerpt=excerpt, suggestions=list(suggestions),
                   evidence=dict(evidence or {}), fingerprint=f"fp-{rule}-{line}-{column}", baselined=baselined)


def meta(**kw) -> dict:
    base = {"authors": [], "reviewed_by": [], "published": None, "updated": None, "last_reviewed": None,
            "found_in": {}}
    base.update(kw)
    return base


def article(path: str, findings: list[Finding], *, title: str | None = None, display=None, words: int = 100,
            stats=None, meta_=None) -> ArticleResult:
    return ArticleResult(path=path, format="markdown", title=title, meta=meta_ or meta(), findings=findings,
                         words=words, stats={"id": path, "line": 1, **(stats or {})}, display=display)


def make_report(articles: list[ArticleResult]) -> Report:
    return Report(version="9.9.9", as_of=AS_OF, fail_on="error", articles=articles, elapsed=1.5)


_SIMPLE = re.compile(r"""([a-z0-9]+|\*)?((?:[.#][\w-]+|\[[\w-]+(?:="[^"]*")?\])*)""")
_PART = re.compile(r"""([.#])([\w-]+)|\[([\w-]+)(?:="([^"]*)")?\]""")


def css(el, selector: str) -> list:
    """The few CSS selectors these tests use, as XPath (lxml's cssselect needs an extra package).

    Supports tag, .class, #id, [attr], [attr="value"], descendant combinators and comma lists.
    """
    paths = []
    for alternative in selector.split(","):
        path = "."
        for step in alternative.split():
            tag, rest = _SIMPLE.fullmatch(step).groups()
            conds = []
            for kind, name, attr, value in _PART.findall(rest):
                if kind == ".":
                    conds.append(f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')")
                elif kind == "#":
                    conds.append(f"@id='{name}'")
                elif value or "=" in step:
                    conds.append(f"@{attr}='{value}'")
                else:
                    conds.append(f"@{attr}")
            path += "//" + (tag or "*") + "".join(f"[{c}]" for c in conds)
        paths.append(path)
    return el.xpath(" | ".join(paths))


def parse(page: str):
    return lxml.html.document_fromstring(page)


# --- a small corpus with known figures ------------------------------------------------

HEEL_TEXT = ("Heel pain is definately common. Buy now! Most people recieve relief.\n"
             "Research shows 90% of people recover. <ad>click</ad>")


@pytest.fixture(scope="module")
def corpus() -> Report:
    t = HEEL_TEXT
    heel_findings = [
        finding("REVIEW001", "review", "error", "Review overdue.", evidence={"days_overdue": 800}),  # no mark
        finding("SPELL001", "spelling", "warning", "“definately” looks misspelt.", excerpt="definately",
                suggestions=["definitely"], evidence={"word": "definately", "count": 3}),
        finding("ART005", "artifact", "info", "Sales prompt.", excerpt="Buy now!"),
        finding("SPELL001", "spelling", "warning", "“recieve” looks misspelt.", excerpt="recieve",
                suggestions=["receive"], evidence={"word": "recieve", "count": 1}),
        finding("CLAIM001", "claim", "warning", "Unsupported statistic.", excerpt="Research shows 90%",
                evidence={"type": "statistic"}),
        finding("LINK001", "link", "error", "Broken link.", evidence={"url": "https://broken.example.org/a"}),
    ]
    heel_display = {
        "text": t,
        "marks": [
            {"start": t.index("definately"), "end": t.index("definately") + 10, "finding": 1},
            {"start": t.index("Buy now!"), "end": t.index("Buy now!") + 8, "finding": 2},
            {"start": t.index("recieve"), "end": t.index("recieve") + 7, "finding": 3},
            {"start": t.index("Research"), "end": t.index("recover.") + 8, "finding": 4},
        ],
        "removed": [
            {"start": t.index("Buy now!"), "end": t.index("Buy now!") + 8, "rule": "ART005"},
            {"start": t.index("<ad>"), "end": len(t), "rule": "ART001"},
        ],
    }
    heel = article(
        "corpus/heel.md", heel_findings, title="Heel pain", display=heel_display,
        stats={"days_overdue": 800, "claims": {"total": 4, "supported": 1, "support_ratio": 0.25}},
        meta_=meta(authors=["Dana Writer"], reviewed_by=["Dr. Rev"], last_reviewed="2022-09-16",
                   found_in={"authors": "front matter: author", "last_reviewed": "front matter: last_reviewed"}),
    )
    knee_findings = [
        finding("SPELL001", "spelling", "warning", "“definately” looks misspelt.", excerpt="definately",
                evidence={"word": "Definately", "count": 2}),
        finding("LINK001", "link", "error", "Broken link.", evidence={"url": "https://Broken.example.org/b"}),
        finding("LINK003", "link", "warning", "Unreachable.", evidence={"url": "http://slow.example.net/"}),
        finding("CLAIM005", "claim", "error", "Absolute promise.", evidence={"type": "absolute"}),
        finding("CLAIM002", "claim", "warning", "Efficacy.", evidence={"type": "efficacy"}, baselined=True),
    ]
    knee = article("corpus/knee.txt", knee_findings, title="Knee exercises",
                   stats={"days_overdue": -30, "claims": {"total": 2, "supported": 2, "support_ratio": 1.0}})
    neck = article("corpus/cms.jsonl", [finding("REVIEW001", "review", "error", evidence={"days_overdue": 400})],
                   title="Neck", stats={"id": "corpus/cms.jsonl#n-1", "days_overdue": 400})
    clean = article("corpus/clean.md", [], title="All good")
    return make_report([clean, knee, heel, neck])


@pytest.fixture(scope="module")
def page(corpus) -> str:
    return render_html(corpus)


@pytest.fixture(scope="module")
def doc(page):
    return parse(page)


# --- structure ------------------------------------------------------------------------


def test_one_section_per_article_in_risk_order(doc, corpus):
    sections = css(doc, "section.article")
    assert len(sections) == len(corpus.articles)
    names = [css(s, "p.path code")[0].text for s in sections]
    # heel: 2 errors, 3 warnings, 1 info, 800 days overdue, 1 unsupported statistic
    # knee: 2 errors, 2 warnings (one baselined efficacy claim counts 0), 1 absolute promise
    # neck: 1 error, 400 days overdue
    assert names == ["corpus/heel.md", "corpus/knee.txt", "corpus/cms.jsonl#n-1", "corpus/clean.md"]
    scores = [float(s.get("data-risk")) for s in sections]
    assert scores == [round(20 + 9 + 1 + 5 * 800 / 365.25 + 5, 1), 20 + 6 + 5, round(10 + 5 * 400 / 365.25, 1), 0]
    assert scores == sorted(scores, reverse=True)


def test_priority_list_links_every_article_section(doc):
    rows = css(doc, "#priority-table tbody tr")
    ids = [s.get("id") for s in css(doc, "section.article")]
    assert [r.get("data-article-row") for r in rows] == ids
    for row, ident in zip(rows, ids):
        assert css(row, "a")[0].get("href") == f"#{ident}"
    assert [float(r.get("data-risk")) for r in rows] == [float(s.get("data-risk"))
                                                          for s in css(doc, "section.article")]


def test_risk_formula_is_written_in_the_report_and_the_module():
    doc_text = " ".join(html_report.__doc__.split())
    for part in ("risk = 10 × errors + 3 × warnings + 1 × info", "+ 5 × years past the medical review due date",
                 "+ 5 × unsupported statistics and absolute promises", "Baselined findings count 0"):
        assert part in doc_text
    page = render_html(make_report([article("a.md", [])]))
    assert RISK_FORMULA in css(parse(page), "p.formula code")[0].text_content()


def test_risk_of_counts_baselined_findings_as_zero():
    live = [finding("SPELL001", "spelling", "warning"), finding("CLAIM001", "claim", "warning",
                                                                evidence={"type": "statistic"})]
    base = [finding("CLAIM005", "claim", "error", evidence={"type": "absolute"}, baselined=True),
            finding("REVIEW001", "review", "error", evidence={"days_overdue": 730}, baselined=True)]
    r = risk_of(article("a.md", live + base, stats={"days_overdue": 730}))
    assert (r.errors, r.warnings, r.infos, r.high_risk_claims, r.overdue_years) == (0, 2, 0, 1, 0)
    assert r.score == 3 + 3 + 5
    # The same review finding, not baselined: its error and its years count.
    r = risk_of(article("a.md", [finding("REVIEW001", "review", "error", evidence={"days_overdue": 730})],
                        stats={"days_overdue": 730}))
    assert r.score == round(10 + 5 * 730 / 365.25, 1)


def test_article_meta_and_findings_table(doc):
    heel = css(doc, "section.article")[0]
    meta_text = css(heel, "dl.meta")[0].text_content()
    assert "Dana Writer" in meta_text and "(front matter: author)" in meta_text
    assert "Dr. Rev" in meta_text and "2022-09-16" in meta_text and "(front matter: last_reviewed)" in meta_text
    assert "overdue by 2.2 years" in meta_text
    assert "1 of 4 carry a source" in meta_text
    rows = css(heel, "tr.finding")
    assert len(rows) == 6
    assert [r.get("data-severity") for r in rows] == ["error", "warning", "info", "warning", "warning", "error"]
    assert [r.get("data-category") for r in rows] == ["review", "spelling", "artifact", "spelling", "claim", "link"]
    assert "definitely" in rows[1].text_content()
    assert css(rows[1], "td.where a")[0].get("href") == f"#{heel.get('id')}-m1"
    assert not css(rows[0], "td.where a")  # about the whole article: no mark to jump to


def test_marks_and_removed_artifacts_in_the_text(doc, corpus):
    heel = css(doc, "section.article")[0]
    ident = heel.get("id")
    text = css(heel, "div.text")[0]
    # The text view shows exactly the article text: labels and numbers are CSS-generated.
    assert text.text_content() == HEEL_TEXT
    marks = css(text, "mark")
    assert sorted({m.get("data-finding") for m in marks}) == ["1", "2", "3", "4"]
    assert len(marks) == 4  # nothing here overlaps without nesting, so one element per finding
    by_finding = {m.get("data-finding"): m for m in marks}
    spell = by_finding["1"]
    assert spell.text_content() == "definately"
    assert (spell.get("data-category"), spell.get("data-severity")) == ("spelling", "warning")
    assert "SPELL001" in spell.get("title") and "looks misspelt" in spell.get("title")
    assert "definitely" in spell.get("title")
    assert spell.get("id") == f"{ident}-m1"
    assert css(spell, "a.ref")[0].get("href") == f"#{ident}-f1"
    assert doc.get_element_by_id(f"{ident}-f1").tag == "tr"
    dels = css(text, "del")
    assert [d.get("data-rule") for d in dels] == ["ART005", "ART001"]
    assert dels[0].text_content() == "Buy now!"
    assert dels[1].text_content() == "<ad>click</ad>"
    # The artifact's own finding sits inside the struck-through span.
    assert css(dels[0], "mark")[0].get("data-finding") == "2"


def test_no_text_view_without_display(doc):
    sections = css(doc, "section.article")
    knee = sections[1]
    assert not css(knee, "div.text") and not css(knee, "details.textview")
    assert len(css(knee, "tr.finding")) == 5
    assert "No findings." in sections[3].text_content()
    assert len(css(doc, "div.text")) == 1


def test_long_text_is_not_truncated():
    text = "word " * 60_000 + "END"
    a = article("long.txt", [finding("SPELL001", "spelling", "warning", excerpt="END")],
                display={"text": text, "marks": [{"start": len(text) - 3, "end": len(text), "finding": 0}],
                         "removed": []})
    d = parse(render_html(make_report([a])))
    assert css(d, "div.text")[0].text_content() == text
    assert css(d, "div.text mark")[0].text_content() == "END"


# --- dashboard ------------------------------------------------------------------------


def tile(doc, key: str) -> str:
    return css(doc, f'[data-tile="{key}"] .big')[0].text_content()


def test_dashboard_totals(doc):
    assert tile(doc, "articles") == "4"
    assert tile(doc, "words") == "400"
    assert tile(doc, "findings") == "12"
    assert (tile(doc, "error"), tile(doc, "warning"), tile(doc, "info")) == ("5", "6", "1")
    assert "1 baselined" in css(doc, '[data-tile="findings"]')[0].text_content()
    assert tile(doc, "claims") == "50%"  # 3 of 6 claims carry a source
    assert "3 of 6" in css(doc, '[data-tile="claims"]')[0].text_content()


def test_category_chart(doc):
    bars = {g.get("data-category"): int(g.get("data-count")) for g in css(doc, "#category-chart g.bar")}
    assert bars == {"artifact": 1, "spelling": 3, "link": 3, "review": 2, "claim": 3}


def test_most_overdue_reviews(doc):
    rows = css(doc, "#overdue tbody tr")
    assert [r.get("data-days") for r in rows] == ["800", "400"]  # the knee's review is not due yet
    assert "2022-09-16" in rows[0].text_content() and "front matter: last_reviewed" in rows[0].text_content()
    assert css(rows[0], "a")[0].text_content() == "Heel pain"


def test_most_common_misspellings_sum_counts_across_articles(doc):
    rows = css(doc, "#misspellings tbody tr")
    got = [(r.get("data-word"), r.get("data-times"), css(r, "td")[3].text_content()) for r in rows]
    assert got == [("definately", "5", "2"), ("recieve", "1", "1")]
    assert "definitely" in rows[0].text_content()


def test_broken_links_by_domain(doc):
    rows = css(doc, "#domains tbody tr")
    assert [(r.get("data-domain"), r.get("data-count")) for r in rows] == [
        ("broken.example.org", "2"), ("slow.example.net", "1")]
    assert "LINK001" in rows[0].text_content()


def test_empty_report_renders():
    d = parse(render_html(make_report([])))
    assert tile(d, "articles") == "0"
    assert not css(d, "section.article")
    assert "No findings." in d.get_element_by_id("dashboard").text_content()


# --- filters --------------------------------------------------------------------------


def test_filters_exist_and_everything_is_visible_without_js(doc):
    boxes = css(doc, "input[data-filter]")
    sev = [b.get("value") for b in boxes if b.get("data-filter") == "severity"]
    cat = [b.get("value") for b in boxes if b.get("data-filter") == "category"]
    assert sev == ["error", "warning", "info"]
    assert cat == ["artifact", "spelling", "link", "review", "claim"]
    assert all(b.get("checked") is not None for b in boxes)
    # The script shows the filter bar; without it nothing is hidden and no dead controls show.
    assert doc.get_element_by_id("filters").get("hidden") is not None
    for el in css(doc, "tr.finding, mark, section.article, #priority-table tr"):
        assert el.get("hidden") is None


# --- safety ---------------------------------------------------------------------------


def payload_report() -> Report:
    text = f"Intro {PAYLOAD} middle {PAYLOAD} end"
    first = text.index(PAYLOAD)
    second = text.index(PAYLOAD, first + 1)
    findings = [
        finding("SPELL001", "spelling", "warning", f"bad {PAYLOAD}", excerpt=PAYLOAD, suggestions=[PAYLOAD],
                evidence={"word": PAYLOAD, "count": 2, "note": PAYLOAD}),
        finding("ART001", "artifact", "warning", PAYLOAD, excerpt=PAYLOAD),
        finding("LINK001", "link", "error", PAYLOAD, evidence={"url": f"https://evil.example/{PAYLOAD}"}),
    ]
    a = article(
        f"corpus/{PAYLOAD}.md", findings, title=f"Title {PAYLOAD}",
        display={"text": text,
                 "marks": [{"start": first, "end": first + len(PAYLOAD), "finding": 0},
                           {"start": second, "end": second + len(PAYLOAD), "finding": 1}],
                 "removed": [{"start": second, "end": second + len(PAYLOAD), "rule": f"ART001{PAYLOAD}"}]},
        stats={"days_overdue": 100, "claims": {"total": 1, "supported": 0}},
        meta_=meta(authors=[PAYLOAD], reviewed_by=[PAYLOAD], last_reviewed=PAYLOAD,
                   found_in={"authors": PAYLOAD, "last_reviewed": PAYLOAD}),
    )
    return make_report([a])


def test_article_payloads_are_inert():
    page = render_html(payload_report())
    d = parse(page)
    scripts = css(d, "script")
    assert len(scripts) == 1 and scripts[0].get("src") is None and scripts[0].get("type") is None
    assert scripts[0].text == html_report._SCRIPT
    assert page.count("</script>") == 1 and page.count("<script") == 1
    assert "<!--" not in page and "<img" not in page
    for el in d.iter():
        if not isinstance(el.tag, str):  # comments, processing instructions
            pytest.fail(f"unexpected node {el!r}")
        assert el.tag not in {"img", "iframe", "object", "embed", "base", "link", "frame", "form", "input"} or (
            el.tag == "input" and el.get("type") == "checkbox")
        for name in el.attrib:
            assert not name.lower().startswith("on"), (el.tag, name)
    # Escaped, not dropped: every payload is there as visible text.
    text = css(d, "div.text")[0].text_content()
    assert text == f"Intro {PAYLOAD} middle {PAYLOAD} end"
    body = d.body.text_content()
    for p in PAYLOADS:
        assert p in body
    assert f"Title {PAYLOAD}" in css(d, "section.article h3")[0].text_content()
    title = css(d, "div.text mark")[0].get("title")
    assert PAYLOAD in title  # the attribute holds the message, escaped, and ends where it should


def test_content_security_policy(page, doc):
    head = doc.head
    metas = css(head, 'meta[http-equiv="Content-Security-Policy"]')
    assert len(metas) == 1
    # Before anything that could load or run.
    assert list(head).index(metas[0]) <= 1
    csp = metas[0].get("content")
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    assert directives["default-src"] == ["'none'"]
    assert directives["img-src"] == ["data:"]
    assert directives["style-src"] == ["'unsafe-inline'"]
    digest = base64.b64encode(hashlib.sha256(css(doc, "script")[0].text.encode()).digest()).decode()
    assert directives["script-src"] == [f"'sha256-{digest}'"]
    assert "'unsafe-inline'" not in directives["script-src"]


RESOURCE_ATTRS = {"src", "action", "data", "poster", "srcset", "background", "formaction",
                  "xlink:href", "manifest", "cite", "longdesc", "ping", "style"}


@pytest.mark.parametrize("which", ["corpus", "payload"])
def test_no_network_resources(which, page):
    doc = parse(page if which == "corpus" else render_html(payload_report()))
    for el in doc.iter():
        for name, value in el.attrib.items():
            if name == "href":
                assert value.startswith("#"), value  # only links inside the page
            elif name in RESOURCE_ATTRS and not (name == "style" and re.fullmatch(r"width:\d+%", value)):
                pytest.fail(f"{el.tag} has {name}={value!r}")
            if name in ("title", "aria-label") or el.get("http-equiv"):
                continue  # messages (text, never loaded), and the CSP itself (checked above)
            assert not re.search(r"(?i)\b(https?|ftp|file|javascript|data):|//[a-z0-9]", value), (el.tag, name)
    style = css(doc, "style")[0].text
    assert "url(" not in style and "@import" not in style and "@font-face" not in style
    assert not css(doc, "link, base, img, iframe, object, embed, audio, video, source, image, use")


def test_cited_urls_appear_as_text_not_links():
    page = render_html(payload_report())
    d = parse(page)
    assert "evil.example" in d.get_element_by_id("domains").text_content()
    assert all(a.get("href", "").startswith("#") for a in css(d, "a"))


# --- robustness of the text view ------------------------------------------------------


def test_bad_display_entries_are_ignored():
    f = [finding("SPELL001", "spelling", "warning", excerpt="abc")]
    display = {"text": "abc def",
               "marks": [{"start": 0, "end": 3, "finding": 0}, {"start": 0, "end": 3, "finding": 7},
                         {"start": 5, "end": 2, "finding": 0}, {"start": -5, "end": 99, "finding": "0"},
                         {"start": None, "end": 3, "finding": 0}, "junk"],
               "removed": [{"start": 4, "end": 400, "rule": "ART001"}, {"start": 3, "end": 3, "rule": "X"}]}
    d = parse(render_html(make_report([article("a.md", f, display=display)])))
    t = css(d, "div.text")[0]
    assert t.text_content() == "abc def"
    assert [m.text_content() for m in css(t, "mark")] == ["abc"]
    assert [x.text_content() for x in css(t, "del")] == ["def"]


def test_lone_surrogates_do_not_break_the_page():
    text = "bad \udcff byte"
    a = article("a.txt", [], title="x\ud800", display={"text": text, "marks": [], "removed": []})
    page = render_html(make_report([a]))
    page.encode("utf-8")  # must be writable as UTF-8
    assert css(parse(page), "div.text")[0].text_content() == "bad \ufffd byte"


def char_layers(text_div) -> list[tuple[frozenset[int], bool]]:
    """For each character of the text view: the findings marking it and whether it is struck through."""
    out: list[tuple[frozenset[int], bool]] = []

    def walk(el, marks: frozenset[int], struck: bool) -> None:
        if el.tag == "mark":
            marks = marks | {int(el.get("data-finding"))}
        if el.tag == "del":
            struck = True
        for ch in el.text or "":
            out.append((marks, struck))
        for child in el:
            walk(child, marks, struck)
            for ch in child.tail or "":
                out.append((marks, struck))

    walk(text_div, frozenset(), False)
    return out


spans = st.tuples(st.integers(0, 40), st.integers(0, 40)).map(sorted)


@settings(max_examples=150, deadline=None)
@given(marks=st.lists(spans, max_size=6), removed=st.lists(spans, max_size=3))
def test_overlapping_marks_nest_properly_and_cover_exactly_their_spans(marks, removed):
    text = "abcdefghij" * 4
    findings = [finding("SPELL001", "spelling", "warning", excerpt="x") for _ in marks]
    display = {"text": text,
               "marks": [{"start": s, "end": e, "finding": i} for i, (s, e) in enumerate(marks)],
               "removed": [{"start": s, "end": e, "rule": "ART001"} for s, e in removed]}
    a = article("a.md", findings, display=display)
    page = render_html(make_report([a]))
    div = css(parse(page), "div.text")[0]
    assert div.text_content() == text
    layers = char_layers(div)
    assert len(layers) == len(text)
    for pos, (got_marks, struck) in enumerate(layers):
        want = frozenset(i for i, (s, e) in enumerate(marks) if s <= pos < e)
        assert got_marks == want, pos
        assert struck == any(s <= pos < e for s, e in removed), pos
    ident = div.getparent().getparent().get("id")
    for i, (s, e) in enumerate(marks):
        frags = css(div, f'mark[data-finding="{i}"]')
        if e > s:
            # One id (the row links to it) and one number (linking back to the row) per finding.
            assert [f.get("id") for f in frags if f.get("id")] == [f"{ident}-m{i}"]
            assert len(css(div, f'a.ref[href="#{ident}-f{i}"]')) == 1
        else:
            assert not frags

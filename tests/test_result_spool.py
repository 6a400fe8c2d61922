"""The result spool: findings wait on disk, renderers see exactly what the audit made."""

from __future__ import annotations

import datetime as dt
import gc
import os
from dataclasses import replace

import pytest

from medreview.model import ArticleResult, Finding, Severity, pack, unpack
from medreview.render import Report, render_csv, render_json, render_markdown, render_terminal
from medreview.render.html_report import render_html
from medreview.result_spool import ResultSpool


def _finding(rule: str, line: int, fp: str, severity: Severity = Severity.WARNING) -> Finding:
    return Finding(rule=rule, category="spelling" if rule.startswith("SPELL") else "link", severity=severity,
                   message=f"message of {rule}", line=line, column=1, end_line=line, end_column=5,
                   excerpt=f"text {fp}", fingerprint=fp)


def _result(n: int, findings: int = 3, display: bool = False) -> ArticleResult:
    return ArticleResult(
        path=f"a{n}.md", format="markdown", title=f"Article {n}",
        meta={"authors": [], "reviewed_by": [], "published": None, "updated": None, "last_reviewed": None,
              "found_in": {}},
        findings=[_finding("SPELL001", 2 * i + 1, f"fp{n}-{i}") for i in range(findings)],
        words=100 + n, stats={"id": f"a{n}.md", "line": 1},
        links=[{"url": f"https://example.org/{n}", "anchor": "x", "line": 1, "column": 1, "end_line": 1,
                "end_column": 2}],
        display={"text": f"body {n}", "marks": [], "removed": []} if display else None,
    )


def test_reads_back_what_was_appended_in_order_and_by_index():
    spool = ResultSpool()
    originals = [_result(n, findings=n % 4, display=True) for n in range(25)]
    for r in originals:
        spool.append(r)
    assert len(spool) == 25 and spool
    assert list(spool) == [replace(r, display=None) for r in originals]  # passes leave the text out
    assert spool[7] == originals[7] and spool[-1] == originals[-1]  # by index, all of it
    with pytest.raises(IndexError):
        spool[25]


def test_packed_results_are_stored_as_they_came_and_read_back_the_same():
    """A worker's packed result (model.pack) and the plain one read back alike, totals included."""
    plain, packed = ResultSpool(), ResultSpool()
    originals = [_result(n, findings=n % 4, display=n % 2 == 0) for n in range(9)]
    for r in originals:
        plain.append(r)
        packed.append(pack(r))
    assert [packed[n] for n in range(9)] == [plain[n] for n in range(9)] == originals
    assert list(packed) == list(plain)
    assert packed.finding_totals() == plain.finding_totals() and sum(packed.finding_totals().values()) == 12
    assert packed.light()[0].packed is None and packed.light()[0].findings == []


def test_pack_and_unpack_round_trip():
    r = _result(3, findings=2, display=True)
    p = pack(r)
    assert p.findings == [] and p.display is None and p.packed.rules() == {"SPELL001"}
    assert dict(p.packed.kinds) == {(Severity.WARNING, "spelling", "SPELL001"): 2}
    assert pack(p) is p and unpack(r) is r
    assert unpack(p) == r


def test_light_results_wait_on_disk_and_only_those_got_by_index_are_kept():
    """A pass over the light results holds one at a time; one got by index is kept, so findings the
    link stage appends to it are merged in on reading, and counted."""
    spool = ResultSpool()
    for n in range(5):
        spool.append(_result(n))
    light = spool.light()
    assert len(light) == 5 and [r.path for r in light] == [f"a{n}.md" for n in range(5)]
    assert next(iter(light)) is not next(iter(light))  # read anew: nothing is kept by a pass
    assert light[2] is light[2] is spool.light()[-3]  # got by index: kept
    light[2].findings.append(_finding("LINK001", 4, "late", Severity.ERROR))
    assert [f.fingerprint for f in spool[2].findings] == ["fp2-0", "fp2-1", "late", "fp2-2"]
    assert [f.rule for f in list(spool)[2].findings].count("LINK001") == 1
    assert list(light)[2].findings[-1].fingerprint == "late"  # a pass sees the kept one
    assert spool.finding_totals()[(Severity.ERROR, "link", "LINK001")] == 1
    assert [r.path for r in light.kept()] == ["a2.md"]  # what late suppression has to look at
    with pytest.raises(IndexError):
        light[5]


def test_light_part_holds_no_findings_or_display():
    spool = ResultSpool()
    spool.append(_result(1, display=True))
    light = spool.light()[0]
    assert light.findings == [] and light.display is None
    assert light.links and light.words == 101 and light.title == "Article 1"


def test_findings_added_to_the_light_part_are_merged_in_line_order():
    """The link stage appends to the light result; reading back merges and sorts as the stage did."""
    spool = ResultSpool()
    spool.append(_result(1, findings=3))  # lines 1, 3, 5
    spool.light()[0].findings.append(_finding("LINK001", 4, "link-fp", Severity.ERROR))
    merged = spool[0]
    assert [(f.line, f.rule) for f in merged.findings] == [(1, "SPELL001"), (3, "SPELL001"), (4, "LINK001"),
                                                          (5, "SPELL001")]


def test_baselined_fingerprints_are_marked_on_reading():
    spool = ResultSpool()
    spool.append(_result(1))
    spool.mark_baselined({"fp1-1": "a1.md"})
    assert [f.baselined for f in spool[0].findings] == [False, True, False]
    assert [f.baselined for f in next(iter(spool)).findings] == [False, True, False]


def test_nested_passes_each_read_the_whole_spool():
    spool = ResultSpool()
    for n in range(5):
        spool.append(_result(n))
    pairs = [(a.path, b.path) for a in spool for b in spool]
    assert len(pairs) == 25


def test_appending_after_a_read_keeps_both():
    spool = ResultSpool()
    spool.append(_result(0))
    assert [r.path for r in spool] == ["a0.md"]
    spool.append(_result(1))
    assert [r.path for r in spool] == ["a0.md", "a1.md"] and spool[1].findings[0].fingerprint == "fp1-0"


def test_temporary_file_is_removed_on_close_and_when_collected(tmp_path):
    spool = ResultSpool(folder=str(tmp_path))
    spool.append(_result(0, display=True))
    assert len(os.listdir(tmp_path)) == 3  # findings, light results and displays
    spool.close()
    assert os.listdir(tmp_path) == []
    other = ResultSpool(folder=str(tmp_path))
    other.append(_result(0))
    del other
    gc.collect()
    assert os.listdir(tmp_path) == []


def test_every_renderer_gives_the_same_text_from_a_spool_as_from_a_list():
    results = [_result(n, findings=n % 3, display=True) for n in range(12)]
    as_list = Report(version="t", as_of=dt.date(2026, 1, 1), fail_on="warning", articles=list(results))
    spool = ResultSpool()
    for r in results:
        spool.append(r)
    spooled = Report(version="t", as_of=dt.date(2026, 1, 1), fail_on="warning", articles=spool)  # type: ignore[arg-type]
    for render in (render_json, render_markdown, render_terminal, render_csv, render_html):
        assert render(spooled) == render(as_list), render.__name__
    assert spooled.summary() == as_list.summary()
    assert spooled.failed and as_list.failed


def test_sealed_report_counts_once():
    spool = ResultSpool()
    spool.append(_result(0, findings=2))
    report = Report(version="t", as_of=dt.date(2026, 1, 1), fail_on="error", articles=spool)  # type: ignore[arg-type]
    report.seal()
    spool.light()[0].findings.append(_finding("LINK001", 9, "late", Severity.ERROR))
    assert report.summary()["findings"] == 2 and not report.failed  # sealed: counted before the change
    report.seal()
    assert report.summary()["findings"] == 3 and report.failed


def test_a_finding_encoded_in_the_worker_writes_the_same_json_as_one_encoded_late():
    import json

    f = _finding("REVIEW001", 3, "fp-x")
    f.evidence = {"due": dt.date(2023, 9, 10), "quote": "“curly” and \"straight\"", "n": [1, 2.5, None]}
    late = f.json_text()
    f.encode_json()
    assert f.json_text() == late and json.loads(late)["baselined"] is False
    f.baselined = True  # a baseline marks it after it was encoded
    assert json.loads(f.json_text()) == {**json.loads(late), "baselined": True}


def test_html_marks_still_point_at_their_findings_after_link_findings_are_merged():
    spool = ResultSpool()
    result = _result(1, findings=2, display=True)  # SPELL001 at lines 1 and 3
    result.display["marks"] = [{"start": 0, "end": 4, "finding": 0}, {"start": 5, "end": 9, "finding": 1}]
    spool.append(result)
    spool.light()[0].findings.append(_finding("LINK001", 1, "link-fp", Severity.ERROR))  # sorts in between
    merged = spool[0]
    assert [merged.findings[m["finding"]].fingerprint for m in merged.display["marks"]] == ["fp1-0", "fp1-1"]


def test_markdown_ends_with_a_newline_after_the_clean_articles():
    report = Report(version="t", as_of=dt.date(2026, 1, 1), fail_on="error",
                    articles=[_result(0, findings=1), _result(1, findings=0)])
    text = render_markdown(report)
    assert text.endswith("## No findings\n\n- a1.md\n")


def test_summary_and_reports_with_a_baseline_match_a_list():
    from medreview.baseline import apply_baseline

    results = [_result(n, findings=3) for n in range(6)]
    accepted = {"fp1-0": "a1.md", "fp2-2": "a2.md", "gone": "a3.md"}
    as_list = Report(version="t", as_of=dt.date(2026, 1, 1), fail_on="warning", articles=list(results))
    spool = ResultSpool()
    for r in [_result(n, findings=3) for n in range(6)]:
        spool.append(r)
    spooled = Report(version="t", as_of=dt.date(2026, 1, 1), fail_on="warning", articles=spool)  # type: ignore[arg-type]
    assert apply_baseline(as_list, accepted) == apply_baseline(spooled, accepted) == (2, 1)  # "gone" was in a3.md
    spooled.seal()
    assert spooled.summary() == as_list.summary() and spooled.summary()["baselined"] == 2
    assert render_json(spooled) == render_json(as_list)

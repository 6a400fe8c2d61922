"""report.junit.xml: one test case per article, for CI test-report views.

<testsuites name="medreview"> holds one <testsuite name="medreview"> with one
<testcase> per article (per record, for a multi-article file):

- classname: the article's path with "/" turned into "." (as CI tools group
  test classes); name: the record id for a record of a multi-article file,
  else the article's title, else its file name.
- <failure type="medreview" message="2 errors, 1 warning">: the article has
  findings at or above --fail-on (never: none fail); its text lists them as
  `line:col severity RULE message`.
- <error type="medreview.unreadable">: the same, for a file or record that
  could not be read (stats["failed"]): the check could not run at all, which
  is what JUnit's <error> means. An unreadable article whose input finding is
  below --fail-on (or baselined, or disabled) is not an error, so the XML
  fails exactly when the run does.
- <system-out>: every other finding (lower severity, or baselined; a
  baselined finding never fails a test case).

The element tree is built with xml.etree.ElementTree, which escapes markup;
characters XML 1.0 cannot carry at all (control characters, lone
surrogates) become U+FFFD. Validated in the tests against the Jenkins
xunit-plugin junit-10.xsd.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from functools import lru_cache
from pathlib import PurePath

from ..model import ArticleResult, Finding, RuleInfo
from .report import FAIL_RANK, Report


@lru_cache(maxsize=1)
def _not_xml() -> re.Pattern[str]:
    """Everything outside XML 1.0's Char production. Compiled on first use: the astral range takes
    ~6 ms, paid by every run that imports the renderers, most of which write no JUnit."""
    return re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(text: object) -> str:
    return _not_xml().sub("\ufffd", str(text))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 or word == "info" else f"{n} {word}s"


def _line(f: Finding) -> str:
    mark = " [baselined]" if f.baselined else ""
    return f"{f.line}:{f.column} {f.severity.value} {f.rule} {f.message}{mark}"


def _case_name(article: ArticleResult) -> str:
    article_id = str(article.stats.get("id") or article.path)
    if article_id != article.path:
        return article_id.split("#", 1)[1] if "#" in article_id else article_id
    return article.title or PurePath(article.path).name or article.path


def _counts(findings: list[Finding], fail_on: str) -> str:
    by_sev = {"error": 0, "warning": 0, "info": 0}
    for f in findings:
        by_sev[f.severity.value] += 1
    parts = [_plural(by_sev["error"], "error"), _plural(by_sev["warning"], "warning")]
    if by_sev["info"] or fail_on == "info":
        parts.append(_plural(by_sev["info"], "info"))
    return ", ".join(parts)


def to_junit(report: Report) -> ET.Element:
    bar = FAIL_RANK[report.fail_on]
    time = f"{max(report.elapsed, 0.0):.3f}"
    suites = ET.Element("testsuites", name="medreview")
    suite = ET.SubElement(suites, "testsuite", name="medreview")
    props = ET.SubElement(suite, "properties")
    for key, value in (("medreview", report.version), ("as_of", report.as_of.isoformat()),
                       ("fail_on", report.fail_on)):
        ET.SubElement(props, "property", name=key, value=_xml_text(value))
    failures = errors = 0
    for article in report.articles:
        case = ET.SubElement(suite, "testcase", classname=_xml_text(article.path.replace("/", ".")),
                             name=_xml_text(_case_name(article)))
        failing: list[Finding] = []
        others: list[Finding] = []
        for f in article.findings:
            (failing if not f.baselined and f.severity.rank >= bar else others).append(f)
        if failing:
            if article.stats.get("failed"):
                errors += 1
                tag, kind = "error", "medreview.unreadable"
            else:
                failures += 1
                tag, kind = "failure", "medreview"
            element = ET.SubElement(case, tag, type=kind, message=_xml_text(_counts(failing, report.fail_on)))
            element.text = _xml_text("\n".join(_line(f) for f in failing))
        if others:
            ET.SubElement(case, "system-out").text = _xml_text("\n".join(_line(f) for f in others))
    counts = {"tests": str(len(report.articles)), "failures": str(failures), "errors": str(errors)}
    suites.attrib.update(counts, time=time)
    suite.attrib.update(counts, skipped="0", time=time)
    return suites


def render_junit(report: Report, rules: list[RuleInfo] | None = None) -> str:
    """The report as JUnit XML (UTF-8); `rules` is unused."""
    root = to_junit(report)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"

"""report.sarif: SARIF 2.1.0 for code-scanning dashboards (GitHub, GitLab, IDE viewers).

One run, tool `medreview`, every rule's metadata in tool.driver.rules and one
result per finding, located in the file an editor opens to fix it. Columns
count Unicode code points (Python string indices), so the run says
`columnKind: unicodeCodePoints`. An inline-suppressed finding never reaches the
report, so there are no `suppressions` here; a baselined one is reported with
`baselineState: unchanged` when the run used a baseline.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from ..model import ArticleResult, Finding, RuleInfo, Severity
from .report import Report

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
# SARIF's levels: our `info` is SARIF's `note`.
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def is_url(path: str) -> bool:
    return bool(_URL.match(path))


def relative_path(path: str, cwd: Path | None = None) -> str:
    """`path` relative to the current directory, with forward slashes.

    A path outside the current directory comes back absolute (forward slashes);
    a relative one is only normalised (`./a/b` -> `a/b`).
    """
    p = Path(path)
    if p.is_absolute():
        base = Path.cwd() if cwd is None else cwd
        for candidate, root in ((p, base), (Path(os.path.realpath(p)), Path(os.path.realpath(base)))):
            try:
                p = candidate.relative_to(root)
                break
            except ValueError:
                continue
        else:
            return p.as_posix()
    parts = [part for part in p.parts if part != "."]
    return PurePosixPath(*parts).as_posix() if parts else "."


def artifact_location(path: str, cwd: Path | None = None) -> dict[str, str]:
    """A SARIF artifactLocation: relative to %SRCROOT% when under it, else an absolute URI."""
    if is_url(path):
        return {"uri": path}
    rel = relative_path(path, cwd)
    if PurePosixPath(rel).is_absolute() or rel == ".." or rel.startswith("../"):
        return {"uri": Path(os.path.abspath(path)).as_uri()}
    return {"uri": quote(rel, safe="/"), "uriBaseId": SRCROOT}


def json_safe(value: Any) -> Any:
    """Evidence as plain JSON: dates as ISO strings, no NaN, string keys, lists not tuples."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        return [json_safe(v) for v in items]
    return str(value)


def _descriptor(rule: RuleInfo) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.name or rule.id,
        "shortDescription": {"text": rule.summary or rule.name or rule.id},
        "defaultConfiguration": {"level": LEVELS[Severity(rule.severity)]},
        "properties": {"category": rule.category, "tags": [rule.category]},
    }


def _region(f: Finding) -> dict[str, Any]:
    line, column = max(f.line, 1), max(f.column, 1)
    region: dict[str, Any] = {"startLine": line, "startColumn": column}
    # SARIF's endColumn is the column just past the region, as ours is.
    if (f.end_line, f.end_column) >= (line, column) and f.end_column >= 1:
        region["endLine"] = f.end_line
        region["endColumn"] = f.end_column
    if f.excerpt:
        region["snippet"] = {"text": f.excerpt}
    return region


def _record(article: ArticleResult) -> str | None:
    """The record id of one article of a multi-article file (JSON lines), else None."""
    article_id = article.stats.get("id")
    if not article_id or article_id == article.path:
        return None
    return str(article_id).split("#", 1)[1] if "#" in str(article_id) else str(article_id)


def _result(article: ArticleResult, f: Finding, index: int, baseline_used: bool) -> dict[str, Any]:
    properties: dict[str, Any] = {"category": f.category}
    if f.suggestions:
        properties["suggestions"] = list(f.suggestions)
    if f.evidence:
        properties["evidence"] = json_safe(f.evidence)
    record = _record(article)
    if record is not None:
        properties["record"] = record
    result: dict[str, Any] = {
        "ruleId": f.rule,
        "ruleIndex": index,
        "level": LEVELS[f.severity],
        "message": {"text": f.message or f.rule},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": artifact_location(article.path),
                "region": _region(f),
            },
        }],
    }
    if f.fingerprint:
        result["partialFingerprints"] = {"medreview/v1": f.fingerprint}
    if baseline_used:
        result["baselineState"] = "unchanged" if f.baselined else "new"
    result["properties"] = properties
    return result


def to_sarif(report: Report, rules: list[RuleInfo], baseline_used: bool = False) -> dict[str, Any]:
    descriptors = [_descriptor(r) for r in rules]
    index: dict[str, int] = {}
    for i, d in enumerate(descriptors):
        index.setdefault(d["id"], i)
    results = []
    for article, f in report.findings():
        if f.rule not in index:  # a rule the registry does not list: describe it from the finding
            index[f.rule] = len(descriptors)
            descriptors.append({"id": f.rule, "properties": {"category": f.category, "tags": [f.category]}})
        results.append(_result(article, f, index[f.rule], baseline_used))
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [{
            "tool": {"driver": {"name": "medreview", "version": report.version, "rules": descriptors}},
            "invocations": [{"executionSuccessful": True}],
            "columnKind": "unicodeCodePoints",
            "results": results,
            "properties": {"as_of": report.as_of.isoformat(), "fail_on": report.fail_on},
        }],
    }


def render_sarif(report: Report, rules: list[RuleInfo], baseline_used: bool = False) -> str:
    """The report as a SARIF 2.1.0 log; `rules` is every rule's metadata (all_rules(config))."""
    return json.dumps(to_sarif(report, rules, baseline_used), ensure_ascii=False, indent=2) + "\n"

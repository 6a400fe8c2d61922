"""Baselines: today's accepted findings, so CI fails only on new ones.

`medreview baseline PATH… --output .medreview-baseline.json` records the
fingerprint of every finding; `medreview audit --baseline FILE` then marks
findings whose fingerprint is listed as `baselined`: they are still reported,
but never fail the run. A fingerprint hashes the rule, the article and the
finding's normalised text (medreview.model.fingerprint), never its line, so
editing elsewhere in a file keeps it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .model import canonical_id
from .render.atomic import write_atomic
from .render.report import Report

FORMAT_VERSION = 1


class BaselineError(Exception):
    """A baseline file that cannot be read: a usage error (exit 2)."""


def load_baseline(path: Path) -> dict[str, str]:
    """fingerprint -> the canonical id of the article it was found in."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BaselineError(f"{path}: baseline file not found (create it with `medreview baseline`)") from None
    except (OSError, UnicodeDecodeError) as e:
        raise BaselineError(f"{path}: cannot read baseline: {e}") from None
    except json.JSONDecodeError as e:
        raise BaselineError(f"{path}: baseline is not valid JSON ({e.msg}, line {e.lineno})") from None
    if not isinstance(data, dict) or data.get("medreview_baseline") != FORMAT_VERSION:
        raise BaselineError(f"{path}: not a medreview baseline (version {FORMAT_VERSION})")
    findings = data.get("findings", [])
    if not isinstance(findings, list) or not all(isinstance(f, dict) and "fingerprint" in f for f in findings):
        raise BaselineError(f"{path}: baseline 'findings' must be a list of objects with a fingerprint")
    return {str(f["fingerprint"]): canonical_id(str(f.get("path", ""))) for f in findings}


def apply_baseline(report: Report, fingerprints: dict[str, str]) -> tuple[int, int]:
    """Mark baselined findings; return (baselined findings seen, baselined findings of the audited
    articles that are gone). Findings of articles this run did not audit (--changed-since) are neither."""
    seen = set()
    mark = getattr(report.articles, "mark_baselined", None)
    if mark is not None:  # a ResultSpool: findings are read back from disk, marked as they are read
        mark(fingerprints)
    for _, f in report.findings():
        if f.fingerprint in fingerprints:
            f.baselined = True
            seen.add(f.fingerprint)
    report.baseline_used = True
    audited = {canonical_id(a.stats.get("id", a.path)) for a in report.articles}
    audited |= {canonical_id(a.path) for a in report.articles}
    gone = sum(1 for fp, where in fingerprints.items() if fp not in seen and where in audited)
    return len(seen), gone


def baseline_json(report: Report) -> dict[str, Any]:
    entries = []
    for article, f in report.findings():
        entries.append({"fingerprint": f.fingerprint, "rule": f.rule,
                        "path": canonical_id(article.stats.get("id", article.path)), "excerpt": f.excerpt[:80]})
    entries.sort(key=lambda e: (e["path"], e["rule"], e["fingerprint"]))
    return {"medreview_baseline": FORMAT_VERSION, "medreview": report.version,
            "as_of": report.as_of.isoformat(), "findings": entries}


def write_baseline(report: Report, path: Path) -> int:
    data = baseline_json(report)
    write_atomic(path, json.dumps(data, ensure_ascii=False, indent=1) + "\n")
    return len(data["findings"])

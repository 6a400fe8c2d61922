"""report.md: a readable summary and every finding, grouped by article."""

from __future__ import annotations

from typing import Iterator

from .report import Report


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(report: Report) -> str:
    return "".join(iter_markdown(report))


def iter_markdown(report: Report) -> Iterator[str]:
    """report.md in pieces: the summary, then an article at a time, most severe first."""
    s = report.summary()
    sev = s["by_severity"]
    out = [
        "# medreview report",
        "",
        f"Audited **{s['articles']}** articles ({s['words']:,} words) as of {report.as_of.isoformat()}, "
        f"medreview {report.version}.",
        "",
        f"**{s['findings']}** findings: {sev['error']} errors, {sev['warning']} warnings, {sev['info']} info."
        + (f" **{s['unreadable']}** files or records could not be read." if s["unreadable"] else ""),
        "",
        f"Verdict with `--fail-on {report.fail_on}`: **{'FAIL' if s['failed'] else 'PASS'}**."
        + (f" {s['baselined']} findings are in the baseline and do not fail the run." if s["baselined"] else "")
        + (f" {s['suppressed']} findings suppressed inline." if s["suppressed"] else ""),
        "",
    ]
    if s["by_category"]:
        out += ["| category | findings |", "|---|---:|"]
        out += [f"| {cat} | {n} |" for cat, n in s["by_category"].items()]
        out.append("")
    yield "\n".join(out)
    # Only (weight, path, position) is kept per article; each is read again when its turn comes.
    weights = [(-sum(f.severity.rank ** 2 for f in a.findings), a.path, n, bool(a.findings))
               for n, a in enumerate(report.articles)]
    weights.sort()
    for _, _, n, has_findings in weights:
        if not has_findings:
            continue
        a = report.articles[n]
        out = []
        name = a.stats.get("id", a.path)
        title = f" — {a.title}" if a.title else ""
        out += [f"## {name}{title}", ""]
        m = a.meta
        facts = []
        if m.get("authors"):
            facts.append(f"by {', '.join(m['authors'])}")
        if m.get("reviewed_by"):
            facts.append(f"reviewed by {', '.join(m['reviewed_by'])}")
        if m.get("last_reviewed"):
            facts.append(f"last reviewed {m['last_reviewed']}")
        if facts:
            line = "; ".join(facts)
            out += [line[:1].upper() + line[1:], ""]
        out += ["| line:col | severity | rule | finding | excerpt |", "|---|---|---|---|---|"]
        for f in a.findings:
            out.append(
                f"| {f.line}:{f.column} | {f.severity.value} | {f.rule} | {_cell(f.message)} | {_cell(f.excerpt)} |"
            )
        out.append("")
        yield "\n" + "\n".join(out)
    clean = [n for _, _, n, has_findings in sorted(weights, key=lambda w: w[2]) if not has_findings]
    if clean:
        wanted = set(clean)  # their names, in one pass over the light results (no findings to read back)
        names = {n: a.stats.get("id", a.path) for n, a in enumerate(report.light()) if n in wanted}
        yield "\n" + "\n".join(["## No findings", ""] + [f"- {names[n]}" for n in clean] + [""])

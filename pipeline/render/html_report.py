"""report.html: one self-contained page an editor opens in any browser, offline.

What it holds, top to bottom:

- a corpus **dashboard**: articles audited, words, findings by severity and
  by category (an inline SVG bar chart), the most overdue medical reviews,
  the most common misspellings, link findings by domain and the share of
  health claims that carry a source;
- a **priority list**: every article ranked by its risk score (below), each
  linking to its own section;
- one **section per article**: title, file, authors, reviewer and dates (with
  where each was found), its findings table, and its readable text with every
  finding highlighted in place (``<mark>``, explained in its ``title`` and
  linked to its row) and every stripped artifact struck through (``<del>``
  labelled with the rule that stripped it);
- **filters** by category and severity: a small inline script hides finding
  rows, un-highlights their marks and hides articles with nothing left to
  show. ``report.html#hide=spelling,info`` opens with those filters off.
  Without JavaScript everything stays visible and the filters are not shown.

Risk score (worst first; ties by article id)::

    risk = 10 × errors + 3 × warnings + 1 × info
         + 5 × years past the medical review due date
         + 5 × unsupported statistics and absolute promises

Errors, warnings and info count an article's findings. Years past due are
``days_overdue / 365.25`` (0 when the review is not due). Unsupported
statistics and absolute promises are claim findings whose evidence ``type``
is ``statistic`` or ``absolute``: they count once as a finding and again
here, because a wrong number or a promised cure is what harms a reader most.
Baselined findings count 0 everywhere, overdue years included when the
review finding carrying them is baselined.

Safety: every string that comes from an article or a finding (titles, paths,
meta, messages, excerpts, suggestions, evidence, text) goes through
``html.escape(quote=True)``. The page also carries a strict
Content-Security-Policy: nothing loads from anywhere (``default-src 'none'``),
only the page's own script runs (``script-src`` names its SHA-256), and
images may only be ``data:`` URLs; so even an escaping bug could not run
article code. The report never references a network resource; URLs an
article cites appear as plain text.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any, Iterator
from urllib.parse import urlsplit

from ..model import CATEGORIES, ArticleResult, Finding, Severity
from .report import Report

SEVERITIES = ("error", "warning", "info")
SEVERITY_WEIGHT = {"error": 10, "warning": 3, "info": 1}
OVERDUE_YEAR_WEIGHT = 5
HIGH_RISK_CLAIM_WEIGHT = 5
HIGH_RISK_CLAIM_TYPES = ("statistic", "absolute")

RISK_FORMULA = (
    "risk = 10 × errors + 3 × warnings + 1 × info "
    "+ 5 × years past the medical review due date "
    "+ 5 × unsupported statistics and absolute promises"
)

_SURROGATES = re.compile("[\ud800-\udfff]")


def esc(value: Any) -> str:
    """Text or attribute value, escaped (quotes too); lone surrogates become U+FFFD."""
    text = "" if value is None else str(value)
    return html.escape(_SURROGATES.sub("\ufffd", text), quote=True)


# ----------------------------------------------------------------------------
# Figures


@dataclass(frozen=True)
class Risk:
    score: float
    errors: int
    warnings: int
    infos: int
    overdue_years: float
    high_risk_claims: int


def risk_of(article: ArticleResult) -> Risk:
    """The article's risk score, as the module docstring defines it."""
    counts: Counter[str] = Counter()
    claims = 0
    overdue_baselined = False
    overdue_live = False
    for f in article.findings:
        if f.category == "review" and isinstance(f.evidence.get("days_overdue"), (int, float)):
            if f.baselined:
                overdue_baselined = True
            else:
                overdue_live = True
        if f.baselined:
            continue
        counts[_sev(f)] += 1
        if f.category == "claim" and f.evidence.get("type") in HIGH_RISK_CLAIM_TYPES:
            claims += 1
    days = _days_overdue(article)
    years = 0.0
    if days and days > 0 and not (overdue_baselined and not overdue_live):
        years = days / 365.25
    score = (
        SEVERITY_WEIGHT["error"] * counts["error"]
        + SEVERITY_WEIGHT["warning"] * counts["warning"]
        + SEVERITY_WEIGHT["info"] * counts["info"]
        + OVERDUE_YEAR_WEIGHT * years
        + HIGH_RISK_CLAIM_WEIGHT * claims
    )
    return Risk(round(score, 1), counts["error"], counts["warning"], counts["info"], round(years, 1), claims)


def _sev(f: Finding) -> str:
    sev = f.severity
    return sev.value if isinstance(sev, Severity) else str(sev)


def _days_overdue(article: ArticleResult) -> float | None:
    days = article.stats.get("days_overdue")
    return days if isinstance(days, (int, float)) and not isinstance(days, bool) else None


def _name(article: ArticleResult) -> str:
    return str(article.stats.get("id") or article.path)


def _categories(report: Report) -> list[str]:
    present = {f.category for _, f in report.findings()}
    known = [c for c in CATEGORIES if c in present]
    return known + sorted(present - set(known))


def _misspellings(report: Report) -> list[tuple[str, int, int, str]]:
    """(word, times, articles, first suggestion) for SPELL001, most frequent first."""
    times: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = defaultdict(Counter)  # spellings of one word as written, by count
    articles: dict[str, set[int]] = defaultdict(set)
    fixes: dict[str, Counter[str]] = defaultdict(Counter)
    for n, a in enumerate(report.articles):
        for f in a.findings:
            if f.rule != "SPELL001":
                continue
            word = str(f.evidence.get("word") or f.excerpt or "").strip()
            if not word:
                continue
            key = word.lower()
            count = f.evidence.get("count")
            count = count if isinstance(count, int) and not isinstance(count, bool) and count > 0 else 1
            times[key] += count
            forms[key][word] += count
            articles[key].add(n)
            if f.suggestions:
                fixes[key][str(f.suggestions[0])] += 1
    ranked = sorted(times, key=lambda k: (-times[k], k))
    return [(forms[k].most_common(1)[0][0], times[k], len(articles[k]), fixes[k].most_common(1)[0][0] if fixes[k] else "")
            for k in ranked]


def _link_domains(report: Report) -> list[tuple[str, int, Counter[str], list[str]]]:
    """(host, findings, by severity, rules) for link findings, most findings first."""
    total: Counter[str] = Counter()
    by_sev: dict[str, Counter[str]] = defaultdict(Counter)
    rules: dict[str, set[str]] = defaultdict(set)
    for _, f in report.findings():
        if f.category != "link":
            continue
        url = str(f.evidence.get("url") or "")
        try:
            host = (urlsplit(url).hostname or "").lower()
        except ValueError:
            host = ""
        host = host or "(no host)"
        total[host] += 1
        by_sev[host][_sev(f)] += 1
        rules[host].add(f.rule)
    ranked = sorted(total, key=lambda h: (-total[h], h))
    return [(h, total[h], by_sev[h], sorted(rules[h])) for h in ranked]


def _claims(report: Report) -> tuple[int, int]:
    total = supported = 0
    for a in report.light():
        c = a.stats.get("claims")
        if isinstance(c, dict):
            total += int(c.get("total") or 0)
            supported += int(c.get("supported") or 0)
    return total, supported


# ----------------------------------------------------------------------------
# Page


def render_html(report: Report) -> str:
    """The whole report as one self-contained HTML page."""
    return "".join(iter_html(report))


def iter_html(report: Report) -> Iterator[str]:
    """The page in pieces: the dashboard and priority list, then an article at a time (each read
    back from the spool when its turn comes, so the page is never whole in memory)."""
    light = report.light()
    ranked = sorted(
        ((risk_of(a), n, light[n]) for n, a in enumerate(report.articles)),
        key=lambda t: (-t[0].score, _name(t[2]), t[1]),
    )
    anchors = {n: f"a{rank}" for rank, (_, n, _) in enumerate(ranked, 1)}
    cats = _categories(report)
    script_hash = base64.b64encode(hashlib.sha256(_SCRIPT.encode("utf-8")).digest()).decode("ascii")
    csp = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        f"script-src 'sha256-{script_hash}'; base-uri 'none'; form-action 'none'"
    )
    s = report.summary()
    verdict = "FAIL" if s["failed"] else "PASS"
    out: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{esc(csp)}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>medreview report — {esc(report.as_of.isoformat())}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        '<header class="top">',
        f"<h1>medreview report</h1>",
        f'<p class="sub">Audited as of <b>{esc(report.as_of.isoformat())}</b> by medreview {esc(report.version)}'
        f" in {report.elapsed:.1f} s. Verdict with <code>--fail-on {esc(report.fail_on)}</code>: "
        f'<b class="verdict {verdict.lower()}">{verdict}</b>.</p>',
        '<nav class="toc"><a href="#dashboard">Dashboard</a> · <a href="#priority">Priority list</a> · '
        '<a href="#articles">Articles</a></nav>',
        "</header>",
        _filters(cats),
        "<main>",
        _dashboard(report, s, cats, anchors),
        _priority(ranked, anchors),
        '<section id="articles"><h2>Articles</h2>',
        '<p class="note">Worst first. In each text, highlights mark findings (hover for the message, the '
        "small number jumps to its row); struck-through passages are page artifacts the cleaner stripped, "
        "labelled with the rule that stripped them.</p>",
    ]
    yield "\n".join(out)
    for rank, (risk, n, _) in enumerate(ranked, 1):
        yield "\n" + _article(report.articles[n], anchors[n], rank, risk)
    yield "\n" + "\n".join([
        '<p class="empty-filter" id="nothing-left" hidden>No article has a finding left with these filters.</p>',
        "</section>",
        "</main>",
        f"<script>{_SCRIPT}</script>",
        "</body>",
        "</html>",
        "",
    ])


def _filters(cats: list[str]) -> str:
    def box(kind: str, value: str) -> str:
        cls = f" sev-{esc(value)}" if kind == "severity" else ""
        return (f'<label class="chip{cls}"><input type="checkbox" checked data-filter="{kind}" '
                f'value="{esc(value)}"> {esc(value)}</label>')

    return "\n".join([
        '<div class="filters" id="filters" role="group" hidden aria-label="Filters">',
        '<span class="flabel">Severity</span>',
        *(box("severity", v) for v in SEVERITIES),
        '<span class="flabel">Category</span>',
        *(box("category", c) for c in cats),
        '<button type="button" id="show-all">show all</button>',
        '<span class="count" id="filter-count"></span>',
        "</div>",
    ])


def _dashboard(report: Report, s: dict[str, Any], cats: list[str], anchors: dict[int, str]) -> str:
    sev = s["by_severity"]
    baselined = sum(1 for _, f in report.findings() if f.baselined)
    total_claims, supported = _claims(report)
    ratio = f"{supported / total_claims:.0%}" if total_claims else "—"
    tiles = [
        ("articles", f"{s['articles']:,}", "articles audited"
         + (f", {s['unreadable']:,} files or records unreadable" if s["unreadable"] else "")),
        ("words", f"{s['words']:,}", "words of cleaned text"),
        ("findings", f"{s['findings']:,}", "findings" + (f", {baselined:,} baselined" if baselined else "")),
        ("error", f"{sev.get('error', 0):,}", "errors"),
        ("warning", f"{sev.get('warning', 0):,}", "warnings"),
        ("info", f"{sev.get('info', 0):,}", "info"),
        ("claims", ratio, f"of health claims carry a source ({supported:,} of {total_claims:,})"),
    ]
    out = ['<section id="dashboard"><h2>Dashboard</h2>', '<div class="tiles">']
    for key, big, small in tiles:
        out.append(f'<div class="tile t-{key}" data-tile="{key}"><div class="big">{esc(big)}</div>'
                   f'<div class="small">{esc(small)}</div></div>')
    out.append("</div>")
    out.append('<div class="grid">')
    out.append(f'<div class="card"><h3>Findings by category</h3>{_category_chart(report, cats)}</div>')
    out.append(f'<div class="card"><h3>Most overdue medical reviews</h3>{_overdue(report, anchors)}</div>')
    out.append(f'<div class="card"><h3>Most common misspellings</h3>{_misspelling_table(report)}</div>')
    out.append(f'<div class="card"><h3>Link findings by domain</h3>{_domain_table(report)}</div>')
    out.append("</div></section>")
    return "\n".join(out)


_SEV_COLOUR = {"error": "#c62828", "warning": "#e0a100", "info": "#1e6fbf"}


def _category_chart(report: Report, cats: list[str]) -> str:
    if not cats:
        return '<p class="none">No findings.</p>'
    counts: dict[str, Counter[str]] = {c: Counter() for c in cats}
    for _, f in report.findings():
        counts[f.category][_sev(f)] += 1
    biggest = max(sum(c.values()) for c in counts.values()) or 1
    label_w, bar_w, row_h = 110, 380, 26
    height = row_h * len(cats) + 28
    parts = [f'<svg class="chart" id="category-chart" viewBox="0 0 {label_w + bar_w + 70} {height}" '
             f'width="{label_w + bar_w + 70}" height="{height}" role="img" '
             'aria-label="Findings by category and severity">']
    for i, cat in enumerate(cats):
        y = i * row_h
        total = sum(counts[cat].values())
        parts.append(f'<g class="bar" data-category="{esc(cat)}" data-count="{total}">')
        parts.append(f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end">{esc(cat)}</text>')
        x = float(label_w)
        for sv in SEVERITIES:
            n = counts[cat][sv]
            if not n:
                continue
            w = bar_w * n / biggest
            parts.append(f'<rect x="{x:.1f}" y="{y + 4}" width="{max(w, 1.5):.1f}" height="{row_h - 8}" '
                         f'fill="{_SEV_COLOUR[sv]}"><title>{esc(cat)}: {n} {sv}</title></rect>')
            x += w
        parts.append(f'<text x="{x + 6:.1f}" y="{y + 17}">{total:,}</text></g>')
    ly = row_h * len(cats) + 18
    lx = label_w
    for sv in SEVERITIES:
        parts.append(f'<rect x="{lx}" y="{ly - 10}" width="12" height="12" fill="{_SEV_COLOUR[sv]}"/>'
                     f'<text x="{lx + 16}" y="{ly}">{sv}</text>')
        lx += 90
    parts.append("</svg>")
    return "".join(parts)


def _years(days: float) -> str:
    return f"{days / 365.25:.1f} years" if days >= 365 else f"{days:.0f} days"


def _overdue(report: Report, anchors: dict[int, str]) -> str:
    rows = [(d, n, a) for n, a in enumerate(report.light()) if (d := _days_overdue(a)) is not None and d > 0]
    rows.sort(key=lambda t: (-t[0], _name(t[2])))
    if not rows:
        return '<p class="none">No medical review is overdue.</p>'
    out = ['<table class="mini" id="overdue"><thead><tr><th>article</th><th>last reviewed</th>'
           '<th class="num">overdue by</th></tr></thead><tbody>']
    for days, n, a in rows[:10]:
        last = a.meta.get("last_reviewed")
        where = (a.meta.get("found_in") or {}).get("last_reviewed")
        out.append(
            f'<tr data-days="{days:g}"><td><a href="#{anchors[n]}">{esc(a.title or _name(a))}</a></td>'
            f'<td>{esc(last or "—")}{_found(where)}</td><td class="num">{esc(_years(days))}</td></tr>')
    out.append("</tbody></table>")
    return "".join(out)


def _found(where: Any) -> str:
    return f' <span class="found">({esc(where)})</span>' if where else ""


def _misspelling_table(report: Report) -> str:
    rows = _misspellings(report)
    if not rows:
        return '<p class="none">No misspellings found.</p>'
    top = rows[0][1]
    out = ['<table class="mini" id="misspellings"><thead><tr><th>word</th><th>suggestion</th>'
           '<th class="num">times</th><th class="num">articles</th></tr></thead><tbody>']
    for word, times, n_articles, fix in rows[:15]:
        out.append(f'<tr data-word="{esc(word)}" data-times="{times}"><td><b>{esc(word)}</b></td><td>{esc(fix)}</td>'
                   f'<td class="num">{_bar(times, top)}{times:,}</td><td class="num">{n_articles:,}</td></tr>')
    out.append("</tbody></table>")
    if len(rows) > 15:
        out.append(f'<p class="note">and {len(rows) - 15:,} more words.</p>')
    return "".join(out)


def _domain_table(report: Report) -> str:
    rows = _link_domains(report)
    if not rows:
        return '<p class="none">No link findings (links were fine, or not checked: <code>--offline</code>).</p>'
    top = rows[0][1]
    out = ['<table class="mini" id="domains"><thead><tr><th>domain</th><th>rules</th>'
           '<th class="num">findings</th></tr></thead><tbody>']
    for host, total, by_sev, rules in rows[:15]:
        split = ", ".join(f"{by_sev[sv]} {sv}" for sv in SEVERITIES if by_sev[sv])
        out.append(f'<tr data-domain="{esc(host)}" data-count="{total}"><td>{esc(host)}</td>'
                   f'<td>{esc(" ".join(rules))}</td>'
                   f'<td class="num" title="{esc(split)}">{_bar(total, top)}{total:,}</td></tr>')
    out.append("</tbody></table>")
    if len(rows) > 15:
        out.append(f'<p class="note">and {len(rows) - 15:,} more domains.</p>')
    return "".join(out)


def _bar(n: float, top: float) -> str:
    pct = 100 * n / top if top else 0
    return f'<span class="hbar"><span style="width:{pct:.0f}%"></span></span>'


def _priority(ranked: list[tuple[Risk, int, ArticleResult]], anchors: dict[int, str]) -> str:
    top = ranked[0][0].score if ranked else 0
    out = [
        '<section id="priority"><h2>Priority list</h2>',
        f'<p class="formula">Ranked by <b>risk score</b>: <code>{esc(RISK_FORMULA)}</code>. '
        "Years past due are days overdue ÷ 365.25; statistics and absolute promises without a source count "
        "once as findings and again in the last term. Baselined findings count 0.</p>",
        '<table class="priority" id="priority-table"><thead><tr><th class="num">#</th><th class="num">risk</th>'
        '<th>article</th><th class="num">errors</th><th class="num">warnings</th><th class="num">info</th>'
        '<th class="num">years overdue</th><th class="num">unsupported stats / absolutes</th></tr></thead><tbody>',
    ]
    for rank, (risk, n, a) in enumerate(ranked, 1):
        title = f'<span class="ptitle">{esc(a.title)}</span>' if a.title else ""
        out.append(
            f'<tr data-article-row="{anchors[n]}" data-risk="{risk.score:g}"><td class="num">{rank}</td>'
            f'<td class="num">{_bar(risk.score, top)}<b>{risk.score:g}</b></td>'
            f'<td><a href="#{anchors[n]}">{esc(_name(a))}</a> {title}</td>'
            f'<td class="num">{risk.errors}</td><td class="num">{risk.warnings}</td><td class="num">{risk.infos}</td>'
            f'<td class="num">{risk.overdue_years:g}</td><td class="num">{risk.high_risk_claims}</td></tr>')
    out.append("</tbody></table></section>")
    return "\n".join(out)


# ----------------------------------------------------------------------------
# One article


def _article(a: ArticleResult, anchor: str, rank: int, risk: Risk) -> str:
    name = _name(a)
    heading = a.title or name
    out = [f'<section class="article" id="{anchor}" data-risk="{risk.score:g}">',
           f'<h3><span class="rank">#{rank}</span> {esc(heading)}</h3>',
           f'<p class="path"><code>{esc(name)}</code> · {esc(a.format)}'
           + (f" · line {esc(a.stats.get('line'))}" if a.stats.get("id") not in (None, a.path) else "")
           + f" · {a.words:,} words · risk <b>{risk.score:g}</b></p>"]
    out.append(_meta(a))
    display = getattr(a, "display", None)
    marked = _mark_ids(a, display)
    out.append(_findings_table(a, anchor, marked))
    if isinstance(display, dict) and isinstance(display.get("text"), str):
        removed = [r for r in display.get("removed") or [] if isinstance(r, dict)]
        out.append(f'<details class="textview" open><summary>Article text before cleaning — {len(marked)} '
                   f'finding{"s" if len(marked) != 1 else ""} in place, {len(removed)} stripped '
                   f'artifact{"s" if len(removed) != 1 else ""}</summary>')
        out.append(f'<div class="text">{_marked_text(a, display, anchor)}</div></details>')
    out.append(f'<p class="back"><a href="#priority">↑ priority list</a></p></section>')
    return "\n".join(out)


def _meta(a: ArticleResult) -> str:
    m = a.meta or {}
    found = m.get("found_in") or {}
    rows = []
    for key, label in (("authors", "Authors"), ("reviewed_by", "Medical reviewer"), ("published", "Published"),
                       ("updated", "Updated"), ("last_reviewed", "Last reviewed")):
        value = m.get(key)
        if isinstance(value, (list, tuple)):
            value = ", ".join(str(v) for v in value)
        shown = esc(value) if value else '<span class="missing">none found</span>'
        rows.append(f"<dt>{label}</dt><dd>{shown}{_found(found.get(key)) if value else ''}</dd>")
    days = _days_overdue(a)
    if days is not None:
        rows.append("<dt>Review</dt><dd>" + (f"overdue by {esc(_years(days))}" if days > 0
                                              else f"due in {esc(_years(-days))}" if days < 0 else "due today")
                    + "</dd>")
    claims = a.stats.get("claims")
    if isinstance(claims, dict) and claims.get("total"):
        rows.append(f"<dt>Claims</dt><dd>{esc(claims.get('supported', 0))} of {esc(claims.get('total'))} "
                    "carry a source</dd>")
    if a.stats.get("failed"):
        rows.append(f"<dt>Unreadable</dt><dd>{esc(a.stats.get('error') or 'could not be read')}</dd>")
    return f'<dl class="meta">{"".join(rows)}</dl>'


def _findings_table(a: ArticleResult, anchor: str, marked: set[int]) -> str:
    if not a.findings:
        return '<p class="none">No findings.</p>'
    out = ['<table class="findings"><thead><tr><th class="num">#</th><th>line:col</th><th>severity</th>'
           "<th>category</th><th>rule</th><th>finding</th><th>suggestions</th></tr></thead><tbody>"]
    for i, f in enumerate(a.findings):
        sev = _sev(f)
        where = (f'<a href="#{anchor}-m{i}" title="show in the text">{f.line}:{f.column}</a>' if i in marked
                 else f"{f.line}:{f.column}")
        excerpt = f'<div class="excerpt">“{esc(f.excerpt)}”</div>' if f.excerpt else ""
        evidence = ""
        if f.evidence:
            evidence = ('<details class="evidence"><summary>evidence</summary><pre>'
                        + esc(json.dumps(f.evidence, ensure_ascii=False, indent=1, default=str))
                        + "</pre></details>")
        base = ' <span class="baselined" title="accepted in the baseline: never fails a run">baselined</span>' \
            if f.baselined else ""
        sugg = ", ".join(f"<b>{esc(x)}</b>" for x in f.suggestions)
        out.append(
            f'<tr class="finding sev-{esc(sev)}" id="{anchor}-f{i}" data-category="{esc(f.category)}" '
            f'data-severity="{esc(sev)}"><td class="num">{i + 1}</td><td class="where">{where}</td>'
            f'<td><span class="sev sev-{esc(sev)}">{esc(sev)}</span>{base}</td><td>{esc(f.category)}</td>'
            f"<td><code>{esc(f.rule)}</code></td><td>{esc(f.message)}{excerpt}{evidence}</td>"
            f"<td>{sugg}</td></tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


@dataclass
class _Span:
    start: int
    end: int
    order: int  # ties: removed artifacts outside marks; earlier findings outside later ones
    kind: str  # "mark" | "del"
    finding: int = -1
    rule: str = ""
    opened: bool = False


def _spans(a: ArticleResult, display: dict[str, Any]) -> list[_Span]:
    length = len(display["text"])
    spans: list[_Span] = []

    def bounds(item: dict[str, Any]) -> tuple[int, int] | None:
        s, e = item.get("start"), item.get("end")
        if not isinstance(s, int) or not isinstance(e, int) or isinstance(s, bool) or isinstance(e, bool):
            return None
        s, e = max(0, min(s, length)), max(0, min(e, length))
        return (s, e) if e > s else None

    for r in display.get("removed") or []:
        if isinstance(r, dict) and (b := bounds(r)):
            spans.append(_Span(b[0], b[1], len(spans), "del", rule=str(r.get("rule") or "")))
    for m in display.get("marks") or []:
        if not isinstance(m, dict):
            continue
        n = m.get("finding")
        if isinstance(n, int) and not isinstance(n, bool) and 0 <= n < len(a.findings) and (b := bounds(m)):
            spans.append(_Span(b[0], b[1], len(spans), "mark", finding=n))
    return spans


def _mark_ids(a: ArticleResult, display: Any) -> set[int]:
    if not isinstance(display, dict) or not isinstance(display.get("text"), str):
        return set()
    return {s.finding for s in _spans(a, display) if s.kind == "mark"}


def _marked_text(a: ArticleResult, display: dict[str, Any], anchor: str) -> str:
    """The text, escaped, with marks and removals as properly nested elements.

    Spans may overlap without nesting; an element that must close while an
    inner one is still open is closed and reopened around it, so one finding
    can span several <mark> fragments (all share data-finding; the first has
    the id the findings table links to, the last carries the number linking back).
    """
    text: str = display["text"]
    spans = _spans(a, display)
    starts: dict[int, list[_Span]] = defaultdict(list)
    for sp in spans:
        starts[sp.start].append(sp)
    bounds = sorted({0, len(text)} | {sp.start for sp in spans} | {sp.end for sp in spans})
    first_id: set[int] = set()

    def open_tag(sp: _Span) -> str:
        if sp.kind == "del":
            return f'<del data-rule="{esc(sp.rule)}" title="stripped by {esc(sp.rule)}">'
        f = a.findings[sp.finding]
        sev = _sev(f)
        ident = ""
        if sp.finding not in first_id:
            first_id.add(sp.finding)
            ident = f' id="{anchor}-m{sp.finding}"'
        hover = f"{f.rule} ({sev}): {f.message}"
        if f.suggestions:
            hover += "\nSuggestions: " + ", ".join(str(x) for x in f.suggestions)
        return (f'<mark{ident} class="sev-{esc(sev)}" data-finding="{sp.finding}" data-category="{esc(f.category)}" '
                f'data-severity="{esc(sev)}" title="{esc(hover)}">')

    def close_tag(sp: _Span, final: bool) -> str:
        if sp.kind == "del":
            return "</del>"
        ref = (f'<a class="ref" href="#{anchor}-f{sp.finding}" data-n="{sp.finding + 1}" '
               f'aria-label="finding {sp.finding + 1}"></a>') if final else ""
        return ref + "</mark>"

    out: list[str] = []
    stack: list[_Span] = []
    pos = 0
    for b in bounds:
        if b > pos:
            out.append(esc(text[pos:b]))
            pos = b
        ending = [i for i, sp in enumerate(stack) if sp.end <= b]
        if ending:
            low = ending[0]
            reopen = []
            while len(stack) > low:
                sp = stack.pop()
                done = sp.end <= b
                out.append(close_tag(sp, done))
                if not done:
                    reopen.append(sp)
            for sp in reversed(reopen):
                out.append(open_tag(sp))
                stack.append(sp)
        # Longest first, so it is the outer element; dels outside marks at the same span.
        for sp in sorted(starts.get(b, ()), key=lambda s: (-s.end, s.kind != "del", s.order)):
            out.append(open_tag(sp))
            stack.append(sp)
    while stack:  # only spans ending at len(text) remain; closed above, but be safe
        sp = stack.pop()
        out.append(close_tag(sp, True))
    return "".join(out)


# ----------------------------------------------------------------------------
# Style and script (inline; the CSP allows exactly this script by its hash)

_CSS = """
:root{--err:#c62828;--warn:#b07d00;--info:#1e6fbf;--ink:#1d232b;--muted:#5d6875;--line:#d9dee4;--bg:#f6f7f9}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Liberation Sans","DejaVu Sans",sans-serif;
color:var(--ink);background:var(--bg)}
header.top{background:#20344d;color:#fff;padding:16px 28px 10px}
header.top h1{margin:0 0 4px;font-size:24px}
header.top .sub{margin:0;color:#d5dfeb}
header.top code{color:#fff}
nav.toc{margin-top:6px}
nav.toc a{color:#fff}
.verdict.fail{color:#ffb3b3}.verdict.pass{color:#b6f0b6}
main{padding:8px 28px 40px;max-width:1400px}
h2{font-size:20px;margin:26px 0 10px;border-bottom:2px solid var(--line);padding-bottom:4px}
h3{font-size:16px;margin:0 0 8px}
code{font-family:"DejaVu Sans Mono","Liberation Mono",monospace;font-size:.9em}
a{color:#1b5fa8}
.filters{position:sticky;top:0;z-index:5;background:#fff;border-bottom:1px solid var(--line);
padding:8px 28px;display:flex;flex-wrap:wrap;gap:6px;align-items:center;box-shadow:0 1px 4px rgba(0,0,0,.06)}
.filters .flabel{font-weight:600;margin-left:8px;color:var(--muted)}
.chip{border:1px solid var(--line);border-radius:14px;padding:1px 9px;cursor:pointer;user-select:none;background:#fafbfc}
.chip.sev-error{border-color:var(--err)}.chip.sev-warning{border-color:var(--warn)}.chip.sev-info{border-color:var(--info)}
.filters button{margin-left:10px}
.filters .count{color:var(--muted);margin-left:8px}
.tiles{display:flex;flex-wrap:wrap;gap:10px}
.tile{background:#fff;border:1px solid var(--line);border-radius:8px;padding:10px 16px;min-width:130px}
.tile .big{font-size:26px;font-weight:700}
.tile .small{color:var(--muted);font-size:13px;max-width:210px}
.t-error .big{color:var(--err)}.t-warning .big{color:var(--warn)}.t-info .big{color:var(--info)}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(430px,1fr));gap:14px;margin-top:14px}
.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:12px 16px;overflow:auto}
.chart{max-width:100%;height:auto;font-size:13px;fill:var(--ink)}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:13px;color:var(--muted);font-weight:600}
td.num,th.num{text-align:right;white-space:nowrap}
table.mini td{font-size:14px}
.hbar{display:inline-block;width:60px;height:8px;background:#eef1f4;margin-right:6px;vertical-align:middle;border-radius:2px}
.hbar span{display:block;height:100%;background:#7f95ad;border-radius:2px}
.priority .ptitle{color:var(--muted)}
.formula{background:#fff;border-left:4px solid #20344d;padding:6px 12px}
.note,.none,.found,.missing{color:var(--muted)}
.found{font-size:13px}
section.article{background:#fff;border:1px solid var(--line);border-radius:8px;padding:14px 18px;margin:16px 0}
section.article .rank{color:var(--muted);font-weight:400}
.path{margin:0 0 6px;color:var(--muted)}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:6px 0 12px}
dl.meta dt{color:var(--muted)}dl.meta dd{margin:0}
table.findings td{font-size:14px}
tr.finding td.where{white-space:nowrap}
.sev{display:inline-block;border-radius:3px;padding:0 6px;color:#fff;font-size:12px;font-weight:600}
.sev.sev-error{background:var(--err)}.sev.sev-warning{background:var(--warn)}.sev.sev-info{background:var(--info)}
.baselined{font-size:11px;color:var(--muted);border:1px solid var(--line);border-radius:3px;padding:0 4px}
.excerpt{color:var(--muted);font-size:13px;margin-top:2px}
.evidence summary{cursor:pointer;color:var(--muted);font-size:12px}
.evidence pre{font-size:12px;white-space:pre-wrap;margin:2px 0;background:var(--bg);padding:4px}
details.textview{margin-top:12px}
details.textview summary{cursor:pointer;font-weight:600}
.text{white-space:pre-wrap;overflow-wrap:anywhere;font:16px/1.65 Georgia,"DejaVu Serif","Liberation Serif",serif;
max-width:52em;padding:10px 14px;border:1px solid var(--line);border-radius:6px;background:#fffef9;margin-top:6px}
mark{background:transparent;color:inherit;border-radius:2px;padding:0 1px}
mark.sev-error{background:#ffd3d3;box-shadow:inset 0 -2px var(--err)}
mark.sev-warning{background:#fff0b8;box-shadow:inset 0 -2px #e0a100}
mark.sev-info{background:#dcebfb;box-shadow:inset 0 -2px var(--info)}
mark.off{background:transparent;box-shadow:none}
mark.off>a.ref{display:none}
mark:target{outline:2px solid #20344d}
tr.finding:target{outline:2px solid #20344d;background:#fffbe0}
a.ref{font:700 10px/1 system-ui,sans-serif;vertical-align:super;text-decoration:none;margin-left:1px}
a.ref::after{content:attr(data-n)}
del{color:#8a8f96;background:#f0f0f0;text-decoration:line-through}
del::before{content:attr(data-rule);font:600 10px/1 system-ui,sans-serif;color:#fff;background:#8a8f96;
border-radius:3px;padding:1px 3px;margin-right:3px;vertical-align:1px;display:inline-block;text-decoration:none}
.back{margin:8px 0 0;font-size:13px}
[hidden]{display:none!important}
@media print{.filters{display:none}section.article{break-inside:auto}}
"""

_SCRIPT = r"""
(function () {
  "use strict";
  var doc = document, root = doc.documentElement;
  var form = doc.getElementById("filters");
  var boxes = Array.prototype.slice.call(doc.querySelectorAll("input[data-filter]"));
  var rows = Array.prototype.slice.call(doc.querySelectorAll("tr.finding"));
  var marks = Array.prototype.slice.call(doc.querySelectorAll("mark[data-finding]"));
  var articles = Array.prototype.slice.call(doc.querySelectorAll("section.article"));
  var prio = {};
  Array.prototype.forEach.call(doc.querySelectorAll("[data-article-row]"), function (tr) {
    prio[tr.getAttribute("data-article-row")] = tr;
  });
  function hiddenSet() {
    var h = {};
    boxes.forEach(function (b) { if (!b.checked) { h[b.value] = true; } });
    return h;
  }
  function apply() {
    var h = hiddenSet(), names = Object.keys(h).sort(), any = names.length > 0, shown = 0, left = 0;
    function off(el) { return !!(h[el.getAttribute("data-category")] || h[el.getAttribute("data-severity")]); }
    rows.forEach(function (tr) { var o = off(tr); tr.hidden = o; if (!o) { shown += 1; } });
    marks.forEach(function (m) { m.classList.toggle("off", off(m)); });
    articles.forEach(function (s) {
      var hide = any && !s.querySelector("tr.finding:not([hidden])");
      s.hidden = hide;
      if (prio[s.id]) { prio[s.id].hidden = hide; }
      if (!hide) { left += 1; }
    });
    doc.getElementById("nothing-left").hidden = left > 0;
    doc.getElementById("filter-count").textContent =
      "showing " + shown + " of " + rows.length + " findings in " + left + " of " + articles.length + " articles";
    root.setAttribute("data-hidden", names.join(","));
    return names;
  }
  function fromHash() {
    var m = /^#hide=([^&]*)/.exec(window.location.hash || "");
    if (!m) { return; }
    var hide = {};
    decodeURIComponent(m[1]).split(",").forEach(function (v) { if (v) { hide[v] = true; } });
    boxes.forEach(function (b) { b.checked = !hide[b.value]; });
  }
  function toHash(names) {
    try {
      var url = window.location.pathname + window.location.search + (names.length ? "#hide=" + names.join(",") : "");
      window.history.replaceState(null, "", url);
    } catch (e) { /* file: URLs in some browsers refuse; filters still work */ }
  }
  boxes.forEach(function (b) { b.addEventListener("change", function () { toHash(apply()); }); });
  doc.getElementById("show-all").addEventListener("click", function () {
    boxes.forEach(function (b) { b.checked = true; });
    toHash(apply());
  });
  window.addEventListener("hashchange", function () {
    if (/^#hide=/.test(window.location.hash)) { fromHash(); apply(); }
  });
  fromHash();
  apply();
  form.hidden = false;
  root.setAttribute("data-medreview-ready", "1");
})();
"""

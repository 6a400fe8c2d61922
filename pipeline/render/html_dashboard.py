"""The HTML report's corpus dashboard (tiles, category chart, overdue reviews, misspellings,
link domains) and its priority list of articles by risk."""

from __future__ import annotations

from collections import Counter
from typing import Any

from ..model import ArticleResult
from .html_figures import (
    RISK_FORMULA,
    SEVERITIES,
    Risk,
    _claims,
    _days_overdue,
    _link_domains,
    _misspellings,
    _name,
    _sev,
)
from .html_markup import _found, _years, esc
from .report import Report

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



def _overdue(report: Report, anchors: dict[int, str]) -> str:
    # What the table shows of each overdue article, not the article: a pass holds one at a time.
    rows = [(d, _name(a), n, a.title, a.meta.get("last_reviewed"), (a.meta.get("found_in") or {}).get("last_reviewed"))
            for n, a in enumerate(report.light()) if (d := _days_overdue(a)) is not None and d > 0]
    rows.sort(key=lambda t: (-t[0], t[1]))
    if not rows:
        return '<p class="none">No medical review is overdue.</p>'
    out = ['<table class="mini" id="overdue"><thead><tr><th>article</th><th>last reviewed</th>'
           '<th class="num">overdue by</th></tr></thead><tbody>']
    for days, name, n, title, last, where in rows[:10]:
        out.append(
            f'<tr data-days="{days:g}"><td><a href="#{anchors[n]}">{esc(title or name)}</a></td>'
            f'<td>{esc(last or "—")}{_found(where)}</td><td class="num">{esc(_years(days))}</td></tr>')
    out.append("</tbody></table>")
    return "".join(out)



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

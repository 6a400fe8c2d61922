"""One article's section of the HTML report: heading, meta, findings table, and its text with
findings marked and stripped artifacts struck through."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from ..model import ArticleResult
from .html_figures import Risk, _days_overdue, _name, _sev
from .html_markup import _found, _years, esc

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

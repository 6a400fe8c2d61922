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

Where the parts live: this module assembles the page; ``html_figures`` counts
(the risk score, the corpus tallies), ``html_dashboard`` draws the dashboard
and the priority list, ``html_article`` one article's section, ``html_markup``
escapes, and ``html_assets`` holds the inline style and script.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Iterator

from ..model import ArticleResult
from .html_article import _article
from .html_assets import _CSS, _SCRIPT
from .html_dashboard import _dashboard, _priority
from .html_figures import (  # noqa: F401  (public names of this module, re-exported)
    HIGH_RISK_CLAIM_TYPES,
    HIGH_RISK_CLAIM_WEIGHT,
    OVERDUE_YEAR_WEIGHT,
    RISK_FORMULA,
    SEVERITIES,
    SEVERITY_WEIGHT,
    Risk,
    _categories,
    _name,
    risk_of,
)
from .html_markup import esc
from .report import Report


def render_html(report: Report) -> str:
    """The whole report as one self-contained HTML page."""
    return "".join(iter_html(report))


def iter_html(report: Report) -> Iterator[str]:
    """The page in pieces: the dashboard and priority list, then an article at a time (each read
    back from the spool when its turn comes, so the page is never whole in memory)."""
    # Each article's risk and what the priority list shows of it (name and title), not the article.
    ranked = sorted(
        ((risk_of(a), n, _head(a)) for n, a in enumerate(report.articles)),
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


def _head(a: ArticleResult) -> ArticleResult:
    """What the priority list reads of an article (its path, title and record id), without its
    findings, metadata or links: the list holds one for every article of the site."""
    return ArticleResult(path=a.path, format=a.format, title=a.title, meta={}, findings=[],
                         stats={"id": a.stats["id"]} if "id" in a.stats else {})


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

"""CITE: citation markers, the references they point to, and how far each source can be trusted.

Extraction (markers, reference sections, references, their links, DOIs and
PMIDs) is medreview.citations; this module judges what it found. Source
authority comes from the tiers of rules/sources.yml (domains and patterns),
which a team's pack or `[citations] tiers` extends: source_tiers.py reads and
matches them, citation_settings.py reads the options below.

Rules:
    CITE001  citation.missing-reference     warning  a marker cites a source the article does not list
             flags:  "… with simple self-care (2, 3)." in an article with no reference 2 or 3
                     "(Smith et al., 2019)" with no Smith 2019 in the references
             leaves: "(2, 3)" when references 2 and 3 exist; a marker that is itself a link
             One finding per cited source, on its number in the marker: the seed's
             "(1, 2, 3)" gives three findings, at "1", "2" and "3" (one per source the
             editor has to add). A range ("1–3") is one span for each number in it.
    CITE002  citation.uncited-reference     info     a reference no marker cites
             Only in an article that uses markers; an article that lists sources and
             never marks any gets CITE006 once instead of one CITE002 per reference.
    CITE003  citation.unverifiable-reference warning a reference with no link, DOI, PMID, PMCID or ISBN
             flags:  "Smith J. Stretching for sciatica. Spine Journal. 2019."
             leaves: "… 2019. doi:10.1097/BRS.0000000000003000"
    CITE004  citation.old-source            info     a source older than [citations] max_age_years
             Age is as_of's year minus the reference's latest year (years inside URLs
             and identifiers, and "accessed May 2021", do not count). An author-year
             marker that matches no reference is judged by its own year.
    CITE005  citation.low-authority-source  warning  a source in a low-trust tier (commercial, blog,
             forum, social media, content farm), in the references or linked inline
             flags:  a reference to backbuddyshop.com; "a thread on reddit.com says …" (linked)
             leaves: a link to nhs.uk; "Buy the cushion here" linking to a shop (not used as a
                     source: no cue such as "study", "according to", "says" in its sentence)
    CITE006  citation.unmarked-references   info     references listed, but no marker anywhere
             One per article, on the reference heading.

Deliberately not here: "an article of N+ words that makes claims but cites
nothing" needs the claim detector to know what a claim is; it belongs to the
claims check, which can call medreview.citations.extract_citations.

Options, in [citations] of medreview.toml:
    max_age_years = 10           # CITE004; 0 turns the age check off
    flag_trust = ["low"]         # which tier trust levels CITE005 reports
    inline_links = "cited"       # "cited": body links in a sentence that uses them as a source;
                                 # "all": every body link; "off": references only
    headings = ["Further reading"]   # more reference-section headings
    [citations.tiers.partner-clinics]  # add a tier, or override fields of a bundled one
    label = "partner clinic"
    trust = "high"
    domains = ["stridewellclinic.com"]
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Iterator, Sequence

from ..config import Config
from ..model import Article, Finding, RuleInfo, Severity
from .base import Context, finding_in_text
from .citation_settings import CitationSettings, citation_settings
from .source_tiers import DomainRule, Tier, _url_parts, classify_source, load_tiers

if TYPE_CHECKING:  # imported where used: a run the result cache answers never reads a citation
    from ..citations import Citations, Cite, Reference

CITE_RULES = [
    RuleInfo("CITE001", "citation.missing-reference", "citation", Severity.WARNING,
             "A citation marker points to a source the article does not list."),
    RuleInfo("CITE002", "citation.uncited-reference", "citation", Severity.INFO,
             "A reference is listed but never cited in the text."),
    RuleInfo("CITE003", "citation.unverifiable-reference", "citation", Severity.WARNING,
             "A reference has no link, DOI or PMID a reader could follow."),
    RuleInfo("CITE004", "citation.old-source", "citation", Severity.INFO,
             "A cited source is older than the evidence-age policy ([citations] max_age_years)."),
    RuleInfo("CITE005", "citation.low-authority-source", "citation", Severity.WARNING,
             "A source is a commercial site, blog, forum, social media post or content farm."),
    RuleInfo("CITE006", "citation.unmarked-references", "citation", Severity.INFO,
             "The article lists references but no statement points to any of them."),
]
CITE_BY_ID = {r.id: r for r in CITE_RULES}


class CitationCheck:
    family = "CITE"
    category = "citation"

    def rules(self, config: Config) -> list[RuleInfo]:
        citation_settings(config)  # a broken [citations] table or sources.yml is a config error up front
        return list(CITE_RULES)

    def check(self, article: Article, ctx: Context) -> Iterator[Finding]:
        from ..citations import extract_citations

        settings = citation_settings(ctx.config)
        cit = extract_citations(article, settings.headings)
        yield from self._missing(article, cit, settings, ctx)
        yield from self._references(article, cit, settings, ctx)
        yield from self._inline(article, cit, settings)

    # CITE001, and CITE004 for author-year markers no reference backs
    def _missing(self, article: Article, cit: Citations, settings: CitationSettings, ctx: Context) -> Iterator[Finding]:
        rule = CITE_BY_ID["CITE001"]
        listed = len(cit.references)
        for marker in cit.markers:
            if marker.url:
                continue  # the marker is a link to its own source
            seen: set[int | str] = set()
            for cite in marker.cites:
                if cite.value in seen or cit.resolve(cite) is not None:
                    continue
                seen.add(cite.value)
                evidence = {"cited": cite.value, "marker": marker.text, "references": listed}
                yield finding_in_text(article, rule, _missing_message(cite, listed), cite.start, cite.end,
                                      evidence=evidence)
                if cite.year and settings.max_age_years:
                    old = _age_finding(article, cite.start, cite.end, int(cite.year[:4]), settings, ctx,
                                       {"cited": cite.value})
                    if old is not None:
                        yield old

    # CITE002, CITE003, CITE004, CITE005, CITE006 on the references
    def _references(self, article: Article, cit: Citations, settings: CitationSettings, ctx: Context) -> Iterator[Finding]:
        has_markers = bool(cit.markers)
        listed = [r for r in cit.references if r.section is not None]
        if listed and not has_markers and cit.sections:
            section = cit.sections[0]
            n = len(listed)
            yield finding_in_text(
                article, CITE_BY_ID["CITE006"],
                f"The article lists {n} reference{'s' if n != 1 else ''}, but no statement points to "
                f"{'any of them' if n != 1 else 'it'}. Add markers such as [1] next to the statements each source supports.",
                section.heading_start, section.heading_end, evidence={"references": n})
        cited = cit.cited()
        for ref in cit.references:
            tiers = [(url, classify_source(url, settings.tiers)) for url in ref.urls]
            tier = next((t for _, t in tiers if t is not None), None)
            base = {"reference": _ref_name(ref)}
            if tier is not None:
                base["tier"] = tier.id
            if has_markers and ref.index not in cited:
                yield finding_in_text(
                    article, CITE_BY_ID["CITE002"],
                    f"{_ref_title(ref)} is never cited in the text. Cite it next to the statement it supports, or remove it.",
                    ref.start, ref.end, evidence=base)
            if not ref.checkable:
                yield finding_in_text(article, CITE_BY_ID["CITE003"],
                                      "Readers cannot check this reference: add a link, DOI or PMID.",
                                      ref.start, ref.end, evidence=base)
            if ref.year is not None and settings.max_age_years:
                old = _age_finding(article, ref.start, ref.end, ref.year, settings, ctx, base)
                if old is not None:
                    yield old
            low = next(((u, t) for u, t in tiers if t is not None and t.trust in settings.flag_trust), None)
            if low is not None:
                url, t = low
                yield _authority_finding(article, ref.start, ref.end, url, t, "reference", base)

    # CITE005 on links and URLs in the body
    def _inline(self, article: Article, cit: Citations, settings: CitationSettings) -> Iterator[Finding]:
        if settings.inline_links == "off":
            return
        marker_urls = {(m.start, m.end): m.url for m in cit.markers if m.url}
        for src in cit.inline:
            tier = classify_source(src.url, settings.tiers)
            if tier is None or tier.trust not in settings.flag_trust:
                continue
            is_marker = any(s < src.end and src.start < e for (s, e) in marker_urls)
            if settings.inline_links == "cited" and not is_marker and not _uses_as_source(article.text, src.start, src.end, settings.cues):
                continue
            yield _authority_finding(article, src.start, src.end, src.url, tier, "inline",
                                     {"anchor": src.anchor})


def _missing_message(cite: Cite, listed: int) -> str:
    value = cite.value
    if isinstance(value, int):
        return f"This cites source {value}, but the article has no reference {value}. Add the reference or remove the marker."
    if value.startswith("^"):
        label = value[1:]
        return f"This cites footnote {label}, but the article has no footnote {label}. Add the footnote or remove the marker."
    where = "the reference list has no matching entry" if listed else "the article has no reference list"
    return f"This cites {cite.author} ({cite.year}), but {where}. Add the reference or remove the citation."


def _ref_name(ref: Reference) -> int | str | None:
    return ref.number if ref.label is None and ref.number is not None else (ref.label or ref.key)


def _ref_title(ref: Reference) -> str:
    if ref.label:
        return f"Footnote {ref.label[1:]}"
    if ref.number is not None:
        return f"Reference {ref.number}"
    return "This reference"


def _age_finding(article: Article, start: int, end: int, year: int, settings: CitationSettings, ctx: Context,
                 evidence: dict[str, Any]) -> Finding | None:
    as_of = ctx.as_of
    age = as_of.year - year
    if age <= settings.max_age_years:
        return None
    return finding_in_text(
        article, CITE_BY_ID["CITE004"],
        f"This source is from {year}, {age} years before {as_of.isoformat()}; the evidence policy is "
        f"{settings.max_age_years} years. Check for newer evidence and update or replace it.",
        start, end,
        evidence={**evidence, "year": year, "age_years": age, "max_age_years": settings.max_age_years,
                  "as_of": as_of.isoformat()})


def _authority_finding(article: Article, start: int, end: int, url: str, tier: Tier, where: str,
                       evidence: dict[str, Any]) -> Finding:
    host = _url_parts(url)[0].removeprefix("www.")
    message = tier.message.format(label=tier.label, host=host, url=url)
    return finding_in_text(
        article, CITE_BY_ID["CITE005"], message, start, end,
        evidence={**evidence, "url": url, "host": host, "tier": tier.id, "tier_label": tier.label,
                  "trust": tier.trust, "where": where})


_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“(])|\n")


def _uses_as_source(text: str, start: int, end: int, cues: Sequence[str]) -> bool:
    """Whether the sentence around text[start:end] reads as citing it ("a study on reddit.com found …")."""
    left = max(0, start - 400)
    breaks = [m.end() for m in _SENTENCE_BREAK.finditer(text, left, start)]
    s = breaks[-1] if breaks else left
    m = _SENTENCE_BREAK.search(text, end, min(len(text), end + 400))
    e = m.start() if m else min(len(text), end + 400)
    sentence = text[s:e].lower()
    return any(re.search(rf"(?<![\w-]){re.escape(cue)}(?![\w-])", sentence) for cue in cues)


__all__ = [
    "CITE_BY_ID", "CITE_RULES", "CitationCheck", "CitationSettings", "DomainRule", "Tier",
    "citation_settings", "classify_source", "load_tiers",
]

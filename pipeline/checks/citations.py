"""CITE: citation markers, the references they point to, and how far each source can be trusted.

Extraction (markers, reference sections, references, their links, DOIs and
PMIDs) is medreview.citations; this module judges what it found. Source
authority comes from the tiers of rules/sources.yml (domains and patterns),
which a team's pack or `[citations] tiers` extends.

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

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterator, Mapping, Sequence
from urllib.parse import urlsplit

from ..citations import Citations, Cite, Reference, extract_citations, reference_identifiers
from ..config import Config, ConfigError
from ..model import Article, Finding, RuleInfo, Severity
from ..rulepacks import RulePackError, load_pack
from .base import Context, finding_in_text

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

TRUST_LEVELS = ("high", "medium", "low")
INLINE_MODES = ("cited", "all", "off")
SETTINGS_KEYS = ("max_age_years", "flag_trust", "inline_links", "headings", "tiers")
DEFAULT_MAX_AGE = 10
TIER_KEYS = ("id", "label", "trust", "message", "basis", "domains", "patterns", "strong_patterns", "flag", "keep")
# Words that make a sentence use its link as a source ("a study found", "according to").
DEFAULT_SOURCE_CUES = (
    "according to", "study", "studies", "research", "researchers", "trial", "trials", "review", "reviews",
    "evidence", "survey", "data", "report", "reports", "reported", "found", "finds", "shows", "showed",
    "shown", "suggests", "suggested", "source", "sources", "published", "experts", "scientists", "says",
    "say", "said", "guideline", "guidelines", "statistics", "paper", "journal", "analysis", "proven",
    "proves", "claims", "confirmed", "linked", "recommend", "recommends",
)


# --------------------------------------------------------------------------- tiers


@dataclass(frozen=True, slots=True)
class DomainRule:
    """One `domains` entry: "nih.gov", "*.gov", "amazon.*", "ncbi.nlm.nih.gov/pmc"."""

    host: str
    path: str = ""
    any_tld: bool = False

    @classmethod
    def parse(cls, entry: str) -> "DomainRule":
        e = re.sub(r"^[a-z]+://", "", entry.strip().lower())
        host, _, path = e.partition("/")
        host = host.removeprefix("*.").lstrip(".")
        any_tld = host.endswith(".*")
        if any_tld:
            host = host[:-2]
        if not host or "*" in host or " " in host:
            raise ValueError(f"{entry!r} is not a domain such as \"nih.gov\", \"*.gov\" or \"amazon.*\"")
        return cls(host, "/" + path.strip("/") if path.strip("/") else "", any_tld)

    def specificity(self, host: str, path: str) -> tuple[int, int, int] | None:
        """How closely this entry matches host+path (higher wins), or None when it does not."""
        if self.any_tld:
            if not re.search(rf"(?:^|\.){re.escape(self.host)}\.(?:[a-z]{{2,3}}\.)?[a-z]{{2,}}$", host):
                return None
        elif host != self.host and not host.endswith("." + self.host):
            return None
        if self.path:
            p = path.lower()
            if not (p == self.path or p.startswith(self.path + "/")):
                return None
        return (1 if self.path else 0, self.host.count(".") + 1 + (1 if self.any_tld else 0), len(self.path))


@dataclass(frozen=True, slots=True)
class Tier:
    id: str
    label: str
    trust: str  # high | medium | low
    message: str
    domains: tuple[DomainRule, ...] = ()
    patterns: tuple[re.Pattern[str], ...] = ()
    strong_patterns: tuple[re.Pattern[str], ...] = ()
    flag: tuple[str, ...] = ()
    keep: tuple[str, ...] = ()
    basis: str = ""


def _url_parts(url: str) -> tuple[str, str, str]:
    """(host, path, "host/path?query") of a URL, a bare domain, a DOI or a PMID."""
    u = url.strip()
    if m := re.match(r"^(?:doi:\s*)?(10\.\d{4,9}/\S+)$", u, re.I):
        return "doi.org", "/" + m.group(1), "doi.org/" + m.group(1)
    if m := re.match(r"^pmid:?\s*(\d+)$", u, re.I):
        return "pubmed.ncbi.nlm.nih.gov", f"/{m.group(1)}/", f"pubmed.ncbi.nlm.nih.gov/{m.group(1)}/"
    if "://" not in u:
        u = "http://" + u.lstrip("/")
    try:
        parts = urlsplit(u)
        host = (parts.hostname or "").lower().rstrip(".")
    except ValueError:
        return "", "", u.lower()
    path = parts.path or "/"
    target = host + path + (f"?{parts.query}" if parts.query else "")
    return host, path, target


def classify_source(url: str, tiers: Sequence[Tier]) -> Tier | None:
    """The tier a source URL belongs to, or None when no tier claims it.

    A strong pattern wins first (first tier in order), then the most specific
    `domains` entry, then a plain pattern (first tier in order).
    """
    host, path, target = _url_parts(url)
    if not host:
        return None
    for tier in tiers:
        if any(p.search(target) for p in tier.strong_patterns):
            return tier
    best: Tier | None = None
    best_spec: tuple[int, int, int] | None = None
    best_order = 0
    for order, tier, rule in _domain_candidates(host, tiers):
        spec = rule.specificity(host, path)
        if spec is not None and (best_spec is None or spec > best_spec or (spec == best_spec and order < best_order)):
            best, best_spec, best_order = tier, spec, order
    if best is not None:
        return best
    for tier in tiers:
        if any(p.search(target) for p in tier.patterns):
            return tier
    return None


_DOMAIN_INDEX: dict[int, tuple[Sequence[Tier], dict[str, list[tuple[int, Tier, DomainRule]]]]] = {}


def _domain_candidates(host: str, tiers: Sequence[Tier]) -> list[tuple[int, Tier, DomainRule]]:
    """The domain rules that can match `host`, looked up by its suffixes (and names for "name.*")."""
    cached = _DOMAIN_INDEX.get(id(tiers))
    if cached is None or cached[0] is not tiers:
        index: dict[str, list[tuple[int, Tier, DomainRule]]] = {}
        for order, tier in enumerate(tiers):
            for rule in tier.domains:
                key = rule.host + ".*" if rule.any_tld else rule.host
                index.setdefault(key, []).append((order, tier, rule))
        if len(_DOMAIN_INDEX) > 32:
            _DOMAIN_INDEX.clear()
        _DOMAIN_INDEX[id(tiers)] = cached = (tiers, index)
    index = cached[1]
    labels = host.split(".")
    found: list[tuple[int, Tier, DomainRule]] = []
    for i in range(len(labels)):
        found.extend(index.get(".".join(labels[i:]), ()))
        found.extend(index.get(".".join(labels[i:i + 1]) + ".*", ()))
    return found


def _as_list(value: Any, what: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{what} must be a list of strings")
    return list(value)


def _tier(tid: str, raw: Mapping[str, Any]) -> Tier:
    unknown = sorted(set(raw) - set(TIER_KEYS))
    if unknown:
        raise ValueError(f"unknown key {unknown[0]!r}; known keys: {', '.join(TIER_KEYS)}")
    trust = raw.get("trust", "medium")
    if trust not in TRUST_LEVELS:
        raise ValueError(f"trust must be high, medium or low, not {trust!r}")
    label = raw.get("label") or tid
    if not isinstance(label, str):
        raise ValueError("label must be text")
    message = raw.get("message") or "This source is a {label} ({host})."
    if not isinstance(message, str):
        raise ValueError("message must be text")
    try:
        message.format(label="", host="", url="")
    except (KeyError, IndexError, ValueError) as e:
        raise ValueError(f"message may use only {{label}}, {{host}} and {{url}} ({e})") from None

    def compiled(key: str) -> tuple[re.Pattern[str], ...]:
        out = []
        for p in _as_list(raw.get(key), key):
            try:
                out.append(re.compile(p, re.IGNORECASE))
            except re.error as e:
                raise ValueError(f"bad pattern {p!r} in {key}: {e}") from None
        return tuple(out)

    return Tier(
        id=tid, label=label, trust=trust, message=message,
        domains=tuple(DomainRule.parse(d) for d in _as_list(raw.get("domains"), "domains")),
        patterns=compiled("patterns"), strong_patterns=compiled("strong_patterns"),
        flag=tuple(_as_list(raw.get("flag"), "flag")), keep=tuple(_as_list(raw.get("keep"), "keep")),
        basis=str(raw.get("basis") or ""),
    )


def _tier_tables(value: Any, where: str) -> dict[str, dict[str, Any]]:
    """Tiers as {id: fields}, from a mapping of id -> table or a list of tables with `id`."""
    if value is None:
        return {}
    if isinstance(value, Mapping):
        out = {}
        for tid, fields in value.items():
            if not isinstance(fields, Mapping):
                raise ValueError(f"{where}: tier {tid!r} must be a table of fields")
            out[str(tid)] = {k: v for k, v in fields.items() if k != "id"}
        return out
    if isinstance(value, list):
        out = {}
        for n, fields in enumerate(value, 1):
            if not isinstance(fields, Mapping) or not isinstance(fields.get("id"), str) or not fields["id"].strip():
                raise ValueError(f"{where}: tier {n} needs an id")
            out[fields["id"]] = {k: v for k, v in fields.items() if k != "id"}
        return out
    raise ValueError(f"{where}: tiers must be a table of tiers by id, or a list of tiers with an id each")


def _build(tables: Mapping[str, Mapping[str, Any]], where: str) -> tuple[Tier, ...]:
    tiers = []
    for tid, fields in tables.items():
        try:
            tiers.append(_tier(tid, fields))
        except ValueError as e:
            raise ValueError(f"{where}: tier {tid}: {e}") from None
    return tuple(tiers)


@lru_cache(maxsize=8)
def _pack(extra_dirs: tuple[str, ...]) -> tuple[dict[str, dict[str, Any]], tuple[str, ...]]:
    pack = load_pack("sources", extra_dirs)
    try:
        tables = _tier_tables(pack.get("tiers"), "sources.yml")
        cues = tuple(c.lower() for c in _as_list(pack.get("source_cues"), "source_cues")) or DEFAULT_SOURCE_CUES
        _build(tables, "sources.yml")  # validate once
    except ValueError as e:
        raise RulePackError(str(e)) from None
    return tables, cues


def load_tiers(extra_dirs: tuple[str, ...] = (), overrides: Any = None) -> tuple[Tier, ...]:
    """The bundled tiers, extended by each pack folder's sources.yml, then by `overrides` ([citations] tiers).

    An override with an existing id replaces the fields it gives and keeps the rest;
    a new id adds a tier after the bundled ones.
    """
    tables, _ = _pack(tuple(extra_dirs))
    merged = {tid: dict(fields) for tid, fields in tables.items()}
    for tid, fields in _tier_tables(overrides, "[citations] tiers").items():
        merged[tid] = {**merged.get(tid, {}), **fields}
    return _build(merged, "[citations] tiers" if overrides else "sources.yml")


# --------------------------------------------------------------------------- settings


@dataclass(frozen=True, slots=True)
class CitationSettings:
    max_age_years: int = DEFAULT_MAX_AGE
    flag_trust: frozenset[str] = frozenset({"low"})
    inline_links: str = "cited"
    headings: tuple[str, ...] = ()
    tiers: tuple[Tier, ...] = ()
    cues: tuple[str, ...] = DEFAULT_SOURCE_CUES


def citation_settings(config: Config) -> CitationSettings:
    """The [citations] settings with the tiers loaded; ConfigError or RulePackError if they are wrong."""
    where = f"{config.source}: " if config.source else ""
    try:
        raw = config.section("citations")
    except (TypeError, ValueError):
        raise ConfigError(f"{where}[citations] must be a table") from None
    key = json.dumps(raw, sort_keys=True, default=str)
    return _settings(config.rule_dirs, key, where)


@lru_cache(maxsize=16)
def _settings(rule_dirs: tuple[str, ...], raw_json: str, where: str) -> CitationSettings:
    raw: dict[str, Any] = json.loads(raw_json)
    unknown = sorted(set(raw) - set(SETTINGS_KEYS))
    if unknown:
        raise ConfigError(f"{where}unknown key {unknown[0]!r} in [citations]; known keys: {', '.join(SETTINGS_KEYS)}")
    age = raw.get("max_age_years", DEFAULT_MAX_AGE)
    if isinstance(age, bool) or not isinstance(age, int) or age < 0:
        raise ConfigError(f"{where}[citations] max_age_years must be a whole number of years (0 turns it off), not {age!r}")
    flag_trust = raw.get("flag_trust", ["low"])
    if isinstance(flag_trust, str):
        flag_trust = [flag_trust]
    if not isinstance(flag_trust, list) or not all(t in TRUST_LEVELS for t in flag_trust):
        raise ConfigError(f"{where}[citations] flag_trust must be a list of high, medium or low")
    inline = raw.get("inline_links", "cited")
    if inline not in INLINE_MODES:
        raise ConfigError(f"{where}[citations] inline_links must be one of {', '.join(INLINE_MODES)}, not {inline!r}")
    headings = raw.get("headings", [])
    if not isinstance(headings, list) or not all(isinstance(h, str) and h.strip() for h in headings):
        raise ConfigError(f"{where}[citations] headings must be a list of heading texts")
    _, cues = _pack(rule_dirs)
    try:
        tiers = load_tiers(rule_dirs, raw.get("tiers"))
    except ValueError as e:
        raise ConfigError(f"{where}{e}") from None
    return CitationSettings(max_age_years=age, flag_trust=frozenset(flag_trust), inline_links=inline,
                            headings=tuple(headings), tiers=tiers, cues=cues)


# --------------------------------------------------------------------------- the check


class CitationCheck:
    family = "CITE"
    category = "citation"

    def rules(self, config: Config) -> list[RuleInfo]:
        citation_settings(config)  # a broken [citations] table or sources.yml is a config error up front
        return list(CITE_RULES)

    def check(self, article: Article, ctx: Context) -> Iterator[Finding]:
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
    "citation_settings", "classify_source", "load_tiers", "reference_identifiers",
]

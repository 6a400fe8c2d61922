"""Source tiers for the CITE rules: which tier (and so how much trust) a cited URL belongs to.

The tiers come from rules/sources.yml (domains and patterns), extended by each
team pack folder's sources.yml and by `[citations] tiers` (see
medreview.checks.citations for the options). The pack's `source_cues` (words
that make a sentence use its link as a source) are read here too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping, Sequence
from urllib.parse import urlsplit

from ..rulepacks import RulePackError, load_pack

TRUST_LEVELS = ("high", "medium", "low")
TIER_KEYS = ("id", "label", "trust", "message", "basis", "domains", "patterns", "strong_patterns", "flag", "keep")
# Words that make a sentence use its link as a source ("a study found", "according to").
DEFAULT_SOURCE_CUES = (
    "according to", "study", "studies", "research", "researchers", "trial", "trials", "review", "reviews",
    "evidence", "survey", "data", "report", "reports", "reported", "found", "finds", "shows", "showed",
    "shown", "suggests", "suggested", "source", "sources", "published", "experts", "scientists", "says",
    "say", "said", "guideline", "guidelines", "statistics", "paper", "journal", "analysis", "proven",
    "proves", "claims", "confirmed", "linked", "recommend", "recommends",
)



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

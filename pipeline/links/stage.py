"""The corpus-wide link stage: every distinct URL checked once, findings at every place it appears.

    results (every ArticleResult of the batch, with its located links)
       │  plan: normalise each link to a Target (DOIs and PMIDs through their
       │        resolvers); skip non-web links and skip_domains; LINK009 for
       │        links that cannot be checked
       ▼
    distinct URLs ── refused by the address policy? ── LINK007, no request
       │  cache: fresh results (age per kind) are used as they are
       ▼
    LinkChecker (unless --offline): the rest, concurrently, politely
       ▼
    findings appended to each ArticleResult, at each link's line and column

With --offline (config.offline) only the cache is used: a URL without a fresh
cached result gets no finding and is counted as not checked.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import datetime as dt
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Callable

from ..config import Config
from ..model import ArticleResult, Finding, RuleInfo, Severity, fingerprint
from .cache import CacheUnavailable, LinkCache
from .result import LinkResult
from .rules import LINK_RULES, RULE_FOR_KIND, message
from .safety import AddressPolicy
from .settings import LinkSettings, link_settings
from .urls import NotCheckable, Target, is_skipped_domain, target_for

_FLUSH_EVERY = 200      # results written to the cache in one transaction
_FLUSH_SECONDS = 5.0    # ... or at least this often


@dataclass
class LinkStats:
    """What the stage did, for the run summary."""

    enabled: bool = True
    offline: bool = False
    links: int = 0                 # link occurrences in the batch
    distinct: int = 0              # distinct URLs to check (after normalising)
    checked: int = 0               # distinct URLs checked over the network in this run
    from_cache: int = 0            # distinct URLs answered from the cache
    not_checked_offline: int = 0   # distinct URLs with no fresh cached result under --offline
    skipped: int = 0               # occurrences that are not web pages, or in skip_domains
    not_checkable: int = 0         # occurrences that cannot be checked (LINK009)
    by_kind: dict[str, int] = field(default_factory=dict)  # distinct URLs by result kind
    findings: int = 0              # findings added to articles
    requests: int = 0              # HTTP requests made
    seconds: float = 0.0
    cache: str | None = None       # the cache file used, if any
    notes: list[str] = field(default_factory=list)  # one line each, for stderr

    def to_json(self) -> dict[str, Any]:
        return {
            "enabled": self.enabled, "offline": self.offline, "links": self.links,
            "distinct_urls": self.distinct, "checked": self.checked, "from_cache": self.from_cache,
            "not_checked_offline": self.not_checked_offline, "skipped": self.skipped,
            "not_checkable": self.not_checkable, "by_kind": dict(sorted(self.by_kind.items())),
            "findings": self.findings, "requests": self.requests, "seconds": round(self.seconds, 3),
            "cache": self.cache, "notes": list(self.notes),
        }


@dataclass(slots=True)
class _Place:
    """One link occurrence: where it is, and what answers for it. A site has several per article,
    so a place holds no article and no link, only their positions (the link dicts held here made
    the CLI grow ~1 KB an article); the few links that get a finding are read again then."""

    index: int  # of the article in the batch
    link_no: int  # of the link in the article's `links`
    target: Target | None = None  # shared by the places with the same URL and kind
    local: LinkResult | None = None  # decided without the network (not checkable)


@dataclass(slots=True)
class _Plan:
    places: list[_Place] = field(default_factory=list)
    targets: dict[str, Target] = field(default_factory=dict)
    skipped: int = 0


def _base_url(result: ArticleResult) -> str | None:
    extra = (result.meta or {}).get("extra") or {}
    for key in ("url", "canonical", "canonical_url"):
        value = extra.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _plan(results: Sequence[ArticleResult], settings: LinkSettings) -> _Plan:
    plan = _Plan()
    shared: dict[Target, Target] = {}
    for index, result in enumerate(results):
        if result.stats.get("failed") or not result.links:
            continue
        base = _base_url(result)
        for link_no, link in enumerate(result.links):
            try:
                target = target_for(link, base, settings)
            except NotCheckable as e:
                written = _written(link)
                plan.places.append(_Place(index, link_no, local=LinkResult(
                    url=written, kind="not_checkable", reason=str(e), final_url=None)))
                continue
            if target is None or is_skipped_domain(target.host, settings):
                plan.skipped += 1
                continue
            target = shared.setdefault(target, target)
            plan.targets.setdefault(target.url, target)
            plan.places.append(_Place(index, link_no, target=target))
    return plan


def count_link_targets(results: Sequence[ArticleResult], config: Config) -> int:
    """How many distinct URLs run_link_stage will report progress for (a progress bar's length)."""
    settings = link_settings(config)
    if not settings.enabled or not _active_rules(config):
        return 0
    return len(_plan(results, settings).targets)


def _active_rules(config: Config) -> dict[str, tuple[RuleInfo, Severity]]:
    return {
        r.id: (r, config.severity_for(r.id, r.name, r.severity))
        for r in LINK_RULES if not config.is_disabled(r.id, r.name)
    }


def run_link_stage(results: Sequence[ArticleResult], config: Config,
                   progress: Callable[[int], None] | None = None) -> LinkStats:
    """Check every distinct link of the batch once and append LINK findings to the articles.

    `progress(n)` is called as n more distinct URLs are settled (from the
    cache, refused, or checked); they add up to count_link_targets(). Raises
    ConfigError for bad [links] settings (the CLI validates them up front).
    """
    started = time.perf_counter()
    settings = link_settings(config)
    stats = LinkStats(offline=config.offline)
    tick = progress or (lambda n: None)
    if not settings.enabled:
        stats.enabled = False
        stats.notes.append("links not checked: [links] enabled = false")
        return stats
    active = _active_rules(config)
    if not active:
        stats.enabled = False
        stats.notes.append("links not checked: every LINK rule is disabled")
        return stats

    plan = _plan(results, settings)
    stats.links = len(plan.places) + plan.skipped
    stats.skipped = plan.skipped
    stats.distinct = len(plan.targets)
    resolved: dict[str, LinkResult] = {}

    # Refused by the address policy without any lookup (IP literals, localhost): no request at all.
    policy = AddressPolicy(settings.allow_private, settings.allow_networks)
    for url, target in plan.targets.items():
        why = policy.refusal_for_host(target.host)
        if why:
            resolved[url] = LinkResult(url=url, kind="refused", reason=why, final_url=url)
    if resolved:
        tick(len(resolved))

    cache = _open_cache(settings, stats)
    try:
        todo = [t for url, t in plan.targets.items() if url not in resolved]
        if cache is not None and todo:
            try:
                cached = cache.fresh([t.url for t in todo])
            except CacheUnavailable as e:
                stats.notes.append(f"{e}; links were checked without it")
                cache, cached = None, {}
            resolved.update(cached)
            stats.from_cache = len(cached)
            if cached:
                tick(len(cached))
            todo = [t for t in todo if t.url not in cached]
        if config.offline:
            stats.not_checked_offline = len(todo)
            if todo:
                stats.notes.append(f"{len(todo)} links not checked (offline, no fresh cached result)")
                tick(len(todo))
        elif todo:
            cache = _check(todo, settings, resolved, cache, stats, tick)
    finally:
        if cache is not None:
            cache.close()

    stats.by_kind = dict(Counter(r.kind for r in resolved.values()))
    stats.findings = _report(results, plan, resolved, active, stats)
    stats.seconds = time.perf_counter() - started
    return stats


def _open_cache(settings: LinkSettings, stats: LinkStats) -> LinkCache | None:
    path = settings.cache_path
    if path is None:
        return None
    try:
        cache = LinkCache(path, settings.cache_ttl)
    except CacheUnavailable as e:
        stats.notes.append(f"{e}; links were checked without it")
        return None
    stats.cache = str(path)
    return cache


def _check(todo: list[Target], settings: LinkSettings, resolved: dict[str, LinkResult],
           cache: LinkCache | None, stats: LinkStats, tick: Callable[[int], None]) -> LinkCache | None:
    """Check over the network, saving to the cache as results come in (an interrupted run keeps them)."""
    batch: list[LinkResult] = []
    unanswered: list[LinkResult] = []  # no server answered: kept back until the network proves reachable
    last_flush = time.monotonic()

    def flush() -> None:
        nonlocal cache, last_flush
        if cache is not None and batch:
            try:
                cache.store(batch)
            except CacheUnavailable as e:
                stats.notes.append(f"{e}; results of this run were not saved")
                cache.close()
                cache = None
        batch.clear()
        last_flush = time.monotonic()

    def done(result: LinkResult) -> None:
        resolved[result.url] = result
        stats.checked += 1
        (batch if result.status is not None or result.kind == "refused" else unanswered).append(result)
        tick(1)
        if len(batch) >= _FLUSH_EVERY or time.monotonic() - last_flush >= _FLUSH_SECONDS:
            flush()

    try:
        from .checker import LinkChecker  # the HTTP stack (requests, ~0.1 s), only when checking

        with LinkChecker(settings) as checker:
            try:
                checker.check_all(todo, done)
            finally:
                stats.requests += checker.requests
        if _network_down(resolved, unanswered):
            # Not one server answered and every site name failed alike: the machine is
            # offline, not the web broken. Report nothing, cache nothing, say so once.
            for r in unanswered:
                resolved.pop(r.url, None)
            stats.not_checked_offline += len(unanswered)
            stats.notes.append(f"links not checked: none of {len(unanswered)} links' servers could be reached "
                               "or even looked up, so this machine seems to have no network; use --offline "
                               "to rely on cached results")
        else:
            batch.extend(unanswered)
    finally:
        flush()
    return cache


def _network_down(resolved: dict[str, LinkResult], unanswered: list[LinkResult]) -> bool:
    if len(unanswered) < 2 or any(r.status is not None for r in resolved.values()):
        return False
    hosts = {urlsplit(r.url).hostname for r in unanswered}
    return len(hosts) >= 2 and all(r.kind in ("broken", "timeout") for r in unanswered)


def _written(link: dict[str, Any]) -> str:
    """The link as the article wrote it: its URL, or "doi:…" / "pmid:…" for an identifier."""
    kind = str(link.get("kind") or "url").lower()
    if kind in ("doi", "pmid") and link.get("id"):
        return f"{kind}:{link['id']}"
    return str(link.get("url") or link.get("anchor") or "")


def _excerpt(link: dict[str, Any]) -> str:
    text = str(link.get("url") or link.get("id") or link.get("anchor") or "")
    text = " ".join(text.split())
    return text if len(text) <= 160 else text[:157] + "…"


def _report(results: Sequence[ArticleResult], plan: _Plan, resolved: dict[str, LinkResult],
            active: dict[str, tuple[RuleInfo, Severity]], stats: LinkStats) -> int:
    """Append a finding at every place whose link has something to report; returns how many.
    The articles that get one are taken by index (`results[i]`): a result spool keeps those."""
    added: dict[int, list[tuple[Finding, str]]] = {}
    for place in plan.places:
        if place.local is not None:
            stats.not_checkable += 1
            outcome, subject = place.local, "url"
        else:
            outcome = resolved.get(place.target.url)
            subject = place.target.kind
            if outcome is None:  # offline, not in the cache
                continue
        rule_id = RULE_FOR_KIND.get(outcome.kind)
        if rule_id is None or rule_id not in active:
            continue
        rule, severity = active[rule_id]
        link = results[place.index].links[place.link_no]
        line = int(link.get("line") or 1)
        column = int(link.get("column") or 1)
        suggestions = [outcome.suggestion] if outcome.kind == "redirect" and outcome.suggestion else []
        finding = Finding(
            rule=rule.id, category=rule.category, severity=severity,
            message=message(outcome.kind, subject, outcome.reason, outcome.suggestion),
            line=line, column=column,
            end_line=int(link.get("end_line") or line), end_column=int(link.get("end_column") or column),
            excerpt=_excerpt(link), suggestions=suggestions,
            evidence={
                "url": outcome.url if place.local is None else _written(link),
                "status": outcome.status,
                "kind": outcome.kind,
                "final_url": outcome.final_url,
                "checked": dt.datetime.fromtimestamp(outcome.checked, dt.timezone.utc).isoformat(timespec="seconds"),
                "from_cache": outcome.from_cache,
                "reason": outcome.reason,
            },
        )
        written = str(link.get("url") or link.get("id") or link.get("anchor") or "")
        added.setdefault(place.index, []).append((finding, written))

    count = 0
    for index, pairs in added.items():
        result = results[index]
        article_id = str(result.stats.get("id", result.path))
        seen: Counter[tuple[str, str]] = Counter()
        pairs.sort(key=lambda p: (p[0].line, p[0].column))
        for f, written in pairs:
            key = (f.rule, " ".join(written.lower().split()))
            f.fingerprint = fingerprint(article_id, f.rule, written, seen[key])
            seen[key] += 1
        findings = [f for f, _ in pairs]
        result.findings.extend(findings)
        result.findings.sort(key=lambda f: (f.line, f.column, f.rule))
        count += len(findings)
    return count


__all__ = ["LinkStats", "count_link_targets", "run_link_stage"]

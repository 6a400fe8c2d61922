"""The [links] settings: read once, validated, with a clear message for a bad value.

    [links]
    enabled = true                 # false: the link stage does not run
    allow_private = false          # true, or a list of networks such as ["127.0.0.0/8"]
    concurrency = 16               # requests in flight over the whole batch
    per_host = 2                   # requests in flight to one host
    delay = 0.5                    # seconds between the starts of two requests to one host
    timeout = 10                   # seconds to connect, and to wait for each read
    deadline = 60                  # seconds one link may take, redirects and retries included
    max_redirects = 5
    max_bytes = 1_000_000          # most of a page read to recognise a "page not found"
    retries = 2                    # more tries after 429 / 503
    retry_backoff = 1.0            # first wait when no Retry-After is sent; doubles each time
    max_retry_after = 30           # longest Retry-After honoured; longer = give up
    soft404 = true                 # GET and read HTML pages to catch "page not found" pages;
                                   # false: HEAD first, GET only where HEAD is refused
    cache_dir = ".medreview-cache" # relative to the current folder; "" = no cache
    cache_ttl = { ok = "7d", redirect = "7d", broken = "1d", soft404 = "1d",
                  redirect_loop = "1d", server_error = "6h", timeout = "6h", blocked = "6h" }
    doi_resolver = "https://doi.org/"
    pubmed_base = "https://pubmed.ncbi.nlm.nih.gov/"
    user_agent = "medreview/0.1.0 (+link check; editorial audit)"
    skip_domains = ["example.com"] # never checked (subdomains too)

Durations in cache_ttl are seconds (a number) or a number with a unit:
"45s", "30m", "6h", "7d", "2w". A single duration applies to every kind.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .. import __version__
from ..config import Config, ConfigError

DEFAULT_USER_AGENT = f"medreview/{__version__} (+link check; editorial audit)"
DEFAULT_DOI_RESOLVER = "https://doi.org/"
DEFAULT_PUBMED_BASE = "https://pubmed.ncbi.nlm.nih.gov/"
DEFAULT_CACHE_DIR = ".medreview-cache"

HOUR = 3600.0
DAY = 24 * HOUR
# How long a result of each kind is trusted before the link is checked again.
DEFAULT_TTL: dict[str, float] = {
    "ok": 7 * DAY,
    "redirect": 7 * DAY,
    "broken": 1 * DAY,
    "soft404": 1 * DAY,
    "redirect_loop": 1 * DAY,
    "server_error": 6 * HOUR,
    "timeout": 6 * HOUR,
    "blocked": 6 * HOUR,
}

SETTINGS_KEYS = (
    "enabled", "allow_private", "concurrency", "per_host", "delay", "timeout", "deadline",
    "max_redirects", "max_bytes", "retries", "retry_backoff", "max_retry_after", "soft404",
    "cache_dir", "cache_ttl", "doi_resolver", "pubmed_base", "user_agent", "skip_domains",
)

_UNITS = {"": 1.0, "s": 1.0, "m": 60.0, "h": HOUR, "d": DAY, "w": 7 * DAY}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$", re.I)
_DOMAIN = re.compile(r"^(?=.{1,253}$)[a-z0-9-]+(\.[a-z0-9-]+)*\.?$")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True, slots=True)
class LinkSettings:
    enabled: bool = True
    allow_private: bool = False
    allow_networks: tuple[Network, ...] = ()  # when allow_private is a list of networks
    concurrency: int = 16
    per_host: int = 2
    delay: float = 0.5
    timeout: float = 10.0
    deadline: float = 60.0
    max_redirects: int = 5
    max_bytes: int = 1_000_000
    retries: int = 2
    retry_backoff: float = 1.0
    max_retry_after: float = 30.0
    soft404: bool = True
    cache_dir: str = DEFAULT_CACHE_DIR
    cache_ttl: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_TTL))
    doi_resolver: str = DEFAULT_DOI_RESOLVER
    pubmed_base: str = DEFAULT_PUBMED_BASE
    user_agent: str = DEFAULT_USER_AGENT
    skip_domains: tuple[str, ...] = ()

    @property
    def cache_path(self) -> Path | None:
        """The cache file, or None when caching is off."""
        if not self.cache_dir:
            return None
        return Path(self.cache_dir).expanduser() / "links.sqlite"


def parse_duration(value: Any) -> float:
    """Seconds from 3600, 1.5, "45s", "30m", "6h", "7d" or "2w"; ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, (int, float)):
        if value < 0:
            raise ValueError(value)
        return float(value)
    if isinstance(value, str):
        m = _DURATION.match(value)
        if m:
            return float(m.group(1)) * _UNITS[m.group(2).lower()]
    raise ValueError(value)


def link_settings(config: Config) -> LinkSettings:
    """The [links] settings of a config; ConfigError naming the key for a bad value.

    The CLI calls this once before auditing, so a bad [links] table exits with
    status 2 instead of failing after every article has been read.
    """
    where = f"{config.source}: " if config.source else ""
    try:
        raw: dict[str, Any] = config.section("links")
    except (TypeError, ValueError):
        raise ConfigError(f"{where}[links] must be a table") from None

    def bad(key: str, what: str) -> ConfigError:
        return ConfigError(f"{where}[links] {key} must be {what}, not {raw[key]!r}")

    unknown = sorted(set(raw) - set(SETTINGS_KEYS))
    if unknown:
        raise ConfigError(f"{where}unknown key {unknown[0]!r} in [links]; known keys: {', '.join(SETTINGS_KEYS)}")

    def boolean(key: str, default: bool) -> bool:
        value = raw.get(key, default)
        if not isinstance(value, bool):
            raise bad(key, "true or false")
        return value

    def whole(key: str, default: int, lo: int, hi: int) -> int:
        value = raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            raise bad(key, f"a whole number from {lo} to {hi:_}")
        return value

    def seconds(key: str, default: float, lo: float, hi: float, *, zero_ok: bool = True) -> float:
        value = raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not lo <= value <= hi \
                or (not zero_ok and value == 0):
            low = f"more than {lo}" if not zero_ok else f"from {lo}"
            raise bad(key, f"a number of seconds {low} to {hi}")
        return float(value)

    def base_url(key: str, default: str) -> str:
        value = raw.get(key, default)
        if not isinstance(value, str):
            raise bad(key, 'an address such as "https://doi.org/"')
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise bad(key, 'an http or https address such as "https://doi.org/"')
        value = value.strip()
        return value if value.endswith("/") else value + "/"

    allow_private: bool = False
    networks: list[Network] = []
    value = raw.get("allow_private", False)
    if isinstance(value, bool):
        allow_private = value
    elif isinstance(value, list) and value:
        for item in value:
            try:
                networks.append(ipaddress.ip_network(str(item), strict=False))
            except ValueError:
                raise ConfigError(
                    f"{where}[links] allow_private: {item!r} is not a network such as \"127.0.0.0/8\" or \"::1\""
                ) from None
    else:
        raise bad("allow_private", 'true, false, or a list of networks such as ["127.0.0.0/8"]')

    timeout = seconds("timeout", 10.0, 0, 300, zero_ok=False)
    deadline = seconds("deadline", max(60.0, timeout), 0, 3600, zero_ok=False)
    if deadline < timeout:
        raise ConfigError(f"{where}[links] deadline ({deadline:g} s) must be at least the timeout ({timeout:g} s)")

    ttl = dict(DEFAULT_TTL)
    given = raw.get("cache_ttl")
    if given is not None:
        if isinstance(given, dict):
            for kind, dur in given.items():
                if kind not in DEFAULT_TTL:
                    raise ConfigError(
                        f"{where}[links] cache_ttl: unknown result kind {kind!r}; known kinds: {', '.join(DEFAULT_TTL)}"
                    )
                try:
                    ttl[kind] = parse_duration(dur)
                except ValueError:
                    raise ConfigError(
                        f"{where}[links] cache_ttl.{kind} must be seconds or a duration such as \"6h\" or \"7d\", not {dur!r}"
                    ) from None
        else:
            try:
                ttl = {kind: parse_duration(given) for kind in DEFAULT_TTL}
            except ValueError:
                raise bad("cache_ttl", 'a table such as { ok = "7d", broken = "1d" }, or one duration') from None

    cache_dir = raw.get("cache_dir", DEFAULT_CACHE_DIR)
    if cache_dir is False:
        cache_dir = ""
    if not isinstance(cache_dir, str):
        raise bad("cache_dir", 'a folder such as ".medreview-cache" (or "" for no cache)')

    user_agent = raw.get("user_agent", DEFAULT_USER_AGENT)
    if not isinstance(user_agent, str) or not user_agent.strip() or any(c in user_agent for c in "\r\n"):
        raise bad("user_agent", "one line of text")

    skip = raw.get("skip_domains", [])
    if isinstance(skip, str):
        skip = [s.strip() for s in skip.split(",") if s.strip()]
    if not isinstance(skip, list) or not all(isinstance(d, str) for d in skip):
        raise bad("skip_domains", 'a list of domains such as ["example.com"]')
    domains = []
    for d in skip:
        d = d.strip().lower().lstrip("*.").rstrip(".")
        if not _DOMAIN.match(d):
            raise ConfigError(f"{where}[links] skip_domains: {d!r} is not a domain name such as \"example.com\"")
        domains.append(d)

    return LinkSettings(
        enabled=boolean("enabled", True),
        allow_private=allow_private,
        allow_networks=tuple(networks),
        concurrency=whole("concurrency", 16, 1, 256),
        per_host=whole("per_host", 2, 1, 64),
        delay=seconds("delay", 0.5, 0, 60),
        timeout=timeout,
        deadline=deadline,
        max_redirects=whole("max_redirects", 5, 0, 30),
        max_bytes=whole("max_bytes", 1_000_000, 1024, 100_000_000),
        retries=whole("retries", 2, 0, 10),
        retry_backoff=seconds("retry_backoff", 1.0, 0, 60),
        max_retry_after=seconds("max_retry_after", 30.0, 0, 3600),
        soft404=boolean("soft404", True),
        cache_dir=cache_dir.strip(),
        cache_ttl=ttl,
        doi_resolver=base_url("doi_resolver", DEFAULT_DOI_RESOLVER),
        pubmed_base=base_url("pubmed_base", DEFAULT_PUBMED_BASE),
        user_agent=user_agent.strip(),
        skip_domains=tuple(domains),
    )

"""The [citations] settings of the CITE rules, validated, with the source tiers loaded.

The options are documented with the rules in medreview.checks.citations.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..config import Config, ConfigError
from .source_tiers import DEFAULT_SOURCE_CUES, TRUST_LEVELS, Tier, _pack, load_tiers

INLINE_MODES = ("cited", "all", "off")
SETTINGS_KEYS = ("max_age_years", "flag_trust", "inline_links", "headings", "tiers")
DEFAULT_MAX_AGE = 10


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

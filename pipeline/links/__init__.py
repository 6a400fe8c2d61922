"""links: the corpus-wide link check (every distinct URL once, concurrently, cached, per-host polite).

Public API:
    run_link_stage(results, config, progress=None) -> LinkStats
        after every article is audited, before rendering: checks the batch's
        links and appends LINK findings to the ArticleResults.
    count_link_targets(results, config) -> int
        how many distinct URLs progress() will count up to.
    link_settings(config) -> LinkSettings
        the validated [links] settings (ConfigError for a bad value).
    LinkRules, LINK_RULES
        the LINK rule family for the checks registry (`medreview rules`).

Modules: settings (the [links] table), urls (normalising, DOIs, PMIDs),
safety (which addresses may be contacted, enforced at connect time),
checker (HTTP; imported only when a link is checked: see __getattr__), adapter
(the requests adapter that enforces safety), result (LinkResult), soft404 (pages that say "not found"), cache (SQLite between
runs), rules (ids and messages), stage (all of it over a batch).
"""

from typing import Any

from .result import LinkResult
from .rules import LINK_BY_ID, LINK_RULES, LinkRules
from .settings import LinkSettings, link_settings
from .stage import LinkStats, count_link_targets, run_link_stage

__all__ = [
    "LINK_BY_ID", "LINK_RULES", "LinkChecker", "LinkResult", "LinkRules", "LinkSettings", "LinkStats",
    "count_link_targets", "link_settings", "run_link_stage",
]


def __getattr__(name: str) -> Any:
    # LinkChecker brings requests and urllib3 (~0.1 s to import): an offline run, or one whose
    # links are all cached, never needs them.
    if name == "LinkChecker":
        from .checker import LinkChecker

        return LinkChecker
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

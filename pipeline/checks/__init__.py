"""The registry: every rule family medreview runs, in one readable list."""

from __future__ import annotations

from ..config import Config
from ..model import RuleInfo
from .artifacts import ArtifactCheck
from .confusables import ConfusionCheck
from .grammar import GrammarCheck
from ..links import LinkRules
from .citations import CitationCheck
from .claims import ClaimCheck
from .review import ReviewCheck
from .base import Check, Context, finding_at, finding_in_text
from .input import INPUT_BY_ID, InputCheck
from .spelling import SpellingCheck

CHECKS: list[Check] = [
    InputCheck(),
    ArtifactCheck(),
    SpellingCheck(),
    ConfusionCheck(),
    GrammarCheck(),
    ReviewCheck(),
    ClaimCheck(),
    CitationCheck(),
    LinkRules(),  # the link check itself runs corpus-wide after every article (medreview.links)
]


def all_rules(config: Config) -> list[RuleInfo]:
    return [rule for check in CHECKS for rule in check.rules(config)]


__all__ = ["CHECKS", "Check", "Context", "INPUT_BY_ID", "all_rules", "finding_at", "finding_in_text"]

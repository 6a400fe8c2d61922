"""ART: what the cleaner removed, reported where it stood in the source.

The patterns themselves are in rules/artifacts.yml and run in
medreview.clean; this check only turns each removal into a finding, so an
editor can take the junk out of the published page too.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Iterator

from ..clean import ad_container_pattern, artifact_infos
from ..config import Config
from ..model import Article, Finding, RuleInfo, Severity
from .base import Context, finding_at


class ArtifactCheck:
    family = "ART"
    category = "artifact"

    def rules(self, config: Config) -> list[RuleInfo]:
        infos = [
            RuleInfo(r.id, r.name, self.category, Severity(r.severity), r.summary)
            for r in artifact_infos(config.rule_dirs)
        ]
        _, ad_rule = ad_container_pattern(config.rule_dirs)
        infos.append(RuleInfo(ad_rule, "artifact.ad-container", self.category, Severity.WARNING,
                              "HTML ad, promo and sign-up containers inside the article content."))
        return sorted(infos, key=lambda r: r.id)

    def check(self, article: Article, ctx: Context) -> Iterator[Finding]:
        by_id, messages = _tables(ctx.config.rule_dirs)
        for removal in article.removed:
            rule = by_id.get(removal.rule)
            if rule is None:
                continue
            message = messages.get(removal.rule, "An ad, promo or sign-up block sits inside the article content.")
            yield finding_at(article, rule, message, removal.start, removal.end, excerpt=removal.text,
                             evidence={"removed_chars": len(removal.text)})


@lru_cache(maxsize=8)
def _tables(rule_dirs: tuple[str, ...]) -> tuple[dict[str, RuleInfo], dict[str, str]]:
    by_id = {r.id: r for r in ArtifactCheck().rules(Config(rule_dirs=rule_dirs))}
    messages = {r.id: r.message for r in artifact_infos(rule_dirs)}
    return by_id, messages

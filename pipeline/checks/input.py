"""INPUT: files and records that could not be read, or were read with a problem."""

from __future__ import annotations

from typing import Iterator

from ..config import Config
from ..model import Article, Finding, RuleInfo, Severity
from .base import Context, finding_at

INPUT_RULES = [
    RuleInfo("INPUT001", "input.unreadable", "input", Severity.ERROR, "The file cannot be read (missing, a folder, no permission)."),
    RuleInfo("INPUT002", "input.undecodable", "input", Severity.ERROR, "The file is binary or not text in any encoding we can detect."),
    RuleInfo("INPUT003", "input.empty", "input", Severity.WARNING, "The file or record holds no article text."),
    RuleInfo("INPUT004", "input.too-large", "input", Severity.ERROR, "The file or record is over the size limit ([input] max_bytes)."),
    RuleInfo("INPUT005", "input.malformed", "input", Severity.WARNING, "Part of the file is malformed (front matter, a JSON line, JSON-LD) and was skipped."),
    RuleInfo("INPUT006", "input.bad-date", "input", Severity.WARNING, "A metadata date is not a valid date."),
    RuleInfo("INPUT007", "input.encoding-guessed", "input", Severity.INFO, "The file is not UTF-8; its encoding was detected."),
    RuleInfo("INPUT008", "input.internal-error", "input", Severity.ERROR, "medreview failed on this article; please report it with the file."),
]
INPUT_BY_ID = {r.id: r for r in INPUT_RULES}


class InputCheck:
    """Reports the non-fatal problems a reader noted while reading an article."""

    family = "INPUT"
    category = "input"

    def rules(self, config: Config) -> list[RuleInfo]:
        return list(INPUT_RULES)

    def check(self, article: Article, ctx: Context) -> Iterator[Finding]:
        for rule_id, message, offset in article.notices:
            rule = INPUT_BY_ID[rule_id]
            end = article.raw.find("\n", offset)
            end = len(article.raw) if end == -1 else min(end, offset + 80)
            yield finding_at(article, rule, message[:1].upper() + message[1:], offset, end)

"""GRAM: grammar and style, as a LanguageTool server the user names sees them.

medreview does not ship or start LanguageTool. With a server configured,
each article's cleaned text is sent to it (medreview.languagetool) and every
match comes back as a finding at its line and column in the source file.
Without one, this check yields nothing and the CLI prints one notice.

Flags:      "Their are many causes of back pain."   GRAM001 (LanguageTool: THEIR_IS)
            "It's affect on the the spine …"        GRAM001 (ENGLISH_WORD_REPEAT_RULE)
            "… your past history of back injuries." GRAM002 (a REDUNDANCY rule)
Leaves:     "There are many causes of back pain."
            "Sciatica can cause numbnes in the leg." (a spelling slip: SPELL's job, see below)

Rules:
    GRAM001  grammar.error        warning  grammar, confused words, repeated words, agreement, …
    GRAM002  grammar.style        info     style, redundancy, typography, capitalization
    GRAM003  (reserved, never reported) LanguageTool's own spelling matches:
             MORFOLOGIK_RULE_* / HUNSPELL_* / *_SPELLER_RULE and the whole TYPOS
             category. Our Hunspell check (SPELL) with its medical lexicon does
             spelling; LanguageTool's general dictionary would flag every drug
             and anatomy term a second time. The client also asks the server
             not to run them (disabledCategories=TYPOS), which saves its time.
    GRAM009  grammar.not-checked  info     one per article when the server could not
             check it (down, slow, an error status, or an answer that is not
             LanguageTool's), naming the reason; the rest of the batch goes on.

Which LanguageTool matches are style (GRAM002) rather than grammar (GRAM001):
a match is style when its category is one of STYLE_CATEGORIES or its issue
type one of STYLE_ISSUE_TYPES. That puts typography (quotes, dashes,
whitespace, commas marked "typographical") and capitalization (CASING: in
scraped text, list items and headings that read as sentences set it off) at
info, and keeps confused words, agreement, repeated words, wrong verb forms
and collocations at warning.

Options, in [grammar] of medreview.toml:
    server = "http://localhost:8081"   # LanguageTool's address; missing or "" = no grammar check
    language = "en-US"                 # any code the server offers (/v2/languages)
    timeout = 10                       # seconds per request
    disabled_rules = ["EN_QUOTES"]     # LanguageTool rule ids the server must not apply
    max_chars = 20000                  # longer texts are sent in pieces (server limit)
    max_failures = 3                   # failed requests in a row before it stops asking

With --offline, a server on this machine (localhost, 127.0.0.1, ::1) is still
used; any other is not, and the CLI says so.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Iterator

from ..config import Config, ConfigError
from ..languagetool import (
    DEFAULT_LANGUAGE,
    DEFAULT_MAX_CHARS,
    DEFAULT_MAX_FAILURES,
    DEFAULT_TIMEOUT,
    GrammarMatch,
    GrammarUnavailable,
    LanguageToolClient,
    api_base,
    is_loopback,
)
from ..model import Article, Finding, RuleInfo, Severity
from .base import Context, finding_in_text

GRAM_RULES = [
    RuleInfo("GRAM001", "grammar.error", "grammar", Severity.WARNING,
             "LanguageTool found a grammar or word-choice error (their/there, repeated words, agreement, …)."),
    RuleInfo("GRAM002", "grammar.style", "grammar", Severity.INFO,
             "LanguageTool suggests a style, redundancy, typography or capitalization change."),
    RuleInfo("GRAM009", "grammar.not-checked", "grammar", Severity.INFO,
             "The grammar check could not run on this article (LanguageTool server down, slow or not answering properly)."),
]
GRAM_BY_ID = {r.id: r for r in GRAM_RULES}

# LanguageTool category ids reported as style (GRAM002); any other category is grammar (GRAM001).
STYLE_CATEGORIES = frozenset({
    "STYLE", "REDUNDANCY", "PLAIN_ENGLISH", "WIKIPEDIA", "CREATIVE_WRITING", "TEXT_ANALYSIS",
    "REPETITIONS_STYLE", "TYPOGRAPHY", "CASING", "AMERICAN_ENGLISH_STYLE", "BRITISH_ENGLISH",
})
# LanguageTool issue types (from the W3C localization-quality list) reported as style.
STYLE_ISSUE_TYPES = frozenset({"style", "register", "typographical", "whitespace", "locale-violation"})

SETTINGS_KEYS = ("server", "language", "timeout", "disabled_rules", "max_chars", "max_failures")

NO_SERVER_NOTICE = ('grammar not checked: no LanguageTool server is configured '
                    '(set [grammar] server = "http://localhost:8081" in medreview.toml)')


@dataclass(frozen=True, slots=True)
class GrammarSettings:
    server: str
    language: str = DEFAULT_LANGUAGE
    timeout: float = DEFAULT_TIMEOUT
    disabled_rules: tuple[str, ...] = ()
    max_chars: int = DEFAULT_MAX_CHARS
    max_failures: int = DEFAULT_MAX_FAILURES


def grammar_settings(config: Config) -> GrammarSettings | None:
    """The [grammar] settings, or None when no server is named; ConfigError if they are wrong.

    The CLI can call this once up front so a bad value exits with status 2.
    """
    where = f"{config.source}: " if config.source else ""
    try:
        raw: dict[str, Any] = config.section("grammar")
    except (TypeError, ValueError):
        raise ConfigError(f"{where}[grammar] must be a table") from None
    unknown = sorted(set(raw) - set(SETTINGS_KEYS))
    if unknown:
        raise ConfigError(f"{where}unknown key {unknown[0]!r} in [grammar]; known keys: {', '.join(SETTINGS_KEYS)}")
    server = raw.get("server")
    if server is None or (isinstance(server, str) and not server.strip()):
        return None
    if not isinstance(server, str):
        raise ConfigError(f"{where}[grammar] server must be an address such as \"http://localhost:8081\"")
    try:
        api_base(server)
    except ValueError as e:
        raise ConfigError(f"{where}[grammar] server {e}") from None
    language = raw.get("language", DEFAULT_LANGUAGE)
    if not isinstance(language, str) or not language.strip():
        raise ConfigError(f"{where}[grammar] language must be a language code such as \"en-US\"")
    timeout = raw.get("timeout", DEFAULT_TIMEOUT)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout <= 600:
        raise ConfigError(f"{where}[grammar] timeout must be a number of seconds between 0 and 600, not {timeout!r}")
    rules = raw.get("disabled_rules", [])
    if isinstance(rules, str):
        rules = [r.strip() for r in rules.split(",")]
    if not isinstance(rules, list) or not all(isinstance(r, str) for r in rules):
        raise ConfigError(f"{where}[grammar] disabled_rules must be a list of LanguageTool rule ids")
    max_chars = raw.get("max_chars", DEFAULT_MAX_CHARS)
    if isinstance(max_chars, bool) or not isinstance(max_chars, int) or max_chars < 100:
        raise ConfigError(f"{where}[grammar] max_chars must be a whole number of at least 100, not {max_chars!r}")
    max_failures = raw.get("max_failures", DEFAULT_MAX_FAILURES)
    if isinstance(max_failures, bool) or not isinstance(max_failures, int) or max_failures < 1:
        raise ConfigError(f"{where}[grammar] max_failures must be a whole number of at least 1, not {max_failures!r}")
    return GrammarSettings(
        server=server.strip().rstrip("/"), language=language.strip(), timeout=float(timeout),
        disabled_rules=tuple(r for r in rules if r), max_chars=max_chars, max_failures=max_failures,
    )


def grammar_notice(config: Config) -> str | None:
    """The one line the CLI prints when grammar will not be checked this run, else None."""
    settings = grammar_settings(config)
    if settings is None:
        return NO_SERVER_NOTICE
    if config.offline and not is_loopback(settings.server):
        return f"grammar not checked: --offline is set and the LanguageTool server at {settings.server} is not on this machine"
    return None


def probe_server(settings: GrammarSettings) -> str | None:
    """None when the server answers and offers the language, else a one-line reason (for the CLI)."""
    client = _new_client(settings)
    try:
        return client.probe()
    finally:
        client.close()


def is_spelling(m: GrammarMatch) -> bool:
    """LanguageTool's spelling matches (GRAM003): never reported, SPELL does spelling."""
    rid = m.rule_id.upper()
    return (rid.startswith(("MORFOLOGIK_RULE", "HUNSPELL")) or rid.endswith("SPELLER_RULE")
            or m.category.upper() == "TYPOS")


def is_style(m: GrammarMatch) -> bool:
    return m.category.upper() in STYLE_CATEGORIES or m.issue_type.lower() in STYLE_ISSUE_TYPES


class GrammarCheck:
    family = "GRAM"
    category = "grammar"

    def __init__(self) -> None:
        # One client per settings and process: a forked worker never shares its parent's connections.
        self._clients: dict[tuple[GrammarSettings, int], LanguageToolClient] = {}

    def rules(self, config: Config) -> list[RuleInfo]:
        return list(GRAM_RULES)

    def client(self, settings: GrammarSettings) -> LanguageToolClient:
        key = (settings, os.getpid())
        if key not in self._clients:
            self._clients[key] = _new_client(settings)
        return self._clients[key]

    def check(self, article: Article, ctx: Context) -> Iterator[Finding]:
        config = ctx.config
        try:
            settings = grammar_settings(config)
        except ConfigError as e:
            yield _not_checked(article, f"The [grammar] settings are not valid ({e})", None)
            return
        if settings is None or not article.text.strip():
            return
        if config.offline and not is_loopback(settings.server):
            return
        if all(config.is_disabled(r.id, r.name) for r in GRAM_RULES[:2]):
            return  # nobody wants the answer: do not ask the server
        try:
            matches = self.client(settings).check(article.text)
        except GrammarUnavailable as e:
            yield _not_checked(article, e.reason, settings)
            return
        for m in matches:
            if is_spelling(m):
                continue  # GRAM003: SPELL (Hunspell + medical lexicon) reports spelling
            rule = GRAM_BY_ID["GRAM002" if is_style(m) else "GRAM001"]
            yield finding_in_text(
                article, rule, m.message or rule.summary, m.offset, m.end,
                suggestions=list(m.replacements),
                evidence={"languagetool_rule": m.rule_id, "category": m.category, "issue_type": m.issue_type},
            )


def _new_client(settings: GrammarSettings) -> LanguageToolClient:
    return LanguageToolClient(
        settings.server, language=settings.language, timeout=settings.timeout,
        disabled_rules=settings.disabled_rules, max_failures=settings.max_failures,
        max_chars=settings.max_chars,
    )


def _not_checked(article: Article, reason: str, settings: GrammarSettings | None) -> Finding:
    rule = GRAM_BY_ID["GRAM009"]
    evidence: dict[str, Any] = {"reason": reason}
    if settings is not None:
        evidence["server"] = settings.server
    return finding_in_text(article, rule, f"{reason}; grammar was not checked.", 0, 0,
                           excerpt="", evidence=evidence)

"""SPELL: misspellings, and British/American spelling mixed in one article.

Flags:  "not nessessarily the PRIMARY probelm"  -> nessessarily (necessarily), probelm (problem)
Leaves: "the iliopsoas and quadratus lumborum", "you've", "gel-like", "5mg", "https://…",
        "(DOMS)", a name the article uses twice ("Dr Okafor … Okafor says"), brand names in any case.

The words come from the spaCy tokens of the cleaned text, so contractions
("you've" -> "you" + "'ve") and hyphenated compounds ("gel-like") are judged by
their parts. A word misspelled 40 times in one article is one finding with a
count. Options (`[spelling]` in the config):

    locale = "en-US"            # house style: "en-US" or "en-GB"
    other_variant = "accept"    # "accept": the other variant is fine unless an
                                #   article mixes both; "flag": always report it
    accept = ["Kinesio"]        # extra words
    accept_files = ["words.txt"]
    dictionaries = ["/path"]    # folders searched first for Hunspell .dic/.aff
"""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path
from typing import Any, Iterator

from ..config import Config
from ..lexicon import Lexicon, LexiconSettings, LexiconUnavailable, load_lexicon
from ..model import Article, Finding, RuleInfo, Severity
from .base import Context, finding_in_text
from .spelling_words import _UNKNOWN, judged_words

SPELL_RULES = [
    RuleInfo("SPELL001", "spelling.misspelling", "spelling", Severity.WARNING,
             "A word no dictionary or accept list knows, with ranked suggestions."),
    RuleInfo("SPELL002", "spelling.variant-mix", "spelling", Severity.INFO,
             "British and American spellings mixed in one article (e.g. 'stabilising' and 'stabilizing')."),
]
_BY_ID = {r.id: r for r in SPELL_RULES}


def spelling_settings(config: Config) -> LexiconSettings:
    # The check asks once per article: the last answer is kept for the same (frozen) config and,
    # since paths in a config without a file are relative to it, the same working directory.
    cwd = None if config.source else os.getcwd()
    if _LAST_SETTINGS and _LAST_SETTINGS[0] is config and _LAST_SETTINGS[1] == cwd:
        return _LAST_SETTINGS[2]
    base = Path(config.source).parent if config.source else None
    settings = LexiconSettings.from_section(config.section("spelling"), base)
    _LAST_SETTINGS[:] = [config, cwd, settings]
    return settings


_LAST_SETTINGS: list[Any] = []


def lexicon_for(config: Config) -> Lexicon:
    """The process's lexicon for this config; raises LexiconUnavailable.

    Built once per process, and again when an accept list changes on disk
    (a long-lived process, or the test suite, sees the edit).
    """
    settings = spelling_settings(config)
    return load_lexicon(settings, _stamp(settings.accept_files))


def _stamp(files: tuple[str, ...]) -> tuple[tuple[str, int, int], ...]:
    out = []
    for name in files:
        try:
            st = Path(name).stat()
            out.append((name, st.st_size, st.st_mtime_ns))
        except OSError:
            out.append((name, -1, -1))
    return tuple(out)


def spelling_status(config: Config) -> str | None:
    """None when spelling can run, else the one-line reason it is skipped (for the CLI's notice)."""
    try:
        lexicon_for(config)
    except LexiconUnavailable as e:
        return str(e)
    return None


class SpellingCheck:
    family = "SPELL"
    category = "spelling"

    def rules(self, config: Config) -> list[RuleInfo]:
        return list(SPELL_RULES)

    def check(self, article: Article, ctx: Context) -> Iterator[Finding]:
        try:
            lexicon = lexicon_for(ctx.config)
        except (LexiconUnavailable, ValueError):
            return  # the CLI says once why spelling is skipped
        section = ctx.config.section("spelling")
        misspelt: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
        styles: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
        for word, start, end, verdict in judged_words(article, ctx.doc(article), lexicon):
            if verdict[0] == _UNKNOWN:
                misspelt[word.lower()].append((word, start, end))
            else:
                styles[verdict[1]].append((word, start, end))
        yield from self._misspellings(article, lexicon, misspelt)
        yield from self._variants(article, lexicon, styles, section.get("other_variant", "accept") == "flag")

    def _misspellings(self, article: Article, lexicon: Lexicon,
                      misspelt: dict[str, list[tuple[str, int, int]]]) -> Iterator[Finding]:
        rule = _BY_ID["SPELL001"]
        for key, places in misspelt.items():
            word, start, end = places[0]
            suggestions = lexicon.suggest(word)
            times = f" It appears {len(places)} times." if len(places) > 1 else ""
            if suggestions:
                message = f"“{word}” looks misspelt: did you mean “{suggestions[0]}”?{times}"
            else:
                message = (f"“{word}” is not in the dictionary.{times} If it is right, add it to the "
                           "accept list ([spelling] accept).")
            yield finding_in_text(
                article, rule, message, start, end, excerpt=word, suggestions=suggestions,
                evidence={"word": word, "count": len(places), "dictionary": lexicon.sources,
                          "occurrences": [_where(article, s) for _, s, _ in places[:20]]},
            )

    def _variants(self, article: Article, lexicon: Lexicon, styles: dict[str, list[tuple[str, int, int]]],
                  always: bool) -> Iterator[Finding]:
        house = lexicon.locale
        other = "en-GB" if house == "en-US" else "en-US"
        if not styles.get(other) or not (always or styles.get(house)):
            return
        rule = _BY_ID["SPELL002"]
        seen_house = sorted({w.lower() for w, _, _ in styles.get(house, [])})
        grouped: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
        for word, start, end in styles[other]:
            grouped[word.lower()].append((word, start, end))
        label = {"en-GB": "British", "en-US": "American"}
        for places in grouped.values():
            word, start, end = places[0]
            counterpart = lexicon.counterpart(word)
            fix = f" House style ({house}) spells it “{counterpart}”." if counterpart else ""
            mixed = (f" in an article that also uses {label[house]} spelling (“{'”, “'.join(seen_house[:3])}”)"
                     if seen_house else "")
            times = f" It appears {len(places)} times." if len(places) > 1 else ""
            yield finding_in_text(
                article, rule, f"{label[other]} spelling “{word}”{mixed}.{fix}{times}", start, end,
                excerpt=word, suggestions=[counterpart] if counterpart else [],
                evidence={"word": word, "variant": other, "house_style": house, "count": len(places),
                          "other_style_words": seen_house[:10]},
            )


def _where(article: Article, text_offset: int) -> str:
    line, col = article.line_col(article.text_map.to_source(text_offset))
    return f"{line}:{col}"

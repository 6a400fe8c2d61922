"""Artifact stripping: take ad code, widgets and boilerplate out of the text.

The patterns live in `rules/artifacts.yml`. Each rule either removes exactly
what its pattern matches (`scope: match`, for ad code glued into a sentence)
or the whole sentence its pattern occurs in (`scope: sentence`, for
disclosures, widget prompts and teasers). Every removal is recorded with its
span in the source, and the cleaned text keeps a map back to the source, so
later findings still point at the right line and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .model import Article, Removal
from .prefilter import KeywordFinder, KeywordIndex, guarded, keyword_finder, keywords
from .rulepacks import RulePackError, load_pack
from .textmap import TextBuilder, TextMap

# Sentence ends: terminal punctuation, closing quotes/brackets, then space; a
# blank line; or a line break before a line that does not start in lower case
# (a hard-wrapped Markdown line, "Was this article\nhelpful?", stays one unit).
# Deliberately simple: the cleaner runs before spaCy and only needs units
# that do not straddle two real sentences.
# The leading lookahead names every character an end can start at (whitespace, a closing
# quote or bracket, or the capital after "…wow!Next"): the engine skips other positions at
# once instead of trying three lookbehind branches at each (~2x faster, the same ends).
_SENTENCE_END = re.compile(r"(?=[\s\"'”’)\]A-Z])"
                           r"(?:(?<=[.!?…])[\"'”’)\]]*\s+(?=[^a-z])|(?<=[a-z][!?])(?=[A-Z])|\n\s*(?:\n\s*|(?=[^a-z])))")
# A period after these ends a word, not a sentence ("Rotator Cuff Tear vs. Frozen
# Shoulder", "Media, Inc. 2023", "U.S. Pat. Nos. 9,114,271").
_ABBREVIATIONS = frozenset(
    "vs v inc ltd llc co corp dr mr mrs ms prof st no nos pat fig figs e.g i.e approx u.s u.k "
    "jr sr vol pp al mt dept univ ave est ca cf".split()
)
_LAST_WORD = re.compile(r"([A-Za-z](?:[A-Za-z.]*[A-Za-z])?)\.$")


@dataclass(frozen=True, slots=True)
class ArtifactRule:
    id: str
    name: str
    severity: str
    summary: str
    message: str
    scope: str  # "match" | "sentence"
    patterns: tuple[re.Pattern[str], ...]
    flag: tuple[str, ...]
    keep: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ArtifactInfo:
    """What `medreview rules` and the reports say of an artifact rule: no pattern compiled."""

    id: str
    name: str
    severity: str
    summary: str
    message: str


@lru_cache(maxsize=8)
def _artifact_specs(extra_dirs: tuple[str, ...]) -> tuple[tuple[ArtifactInfo, dict], ...]:
    """Each rule of artifacts.yml, its keys checked: (info, the raw rule)."""
    specs = []
    for raw in load_pack("artifacts", extra_dirs).get("rules", []):
        rid = raw.get("id", "?")
        missing = [key for key in ("name", "summary", "message", "patterns") if key not in raw]
        if missing:
            raise RulePackError(f"artifacts rule {rid}: missing key '{missing[0]}'")
        info = ArtifactInfo(rid, raw["name"], raw.get("severity", "info"), raw["summary"], raw["message"])
        if raw.get("scope", "sentence") not in ("match", "sentence"):
            raise RulePackError(f"artifacts rule {rid}: scope must be 'match' or 'sentence'")
        specs.append((info, raw))
    return tuple(specs)


def artifact_infos(extra_dirs: tuple[str, ...] = ()) -> tuple[ArtifactInfo, ...]:
    """The artifact rules as the rule list shows them. Compiling their ~130 patterns (~50 ms) waits
    for artifact_rules(), which a run the result cache answers whole never calls."""
    return tuple(info for info, _ in _artifact_specs(extra_dirs))


@lru_cache(maxsize=8)
def artifact_rules(extra_dirs: tuple[str, ...] = ()) -> tuple[ArtifactRule, ...]:
    """The artifact rules, patterns compiled; RulePackError names a rule whose pattern is broken."""
    rules = []
    for info, raw in _artifact_specs(extra_dirs):
        try:
            flags = 0 if raw.get("case_sensitive") else re.IGNORECASE
            patterns = tuple(re.compile(p, flags) for p in raw["patterns"])
        except re.error as e:
            raise RulePackError(f"artifacts rule {info.id}: bad pattern: {e}") from None
        rules.append(ArtifactRule(
            id=info.id, name=info.name, severity=info.severity, summary=info.summary, message=info.message,
            scope=raw.get("scope", "sentence"), patterns=patterns, flag=tuple(raw.get("flag", [])),
            keep=tuple(raw.get("keep", [])),
        ))
    return tuple(rules)


@lru_cache(maxsize=8)
def ad_container_pattern(extra_dirs: tuple[str, ...] = ()) -> tuple[re.Pattern[str] | None, str]:
    """The HTML class/id pattern for ad containers, and the rule id it reports as."""
    html = load_pack("artifacts", extra_dirs).get("html", {}).get("ad_containers", {})
    if not html.get("pattern"):
        return None, "ART009"
    try:
        return re.compile(html["pattern"], re.IGNORECASE), html.get("rule", "ART009")
    except re.error as e:
        raise RulePackError(f"artifacts html.ad_containers: bad pattern: {e}") from None


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence-like unit, trailing whitespace excluded."""
    spans = []
    pos = 0
    for m in _SENTENCE_END.finditer(text):
        end = m.start()
        if text[end - 1:end] == ".":
            word = _LAST_WORD.search(text, max(0, end - 12), end)
            if word and word.group(1).lower() in _ABBREVIATIONS:
                continue
        # The closing quote/bracket belongs to the sentence it ends.
        while end < m.end() and not text[end].isspace():
            end += 1
        if end > pos:
            spans.append((pos, end))
        pos = m.end()
    if pos < len(text):
        spans.append((pos, len(text)))
    return spans


def find_artifacts(text: str, rules: tuple[ArtifactRule, ...], *,
                   prefilter: bool = True) -> list[tuple[int, int, ArtifactRule]]:
    """Spans of `text` the given rules remove, non-overlapping, in order.

    Call it with rules of one scope at a time: `clean_article` removes code
    matches first, so the sentence rules then see the sentences around them.

    A pattern only runs where one of its keywords occurs (medreview.prefilter):
    on the whole text for `match` rules, on the sentences that hold one for
    `sentence` rules, and with a lookahead for its possible first characters.
    The spans are the same as with `prefilter=False`, which tries every
    pattern as written on every sentence (kept for tests and for measuring).
    """
    hits: list[tuple[int, int, ArtifactRule]] = []
    units: list[tuple[int, int]] | None = None
    unit_texts: list[str | None] = []
    index = KeywordIndex(text, _finder(rules)) if prefilter else None
    for rule in rules:
        if rule.scope == "match":
            for pat in rule.patterns:
                if index is None:
                    hits.extend((m.start(), m.end(), rule) for m in pat.finditer(text) if m.end() > m.start())
                elif index.may_match(keywords(pat)):
                    hits.extend((m.start(), m.end(), rule) for m in guarded(pat).finditer(text) if m.end() > m.start())
            continue
        if units is None:
            units = sentence_spans(text)
            unit_texts = [None] * len(units)
            if index is not None:
                index.use_spans(units)
        matched: set[int] = set()
        for pat in rule.patterns:
            candidates = None
            if index is not None:
                candidates = index.units_with(keywords(pat))
                pat = guarded(pat)
            for i in range(len(units)) if candidates is None else candidates:
                if i in matched:
                    continue
                unit = unit_texts[i]
                if unit is None:
                    start, end = units[i]
                    unit = unit_texts[i] = text[start:end].replace("\n", " ")  # a hard-wrapped line reads as one
                if pat.search(unit):
                    matched.add(i)
        hits.extend((units[i][0], units[i][1], rule) for i in sorted(matched))
    # Earliest first; at one start, the longest wins. Overlaps merge into the first.
    hits.sort(key=lambda h: (h[0], -h[1]))
    merged: list[tuple[int, int, ArtifactRule]] = []
    for start, end, rule in hits:
        if merged and start < merged[-1][1]:
            s, e, r = merged[-1]
            merged[-1] = (s, max(e, end), r)
        else:
            merged.append((start, end, rule))
    return merged


@lru_cache(maxsize=16)
def _finder(rules: tuple[ArtifactRule, ...]) -> KeywordFinder | None:
    """One automaton for every keyword of these rules' patterns (built once per rule set)."""
    return keyword_finder(k for rule in rules for pat in rule.patterns for k in keywords(pat))


def strip(text: str, text_map: TextMap, rules: tuple[ArtifactRule, ...]) -> tuple[str, TextMap, list[Removal]]:
    """Remove what `rules` find from `text`; return the rest, its map and the removals."""
    out = TextBuilder()
    removed: list[Removal] = []
    pos = 0
    for start, end, rule in find_artifacts(text, rules):
        out.add_mapped(text, pos, start, text_map)
        raw_start, raw_end = text_map.span_to_source(start, end)
        removed.append(Removal(rule.id, raw_start, raw_end, text[start:end]))
        pos = end
        # Swallow the space after a removed piece so no double gap is left behind.
        while pos < len(text) and text[pos] in " \t":
            pos += 1
    out.add_mapped(text, pos, len(text), text_map)
    return out.text(), out.map, removed


def clean_article(article: Article, extra_dirs: tuple[str, ...] = ()) -> Article:
    """Fill article.text, text_map and removed from article.body."""
    rules = artifact_rules(extra_dirs)
    text, text_map = article.body, article.body_map
    for scope in ("match", "sentence"):
        text, text_map, removed = strip(text, text_map, tuple(r for r in rules if r.scope == scope))
        article.removed.extend(removed)
    article.text, article.text_map = text, text_map
    article.removed.sort(key=lambda r: r.start)
    return article

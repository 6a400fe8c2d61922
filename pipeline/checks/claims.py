"""CLAIM: health claims that need a source and have none.

Flags:  "Both heat and ice can relieve the pain of a muscle spasm."        (efficacy, CLAIM002)
        "Experts say yoga can reduce back pain."                          (weasel, CLAIM004)
        "Back pain affects 1 in 5 adults."                                (statistic, CLAIM001)
Leaves: "Apply ice for 20 minutes."                                       (an instruction)
        "Heat can relieve the pain of a muscle spasm [3]."                (supported)
        "A 2017 Cochrane review found that yoga eases back pain."         (named source)

Cues and support patterns are data (rules/claims.yml): spaCy Matcher
patterns over the cleaned text's tokens. The pipeline is spaCy's blank
English with the rule-based sentencizer (~100k words/s, no model download);
a pattern written with LEMMA is matched against the inflections of that
lemma (relieve, relieves, relieved, relieving), so the rules read as lemmas
without a statistical lemmatizer. claim_matcher.py runs each pattern only
where it can match, with the same matches as on every sentence. One finding
per claim sentence, of its strongest class; every cue found is listed in the
evidence.

Support: a citation marker ([3], (1, 2), (Smith et al., 2019)), a link, or a
named source in the sentence, or within `support_window` sentences after it
(`[claims] support_window`). A citation marker whose reference the article
lacks does not count when `[claims] require_resolved = true` (default: it
counts, and CITE001 reports the missing reference).

Per article, the share of claims that carry support goes into the report
as `claims.support_ratio`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable, Iterator

from ..config import Config, ConfigError
from ..model import Article, Finding, RuleInfo, Severity
from ..rulepacks import RulePackError, load_pack
from .base import Context, finding_in_text
from .claim_matcher import AnchoredMatcher, DocTokens, Lexicon
from .claim_support import Markers, citation_markers, support_in

CLASS_ORDER = ("absolute", "statistic", "research", "weasel", "efficacy")  # strongest first
_SEVERITY_RANK = {"error": 3, "warning": 2, "info": 1}

_FIRST_PERSON = re.compile(r"^(?:[^.!?]{0,40}\b)?(?:I|I['’]ve|I['’]m|I['’]d|(?i:in my experience|for me|my own))\b")
_NEGATIONS = {"not", "no", "never", "cannot", "can't", "can’t", "n't", "n’t", "without"}
_LEADING_ADVERBS = {"first", "then", "next", "finally", "gently", "slowly", "gradually", "also", "now", "instead",
                    "afterwards", "later", "again", "still", "simply", "just", "please", "so", "and"}

IRREGULAR = {
    "be": ["be", "is", "are", "was", "were", "been", "being", "'s", "’s"],
    "have": ["have", "has", "had", "having"], "do": ["do", "does", "did", "done", "doing"],
    "show": ["show", "shows", "showed", "shown", "showing"], "find": ["find", "finds", "found", "finding"],
    "prove": ["prove", "proves", "proved", "proven", "proving"], "lead": ["lead", "leads", "led", "leading"],
    "cut": ["cut", "cuts", "cutting"], "give": ["give", "gives", "gave", "given", "giving"],
    "fight": ["fight", "fights", "fought", "fighting"], "speed": ["speed", "speeds", "sped", "speeded", "speeding"],
    "take": ["take", "takes", "took", "taken", "taking"], "keep": ["keep", "keeps", "kept", "keeping"],
    "say": ["say", "says", "said", "saying"], "think": ["think", "thinks", "thought", "thinking"],
    "stop": ["stop", "stops", "stopped", "stopping"],
}


def inflections(lemma: str) -> list[str]:
    """The forms of a regular English verb or noun: relieve -> relieve, relieves, relieved, relieving."""
    lemma = lemma.lower()
    if lemma in IRREGULAR:
        return IRREGULAR[lemma]
    forms = {lemma}
    if lemma.endswith("e"):
        forms |= {lemma + "s", lemma + "d", lemma[:-1] + "ing"}
    elif lemma.endswith("y") and len(lemma) > 2 and lemma[-2] not in "aeiou":
        forms |= {lemma[:-1] + "ies", lemma[:-1] + "ied", lemma + "ing"}
    elif lemma.endswith(("s", "sh", "ch", "x", "z")):
        forms |= {lemma + "es", lemma + "ed", lemma + "ing"}
    else:
        forms |= {lemma + "s", lemma + "ed", lemma + "ing"}
    return sorted(forms)


def _lemma_to_forms(pattern: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rewrite LEMMA constraints into LOWER ones over their inflections (the blank pipeline has no lemmas)."""
    out = []
    for tok in pattern:
        tok = dict(tok)
        if "LEMMA" in tok:
            spec = tok.pop("LEMMA")
            lemmas = spec["IN"] if isinstance(spec, dict) else [spec]
            tok["LOWER"] = {"IN": sorted({f for lemma in lemmas for f in inflections(str(lemma))})}
        out.append(tok)
    return out


@dataclass(frozen=True)
class ClaimClass:
    name: str
    info: RuleInfo
    label: str
    advice: str
    flag: tuple[str, ...]
    keep: tuple[str, ...]


@dataclass(frozen=True)
class ClaimPack:
    classes: dict[str, ClaimClass]
    cue_class: dict[str, tuple[str, str | None]]  # cue name -> (class, severity override)
    cues: dict[str, list[list[dict[str, Any]]]]
    support: dict[str, list[list[dict[str, Any]]]]
    imperative: frozenset[str]
    support_window: int
    min_words: int


@lru_cache(maxsize=8)
def claim_pack(extra_dirs: tuple[str, ...] = ()) -> ClaimPack:
    raw = load_pack("claims", extra_dirs)
    try:
        classes = {}
        for name, c in raw["classes"].items():
            classes[name] = ClaimClass(
                name=name,
                info=RuleInfo(c["id"], c["name"], "claim", Severity(c.get("severity", "warning")), c["summary"]),
                label=c.get("label", name), advice=c.get("advice", ""),
                flag=tuple(c.get("flag", [])), keep=tuple(c.get("keep", [])),
            )
        cue_class, cues = {}, {}
        for cue in raw.get("cues", []):
            if cue["class"] not in classes:
                raise RulePackError(f"claims cue {cue.get('name')}: unknown class {cue['class']!r}")
            cue_class[cue["name"]] = (cue["class"], cue.get("severity"))
            cues[cue["name"]] = [_lemma_to_forms(p) for p in cue["patterns"]]
        support = {s["name"]: [_lemma_to_forms(p) for p in s["patterns"]] for s in raw.get("support", [])}
        settings = raw.get("settings", {})
        return ClaimPack(classes, cue_class, cues, support, frozenset(w.lower() for w in raw.get("imperative", [])),
                         int(settings.get("support_window", 0)), int(settings.get("min_words", 5)))
    except (KeyError, TypeError, ValueError) as e:
        raise RulePackError(f"claims pack: {type(e).__name__}: {e}") from None


@lru_cache(maxsize=8)
def claim_matchers(extra_dirs: tuple[str, ...], nlp: Any) -> tuple[AnchoredMatcher, AnchoredMatcher]:
    """The cue and support matchers, built once per process and pipeline."""
    pack = claim_pack(extra_dirs)
    try:
        lexicon = Lexicon(nlp.vocab)  # one cache of word attributes for both
        return AnchoredMatcher(nlp.vocab, pack.cues, lexicon), AnchoredMatcher(nlp.vocab, pack.support, lexicon)
    except (ValueError, KeyError) as e:
        raise RulePackError(f"claims pack: a pattern is not a valid spaCy Matcher pattern: {e}") from None


@dataclass
class Claim:
    """One sentence that needs support."""

    start: int  # span in article.text
    end: int
    cls: str
    severity: Severity
    cues: list[tuple[str, str]]  # (cue name, matched text)
    supported_by: list[str]


def claim_settings(config: Config, pack: ClaimPack) -> tuple[int, bool]:
    """(support_window, require_resolved) from [claims]; ConfigError for bad values."""
    section = config.section("claims")
    window = section.get("support_window", pack.support_window)
    if isinstance(window, bool) or not isinstance(window, int) or not 0 <= window <= 3:
        raise ConfigError(f"{config.source or 'config'}: [claims] support_window must be 0 to 3, not {window!r}")
    return window, bool(section.get("require_resolved", False))


def is_instruction(tokens: Iterable[Any], imperative: frozenset[str]) -> bool:
    """The sentence starts (after adverbs such as "gently") with a verb of `imperative`: an order.
    Reads only the first words; `tokens` is the sentence (benchmarks/claims_benchmark.py swaps in
    other rules with the same arguments)."""
    return _starts_with_order((t.lower_ for t in tokens if not t.is_punct and not t.is_space), imperative)


def _starts_with_order(words: Iterator[str], imperative: frozenset[str]) -> bool:
    """is_instruction over the sentence's words (lower case, punctuation and spaces left out)."""
    first, nxt = next(words, None), next(words, None)
    if first is None:
        return False
    while nxt is not None and first in _LEADING_ADVERBS:
        first, nxt = nxt, next(words, None)
    if first not in imperative:
        return False
    # "Rest is the best treatment": a noun subject, not an order.
    return (nxt or "") not in {"is", "are", "was", "were", "can", "may", "might", "will", "helps", "has", "have",
                               "does"}


def find_claims(article: Article, doc: Any, nlp: Any, config: Config) -> list[Claim]:
    """Every claim sentence of the article, supported or not."""
    pack = claim_pack(config.rule_dirs)
    window, require_resolved = claim_settings(config, pack)
    cue_matcher, support_matcher = claim_matchers(config.rule_dirs, nlp)
    tokens = DocTokens(doc, cue_matcher.lexicon, article.text)  # arrays for the helpers: no Token objects
    lexes, sent_of = tokens.lexes, tokens.sent_of
    cue_hits: dict[int, list[tuple[str, str]]] = {}
    support_hits: dict[int, list[str]] = {}
    doses: dict[int, bool] = {}
    for name, s, e in cue_matcher(tokens):
        cls = pack.cue_class[name][0]
        if _quoted(tokens, s) or (cls == "statistic" and name not in _FIGURE_CUES
                                  and _dose_or_method(tokens, s, doses)):
            continue  # the phrase 'studies show' as a mention; a dose schedule; how a study recruited
        if cls == "absolute" and (_negated_or_quoted(tokens, s) or _guarantee_noun(tokens, s)):
            continue  # "No supplement can guarantee…", the phrase 'clinically proven', a money-back guarantee
        if cls in ("research", "weasel") and _reported_question(tokens, s):
            continue  # "If new research suggests…", "we look at what studies show", "ask whether experts say"
        if name == "present-efficacy" and s > 0 and lexes[s - 1].lower == "to":
            continue  # a purpose ("… to reduce swelling"), not a claim that something works
        cue_hits.setdefault(sent_of[s], []).append((name, tokens.span_text(s, e)))
    for _, s, e in support_matcher(tokens):
        support_hits.setdefault(sent_of[s], []).append(f"named source: {tokens.span_text(s, e)}")
    link_spans = [(link.start, link.end) for link in article.links]
    markers = Markers(citation_markers(article, config, require_resolved))
    instruction = is_instruction  # looked up per call: benchmarks/claims_benchmark.py swaps in others
    strongest: dict[str, tuple[tuple[int, int], str, Severity]] = {}  # cue -> its rank, class and severity

    claims = []
    for i in sorted(cue_hits):
        sent_start, sent_end = tokens.bounds[i]
        text = tokens.sentence_text(i).strip()
        words = 0
        for lx in lexes[sent_start:sent_end]:  # enough words? (counting stops there)
            if "is_punct" not in lx.flags and "is_space" not in lx.flags:
                words += 1
                if words >= pack.min_words:
                    break
        question = text.endswith("?") and not text.lower().startswith("did you know")
        if words < pack.min_words or question or _FIRST_PERSON.match(text):
            continue
        if instruction is _IS_INSTRUCTION:  # the same rule read off the arrays: no Span, no Tokens
            if _starts_with_order((lx.lower for lx in lexes[sent_start:sent_end]
                                   if "is_punct" not in lx.flags and "is_space" not in lx.flags), pack.imperative):
                continue
        elif instruction(tokens.sentence(i), pack.imperative):
            continue
        cues = cue_hits[i]
        cls, severity = _strongest(cues, pack, strongest)
        support = []
        for j in range(i, min(i + window + 1, len(tokens.bounds))):
            support += support_in(tokens, j, article, link_spans, support_hits.get(j, []), markers)
        first, last = sent_start, sent_end - 1  # the claim runs from its first to its last non-space token
        while first < last and "is_space" in lexes[first].flags:
            first += 1
        while last > first and "is_space" in lexes[last].flags:
            last -= 1
        claims.append(Claim(tokens.idx[first], tokens.end_char(last), cls, severity, _dedupe(cues), support))
    return claims


_IS_INSTRUCTION = is_instruction


def _negated_or_quoted(tokens: DocTokens, start: int) -> bool:
    """The cue is denied ("no … can guarantee") or only mentioned, inside quotation marks."""
    return any(lx.lower in _NEGATIONS for lx in tokens.lexes[max(0, start - 3):start]) or _quoted(tokens, start)


_OPENING, _CLOSING, _STRAIGHT = {"“", "‘"}, {"”", "’", '"', "'"}, {'"', "'"}
_QUOTE_CHAR = re.compile("[" + "".join(sorted(_OPENING | _CLOSING)) + "]")


def _quoted(tokens: DocTokens, start: int) -> bool:
    """The cue sits inside quotation marks: a phrase mentioned, not a claim made."""
    lexes = tokens.lexes
    sent_start = tokens.bounds[tokens.sent_of[start]][0]
    if _QUOTE_CHAR.search(tokens.text, tokens.idx[sent_start], tokens.idx[start]) is None:
        return False  # no quotation mark in the text before the cue, so no token that is one
    opened = 0
    for i in range(sent_start, start):
        text = lexes[i].text
        if text not in _OPENING and text not in _CLOSING:
            continue  # the common case, before the possessive test
        if _possessive(tokens, i):
            continue  # "parents' children": an apostrophe, not a quotation mark
        if text in _OPENING or (text in _STRAIGHT and opened % 2 == 0):
            opened += 1
        elif text in _CLOSING and opened % 2 == 1:
            opened += 1
    return opened % 2 == 1


def _possessive(tokens: DocTokens, i: int) -> bool:
    """A lone ' or ’ glued to a plural noun before it ("parents'") and followed by a space."""
    if tokens.lexes[i].text not in {"'", "’"} or i == 0:
        return False
    return not tokens.space[i - 1] and tokens.lexes[i - 1].text[-1:].lower() == "s" and tokens.space[i]


_DOSE = re.compile(r"\b\d+(?:\.\d+)?\s?(?:mg|mcg|µg|ml|g|iu|units?|puffs?|tablets?|capsules?|drops|sprays?)\b"
                   r"|\b(?:once|twice|three times|\d+ times) (?:a|per|each) (?:day|week)\b|\bevery \d+ hours\b"
                   r"|\bmicrograms? per litre\b|\bmmol/l\b|\bmg/dl\b", re.IGNORECASE)
# Cues that are figures themselves ("40%", "1 in 5"): a dose elsewhere in the sentence does not excuse them.
_FIGURE_CUES = {"percent", "one-in-n", "count-of-people", "times-more", "proportion"}
_METHOD = {"recruited", "enrolled", "randomised", "randomized", "surveyed", "interviewed", "included", "followed"}


def _dose_or_method(tokens: DocTokens, start: int, doses: dict[int, bool]) -> bool:
    """A number that is a dose, a schedule or a lab threshold, or the size of a study's sample.
    `doses` keeps the answer per sentence: a sentence with several figures is asked again."""
    n = tokens.sent_of[start]
    dose = doses.get(n)
    if dose is None:
        dose = doses[n] = bool(_DOSE.search(tokens.sentence_text(n)))
    if dose:
        return True
    return any(lx.lower in _METHOD for lx in tokens.lexes[max(tokens.bounds[n][0], start - 3):start])


def _guarantee_noun(tokens: DocTokens, start: int) -> bool:
    """"a 30-day money-back guarantee": a shop's terms, not a health promise."""
    lexes = tokens.lexes
    if lexes[start].lower == "guaranteed" and start + 1 < len(lexes) and lexes[start + 1].lower in {
            "appointment", "appointments", "delivery", "slot", "slots", "place", "places", "access"}:
        return True  # "guaranteed appointment slots": a service, not a health promise
    return lexes[start].lower == "guarantee" and start > 0 and lexes[start - 1].lower in {
        "a", "an", "the", "our", "money-back", "back", "satisfaction", "price", "delivery"}


def _reported_question(tokens: DocTokens, start: int) -> bool:
    before = {lx.lower for lx in tokens.lexes[max(0, start - 3):start]}
    return bool(before & {"if", "whether", "what", "unless"})


def _strongest(cues: list[tuple[str, str]], pack: ClaimPack,
               ranks: dict[str, tuple[tuple[int, int], str, Severity]]) -> tuple[str, Severity]:
    """The class and severity of the strongest cue (the first of equals); `ranks` keeps each cue's."""
    best: tuple[tuple[int, int], str, Severity] | None = None
    for cue, _ in cues:
        rank = ranks.get(cue)
        if rank is None:
            cls, override = pack.cue_class[cue]
            severity = Severity(override) if override else pack.classes[cls].info.severity
            rank = ranks[cue] = ((_SEVERITY_RANK[severity.value], -CLASS_ORDER.index(cls)), cls, severity)
        if best is None or rank[0] > best[0]:
            best = rank
    assert best is not None
    return best[1], best[2]


def _dedupe(cues: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return list(dict.fromkeys(cues))


class ClaimCheck:
    family = "CLAIM"
    category = "claim"

    def rules(self, config: Config) -> list[RuleInfo]:
        return [c.info for c in claim_pack(config.rule_dirs).classes.values()]

    def check(self, article: Article, ctx: Context) -> Iterator[Finding]:
        pack = claim_pack(ctx.config.rule_dirs)
        try:
            claims = find_claims(article, ctx.doc(article), ctx.nlp, ctx.config)
        except ConfigError:
            return  # the CLI validates [claims] up front
        supported = sum(1 for c in claims if c.supported_by)
        article.stats["claims"] = {
            "total": len(claims), "supported": supported,
            "support_ratio": round(supported / len(claims), 3) if claims else None,
            "by_type": {cls: sum(1 for c in claims if c.cls == cls) for cls in CLASS_ORDER},
        }
        window, _ = claim_settings(ctx.config, pack)
        looked_for = ["a citation marker", "a link", "a named source"]
        where = "in the sentence" if window == 0 else f"in the sentence or the {window} after it"
        for claim in claims:
            if claim.supported_by:
                continue
            cls = pack.classes[claim.cls]
            # The cues of the claim's own type first, each wording once.
            ordered = sorted(claim.cues, key=lambda c: pack.cue_class[c[0]][0] != claim.cls)
            cue_text = ", ".join(f"“{t}”" for t in list(dict.fromkeys(t for _, t in ordered))[:3])
            message = (f"Unsupported {cls.label} ({cue_text}): no citation, link or named source "
                       f"{where}. {cls.advice}")
            yield finding_in_text(
                article, cls.info, message, claim.start, claim.end, severity=claim.severity,
                evidence={"type": claim.cls, "cues": [{"cue": c, "text": t} for c, t in claim.cues],
                          "looked_for": looked_for, "window": window},
            )

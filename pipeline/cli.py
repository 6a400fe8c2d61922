"""The command line: `medreview audit`, `medreview clean`, `medreview rules`.

Exit status of `audit`: 0 when nothing is at or above --fail-on, 1 when
something is, 2 for a usage or configuration error.

The steps `audit` and `baseline` share (config, files, the audit run) are
medreview.audit_run.
"""

from __future__ import annotations

import atexit
import datetime as dt
import os
import sys
import threading
import time
from pathlib import Path

import click

from . import __version__, startup_gc
# USAGE_ERROR is re-exported: it was defined here.
from .audit_run import USAGE_ERROR, _Fail, _audit_files, _files, _load, _prepared_config
from .config import FAIL_ON, FORMATS, Config
from .rulepacks import RulePackError


def _formats(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    formats = tuple(f.strip() for f in value.split(",") if f.strip())
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise click.BadParameter(f"choose one or more of {', '.join(FORMATS)}, separated by commas", param_hint="--format")
    return formats


def _as_of(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date in YYYY-MM-DD form", param_hint="--as-of") from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="medreview")
def main() -> None:
    """Audit consumer health articles the way a careful medical editor would."""


def _audit_options(f):
    """The options `audit` and `baseline` share."""
    for option in reversed([
        click.argument("paths", nargs=-1),
        click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="The date every date judgement uses (default: today)."),
        click.option("--config", "config_file", metavar="FILE",
                     help="A medreview.toml or pyproject.toml to use instead of the one found."),
        click.option("--jobs", "-j", type=click.IntRange(min=0),
                     help="Worker processes (default 0: one per core, for batches of 8 files or more)."),
        click.option("--profile", is_flag=True, default=False, help="Print the time each stage took."),
        click.option("--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True,
                     help="Where articles are audited: worker processes here, or a Dask cluster."),
        click.option("--scheduler", metavar="ADDRESS", default="local",
                     help="With --executor dask: the scheduler (tcp://host:8786), or 'local' for a LocalCluster."),
        click.option("--no-cache", "no_cache", is_flag=True, default=False,
                     help="Audit every article again, ignoring the result cache in .medreview-cache/."),
        click.option("--offline", is_flag=True, default=None, help="Never touch the network (links use only the cache)."),
        click.option("--languagetool", "languagetool", metavar="URL",
                     help="A LanguageTool server for grammar and style (overrides [grammar] server)."),
        click.option("--changed-since", "changed_since", metavar="REV",
                     help="Audit only the articles git says changed since REV (e.g. origin/main)."),
    ]):
        f = option(f)
    return f


@main.command()
@_audit_options
@click.option("--out", "out", metavar="DIR", help="Folder for report files (default: reports/); '-' writes report.json to stdout.")
@click.option("--format", "fmt", metavar="LIST", help=f"Comma-separated report formats: {', '.join(FORMATS)}.")
@click.option("--fail-on", type=click.Choice(FAIL_ON), help="Lowest severity that makes the run fail (default: error).")
@click.option("--baseline", "baseline_file", metavar="FILE",
              help="Accepted findings (from `medreview baseline`): reported, but they never fail the run.")
def audit(paths, out, fmt, as_of, config_file, jobs, offline, profile, executor, scheduler, no_cache, fail_on,
          languagetool, changed_since, baseline_file) -> None:
    """Audit articles: files, folders (recursive) and glob patterns (default: corpus/)."""
    from .render import iter_json, iter_terminal, render_github, write_reports

    config = _prepared_config(paths, config_file, as_of=_as_of(as_of), formats=_formats(fmt), out=out, jobs=jobs,
                              offline=offline, fail_on=fail_on, languagetool=languagetool, no_cache=no_cache)
    if config.out != "-" and Path(config.out).exists() and not Path(config.out).is_dir():
        raise _Fail(f"--out {config.out}: is a file, not a folder for reports")
    baseline = None
    if baseline_file:
        from .baseline import BaselineError, load_baseline

        try:
            baseline = load_baseline(Path(baseline_file))
        except BaselineError as e:
            raise _Fail(str(e)) from None
    files = _files(paths, changed_since)
    try:
        report = _audit_files(files, config, executor, scheduler)
    except KeyboardInterrupt:
        # Reports are written only after the audit, each by rename: none is half written.
        click.echo("medreview: interrupted; no reports were written (the result cache keeps what was finished)",
                   err=True)
        sys.exit(130)
    if baseline is not None:
        from .baseline import apply_baseline

        kept, gone = apply_baseline(report, baseline)
        new = sum(1 for _, f in report.findings() if not f.baselined)
        click.echo(f"medreview: baseline: {new} new findings, {kept} baselined, "
                   f"{gone} baselined findings no longer found", err=True)
    report.seal()  # every finding is final: the summary is counted once, not by every renderer

    render_started = time.perf_counter()
    to_stdout = config.out == "-"
    if "terminal" in config.formats:
        for piece in iter_terminal(report, color=None):
            click.echo(piece, nl=False, err=to_stdout, color=None)
    if "github" in config.formats or os.environ.get("GITHUB_ACTIONS") == "true":
        # Workflow commands are read from stdout and stderr alike; stderr keeps `--out -` JSON clean.
        click.echo(render_github(report, report.rules), nl=False, err=to_stdout)
    if to_stdout:
        for piece in iter_json(report):  # an article at a time
            sys.stdout.write(piece)
        skipped = [f for f in config.formats if f not in ("json", "terminal", "github")]
        if skipped:
            click.echo(f"medreview: note: --out - writes only JSON; {', '.join(skipped)} skipped", err=True)
    else:
        try:
            written = write_reports(report, config.formats, Path(config.out))
        except OSError as e:
            raise _Fail(f"cannot write reports to {config.out}: {e.strerror or e}") from None
        for path in written:
            click.echo(f"Wrote {path}", err=True)
    report.timings["render"] = time.perf_counter() - render_started
    if profile:
        _print_profile(report, config)
    sys.exit(1 if report.failed else 0)


def _print_profile(report: "Report", config: Config) -> None:
    """Where the time went: each stage's seconds (summed over workers) and share."""
    total = sum(report.timings.values()) or 1.0
    words = sum(a.words for a in report.light())
    click.echo(f"medreview: profile ({len(report.articles)} articles, {words:,} words, "
               f"{report.elapsed + report.timings.get('render', 0.0):.2f} s wall):", err=True)
    for stage, seconds in sorted(report.timings.items(), key=lambda kv: -kv[1]):
        click.echo(f"  {stage:16} {seconds:8.3f} s  {100 * seconds / total:5.1f}%", err=True)


@main.command()
@_audit_options
@click.option("--output", "-o", "output", metavar="FILE", default=".medreview-baseline.json", show_default=True,
              help="Where to write the baseline.")
def baseline(paths, as_of, config_file, jobs, offline, profile, executor, scheduler, no_cache, languagetool,
             changed_since, output) -> None:
    """Record today's findings as accepted, so `audit --baseline FILE` fails only on new ones."""
    from .baseline import write_baseline

    if changed_since:
        raise _Fail("--changed-since cannot make a baseline: it would drop the accepted findings of every "
                    "article it skips; record the whole site")
    config = _prepared_config(paths, config_file, as_of=_as_of(as_of), jobs=jobs, offline=offline,
                              languagetool=languagetool, formats=("json",), no_cache=no_cache)
    report = _audit_files(_files(paths, changed_since), config, executor, scheduler)
    try:
        count = write_baseline(report, Path(output))
    except OSError as e:
        raise _Fail(f"cannot write baseline {output}: {e.strerror or e}") from None
    click.echo(f"Wrote {output}: {count} findings in {len(report.articles)} articles accepted as of "
               f"{report.as_of.isoformat()}", err=True)



@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--config", "config_file", metavar="FILE", help="A medreview.toml or pyproject.toml to use.")
def clean(file, config_file) -> None:
    """Print an article's text after artifact stripping."""
    from .clean import ad_container_pattern, artifact_rules, clean_article
    from .ingest import Failure, Reader, format_of

    config = _load(config_file, [file])
    try:
        pattern, rule = ad_container_pattern(config.rule_dirs)
        artifact_rules(config.rule_dirs)  # a pattern that does not compile: exit 2, not a traceback
    except RulePackError as e:
        raise _Fail(str(e)) from None
    reader = Reader(config.max_bytes, pattern, rule)
    status = 0
    for article in reader.read(Path(file), format_of(Path(file)) or "text"):
        if isinstance(article, Failure):
            click.echo(f"medreview: error: {article.id}: {article.message}", err=True)
            status = 1
            continue
        clean_article(article, config.rule_dirs)
        click.echo(article.text.strip())
    sys.exit(status)


@main.command()
@click.option("--config", "config_file", metavar="FILE", help="Include the rule packs this config adds.")
def rules(config_file) -> None:
    """List every rule: id, category, default severity, and what it catches."""
    from .checks import all_rules
    from .clean import artifact_rules

    config = _load(config_file, ["."])
    try:
        infos = all_rules(config)
        artifact_rules(config.rule_dirs)  # a pattern that does not compile is a broken pack here too
    except RulePackError as e:
        raise _Fail(str(e)) from None
    width = max(len(r.name) for r in infos)
    for r in infos:
        click.echo(f"{r.id:9} {r.name:{width}}  {r.category:9} {r.severity.value:7}  {r.summary}")




@main.command()
@click.argument("paths", nargs=-1)
@click.option("--config", "config_file", metavar="FILE", help="A medreview.toml or pyproject.toml to use.")
@click.option("--top", type=click.IntRange(min=1), default=None, help="Only the N most frequent words.")
@click.option("--min-count", type=click.IntRange(min=1), default=1, help="Only words seen at least this often.")
@click.option("--plain", is_flag=True, help="Words only, one per line: ready to paste into an accept list.")
def words(paths, config_file, top, min_count, plain) -> None:
    """List the words no dictionary knows, most frequent first, to grow the accept list."""
    from collections import Counter

    from .checks.spelling import lexicon_for
    from .checks.spelling_words import unknown_words
    from .clean import ad_container_pattern, clean_article
    from .discover import discover
    from .ingest import Failure, Reader
    from .lexicon import LexiconUnavailable
    from .nlp import build_nlp

    paths = list(paths) or ["corpus"]
    config = _load(config_file, paths)
    try:
        lexicon = lexicon_for(config)
        pattern, rule = ad_container_pattern(config.rule_dirs)
    except (LexiconUnavailable, ValueError, RulePackError) as e:
        raise _Fail(str(e)) from None
    files, errors = discover(paths)
    for line in errors:
        click.echo(f"medreview: error: {line}", err=True)
    if not files:
        raise _Fail("nothing to read: no articles found in " + ", ".join(paths))
    reader, nlp = Reader(config.max_bytes, pattern, rule), build_nlp()
    counts: Counter[str] = Counter()
    spelled: dict[str, Counter[str]] = {}
    articles: Counter[str] = Counter()
    for path, fmt in files:
        for article in reader.read(path, fmt):
            if isinstance(article, Failure):
                click.echo(f"medreview: error: {article.id}: {article.message}", err=True)
                continue
            clean_article(article, config.rule_dirs)
            seen = set()
            for word in unknown_words(article, nlp(article.text), lexicon):
                key = word.lower()
                counts[key] += 1
                spelled.setdefault(key, Counter())[word] += 1
                seen.add(key)
            articles.update(seen)
    ranked = [(w, n) for w, n in counts.most_common() if n >= min_count][:top]
    if not plain and ranked:
        click.echo(f"{'count':>6} {'in':>6}  {'word':24} suggestions")
    for key, n in ranked:
        word = spelled[key].most_common(1)[0][0]
        if plain:
            click.echo(word)
        else:
            hint = ", ".join(lexicon.suggest(word)[:3])
            click.echo(f"{n:6} {articles[key]:6}  {word:24} {hint}")


def entry() -> None:
    """The `medreview` command: main(), then out without tearing the interpreter down.

    Freeing spaCy's vocabulary, the dictionaries and the rest object by object
    took ~1 s at every exit (a quarter of a small run). When the command is
    done (reports renamed into place, workers joined) and no other thread is
    left, exit handlers run (the spool's temporary files go) and the process
    leaves at once. click's CliRunner calls main() itself, so tests in-process
    are not affected; the subprocess tests run this path. The garbage collector
    runs rarely until the pipeline is built (medreview.startup_gc).
    """
    startup_gc.defer()  # collections rare until the pipeline is built (~0.3 s)
    try:
        main()  # standalone: always ends in SystemExit
    except SystemExit as done:
        code = done.code
        if threading.active_count() > 1:  # a thread still working (a Dask client): the normal way out
            raise
        if sys.getprofile() is not None or sys.gettrace() is not None:
            raise  # python -m cProfile / a coverage tool writes its results after this returns
    else:  # pragma: no cover - click never returns in standalone mode
        code = 0
    if code is not None and not isinstance(code, int):
        click.echo(code, err=True)
        code = 1
    try:
        atexit._run_exitfuncs()  # what the interpreter would run at exit: temporary files, logging
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):  # closed or broken pipe: nothing more can be said
                pass
        os._exit(code or 0)


if __name__ == "__main__":
    entry()

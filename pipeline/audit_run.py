"""What `medreview audit` and `medreview baseline` run: the checked config, the files, the audit itself.

The commands are medreview.cli; this module holds the steps they share, and
the usage error (exit status 2) and config loading every command uses.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from . import __version__, startup_gc
from .config import Config, ConfigError, find_config_file, load_config
from .rulepacks import RulePackError

if TYPE_CHECKING:
    from .discover import FileList

USAGE_ERROR = 2


class _Fail(click.ClickException):
    exit_code = USAGE_ERROR

    def show(self, file=None) -> None:
        click.echo(f"medreview: error: {self.message}", err=True)


def _load(config_file: str | None, paths: list[str]) -> Config:
    try:
        path = Path(config_file) if config_file else find_config_file(paths)
        return load_config(path)
    except ConfigError as e:
        raise _Fail(str(e)) from None


def _prepared_config(paths: tuple[str, ...], config_file: str | None, languagetool: str | None = None,
                     no_cache: bool = False, **overrides) -> Config:
    """The config for this run, with every rule pack and setting checked now (exit 2 if broken)."""
    from .checks import all_rules

    try:
        config = _load(config_file, list(paths) or ["corpus"]).with_overrides(**overrides)
        if languagetool is not None:
            config = config.with_section("grammar", server=languagetool)
        if no_cache:
            config = config.with_section("cache", results=False)
        # Loads and checks every rule pack now (a broken one is a config error); patterns compile later.
        _check_rule_names(config, all_rules(config))
        config, skipped = _skipped_checks(config)
        from .links import link_settings

        link_settings(config)  # a bad [links] table exits with status 2
    except (ConfigError, RulePackError) as e:
        raise _Fail(str(e)) from None
    for line in skipped:
        click.echo(f"medreview: note: {line}", err=True)
    return config


def _check_rule_names(config: Config, rules: list) -> None:
    """Every rule named in [rules] disable and severity must exist: a typo must not silently do nothing."""
    ids = {r.id for r in rules}
    names = {r.name for r in rules}

    def known(entry: str) -> bool:
        return (entry in ids or entry in names or (entry.isupper() and any(i.startswith(entry) for i in ids))
                or any(n.startswith(entry + ".") for n in names))

    where = f"{config.source}: " if config.source else ""
    for entry in sorted(config.disable) + [rule for rule, _ in config.severity]:
        if not known(entry):
            raise ConfigError(f"{where}[rules] names no rule {entry!r} (see `medreview rules`)")


def _files(paths: tuple[str, ...], changed_since: str | None) -> "FileList":
    from .discover import FileList, discover

    paths_list = list(paths) or ["corpus"]
    files, errors = discover(paths_list)
    for line in errors:
        click.echo(f"medreview: error: {line}", err=True)
    if not files:
        raise _Fail("nothing to audit: no articles found in " + ", ".join(paths_list))
    if changed_since:
        from .changed import ChangedError, changed_files

        try:
            changed = changed_files(changed_since, _git_anchor(paths_list))
        except ChangedError as e:
            raise _Fail(str(e)) from None
        files = FileList((p, fmt) for p, fmt in files if p.resolve() in changed)
        click.echo(f"medreview: {len(files)} articles changed since {changed_since}", err=True)
        if not files:
            click.echo("medreview: nothing changed to audit — PASS", err=True)
            sys.exit(0)
    return files


def _git_anchor(paths: list[str]) -> Path:
    """Where to ask git: the first audited path that exists, a glob's folder before its first wildcard."""
    for spec in paths:
        prefix = spec.split("*", 1)[0].split("?", 1)[0].split("[", 1)[0]
        candidate = Path(prefix) if prefix else Path.cwd()
        while not candidate.exists() and candidate != candidate.parent:
            candidate = candidate.parent
        if candidate.exists():
            return candidate
    return Path.cwd()


def _audit_files(files: Sequence[tuple[Path, str]], config: Config, executor: str = "local",
                 scheduler: str = "local") -> "Report":
    from .checks import all_rules
    from .render import Report
    from .result_spool import ResultSpool
    from .runner import default_jobs, run

    from .distributed import DistributedUnavailable, run_distributed

    if executor == "dask":
        _prepare_checks(config)
        results = run_distributed(files, config, scheduler, config.jobs or default_jobs())
    else:
        results = run(files, config, prepare=lambda: _prepare_checks(config), packed=True)

    started = time.perf_counter()
    # Findings wait on disk for the renderers, so memory stays flat however large the site.
    articles = ResultSpool()
    report = Report(version=__version__, as_of=config.as_of, fail_on=config.fail_on, rules=all_rules(config),
                    articles=articles)  # type: ignore[arg-type]
    show_bar = sys.stderr.isatty() and len(files) > 1
    with click.progressbar(length=len(files), label="Auditing", file=sys.stderr,
                           show_pos=True, hidden=not show_bar) as bar:
        try:
            for per_file in results:
                for r in per_file:
                    if r.stats.get("failed"):
                        where = r.stats.get("id", r.path)
                        click.echo(f"medreview: error: {where}: {r.stats.get('error', 'could not be audited')}",
                                   err=True)
                    r.stats.pop("rule_families", None)  # the result cache's bookkeeping
                    for stage, seconds in r.stats.pop("timings", {}).items():
                        report.timings[stage] = report.timings.get(stage, 0.0) + seconds
                    articles.append(r)
                bar.update(1)
        except DistributedUnavailable as e:
            raise _Fail(str(e)) from None
    from .links import count_link_targets, run_link_stage

    links_started = time.perf_counter()
    light = articles.light()  # what the link stage needs; its findings join the stored ones on reading
    # The bar's length plans the link stage once more (~15 ms per 1,000 articles): only for a terminal.
    total = count_link_targets(light, config) if sys.stderr.isatty() else 0
    with click.progressbar(length=max(total, 1), label="Checking links", file=sys.stderr, show_pos=True,
                           hidden=total == 0) as bar:
        link_stats = run_link_stage(light, config, progress=bar.update)
    report.link_stats = link_stats.to_json()
    report.timings["links"] = time.perf_counter() - links_started
    from .runner import _rule_names
    from .suppress import suppress_late_findings

    for r in light.kept():  # only the articles the link stage took by index have late findings
        suppress_late_findings(r, _rule_names(config))
    for note in link_stats.notes:
        click.echo(f"medreview: note: {note}", err=True)
    report.elapsed = time.perf_counter() - started
    return report


def _skipped_checks(config: Config) -> tuple[Config, list[str]]:
    """One line per check family that cannot run in this set-up, said once per run.

    A LanguageTool server that does not answer the probe is switched off for
    the run, so articles are not each told the same thing. Checking the spaCy
    patterns and the lexicon waits for _prepare_checks: a run the result cache
    answers whole never builds them.
    """
    from .checks.grammar import grammar_notice, grammar_settings, probe_server
    from .checks.spelling import spelling_settings

    from .checks.review import review_policy

    from .checks.claims import claim_settings, claim_pack

    notes = []
    review_policy(config)  # raises ConfigError for bad [review] settings
    claim_settings(config, claim_pack(config.rule_dirs))
    try:
        settings = spelling_settings(config)
    except ValueError as e:
        raise ConfigError(f"{config.source or 'config'}: {e}") from None
    for name in settings.accept_files:
        if not Path(name).is_file():
            raise ConfigError(f"{config.source or 'config'}: [spelling] accept file not found: {name}")
    from .lexicon import missing_engine

    missing = missing_engine(settings)  # said now: a run the result cache answers builds no lexicon
    if missing:
        notes.append(f"spelling checks skipped: {missing}")
    notice = grammar_notice(config)  # raises ConfigError for bad [grammar] settings
    if notice:
        notes.append(notice)
    else:
        settings = grammar_settings(config)
        down = probe_server(settings) if settings else None
        if down:
            notes.append(f"grammar not checked: {down}")
            config = config.with_section("grammar", server="")
    return config, notes


def _prepare_checks(config: Config) -> None:
    """Before the first article that is not in the result cache: compile the artifact patterns and
    build the claim patterns (a pattern Python or spaCy rejects is a broken rule pack, exit 2) and
    the lexicon (or say once why spelling is skipped). Built in this process, worker processes
    inherit them. A run the cache answers whole needs none of them: the entries were made with
    these very packs (their contents are in every key)."""
    from .checks.claims import claim_matchers
    from .checks.spelling import spelling_settings, spelling_status
    from .clean import artifact_rules
    from .lexicon import missing_engine
    from .nlp import build_nlp

    try:
        artifact_rules(config.rule_dirs)  # compiled (a bad pattern is a broken pack) before the workers fork
        claim_matchers(config.rule_dirs, build_nlp())
    except (ConfigError, RulePackError) as e:
        raise _Fail(str(e)) from None
    reason = spelling_status(config)
    if reason and not missing_engine(spelling_settings(config)):  # else _skipped_checks said it
        click.echo(f"medreview: note: spelling checks skipped: {reason}", err=True)
    startup_gc.settle()  # built: freeze the start-up heap before the workers fork

"""Configuration: defaults, then a project file, then command-line flags.

The project file is `medreview.toml`, or the `[tool.medreview]` table of a
`pyproject.toml`, found in the audited folder (or the current one), unless
`--config FILE` names one. Keys (all optional):

    [audit]
    fail_on = "error"            # error | warning | info | never
    formats = ["json", "md", "html", "terminal"]
    out = "reports"
    jobs = 2                     # worker processes; 0 (default): one per core

    [input]
    max_bytes = 8_000_000        # larger files are reported, not read

    [rules]
    packs = ["house-style/"]     # folders of extra YAML rule packs
    disable = ["ART007", "artifact.teaser"]   # by id or name
    severity = { ART005 = "warning" }

Sections for individual checks (`[links]`, `[review]`, ...) are kept as
plain tables in `Config.sections` for those checks to read.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .model import Severity

FAIL_ON = ("error", "warning", "info", "never")
FORMATS = ("json", "md", "terminal", "html", "sarif", "junit", "csv", "github")


class ConfigError(Exception):
    """A configuration problem: the CLI exits with status 2."""


@dataclass(frozen=True)
class Config:
    as_of: dt.date = field(default_factory=dt.date.today)
    fail_on: str = "error"
    formats: tuple[str, ...] = ("json", "md", "html", "terminal")
    out: str = "reports"
    jobs: int = 0  # 0: as many worker processes as the machine has cores (for batches worth it)
    offline: bool = False
    max_bytes: int = 8_000_000
    rule_dirs: tuple[str, ...] = ()
    disable: frozenset[str] = frozenset()
    severity: tuple[tuple[str, Severity], ...] = ()
    sections: tuple[tuple[str, Any], ...] = ()
    source: str | None = None  # the file it was read from, for messages

    def section(self, name: str) -> dict[str, Any]:
        return dict(dict(self.sections).get(name, {}))

    def severity_for(self, rule_id: str, rule_name: str, default: Severity) -> Severity:
        overrides = dict(self.severity)
        return overrides.get(rule_id) or overrides.get(rule_name) or default

    def is_disabled(self, rule_id: str, rule_name: str) -> bool:
        if rule_id in self.disable or rule_name in self.disable:
            return True
        # A family prefix ("ART") or a dotted group ("artifact") disables all of it.
        return any(
            rule_id.startswith(d) and d.isupper() or rule_name.startswith(d + ".")
            for d in self.disable
        )

    def with_section(self, name: str, **values: Any) -> "Config":
        """A copy with keys of one [section] set (command-line flags such as --languagetool)."""
        sections = dict(self.sections)
        sections[name] = {**sections.get(name, {}), **values}
        return replace(self, sections=tuple(sorted(sections.items())))

    def with_overrides(self, **changes: Any) -> "Config":
        changes = {k: v for k, v in changes.items() if v is not None}
        return _validated(replace(self, **changes))


def find_config_file(paths: list[str]) -> Path | None:
    """medreview.toml (or a pyproject.toml with [tool.medreview]) for these paths."""
    candidates: list[Path] = []
    for p in paths:
        path = Path(p)
        folder = path if path.is_dir() else path.parent
        candidates.append(folder)
    candidates.append(Path.cwd())
    seen: set[Path] = set()
    for folder in candidates:
        folder = folder.resolve()
        if folder in seen:
            continue
        seen.add(folder)
        if (folder / "medreview.toml").is_file():
            return folder / "medreview.toml"
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and _pyproject_table(pyproject) is not None:
            return pyproject
    return None


def _pyproject_table(path: Path) -> dict[str, Any] | None:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    return data.get("tool", {}).get("medreview")


def load_config(path: Path | None) -> Config:
    if path is None:
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise ConfigError(f"{path}: config file not found") from e
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: cannot read config file: {e}") from e
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: config is not valid TOML: {e}") from e
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("medreview", {})
    return from_dict(data, source=str(path), base=path.parent)


# Every table and the keys of those this module and the small checks read; [grammar], [review],
# [links] and [citations] validate their own keys (their checks know them).
KNOWN_TABLES = {
    "audit": {"fail_on", "formats", "out", "jobs"},
    "input": {"max_bytes"},
    "rules": {"packs", "disable", "severity"},
    "spelling": {"locale", "other_variant", "accept", "accept_files", "dictionaries"},
    "claims": {"support_window", "require_resolved"},
    "cache": {"results", "dir"},
    "grammar": None, "review": None, "links": None, "citations": None,
}


def _check_tables(data: dict[str, Any], source: str | None) -> None:
    where = f"{source}: " if source else ""
    for table, value in data.items():
        if table not in KNOWN_TABLES:
            raise ConfigError(f"{where}unknown table [{table}]; known tables: {', '.join(sorted(KNOWN_TABLES))}")
        if not isinstance(value, dict):
            raise ConfigError(f"{where}[{table}] must be a table")
        keys = KNOWN_TABLES[table]
        unknown = sorted(set(value) - keys) if keys is not None else []
        if unknown:
            raise ConfigError(f"{where}unknown key {unknown[0]!r} in [{table}]; known keys: {', '.join(sorted(keys))}")
    for table, key in (("claims", "require_resolved"), ("cache", "results")):
        value = data.get(table, {}).get(key)
        if value is not None and not isinstance(value, bool):
            raise ConfigError(f"{where}[{table}] {key} must be true or false, not {value!r}")
    variant = data.get("spelling", {}).get("other_variant")
    if variant is not None and variant not in ("accept", "flag"):
        raise ConfigError(f"{where}[spelling] other_variant must be \"accept\" or \"flag\", not {variant!r}")


def from_dict(data: dict[str, Any], source: str | None = None, base: Path | None = None) -> Config:
    _check_tables(data, source)
    audit = data.get("audit", {})
    rules = data.get("rules", {})
    inp = data.get("input", {})
    for name, table in (("audit", audit), ("rules", rules), ("input", inp)):
        if not isinstance(table, dict):
            raise ConfigError(f"{source}: [{name}] must be a table")
    base = base or Path.cwd()
    formats = audit.get("formats", Config.formats)
    if isinstance(formats, str):
        formats = [f.strip() for f in formats.split(",")]
    severity = {}
    sev_table = rules.get("severity", {})
    if not isinstance(sev_table, dict):
        raise ConfigError(f"{source}: [rules] severity must be a table such as {{ ART005 = \"warning\" }}")
    disable = rules.get("disable", [])
    if isinstance(disable, str):
        disable = [disable]  # one rule named as a string, not a list of its letters
    if not isinstance(disable, list):
        raise ConfigError(f"{source}: [rules] disable must be a list of rule ids or names")
    packs = rules.get("packs", [])
    if isinstance(packs, str):
        packs = [packs]
    for rule, sev in sev_table.items():
        try:
            severity[rule] = Severity(str(sev))
        except ValueError:
            raise ConfigError(
                f"{source}: [rules] severity for {rule} must be error, warning or info, not {sev!r}"
            ) from None
    known = {"audit", "rules", "input"}
    cfg = Config(
        fail_on=str(audit.get("fail_on", "error")),
        formats=tuple(formats),
        out=str(audit.get("out", "reports")),
        jobs=_whole_number(audit.get("jobs", 0), "[audit] jobs", source),
        max_bytes=_whole_number(inp.get("max_bytes", Config.max_bytes), "[input] max_bytes", source),
        rule_dirs=tuple(str((base / d).resolve()) for d in packs),
        disable=frozenset(str(d) for d in disable),
        severity=tuple(sorted(severity.items())),
        sections=tuple(sorted((k, v) for k, v in data.items() if k not in known)),
        source=source,
    )
    return _validated(cfg)


def _whole_number(value: Any, name: str, source: str | None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{source}: {name} must be a whole number, not {value!r}")
    return value


def _validated(cfg: Config) -> Config:
    where = f"{cfg.source}: " if cfg.source else ""
    if cfg.fail_on not in FAIL_ON:
        raise ConfigError(f"{where}fail_on must be one of {', '.join(FAIL_ON)}, not {cfg.fail_on!r}")
    bad = [f for f in cfg.formats if f not in FORMATS]
    if bad:
        raise ConfigError(f"{where}unknown report format {bad[0]!r}; choose from {', '.join(FORMATS)}")
    if cfg.jobs < 0:
        raise ConfigError(f"{where}jobs must be 0 (one per core) or more")
    if cfg.max_bytes < 1:
        raise ConfigError(f"{where}max_bytes must be positive")
    for d in cfg.rule_dirs:
        if not os.path.isdir(d):
            raise ConfigError(f"{where}rule pack folder not found: {d}")
    return cfg

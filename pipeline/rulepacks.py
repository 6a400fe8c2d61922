"""Loading rule packs: editorial policy kept as YAML an editor can read.

The bundled packs live in the repository's `rules/` folder (installed as
`medreview.rules`). A team adds its own folder in the config (`[rules] packs`);
a user pack with the same file name as a bundled one extends it, and a rule
there with an existing id replaces the bundled rule.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml


class RulePackError(Exception):
    """A rule pack that cannot be loaded (bad YAML, bad shape). A config error."""


# libyaml's parser when PyYAML was built with it: the claims pack alone takes 0.17 s in pure
# Python and 0.01 s with libyaml, and every run (and every worker) pays it.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _PackLoader(_SafeLoader):  # type: ignore[misc, valid-type]
    """YAML 1.2 booleans: only true/false. Rule packs list words, and YAML 1.1 would
    turn "on", "no", "off" or "yes" in a word list into booleans."""


_PackLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
for _first in "tTfF":
    _PackLoader.yaml_implicit_resolvers.setdefault(_first, []).insert(
        0, ("tag:yaml.org,2002:bool", __import__("re").compile(r"^(?:true|True|TRUE|false|False|FALSE)$")))


def bundled_dir() -> Path:
    return Path(str(resources.files("medreview.rules")))


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_PackLoader)
    except (OSError, UnicodeDecodeError) as e:
        raise RulePackError(f"{path}: cannot read rule pack: {e}") from e
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        raise RulePackError(f"{path}: rule pack is not valid YAML{where}") from e
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise RulePackError(f"{path}: a rule pack must be a mapping at the top level")
    return data


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if key == "rules" and isinstance(value, list):
            by_id = {r.get("id"): r for r in merged.get("rules", [])}
            for rule in value:
                by_id[rule.get("id")] = rule
            merged["rules"] = list(by_id.values())
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


@lru_cache(maxsize=64)
def load_pack(name: str, extra_dirs: tuple[str, ...] = ()) -> dict[str, Any]:
    """The pack `name` (e.g. "artifacts"), bundled then extended by each extra dir.

    Cached per process, so every worker parses each pack once.
    """
    path = bundled_dir() / f"{name}.yml"
    pack = _read(path) if path.exists() else {}
    for d in extra_dirs:
        user = Path(d) / f"{name}.yml"
        if user.exists():
            pack = _merge(pack, _read(user))
    return pack


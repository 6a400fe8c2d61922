"""Import spaCy without its command-line package: ~0.3 s and ~360 modules less per process.

spaCy's __init__ imports `info` from spacy.cli.info only to offer spacy.info(), and that
pulls in spaCy's whole command line (typer, weasel, httpx, jinja2, rich, ...), which
medreview never uses: a third of what importing spaCy costs. When spaCy's __init__ holds
that one import of its CLI and no other, spacy.cli and spacy.cli.info are placeholders
while spaCy is imported: spacy.info() imports the real one when called, and a later
`import spacy.cli` loads the real package. Any other spaCy is imported as it is, and so is
this one if the import with placeholders fails for any reason.
"""

from __future__ import annotations

import importlib.util
import sys
import types
from pathlib import Path
from typing import Any

_CLI_IMPORT = "from .cli.info import info"


def import_spacy() -> Any:
    """The spacy module, imported without spacy.cli where that is safe (module docstring)."""
    if "spacy" in sys.modules or not _only_cli_import_is_info():
        import spacy

        return spacy
    placeholders = _placeholders()
    sys.modules.update(placeholders)
    try:
        import spacy
    except Exception:
        sys.modules.pop("spacy", None)
        _drop(placeholders)
        import spacy  # as it is; a real error shows itself here
    finally:
        _drop(placeholders)
    return spacy


def _only_cli_import_is_info() -> bool:
    """Whether spaCy's __init__ (read, not run) mentions its CLI only in the known import."""
    try:
        spec = importlib.util.find_spec("spacy")
        source = Path(spec.origin).read_text(encoding="utf-8") if spec and spec.origin else ""
    except (ImportError, OSError, ValueError):
        return False
    return source.count(_CLI_IMPORT) == 1 and source.count("cli") == 1


def _placeholders() -> dict[str, types.ModuleType]:
    def info(*args: Any, **kwargs: Any) -> Any:
        from spacy.cli.info import info as real

        return real(*args, **kwargs)

    cli, cli_info = types.ModuleType("spacy.cli"), types.ModuleType("spacy.cli.info")
    cli_info.info = info  # type: ignore[attr-defined]
    return {"spacy.cli": cli, "spacy.cli.info": cli_info}


def _drop(placeholders: dict[str, types.ModuleType]) -> None:
    for name, module in placeholders.items():
        if sys.modules.get(name) is module:
            del sys.modules[name]

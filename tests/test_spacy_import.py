"""spaCy imported without its command line (medreview.spacy_import), in fresh interpreters."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def _run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_pipeline_builds_without_spacys_cli_and_the_cli_still_loads_on_demand():
    out = _run("""
        import sys
        from medreview.nlp import build_nlp
        doc = build_nlp()("Dr. Lee saw it. Then he left.")
        print([s.text for s in doc.sents], "spacy.cli" in sys.modules, "typer" in sys.modules)
        import spacy, spacy.cli
        print(callable(spacy.info), hasattr(spacy.cli, "setup_cli"), spacy.info.__module__)
        """)
    first, second = out.splitlines()
    assert first == "['Dr. Lee saw it.', 'Then he left.'] False False"
    assert second == "True True medreview.spacy_import"


def test_a_spacy_whose_init_is_not_the_known_one_is_imported_as_it_is():
    out = _run("""
        import sys
        from medreview import spacy_import
        spacy_import._CLI_IMPORT = "from .cli.something import else"  # not what spaCy's __init__ holds
        spacy = spacy_import.import_spacy()
        print("spacy.cli" in sys.modules, spacy.info.__module__)
        """)
    assert out == "True spacy.cli.info"


def test_a_failing_import_with_placeholders_falls_back_to_the_plain_import():
    out = _run("""
        import sys, types
        from medreview import spacy_import
        real = spacy_import._placeholders
        def broken():
            mods = real()
            del mods["spacy.cli.info"].info  # spaCy's `from .cli.info import info` fails
            return mods
        spacy_import._placeholders = broken
        spacy = spacy_import.import_spacy()
        print(spacy.blank("en")("it works").text, "spacy.cli" in sys.modules)
        """)
    assert out == "it works True"

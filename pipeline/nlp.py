"""The spaCy pipeline: built once per process, shared by every check.

A blank English pipeline with the rule-based sentencizer: tokenisation and
sentences at ~100k words/s, with no model download (these machines cannot
fetch one at run time). Checks that need more add rule components here.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def build_nlp() -> Any:
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.max_length = 20_000_000  # articles are bounded by [input] max_bytes instead
    return nlp

"""Regenerate rules/drugs.txt: drug names the spelling dictionaries lack.

    .venv/bin/pip install drug-named-entity-recognition   # MIT licence, Fast Data Science
    .venv/bin/python benchmarks/build_drug_list.py

Keeps the package's single-word drug names of 5+ letters that neither Hunspell
dictionary nor OpenMedSpel knows, minus every name one edit away from a word
they do know: such a "drug" is as likely a misspelling ("acetominophen",
"damge") as a name, and accepting it would hide real typos.
"""

from __future__ import annotations

import bz2
import os
import pickle
import re
import string
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADER = """# Drug names (generic and brand, one word each) that Hunspell's en-US/en-GB and OpenMedSpel
# dictionaries lack, accepted by spelling in any case. Generated from the dictionary shipped in
# the PyPI package drug-named-entity-recognition (MIT licence, Fast Data Science), keeping
# single words of 5+ letters, minus every name one edit away from a word the dictionaries know
# (so "damge" or "acetominophen" never pass as drugs). Regenerate: benchmarks/build_drug_list.py.
"""


def edits1(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    letters = string.ascii_lowercase
    return ({a + b[1:] for a, b in splits if b} | {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
            | {a + c + b[1:] for a, b in splits if b for c in letters} | {a + c + b for a, b in splits for c in letters})


def main() -> None:
    import drug_named_entity_recognition as package
    import hunspell

    with bz2.open(os.path.join(os.path.dirname(package.__file__), "drug_ner_dictionary.pkl.bz2")) as fh:
        names = pickle.load(fh)["drug_variant_to_canonical"]
    words = {n for n in names if re.fullmatch(r"[a-z]{5,}", n)}
    us = hunspell.HunSpell("/usr/share/hunspell/en_US.dic", "/usr/share/hunspell/en_US.aff")
    gb = hunspell.HunSpell("/usr/share/hunspell/en_GB.dic", "/usr/share/hunspell/en_GB.aff")
    med = {line.split("/", 1)[0].strip().lower()
           for line in Path("/usr/share/hunspell/en_med_glut.dic").read_text(errors="replace").splitlines()}

    def known(w: str) -> bool:
        return us.spell(w) or gb.spell(w) or w in med

    kept = sorted(w for w in words if not known(w) and not any(known(c) for c in edits1(w)))
    (ROOT / "rules" / "drugs.txt").write_text(HEADER + "\n".join(kept) + "\n", encoding="utf-8")
    print(f"{len(words)} single-word names, {len(kept)} kept in rules/drugs.txt")


if __name__ == "__main__":
    main()

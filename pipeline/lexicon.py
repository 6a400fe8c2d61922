"""The spelling lexicon: Hunspell dictionaries plus medical and house word lists.

Engine: Hunspell (libhunspell through the `hunspell` binding, pyhunspell).
It is what LibreOffice and Firefox use, it handles affixes (so "stabilisers"
is known from "stabiliser"), its suggestions are good, and it checks ~800k
words/s. The dictionaries come from Debian's packages, installed by
scripts/bootstrap: `hunspell-en-us`, `hunspell-en-gb` and `hunspell-en-med`
(OpenMedSpel, ~90k medical terms). No pure-Python fallback: spylls reads the
same files but suggests ~50x slower, and without Debian's dictionaries there
is nothing for either engine to read; spelling is then skipped with one notice.

A word is known when the house-style dictionary, the other variant's
dictionary, the medical word list (in any case, so brand names pass as
"voltaren" or "VOLTAREN") or an accept list knows it. Which variant a word
belongs to (en-US or en-GB) is judged separately, for the consistency rule.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from . import word_data
from .hunspell_forms import hunspell_forms
from .corrections import (by_frequency, distance, far_candidates, hole_masks, listed_filter, one_edit_listed,
                          same_case, table_starts)

SEARCH_DIRS = (
    "/usr/share/hunspell", "/usr/share/myspell/dicts", "/usr/share/myspell",
    "/usr/local/share/hunspell", "/opt/homebrew/share/hunspell", "/Library/Spelling",
)
MEDICAL_DIC = ("en_med_glut", "en_med", "en-medical", "OpenMedSpel")
LOCALES = {"en-US": "en_US", "en-GB": "en_GB"}

# How British and American spellings of one word differ. A word only one
# dictionary knows is a *variant* spelling when its counterpart differs by one
# of these; otherwise it is just a gap in the other dictionary ("adhesions").
_VARIANT_PAIRS = (
    ("is", "iz"), ("ys", "yz"), ("our", "or"), ("tre", "ter"), ("bre", "ber"), ("ae", "e"), ("oe", "e"),
    ("ll", "l"), ("ogue", "og"), ("ence", "ense"), ("mme", "m"), ("que", "k"), ("ey", "y"),
)


class LexiconUnavailable(Exception):
    """No Hunspell binding or no dictionary: spelling is skipped, with this reason."""


@dataclass(frozen=True, slots=True)
class LexiconSettings:
    locale: str = "en-US"
    dictionary_dirs: tuple[str, ...] = ()
    accept_files: tuple[str, ...] = ()
    accept_words: tuple[str, ...] = ()

    @classmethod
    def from_section(cls, section: dict[str, Any], base: Path | None = None) -> "LexiconSettings":
        base = base or Path.cwd()
        locale = str(section.get("locale", "en-US"))
        if locale not in LOCALES:
            raise ValueError(f"[spelling] locale must be one of {', '.join(LOCALES)}, not {locale!r}")
        dirs = section.get("dictionaries", [])
        dirs = [dirs] if isinstance(dirs, str) else list(dirs)
        files = section.get("accept_files", [])
        files = [files] if isinstance(files, str) else list(files)
        return cls(
            locale=locale,
            dictionary_dirs=tuple(str((base / d).resolve()) for d in dirs),
            accept_files=tuple(str((base / f).resolve()) for f in files),
            accept_words=tuple(str(w) for w in section.get("accept", [])),
        )


def _find(names: tuple[str, ...], dirs: tuple[str, ...], suffix: str = ".dic") -> Path | None:
    for d in dirs:
        for name in names:
            p = Path(d) / f"{name}{suffix}"
            if p.is_file():
                return p
    return None


_WORD_LIST_FORMAT = 1  # of read_word_list's result: part of the saved medical words' key (change it with the function)


def read_word_list(text: str) -> set[str]:
    """Words of an accept list or a .dic file, casefolded; '#' comments and /flags dropped."""
    words = set()
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or line.isdigit():
            continue
        word = line.split("/", 1)[0].strip()
        if word and " " not in word:
            words.add(word.casefold())
    return words


def bundled_accept_words() -> set[str]:
    return set(_bundled_accept())


@lru_cache(maxsize=1)
def _bundled_accept() -> frozenset[str]:
    """The bundled accept lists' words (package files: read once per process; their words read
    back from the cache folder, ~0.01 s, instead of through read_word_list, ~0.05 s)."""
    texts = _bundled_accept_texts()

    def read() -> set[str]:
        words: set[str] = set()
        for text in texts:
            words |= read_word_list(text)
        return words

    digest = hashlib.sha256("\0".join(texts).encode("utf-8")).hexdigest()[:32]
    return frozenset(word_data.saved_words("accept-words", f"{digest}-{_WORD_LIST_FORMAT}", read))


def _bundled_accept_texts() -> list[str]:
    folder = resources.files("medreview.rules")
    return [(folder / name).read_text(encoding="utf-8") for name in ("accept.txt", "drugs.txt")
            if (folder / name).is_file()]


@dataclass
class Lexicon:
    primary: Any  # hunspell.HunSpell of the house-style locale (+ medical words)
    other: Any  # the other variant's dictionary
    locale: str
    accepted: frozenset[str]  # casefolded: medical list, bundled and user accept lists
    sources: str  # what judged, for the finding's evidence
    medical: frozenset[str] = frozenset()  # casefolded medical word list, to rank rare terms after common words
    plain: Any = None  # the house-style dictionary without medical words: judges variants
    rejected: frozenset[str] = frozenset()  # misspellings a dictionary lists as words (rules/reject.txt)
    medical_digest: str | None = None  # sha256 of the medical .dic file: part of the near-word index's key
    # ((.aff, its .dic files), ...) of `primary` and `other`: what hunspell_forms() expands
    dictionaries: tuple[tuple[str, tuple[str, ...]], ...] = ()
    _known: dict[str, bool] = field(default_factory=dict, repr=False)
    _suggest: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _variant: dict[str, str | None] = field(default_factory=dict, repr=False)
    _unindexed: tuple[str, ...] | None = field(default=None, repr=False)
    _listed: Any = field(default=None, repr=False)  # (_listed_hashes(), its filters)
    # checks.spelling_words's verdicts on distinct words, per process (its _VerdictCache)
    _verdicts: Any = field(default=None, repr=False)

    def known(self, word: str) -> bool:
        hit = self._known.get(word)
        if hit is None:
            folded = word.casefold()
            hit = folded not in self.rejected and (
                folded in self.accepted or self._spell(self.primary, word) or self._spell(self.other, word))
            self._known[word] = hit
        return hit

    @staticmethod
    def _spell(dic: Any, word: str) -> bool:
        try:
            return bool(dic.spell(word))
        except UnicodeEncodeError:  # a character the dictionary's encoding lacks: not a word it knows
            return False

    def spells(self, word: str) -> bool:
        """Whether an accept list or a dictionary knows `word` (not cached: for the hundreds of
        strings far_candidates() tries)."""
        return word.casefold() in self.accepted or self._spell(self.primary, word) or self._spell(self.other, word)

    def spelled(self, words: list[str]) -> list[str]:
        """The words spells() accepts, in their order: the ones no dictionary can accept (not in
        hunspell_forms(), a superset of its forms) are dropped without asking Hunspell."""
        maybe = [w.casefold() in self.accepted for w in words]
        if self.dictionaries:
            ask = [w for w, m in zip(words, maybe) if not m]
            sure = iter(hunspell_forms(self.dictionaries).may_spell(ask))
            maybe = [m or next(sure) for m in maybe]
        else:
            maybe = [True] * len(words)
        return [w for w, m in zip(words, maybe) if m and self.spells(w)]

    def suggest(self, word: str) -> list[str]:
        """Up to 5 corrections, best first.

        With word frequencies (the `wordfreq` package): every word one edit away
        that the lexicon knows, ranked by a noisy-channel score (medreview.corrections);
        when none is one edit away, the known words two edits away, from the near-word index
        (medreview.suggest, ~1 ms a look-up); when none is that close either,
        corrections.far_candidates() (~10-40 ms). Without wordfreq: Hunspell's list
        (30-130 ms a call), single words before splits, the closest first, common words before
        rare medical ones ("diabetis" -> "diabetes" before "diabetid").
        """
        if word not in self._suggest:
            freq = word_data.frequencies()
            if freq is not None:
                vocab, _ = freq
                # The few edits either list holds, found as hashes (one_edit_listed), then looked up.
                # `accepted` first: a set look-up, where `vocab` binary-searches its mapped arrays
                near = [c for c in self.listed_edits(word.lower())
                        if (c in self.accepted or c in vocab) and c not in self.rejected and self.known(c)]
                if not near:
                    near = [c for c in self._two_edits(word.lower())
                            if (c in self.accepted or c in vocab) and c not in self.rejected and self.known(c)]
                if not near:
                    near = far_candidates(self, word.lower())
                # Sorted first: `edits` is a set, so its order (and with it the order of candidates
                # with equal scores) changed from run to run with Python's string hashing.
                ranked = by_frequency(word, sorted(near))
            else:
                try:
                    raw = [s for s in dict.fromkeys(self.primary.suggest(word)) if s.casefold() not in self.rejected]
                except UnicodeEncodeError:
                    raw = []
                ranked = self._by_hunspell(word, raw)
            self._suggest[word] = [same_case(word, s) if s.islower() else s for s in ranked][:5]
        return self._suggest[word]

    def listed_edits(self, word: str) -> set[str]:
        """one_edit_listed() of `word` in the listed words' hashes: every edit a list holds."""
        table = self._listed_hashes()
        return one_edit_listed(word, table, self._listed[1:])

    def _listed_hashes(self) -> Any:
        """word_data.listed_hashes() (wordfreq's words, the medical and bundled lists: saved in the
        cache folder) with the user's accept-list words added, once per lexicon; kept in `_listed`
        with one_edit_listed()'s filters (its listed_filter(), ~11 ms, the words' hole masks,
        word_data.listed_holes(), and its table_starts(), ~4 ms), so resetting `_listed` resets all."""
        if self._listed is None:
            import numpy as np

            table = word_data.listed_hashes(self.medical, self.medical_digest)
            holes = word_data.listed_holes(self.medical, self.medical_digest)
            extra = self.accepted - self.medical - _bundled_accept()
            if extra:
                table = np.union1d(table, word_data.poly_hashes(extra))
                holes = hole_masks(extra, np.array(holes))  # into a copy: the saved masks are read-only
            self._listed = (table, listed_filter(table), holes, table_starts(table))
        return self._listed[0]

    def unindexed(self) -> tuple[str, ...]:
        """Accept-list words the process-wide near-word index lacks: a few, checked one by one."""
        if self._unindexed is None:
            self._unindexed = tuple(sorted(w for w in self.accepted - self.medical - _bundled_accept()
                                           if w.isalpha()))
        return self._unindexed

    def _two_edits(self, word: str) -> list[str]:
        """Words of the near-word index and of the user's accept lists within two edits of `word`."""
        from .suggest import MAX_DISTANCE, within

        index = word_data.near_index(self.medical, self.medical_digest)
        extra = [w for w in self.unindexed() if w != word and within(word, w, MAX_DISTANCE)]
        return index.near(word) + extra

    def _by_hunspell(self, word: str, raw: list[str]) -> list[str]:
        def rank(p: tuple[int, str]) -> tuple[bool, int, bool, int]:
            i, s = p
            rare = s.casefold() in self.medical and not self._spell(self.other, s)
            return (" " in s or "-" in s, distance(word, s), rare, i)

        return [s for _, s in sorted(enumerate(raw), key=rank)]

    def variant(self, word: str) -> str | None:
        """'en-GB' or 'en-US' when the word is a spelling of only that variant, else None."""
        if word not in self._variant:
            self._variant[word] = self._judge_variant(word)
        return self._variant[word]

    def counterpart(self, word: str) -> str | None:
        """The spelling of `word` in the house-style variant ('stabilising' -> 'stabilizing')."""
        dic = (self.plain or self.primary) if self.variant(word) != self.locale else self.other
        for c in variant_candidates(word):
            if self._spell(dic, c):
                return c[:1].upper() + c[1:] if word[:1].isupper() else c
        return None

    def _judge_variant(self, word: str) -> str | None:
        folded = word.casefold()
        if folded in self.accepted and folded not in self.medical:
            return None  # a house accept list vouches for this spelling
        # The medical list mixes British and American forms, so only the plain dictionaries judge.
        plain = self.plain or self.primary
        in_primary, in_other = self._spell(plain, word), self._spell(self.other, word)
        if in_primary == in_other:
            return None
        # Its counterpart must be a word of the dictionary that lacks it. The candidates are
        # generated from the spelling patterns and checked with spell(): Hunspell's suggest()
        # costs 30-130 ms a call, spell() microseconds.
        dic = plain if in_other else self.other
        if not any(self._spell(dic, c) for c in variant_candidates(word)):
            return None
        other_locale = "en-GB" if self.locale == "en-US" else "en-US"
        return self.locale if in_primary else other_locale


def variant_candidates(word: str) -> list[str]:
    """Spellings of `word` in the other variant: each British/American pattern swapped once."""
    a = word.lower()
    out = []
    for x, y in _VARIANT_PAIRS:
        for src, dst in ((x, y), (y, x)):
            i = a.find(src)
            while i != -1:
                out.append(a[:i] + dst + a[i + len(src):])
                i = a.find(src, i + 1)
    return list(dict.fromkeys(c for c in out if c != a))


def _search_dirs(settings: LexiconSettings) -> tuple[str, ...]:
    env = tuple(p for p in os.environ.get("MEDREVIEW_DICTIONARIES", "").split(os.pathsep) if p)
    return settings.dictionary_dirs + env + SEARCH_DIRS


def dictionary_files(settings: LexiconSettings) -> list[Path]:
    """The dictionary files a lexicon with these settings reads (for the result cache's key)."""
    dirs = _search_dirs(settings)
    found = []
    for names in ((LOCALES[settings.locale],), (LOCALES["en-GB" if settings.locale == "en-US" else "en-US"],),
                  MEDICAL_DIC):
        dic = _find(names, dirs)
        if dic is not None:
            found += [dic] + ([dic.with_suffix(".aff")] if dic.with_suffix(".aff").is_file() else [])
    return found


def missing_engine(settings: LexiconSettings) -> str | None:
    """Why spelling cannot run here (no Hunspell binding, no en_US/en_GB dictionary), found without
    building anything; None when the engine and its dictionaries are there."""
    try:
        import hunspell  # noqa: F401  (a small C extension: importing it is the honest test)
    except ImportError:
        return ("the Hunspell binding is not installed (run scripts/bootstrap, or "
                "apt-get install libhunspell-dev && pip install 'medreview[spelling]')")
    dirs = _search_dirs(settings)
    names = (LOCALES[settings.locale], LOCALES["en-GB" if settings.locale == "en-US" else "en-US"])
    missing = [n for n in names if _find((n,), dirs) is None]
    if missing:
        return (f"no Hunspell dictionary {' or '.join(missing)} in {', '.join(dirs[:3])}… "
                "(run scripts/bootstrap, or apt-get install hunspell-en-us hunspell-en-gb hunspell-en-med)")
    return None


@lru_cache(maxsize=4)
def load_lexicon(settings: LexiconSettings, stamp: tuple[Any, ...] = ()) -> Lexicon:
    """Build the lexicon once per process (per `stamp` of the accept files); raises LexiconUnavailable
    with a reason an editor can act on."""
    reason = missing_engine(settings)
    if reason is not None:
        raise LexiconUnavailable(reason)
    import hunspell  # pyhunspell, compiled against libhunspell

    dirs = _search_dirs(settings)
    primary_name = LOCALES[settings.locale]
    other_name = LOCALES["en-GB" if settings.locale == "en-US" else "en-US"]
    primary_dic, other_dic = _find((primary_name,), dirs), _find((other_name,), dirs)
    primary = hunspell.HunSpell(str(primary_dic), str(primary_dic.with_suffix(".aff")))
    primary_files = [str(primary_dic)]
    plain = hunspell.HunSpell(str(primary_dic), str(primary_dic.with_suffix(".aff")))
    other = hunspell.HunSpell(str(other_dic), str(other_dic.with_suffix(".aff")))
    accepted = bundled_accept_words()
    sources = [f"Hunspell {primary_name}", other_name]
    medical: set[str] = set()
    medical_digest = hashlib.sha256(b"").hexdigest()
    med = _find(MEDICAL_DIC, dirs)
    if med is not None:
        primary.add_dic(str(med))  # so suggestions include medical terms
        primary_files.append(str(med))
        raw = med.read_bytes()
        medical_digest = hashlib.sha256(raw).hexdigest()
        medical = word_data.saved_words(  # read once, then from the cache folder (~0.1 s a process)
            "medical-words", f"{medical_digest[:32]}-{_WORD_LIST_FORMAT}",
            lambda: read_word_list(raw.decode("utf-8", errors="replace")))
        accepted |= medical
        sources.append(f"medical ({med.stem})")
    for f in settings.accept_files:
        try:
            accepted |= read_word_list(Path(f).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as e:
            raise LexiconUnavailable(f"cannot read accept list {f}: {e}") from None
    accepted |= {w.casefold() for w in settings.accept_words}
    sources.append("accept lists")
    rejected = frozenset()
    reject_file = resources.files("medreview.rules") / "reject.txt"
    if reject_file.is_file():
        rejected = frozenset(read_word_list(reject_file.read_text(encoding="utf-8")))
    return Lexicon(primary, other, settings.locale, frozenset(accepted - rejected), " + ".join(sources),
                   frozenset(medical), plain, rejected, medical_digest,
                   ((str(primary_dic.with_suffix(".aff")), tuple(primary_files)),
                    (str(other_dic.with_suffix(".aff")), (str(other_dic),))))


_WORDY = re.compile(r"^[^\W\d_]+(?:['’][^\W\d_]+)*$")


def is_checkable(word: str) -> bool:
    """Letters only (an inner apostrophe allowed): what a dictionary can judge."""
    return bool(_WORDY.match(word))

"""Data built once from wordfreq and the word lists, and saved in the cache folder.

Spelling suggestions rank candidates by how common they are (wordfreq's Zipf
values) and find words two edits away through a near-word index
(medreview.suggest). Both are built from wordfreq's English list, the
medical word list and the bundled accept lists; building them costs each
process 0.25 s (the Zipf table) and 0.74 s (the index), so they are saved
in the run's cache folder (`[cache] dir`: `zipf/`, `near-index/`), keyed by
a digest of what they are built from, and read back (or memory-mapped) by
every later process. A folder that cannot be written only means building
them in memory, as before.

Saved the same way: the listed words as hashes for one-edit look-ups, with
their hole masks (`listed/`), a superset of the forms Hunspell's dictionaries accept
(`hunspell-forms/`, ~3 s to build, asked before spell() for far typos), and
the word sets read from the medical .dic and the bundled accept lists
(`medical-words/`, `accept-words/`).
"""

from __future__ import annotations

import math
import os
from bisect import bisect_left
from functools import lru_cache
from pathlib import Path
from typing import Any

from .saved_files import prune_stale


def _bundled_accept() -> frozenset[str]:
    from .lexicon import _bundled_accept as bundled  # the lexicon reads them; imported late: it imports us

    return bundled()


def _bundled_accept_texts() -> list[str]:
    from .lexicon import _bundled_accept_texts as texts

    return texts()


@lru_cache(maxsize=1)
def frequencies() -> tuple[Any, Any] | None:
    """(English word list, zipf function) from wordfreq, or None when it is not installed.

    wordfreq's own zipf_frequency() first builds its 320,000-word dict from the packed lists
    (~0.25 s in every process that ranks a suggestion). The words and their Zipf values are
    saved once in the cache folder (`zipf/`, keyed like the near-word index) as arrays and
    memory-mapped (SavedWords: `in`, `&`, iteration); a word the table does not settle goes to
    wordfreq itself.
    """
    import importlib.util

    if importlib.util.find_spec("wordfreq") is None:
        return None
    vocab, table = _zipf_table()

    def zipf(word: str) -> float:
        value = table.get(word)
        if value is not None:
            return value
        if word.isascii() and word.isalpha() and word.islower():
            return 0.0  # a plain lowercase word wordfreq does not list: what zipf_frequency() says too
        from wordfreq import zipf_frequency  # imported (~0.1 s) only for a word the table cannot settle

        return zipf_frequency(word, "en")

    return vocab, lru_cache(maxsize=200_000)(zipf)


_ZIPF_FORMAT = 3  # of the saved table (2: lowercase words with other than ASCII letters too; 3: arrays)
_ZIPF_ARRAYS = ("values", "blob", "offsets", "hashes")  # written in this order, hashes last


class SavedWords:
    """wordfreq's English words as memory-mapped arrays (what the frozenset of them was: ~0.3 s
    of pickle and set building in every process that ranked a suggestion): their poly_hashes()
    sorted, each word's UTF-8 bytes (`blob`, `offsets`) to confirm a hit, and its Zipf value
    (NaN for a word that is not lowercase). `word in words`, `edits & words`, `|`, iteration, len()."""

    def __init__(self, arrays: dict[str, Any]) -> None:
        self.hashes, self.values = arrays["hashes"], arrays["values"]
        self._blob, self._offsets = arrays["blob"], arrays["offsets"]
        self._text = None  # the blob as bytes, made on first use
        self._views: Any = None  # memoryviews of hashes, offsets and blob, for _index()

    def __len__(self) -> int:
        return len(self.hashes)

    def _index(self, word: str) -> int:
        """Where `word` is in the arrays, or -1. Read through memoryviews with bisect: a look-up
        comes between other work that has evicted the CPU caches, where a numpy call costs tens of
        microseconds (~75 -> ~40 us a word with the caches flushed)."""
        if not isinstance(word, str):
            return -1
        if self._views is None:
            self._views = (memoryview(self.hashes), memoryview(self._offsets), memoryview(self._blob))
        hashes, offsets, blob = self._views
        h = 0
        for c in word:
            h = (h * POLY_BASE + ord(c)) & 0xFFFFFFFFFFFFFFFF
        i = bisect_left(hashes, h)
        if i >= len(hashes) or hashes[i] != h:
            return -1
        raw = word.encode("utf-8", "surrogatepass")
        while i < len(hashes) and hashes[i] == h:  # a shared hash: the bytes decide
            if blob[offsets[i]:offsets[i + 1]] == raw:
                return i
            i += 1
        return -1

    def __contains__(self, word: object) -> bool:
        return self._index(word) >= 0  # type: ignore[arg-type]

    def __rand__(self, other: Any) -> set[str]:
        return {w for w in other if w in self}

    __and__ = __rand__

    def __or__(self, other: Any) -> frozenset[str]:
        return frozenset(self) | frozenset(other)

    __ror__ = __or__

    def __iter__(self) -> Any:
        if self._text is None:
            self._text = self._blob.tobytes()
            self._offs = self._offsets.tolist()
        text, offs = self._text, self._offs
        return (text[offs[i]:offs[i + 1]].decode("utf-8") for i in range(len(self.hashes)))

    def get(self, word: str) -> float | None:
        """The Zipf value of a lowercase listed word, else None."""
        i = self._index(word)
        if i < 0:
            return None
        value = float(self.values[i])
        return None if value != value else value

    @classmethod
    def build(cls, words: list[str], table: dict[str, float]) -> "SavedWords":
        import numpy as np

        words = list(dict.fromkeys(words))
        hashes = poly_hash_each(words)
        if len(np.unique(hashes)) == len(words):  # no collision: the hash alone orders them
            order = np.argsort(hashes, kind="stable").tolist()
        else:
            keys = hashes.tolist()
            order = sorted(range(len(words)), key=lambda k: (keys[k], words[k]))
        encoded = [words[k].encode("utf-8", "surrogatepass") for k in order]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(b) for b in encoded], out=offsets[1:])
        return cls({"hashes": hashes[order],
                    "values": np.array([table.get(words[k], np.nan) for k in order], dtype=np.float64),
                    "blob": np.frombuffer(b"".join(encoded), dtype=np.uint8), "offsets": offsets})

    def arrays(self) -> dict[str, Any]:
        return {"hashes": self.hashes, "values": self.values, "blob": self._blob, "offsets": self._offsets}


def _zipf_table() -> tuple[SavedWords, SavedWords]:
    """(every alphabetic word wordfreq lists for English, and the same object as the table of
    each lowercase one's Zipf value: .get(word)), memory-mapped from the cache folder."""
    import io

    import numpy as np

    stem = f"{_wordfreq_key()}-{_ZIPF_FORMAT}"
    paths = {name: _saved_path("zipf", f"{stem}.{name}", ".npy") for name in _ZIPF_ARRAYS}
    if all(p is not None for p in paths.values()):
        try:
            arrays = {name: np.load(p, mmap_mode="r").view(np.ndarray) for name, p in paths.items()}
            n = len(arrays["hashes"])
            if len(arrays["values"]) == n and len(arrays["offsets"]) == n + 1 and arrays["hashes"].dtype == np.uint64:
                saved = SavedWords(arrays)
                return saved, saved
        except (OSError, ValueError):
            pass  # missing, cut short, or another format: build it
    from wordfreq import get_frequency_dict

    # Positional arguments, as wordfreq's own zipf_frequency() passes them: its lru_cache keys
    # get_frequency_dict("en", wordlist="best") apart, and the dict was built twice.
    freqs = get_frequency_dict("en", "best")
    words = [w for w in freqs if w.isalpha()]
    # wordfreq's lists hold a few hundred distinct frequencies (its words come in bins): each is
    # turned into a Zipf value once, not once per word (~1.7 s of a fresh folder's build).
    zipf_by_freq: dict[float, float] = {}
    table = {}
    for w in words:
        if w.isascii() and w.islower():
            f = freqs[w]
            z = zipf_by_freq.get(f)
            if z is None:
                z = zipf_by_freq[f] = zipf_of(f)
            table[w] = z
    # The other lowercase words ("sautéed", "café") as zipf_frequency() itself says (it normalises
    # them first): one such candidate otherwise imported wordfreq (~1 s) in the process that ranked it.
    from wordfreq import zipf_frequency

    table.update((w, zipf_frequency(w, "en")) for w in words if not w.isascii() and w.islower())
    saved = SavedWords.build(words, table)
    for name in _ZIPF_ARRAYS:
        path = paths[name]
        if path is not None:
            buf = io.BytesIO()
            np.save(buf, saved.arrays()[name])
            _save_atomic(path, buf.getvalue())
    return saved, saved


def zipf_of(freq: float) -> float:
    """wordfreq's zipf_frequency() of a one-token word with this frequency in its list (its
    three-significant-digit rounding, then the Zipf scale to two decimals)."""
    unrounded = max(freq, 10 ** -9)  # zipf_frequency()'s minimum, zipf_to_freq(0)
    rounded = round(unrounded, math.floor(-math.log(unrounded, 10)) + 3)
    return round(math.log(rounded, 10) + 9, 2)


def _save_atomic(path: Path, data: bytes) -> None:
    """Write `data` to a temporary file beside `path` and rename it there (two writers are
    harmless); a folder that cannot be written only means nothing is saved."""
    import tempfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
        prune_stale(path.parent)
    except OSError:
        try:
            os.unlink(locals()["tmp"])
        except (KeyError, OSError):
            pass


# The near-word index holds the words wordfreq counts at least this often (Zipf 1.5: once in
# ~30 million words, 245,000 words with the medical and bundled lists, 45 MB of arrays, ~0.5 s to build);
# the rarer tail of wordfreq's list is mostly names and foreign words, and indexing all of it
# (370,000 words) costs half as much again in memory and build time for 0.002 of top-1 on
# spelling_benchmark.py (0.898 against 0.896, measured on the distance-2 candidates).
_INDEX_MIN_ZIPF = 1.5


@lru_cache(maxsize=2)
def near_index(medical: frozenset[str], medical_digest: str | None = None) -> Any:
    """The process's near-word index (medreview.suggest.NearIndex): the common words of
    wordfreq's English list, the medical word list and the bundled accept lists.

    Built on first use (~0.5 s CPU) and saved under the cache folder ($MEDREVIEW_CACHE_DIR or
    .medreview-cache, in near-index/), keyed by a digest of everything it is built from, so the
    next process maps the file (a few milliseconds, pages shared between processes) instead.
    A folder that cannot be written or read only means building it in memory, as before.
    `medical_digest` stands for the medical list (the Lexicon passes its .dic file's digest);
    without it the words themselves are digested.
    """
    from .suggest import NearIndex

    key = _near_index_key(medical, medical_digest)
    path = _near_index_path(key)
    if path is not None:
        index = NearIndex.load(path, key)
        if index is not None:
            return index
    index = NearIndex(_near_index_words(medical))
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            index.save(path, key)
        except OSError:
            pass  # read-only or full: the index in memory serves this process
    return index


def _near_index_words(medical: frozenset[str]) -> list[str]:
    from wordfreq import get_frequency_dict

    floor = 10 ** (_INDEX_MIN_ZIPF - 9)
    common = [w for w, f in get_frequency_dict("en", "best").items() if f >= floor and w.isalpha()]
    bundled = sorted(w for w in (medical | _bundled_accept()) if w.isalpha())
    return common + bundled


def _near_index_key(medical: frozenset[str], medical_digest: str | None) -> str:
    """A digest of what the index is built from: its format and parameters, wordfreq's version
    and English data files, the medical list and the bundled accept lists."""
    import hashlib

    from . import suggest

    h = hashlib.sha256()
    h.update(repr((suggest.FORMAT, suggest.PREFIX, suggest.MAX_DISTANCE, _INDEX_MIN_ZIPF)).encode())
    h.update(_wordfreq_key().encode())
    h.update((medical_digest if medical_digest is not None else
              hashlib.sha256("\n".join(sorted(medical)).encode()).hexdigest()).encode())
    for text in _bundled_accept_texts():
        h.update(hashlib.sha256(text.encode()).digest())
    return h.hexdigest()[:32]


_cache_folder: str | None = None  # the run's [cache] dir, set by the runner (use_cache_folder)


def use_cache_folder(folder: str | os.PathLike[str] | None) -> None:
    """Where the near-word index and the Zipf table are saved: the run's cache folder ([cache] dir)."""
    global _cache_folder
    _cache_folder = str(folder) if folder is not None else None


def _near_index_path(key: str) -> Path | None:
    return _saved_path("near-index", key, ".bin")


def _saved_path(kind: str, key: str, suffix: str = ".pickle") -> Path | None:
    """Where data built from wordfreq and the word lists is saved: the cache folder's `kind/`."""
    folder = _cache_folder or os.environ.get("MEDREVIEW_CACHE_DIR", ".medreview-cache")
    return Path(folder) / kind / f"{key}{suffix}" if folder else None


@lru_cache(maxsize=1)
def _wordfreq_key() -> str:
    """wordfreq's version and English data files (name, size, time), digested."""
    import hashlib
    import importlib.util

    h = hashlib.sha256(b"zipf table 1\n")
    try:
        from importlib.metadata import version

        h.update(version("wordfreq").encode())
    except Exception:
        pass
    spec = importlib.util.find_spec("wordfreq")  # where it is, without importing it
    data = Path(spec.origin).parent / "data" if spec is not None and spec.origin else Path("/nonexistent")
    for f in sorted(data.glob("*_en.msgpack.gz")):
        st = f.stat()
        h.update(f"{f.name} {st.st_size} {st.st_mtime_ns}".encode())
    return h.hexdigest()[:32]


_LISTED_FORMAT = 1  # of the saved listed/ array
POLY_BASE = 1_000_003  # corrections.one_edit_listed's hash: sum of code points * BASE**k, modulo 2**64


def poly_hash_each(words: list[str]) -> Any:
    """The uint64 polynomial hash (POLY_BASE, modulo 2**64) of each word, in order: the same
    numbers as the per-character loop, computed a column of characters at a time per length.
    The words are put in length order once (numpy's stable argsort) and encoded as one string,
    so each length is a block of the code array: a fresh cache folder hashes ~1.3 M words
    (wordfreq's and Hunspell's forms) in ~0.3 s instead of ~1 s with a Python loop per word."""
    import numpy as np

    n = len(words)
    out = np.zeros(n, dtype=np.uint64)
    if not n:
        return out
    lengths = np.fromiter(map(len, words), dtype=np.int64, count=n)
    order = np.argsort(lengths, kind="stable")
    codes = np.frombuffer("".join(map(words.__getitem__, order.tolist())).encode("utf-32-le", "surrogatepass"),
                          dtype=np.uint32)
    sorted_lengths = lengths[order]
    bounds = np.flatnonzero(np.diff(sorted_lengths)) + 1  # where each length's block of words starts
    base = np.uint64(POLY_BASE)
    offset = 0  # in code points
    for start, end in zip([0, *bounds.tolist()], [*bounds.tolist(), n]):
        size = int(sorted_lengths[start])
        if size:
            block = codes[offset:offset + (end - start) * size].reshape(end - start, size)
            h = np.zeros(end - start, dtype=np.uint64)
            for k in range(size):
                h = h * base + block[:, k].astype(np.uint64)
            out[order[start:end]] = h
            offset += (end - start) * size
    return out


def poly_hashes(words: Any) -> Any:
    """Sorted unique poly_hash_each() of `words` (sorted, then each value kept once: numpy's
    unique() hashes first and took ~1 s for the ~1 M Hunspell forms)."""
    import numpy as np

    hashes = np.sort(poly_hash_each(list(words)))
    if not len(hashes):
        return np.zeros(0, dtype=np.uint64)
    keep = np.empty(len(hashes), dtype=bool)
    keep[0] = True
    np.not_equal(hashes[1:], hashes[:-1], out=keep[1:])
    return hashes[keep]


@lru_cache(maxsize=2)
def listed_hashes(medical: frozenset[str], medical_digest: str | None = None) -> Any:
    """poly_hashes() of wordfreq's English words (frequencies()' vocab), the medical list and the
    bundled accept lists: what one edit of a misspelling is looked up in. Saved in the cache
    folder (`listed/`, keyed like the near-word index) and memory-mapped by later processes."""
    import numpy as np

    path = _saved_path("listed", f"{_near_index_key(medical, medical_digest)}-{_LISTED_FORMAT}", ".npy")
    return _saved_array(path, lambda a: a.dtype == np.uint64 and a.ndim == 1,
                        lambda: poly_hashes(_listed_words(medical)))


@lru_cache(maxsize=2)
def listed_holes(medical: frozenset[str], medical_digest: str | None = None) -> Any:
    """corrections.hole_masks() of the words listed_hashes() holds (one_edit_listed's filter), saved
    beside them (`listed/`, 8 MB, memory-mapped by later processes; ~1 s to build)."""
    import numpy as np

    from .corrections import _HOLE_BITS, hole_masks  # imported late: corrections imports us

    path = _saved_path("listed", f"{_near_index_key(medical, medical_digest)}-{_LISTED_FORMAT}", ".holes.npy")
    return _saved_array(path, lambda a: a.dtype == np.uint32 and a.shape == (1 << _HOLE_BITS,),
                        lambda: hole_masks(_listed_words(medical)))


def _listed_words(medical: frozenset[str]) -> frozenset[str]:
    freq = frequencies()
    vocab = frozenset(freq[0]) if freq is not None else frozenset()
    return vocab | medical | _bundled_accept()


def _saved_array(path: Path | None, fits: Any, build: Any) -> Any:
    """The numpy array saved at `path`, memory-mapped, when it fits; else build() saved there."""
    import io

    import numpy as np

    if path is not None:
        try:
            saved = np.load(path, mmap_mode="r")
            if fits(saved):
                return saved.view(np.ndarray)
        except (OSError, ValueError):
            pass
    array = build()
    if path is not None:
        buf = io.BytesIO()
        np.save(buf, array)
        _save_atomic(path, buf.getvalue())
    return array


def saved_words(kind: str, digest: str, build: Any) -> set[str]:
    """The word set `build()` makes from a file with this digest, saved in the cache folder
    (`kind/`, one word a line: no word holds a line break) and read back by later processes:
    the medical .dic's 90,000 words in ~0.02 s instead of ~0.1 s through read_word_list."""
    path = _saved_path(kind, digest, ".txt")
    if path is not None:
        try:
            text = path.read_text(encoding="utf-8")
            if text.startswith("#words\n"):
                return set(text.split("\n")[1:]) - {""}
        except (OSError, UnicodeDecodeError):
            pass
    words = build()
    if path is not None:
        _save_atomic(path, ("#words\n" + "\n".join(sorted(words))).encode("utf-8"))
    return words

"""Near-word index: the known words within two edits of a misspelling, in about a millisecond.

Hunspell's suggest() takes 30-130 ms for a word two edits from any dictionary
word; generating every string two edits away and looking each up is ~250,000
look-ups. This is a symmetric-delete index (SymSpell, Wolf Garbe): a word and
a typo within two edits (insertions, deletions, substitutions, adjacent swaps)
share a string obtained by deleting at most two letters from each. The index
maps every such deletion of every indexed word to the word; a query deletes at
most two letters from the typo (~40 strings), looks them up and keeps the
candidates truly within the distance.

Memory is what this costs, so as in SymSpell only the first `PREFIX` letters of
a word are indexed (a word within two edits of a typo is within two edits of it
in those letters, deletions at the window's end absorbing the letters an edit
shifts in or out; the candidates are then checked on the whole word), words
sharing those letters share entries, and an entry is one 64-bit integer: a
32-bit hash of the deletion and the prefix's number (a hash collision only adds
a candidate the distance check drops). PREFIX 8 over word_data.near_index's
~245,000 words: 5.6M entries, 45 MB of arrays (~95 MB of process memory with
the word list), built in ~0.5 s CPU once per process, and only when a
misspelling has no known word one edit away; a look-up ~0.5 ms (PREFIX 7:
34 MB but ~3 ms, its five-letter deletions match too many prefixes).
"""

from __future__ import annotations

import json
import os
import uuid
from bisect import bisect_left
from itertools import combinations
from pathlib import Path
from typing import Iterable

import numpy as np

from .saved_files import prune_stale

from .corrections import affix_polynomials, osa_distance, within  # noqa: F401  (within: also imported from here)

PREFIX = 8
MAX_DISTANCE = 2
_BASE = 1_000_003  # polynomial hash base, arithmetic modulo 2**64 (numpy's uint64 wraps)
_MASK = (1 << 64) - 1
FORMAT = 2  # of the file NearIndex.save writes; part of its key (2: letter counts added)
_MAGIC = b"MRNEAR1\n"


_M1, _M2 = 0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53  # MurmurHash3's 64-bit finaliser


def _hash(s: str) -> int:
    """The index's hash of `s`: its base-_BASE polynomial modulo 2**64, mixed so that every
    letter reaches the high bits (the last letters otherwise only touch the low ones), top 32 bits."""
    h = 0
    for c in s:
        h = (h * _BASE + ord(c)) & _MASK
    return _finish(h)


def _finish(h: int) -> int:
    """_hash's finaliser of one polynomial."""
    h ^= h >> 33
    h = (h * _M1) & _MASK
    h ^= h >> 33
    h = (h * _M2) & _MASK
    h ^= h >> 33
    return h >> 32


def _mix(h: np.ndarray) -> np.ndarray:
    """_hash's finaliser over an array of polynomials."""
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(_M1)
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(_M2)
    h = h ^ (h >> np.uint64(33))
    return (h >> np.uint64(32)).astype(np.uint32)


def _deletion_hashes(s: str) -> list[int]:
    """_hash's polynomial (before mixing) of `s` and of every string made by deleting up to two of
    its letters (with repeats: a string two deletions make in several ways), from its prefix and
    suffix polynomials, as _deletion_polynomials() computes them for the index (making each
    string and hashing it cost ~130 us a query)."""
    n, mask = len(s), _MASK
    pw = [1] * (n + 1)
    for k in range(1, n + 1):
        pw[k] = pw[k - 1] * _BASE & mask
    _, pre, suf = affix_polynomials(s, _BASE, pw)
    out = [pre[n]] + [(pre[i] * pw[n - 1 - i] + suf[i + 1]) & mask for i in range(n)]
    if MAX_DISTANCE >= 2:
        out += [(pre[i] * pw[n - 2 - i] + (pre[j] - pre[i + 1] * pw[j - i - 1]) * pw[n - 1 - j] + suf[j + 1]) & mask
                for i, j in combinations(range(n), 2)]
    return out


def _deletion_polynomials(codes: np.ndarray) -> list[np.ndarray]:
    """_hash's polynomial (before mixing) of each row of `codes` (m strings of n letters) and of
    every string made by deleting up to MAX_DISTANCE of its letters (all of them too: "a" is one
    edit from "b"), from prefix and
    suffix polynomials: deleting letters i < j leaves prefix[:i] + middle[i+1:j] + suffix[j+1:]."""
    m, n = codes.shape
    B = np.uint64(_BASE)
    pw = [np.uint64(pow(_BASE, k, 1 << 64)) for k in range(n + 1)]
    pre = [np.zeros(m, dtype=np.uint64)]
    for k in range(n):
        pre.append(pre[-1] * B + codes[:, k])
    suf = [np.zeros(m, dtype=np.uint64)] * (n + 1)
    for k in range(n - 1, -1, -1):
        suf[k] = codes[:, k] * pw[n - 1 - k] + suf[k + 1]
    out = [pre[n]]
    out += [pre[i] * pw[n - 1 - i] + suf[i + 1] for i in range(n)]
    if MAX_DISTANCE >= 2:
        for i, j in combinations(range(n), 2):
            middle = pre[j] - pre[i + 1] * pw[j - i - 1]
            out.append(pre[i] * pw[n - 2 - i] + middle * pw[n - 1 - j] + suf[j + 1])
    return out


class NearIndex:
    """Words within MAX_DISTANCE edits (optimal string alignment) of a query.

    Seven arrays: `packed` (sorted hash << 32 | prefix id), `order` and `starts` (prefix id ->
    its words, CSR), `blob` and `offsets` (the words, UTF-8, one after another), and for
    scan() `counts` (27 x words: how many of each letter a-z, then of other characters) and
    `lengths` (characters). save() writes them to one file and load() maps it back read-only
    (numpy memmap), so a process loads the index in milliseconds and the processes of a run
    share its pages.
    """

    ARRAYS = ("packed", "order", "starts", "offsets", "blob", "counts", "lengths")

    def __init__(self, words: Iterable[str] = (), *, arrays: dict[str, np.ndarray] | None = None) -> None:
        self._bound: tuple[str, np.ndarray] | None = None  # scan()'s last query and its count bound
        self._views: tuple[memoryview, ...] | None = None  # near()'s arrays as memoryviews
        if arrays is not None:
            for name in self.ARRAYS:
                setattr(self, "_" + name, arrays[name])
            self._text = self._blob.tobytes()
            self._offs = self._offsets.tolist()
            return
        unique = list(dict.fromkeys(w for w in words if w))
        encoded = [w.encode("utf-8") for w in unique]
        self._offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(b) for b in encoded], out=self._offsets[1:])
        self._text = b"".join(encoded)
        self._blob = np.frombuffer(self._text, dtype=np.uint8)
        self._offs = self._offsets.tolist()
        self._counts, self._lengths = _letter_counts(self._blob, self._offsets)
        prefixes: dict[str, int] = {}
        word_prefix = np.fromiter((prefixes.setdefault(w[:PREFIX], len(prefixes)) for w in unique),
                                  dtype=np.int64, count=len(unique))
        # prefix id -> its words, as CSR arrays
        self._order = np.argsort(word_prefix, kind="stable").astype(np.int32)
        self._starts = np.searchsorted(word_prefix[self._order], np.arange(len(prefixes) + 1)).astype(np.int64)
        by_length: dict[int, list[tuple[int, str]]] = {}
        for p, pid in prefixes.items():
            by_length.setdefault(len(p), []).append((pid, p))
        # One sorted array of (hash << 32 | prefix id), built a length at a time to keep the peak low.
        parts = []
        for n, group in by_length.items():
            pids = np.array([pid for pid, _ in group], dtype=np.uint64)
            codes = np.frombuffer("".join(p for _, p in group).encode("utf-32-le"), dtype=np.uint32)
            polys = _deletion_polynomials(codes.reshape(len(group), n).astype(np.uint64))
            parts.append((_mix(np.concatenate(polys)).astype(np.uint64) << np.uint64(32))
                         | np.tile(pids, len(polys)))
            del polys
        self._packed = np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)
        del parts
        self._packed.sort()

    def __len__(self) -> int:
        return len(self._offs) - 1

    def word(self, i: int) -> str:
        return self._text[self._offs[i]:self._offs[i + 1]].decode("utf-8")

    def _words(self, ids: "list[int] | np.ndarray") -> list[str]:
        """The words `ids`: a few one by one (word()), many with their bytes gathered by numpy and
        decoded in one piece (10,000: ~2 ms against ~8 ms; scan() measures thousands)."""
        if len(ids) < 100:
            return [self.word(i) for i in (ids.tolist() if isinstance(ids, np.ndarray) else ids)]
        ids = np.asarray(ids, dtype=np.int64)
        starts = self._offsets[ids]
        sizes = self._offsets[ids + 1] - starts + 1  # each word's bytes and a line break
        ends = np.cumsum(sizes)
        at = np.arange(int(ends[-1])) + np.repeat(starts - (ends - sizes), sizes)
        raw = self._blob[np.minimum(at, len(self._blob) - 1)]
        raw[ends - 1] = 10
        words = raw.tobytes().decode("utf-8").split("\n")[:-1]
        return words if len(words) == len(ids) else [self.word(i) for i in ids.tolist()]  # a word with a line break

    @property
    def words(self) -> list[str]:
        return [self.word(i) for i in range(len(self))]

    @property
    def nbytes(self) -> int:
        return sum(getattr(self, "_" + a).nbytes for a in self.ARRAYS)

    def arrays(self) -> dict[str, np.ndarray]:
        return {name: getattr(self, "_" + name) for name in self.ARRAYS}

    def save(self, path: Path, key: str) -> None:
        """Write the index to `path` atomically: a temporary file in the same folder, then
        os.replace, so a reader never sees half a file and two writers of one key are harmless."""
        header: dict[str, object] = {"format": FORMAT, "key": key, "arrays": []}
        offset = 0
        for name in self.ARRAYS:
            a = getattr(self, "_" + name)
            header["arrays"].append({"name": name, "dtype": a.dtype.str, "shape": list(a.shape),  # type: ignore[union-attr]
                                     "offset": offset})
            offset += -(-a.nbytes // 64) * 64
        head = json.dumps(header).encode("utf-8")
        head += b" " * (-(len(head) + 16) % 64)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.{uuid.uuid4().hex}.tmp")
        try:
            with open(tmp, "wb") as f:
                f.write(_MAGIC + len(head).to_bytes(8, "little") + head)
                for name in self.ARRAYS:
                    data = np.ascontiguousarray(getattr(self, "_" + name)).tobytes()
                    f.write(data + b"\0" * (-len(data) % 64))
            os.replace(tmp, path)
            prune_stale(path.parent)
        finally:
            if tmp.exists():
                tmp.unlink()

    @classmethod
    def load(cls, path: Path, key: str) -> "NearIndex | None":
        """The index saved at `path` under `key`, mapped read-only; None when the file is missing,
        for another key or format, or not whole."""
        try:
            raw = np.memmap(path, dtype=np.uint8, mode="r")
        except (OSError, ValueError):
            return None
        try:
            if bytes(raw[:8]) != _MAGIC:
                return None
            n = int.from_bytes(bytes(raw[8:16]), "little")
            header = json.loads(bytes(raw[16:16 + n]).decode("utf-8"))
            if header.get("format") != FORMAT or header.get("key") != key:
                return None
            base = 16 + n
            arrays = {}
            for spec in header["arrays"]:
                dtype = np.dtype(spec["dtype"])
                count = int(np.prod(spec["shape"], dtype=np.int64))
                start = base + spec["offset"]
                end = start + count * dtype.itemsize
                if end > len(raw):
                    return None
                # a plain ndarray over the mapped pages: slicing a np.memmap costs ~1 us more
                arrays[spec["name"]] = raw[start:end].view(dtype).reshape(spec["shape"]).view(np.ndarray)
            if set(arrays) != set(cls.ARRAYS):
                return None
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            return None
        return cls(arrays=arrays)

    def near(self, word: str) -> list[str]:
        """Indexed words within MAX_DISTANCE edits of `word` (lowercase), other than itself, sorted.

        In Python over memoryviews, without numpy: a look-up comes between other work that has
        evicted the CPU caches, where each numpy call costs ~10-20 us (a query made ~25)."""
        query = word.lower()
        if self._views is None:
            # where each value of the hashes' top 12 bits starts in `packed` (~5-10 ms once, mostly
            # mapping the file's pages): a key is binary-searched in its ~1,400 entries, half the reads
            runs = np.empty(4097, dtype=np.int64)
            runs[:4096] = self._packed.searchsorted(np.arange(4096, dtype=np.uint64) << np.uint64(52))
            runs[4096] = len(self._packed)
            self._views = tuple(memoryview(a) for a in (self._packed, self._order, self._starts, self._lengths, runs))
        packed, order, starts, lengths, runs = self._views
        pids = set()
        for h in {_finish(p) for p in _deletion_hashes(query[:PREFIX])}:
            end = runs[(h >> 20) + 1]
            at = bisect_left(packed, h << 32, runs[h >> 20], end)
            while at < end and packed[at] >> 32 == h:
                pids.add(packed[at] & 0xFFFFFFFF)
                at += 1
        if not pids:
            return []
        n = len(query)
        ids = [i for p in sorted(pids) for i in order[starts[p]:starts[p + 1]] if abs(lengths[i] - n) <= MAX_DISTANCE]
        return self._measured(query, ids, MAX_DISTANCE)

    def _measured(self, query: str, ids: "list[int] | np.ndarray", distance: int) -> list[str]:
        """The words `ids` within `distance` edits of `query`, other than itself, sorted: the
        ASCII ones in one vectorised table (_osa_many), any other one by one (within); with
        rapidfuzz in C++ (~0.1 us a word against ~10 us)."""
        osa = osa_distance()
        if osa is not None:
            words = self._words(ids)
            if len(words) < 200:  # one call a word: cdist's own set-up costs ~0.1 ms with cold caches
                return sorted(w for w in words if w != query and osa(query, w, score_cutoff=distance) <= distance)
            from rapidfuzz.process import cdist

            far = cdist([query], words, scorer=osa, score_cutoff=distance, dtype=np.int32)[0].tolist()
            return sorted(w for w, d in zip(words, far) if d <= distance and w != query)
        ids = np.asarray(ids, dtype=np.int64)
        if query.isascii():
            plain = np.flatnonzero(self._offsets[ids + 1] - self._offsets[ids] == self._lengths[ids])
            found = ids[plain][_osa_many(query.encode(), self._blob, self._offsets, ids[plain], distance)].tolist()
            rest = np.delete(ids, plain).tolist()
        else:
            found, rest = [], ids.tolist()
        found += [i for i in rest if within(query, self.word(i), distance)]
        return sorted(w for w in map(self.word, found) if w != query)

    def scan(self, word: str, distance: int) -> list[str]:
        """Every indexed word within `distance` edits of `word` (lowercase), other than itself,
        sorted: for typos too far for near() (~5 ms at distance 3, ~15 ms at 4).

        Exact, without a per-word Python step: an edit changes the letter counts by at most two
        (a wrong letter), one (a missing or extra one) or none (a swap), and the length by at
        most one, so a word within `distance` edits has |length difference| + letter-count
        difference <= 2 * distance (one pass over `counts`); the few thousand words that pass
        are then measured together (_measured). The bound is worked out once for a query and
        kept for the next distance asked of it (far_candidates() asks 3, then 4).
        """
        query = word.lower()
        bound = self._bound
        if bound is None or bound[0] != query:
            bound = self._bound = (query, self._count_bound(query))
        return self._measured(query, (bound[1] <= distance).nonzero()[0], distance)

    def _count_bound(self, query: str) -> np.ndarray:
        """Half of |length difference| + the letter-count difference of every word from `query`:
        sum |w - q| over the 27 counts is len(w) + len(q) - 2 * sum min(w, q), so the whole is
        2 * (max(len(w), len(q)) - sum min(w, q)); min(w, q) is 0 for a letter the query lacks,
        so only its own letters are read. In uint8 (the sum is at most len(q)) and against an
        array of the query's count: np.minimum with a scalar is ~10x slower (~0.2 ms a letter)."""
        q = [0] * 27
        for c in query:
            o = ord(c) - 97
            q[o if 0 <= o < 26 else 26] += 1
        n = len(query)
        shared = np.zeros(len(self._lengths), dtype=np.uint8 if n < 256 else np.int16)
        want, least = np.empty(len(self._lengths), dtype=np.uint8), np.empty(len(self._lengths), dtype=np.uint8)
        for letter, count in enumerate(q):
            if count:
                want.fill(min(count, 255))
                np.minimum(self._counts[letter], want, out=least)
                np.add(shared, least, out=shared)
        bound = np.maximum(self._lengths, n).astype(np.int16)
        bound -= shared
        return bound


def _letter_counts(blob: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(27 x words uint8: each word's count of a..z and of other characters, words' lengths in
    characters), from the UTF-8 blob: a character's continuation bytes are not counted."""
    n = len(offsets) - 1
    bucket = np.full(256, 26, dtype=np.int64)
    bucket[np.frombuffer(b"abcdefghijklmnopqrstuvwxyz", dtype=np.uint8)] = np.arange(26)
    bucket[0x80:0xC0] = 27  # continuation bytes, dropped
    owner = np.repeat(np.arange(n, dtype=np.int64), np.diff(offsets))
    table = np.bincount(bucket[blob] * n + owner, minlength=28 * n).reshape(28, n)
    counts = np.minimum(table[:27], 255).astype(np.uint8)
    return counts, table[:27].sum(axis=0).astype(np.int32)


def _osa_many(query: bytes, blob: np.ndarray, offsets: np.ndarray, ids: np.ndarray, k: int) -> np.ndarray:
    """Which of the words `ids` (ASCII) are within k edits of `query` (ASCII): the optimal string
    alignment table of within(), one row of it for every word at once, words dropped as soon
    as their row exceeds k. A boolean mask over `ids`."""
    keep = np.zeros(len(ids), dtype=bool)
    if not len(ids):
        return keep
    lengths = (offsets[ids + 1] - offsets[ids]).astype(np.int64)
    m = int(lengths.max())
    cols = np.arange(m)
    at = np.minimum(offsets[ids][:, None] + cols, max(len(blob) - 1, 0))
    words = np.where(cols < lengths[:, None], blob[at], 0)  # 0: no letter (never in a query)
    alive = np.arange(len(ids))
    steps = np.arange(m + 1, dtype=np.int16)
    prev = np.broadcast_to(steps, (len(ids), m + 1)).copy()
    prev2 = prev
    q = np.frombuffer(query, dtype=np.uint8)
    for i in range(1, len(q) + 1):
        best = prev[:, :-1] + (words != q[i - 1])  # same or wrong letter
        np.minimum(best, prev[:, 1:] + 1, out=best)  # an extra letter in the query
        if i > 1:  # two letters swapped
            swap = (words[:, 1:] == q[i - 2]) & (words[:, :-1] == q[i - 1])
            np.minimum(best[:, 1:], np.where(swap, prev2[:, :-2] + 1, k + 1).astype(np.int16), out=best[:, 1:])
        # a missing letter: cur[j] = min over j' <= j of best'[j'] + (j - j'), one running minimum
        full = np.concatenate([np.full((len(alive), 1), i, dtype=np.int16), best], axis=1)
        cur = np.minimum.accumulate(full - steps, axis=1) + steps
        live = cur.min(axis=1) <= k
        if not live.all():
            alive, words, lengths, cur, prev = alive[live], words[live], lengths[live], cur[live], prev[live]
            if not len(alive):
                return keep
        prev2, prev = prev, cur
    keep[alive[prev[np.arange(len(alive)), lengths] <= k]] = True
    return keep

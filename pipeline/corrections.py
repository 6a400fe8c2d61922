"""Corrections of a misspelling: candidate words an edit or a few away, and their ranking.

Lexicon.suggest() looks in widening circles: the known words one edit away (every edit
looked up in wordfreq's list and the word lists), then two edits away (the near-word index,
medreview.suggest), then far_candidates() below. Candidates are ranked by a noisy-channel
score: how common the word is (wordfreq's Zipf value), less a cost for each edit and for
each wrong or extra letter (a missing letter or a swap is the commonest slip).
"""

from __future__ import annotations

from bisect import bisect_left
from typing import Any

from . import word_data
from .hunspell_forms import hunspell_forms

FAR_DISTANCES = (3, 4)  # edits far_candidates() searches the index within, nearest first


def far_candidates(lexicon: Any, word: str) -> list[str]:
    """Corrections of a typo (lowercase) with no listed word within two edits, sorted: the words
    Hunspell knows one edit away (affixed forms wordfreq does not list: "reconstuctors" ->
    "reconstructors"), else the indexed words within three edits, else four.

    Deterministic and ~10-40 ms, where Hunspell's suggest() took 90-1,000 ms for these typos
    and found the correction less often (spelling_benchmark.py's 2,076 such codespell typos,
    measured on 300: top-1 145 against Hunspell's 109, top-5 174 against 120).
    """
    near = lexicon.spelled([c for c in _may_spell(lexicon, word) if c not in lexicon.rejected])
    if near:
        return sorted(near)
    index = word_data.near_index(lexicon.medical, lexicon.medical_digest)

    for edits in FAR_DISTANCES:
        found = index.scan(word, edits) + [w for w in lexicon.unindexed() if w != word and within(word, w, edits)]
        found = [c for c in found if c not in lexicon.rejected and lexicon.known(c)]
        if found:
            return sorted(set(found))
    return []


def _may_spell(lexicon: Any, word: str) -> set[str]:
    """The edits of `word` that lexicon.spelled() may accept. For a lowercase ASCII word of letters
    only, whose edits are all letters and their own casefold: the ones whose hash is listed (as
    every accepted word's is) or a Hunspell form (all spelled() passes to spell()), found as
    hashes (one_edit_listed) instead of making and hashing the ~650 strings of edits1() (~2 ms)."""
    if lexicon.dictionaries and len(word) > 1 and word.isascii() and word.isalpha() and word.islower():
        return lexicon.listed_edits(word) | one_edit_listed(word, hunspell_forms(lexicon.dictionaries).hashes)
    return edits1(word)


_ABC = "abcdefghijklmnopqrstuvwxyz"
_SLIP_COST = 1.0  # Zipf points a wrong or an extra letter costs
_EDIT_COST = 2.5  # Zipf points each edit of distance costs


def edits1(word: str) -> set[str]:
    """Every string one deletion, swap, replacement or insertion from `word`."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    out = {a + b[1:] for a, b in splits if b}
    out |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    out |= {a + c + b[1:] for a, b in splits if b for c in _ABC}
    out |= {a + c + b for a, b in splits for c in _ABC}
    out.discard(word)
    return out


_MASK = (1 << 64) - 1
_POWERS = [1]  # POLY_BASE**k modulo 2**64, extended as longer words come
_FILTER_BITS = 24  # listed_filter(): 2**24 bits (2 MB), ~2% of them set by ~373k listed hashes
_HOLE_BITS = 21  # hole_masks(): 2**21 slots of 32 bits (8 MB), ~1.4 letters a slot for the listed words


def listed_filter(table: Any) -> Any:
    """A bitmap (numpy uint8, packed little-endian) with the bit of each hash's low _FILTER_BITS
    bits set: ~11 ms for the ~373k listed hashes, built once per lexicon. An edit whose bit is
    clear is not in `table`, so only the ~2% that pass are binary-searched."""
    import numpy as np  # here, not at the top: a run the result cache answers never needs it

    seen = np.zeros(1 << _FILTER_BITS, dtype=bool)
    seen[(np.asarray(table) & np.uint64((1 << _FILTER_BITS) - 1)).astype(np.int64)] = True
    return np.packbits(seen, bitorder="little")


def table_starts(table: Any) -> Any:
    """Where each value of the hashes' top 16 bits starts in `table` (int64 [2**16 + 1], ~4 ms for
    the listed hashes): one_edit_listed() binary-searches only that stretch (a few cache misses
    instead of ~12 when other work has evicted the table)."""
    import numpy as np  # here, not at the top: a run the result cache answers never needs it

    starts = np.zeros((1 << 16) + 1, dtype=np.int64)
    np.cumsum(np.bincount((np.asarray(table) >> np.uint64(48)).astype(np.int64), minlength=1 << 16), out=starts[1:])
    return starts


def hole_masks(words: Any, out: Any = None) -> Any:
    """For each word and each of its letters a-z, that letter's bit set in the slot of the word's
    hash (word_data.poly_hash_each) with the letter's code made 0, its "hole" (the slot: the low
    _HOLE_BITS bits). A replacement or insertion of letter c at i makes a word of `words` only if
    c's bit is set in the slot of the typo's hash with a 0 at i, so one_edit_listed() looks up a
    typo's 2n+1 holes instead of hashing its 52n+26 such edits. uint32 [2**_HOLE_BITS], into
    `out` when given (~0.6 s for the ~373k listed words: word_data.listed_holes() saves them)."""
    import numpy as np  # here, not at the top: a run the result cache answers never needs it

    masks = np.zeros(1 << _HOLE_BITS, dtype=np.uint32) if out is None else out
    by_length: dict[int, list[str]] = {}
    for w in words:
        by_length.setdefault(len(w), []).append(w)
    base, low = np.uint64(word_data.POLY_BASE), np.uint64((1 << _HOLE_BITS) - 1)
    slots, bits = [], []
    for n, group in by_length.items():
        if not n:
            continue
        codes = np.frombuffer("".join(group).encode("utf-32-le", "surrogatepass"),
                              dtype=np.uint32).reshape(len(group), n).astype(np.uint64)
        h = np.zeros(len(group), dtype=np.uint64)
        for k in range(n):
            h = h * base + codes[:, k]
        for j in range(n):
            letter = codes[:, j] - np.uint64(97)  # a-z: 0-25; any other character wraps round to more
            keep = letter < np.uint64(26)
            hole = h[keep] - codes[keep, j] * np.uint64(pow(word_data.POLY_BASE, n - 1 - j, 1 << 64))
            slots.append((hole & low).astype(np.int64))
            bits.append(np.left_shift(np.uint32(1), letter[keep].astype(np.uint32)))
    if slots:
        np.bitwise_or.at(masks, np.concatenate(slots), np.concatenate(bits))
    return masks


def affix_polynomials(word: str, base: int, powers: list[int]) -> tuple[list[int], list[int], list[int]]:
    """The word's character codes and the polynomial hashes (modulo 2**64) of its prefixes
    (pre[i]: the first i characters) and suffixes (suf[i]: from character i on; suf[n] is 0), from
    which the hash of an edit is a few multiplications. `powers` holds base**k for k < len(word)."""
    n, mask = len(word), _MASK
    codes = [ord(c) for c in word]
    pre = [0] * (n + 1)
    for i, c in enumerate(codes):
        pre[i + 1] = (pre[i] * base + c) & mask
    suf = [0] * (n + 1)
    for i in range(n - 1, -1, -1):
        suf[i] = (codes[i] * powers[n - 1 - i] + suf[i + 1]) & mask
    return codes, pre, suf


def one_edit_listed(word: str, table: Any, filters: Any = None) -> set[str]:
    """The strings of edits1(word) whose polynomial hash (word_data.poly_hashes) is in `table`
    (sorted uint64): every one of them a list holds, and now and then a string that only shares
    a hash with one (the caller looks each up). The ~54 x len(word) edits are hashed as numbers
    from the word's prefix and suffix hashes, and a string is made only for a hit.

    `filters`, (listed_filter(table), hole_masks() of the words hashed in `table`,
    table_starts(table)), make it faster, not different: only the edits the hole masks allow are
    hashed, in Python, and only those the bitmap passes are binary-searched, in their stretch of
    the table. Suggestions look up typos one at a time, between other work that has evicted
    everything from the CPU caches, where each numpy call and each read of a big array costs
    microseconds: ~0.17 ms a typo this way, ~0.35 ms hashing every edit in numpy (benchmark
    typos, caches flushed before each)."""
    if not len(table):
        return set()
    n = len(word)
    mask = _MASK
    base = word_data.POLY_BASE
    pw = _POWERS
    while len(pw) < n + 2:
        pw.append(pw[-1] * base & mask)
    codes, pre, suf = affix_polynomials(word, base, pw)
    # Edit k: n deletions, n - 1 swaps, then 26 replacements at each i, 26 insertions at each i (_edit)
    fixed = [(pre[i] * pw[n - 1 - i] + suf[i + 1]) & mask for i in range(n)]
    fixed += [(pre[i] * pw[n - i] + codes[i + 1] * pw[n - i - 1] + codes[i] * pw[n - i - 2] + suf[i + 2]) & mask
              for i in range(n - 1)]
    # the hash with a 0 at i (replacement: + letter * pw[n-1-i]) or a 0 inserted at i (+ letter * pw[n-i])
    holes = ([(pre[i] * pw[n - i] + suf[i + 1]) & mask for i in range(n)]
             + [(pre[i] * pw[n + 1 - i] + suf[i]) & mask for i in range(n + 1)])
    steps = pw[:n][::-1] + pw[:n + 1][::-1]
    if filters is not None:
        hits = _filtered(fixed, holes, steps, table, *filters)
    else:
        import numpy as np

        letters = np.arange(97, 123, dtype=np.uint64)  # a-z
        keys = np.concatenate([np.array(fixed, dtype=np.uint64),
                               (np.array(holes, dtype=np.uint64)[:, None]
                                + np.array(steps, dtype=np.uint64)[:, None] * letters).ravel()])
        # the methods, not np.searchsorted/np.flatnonzero: their wrappers cost ~3 us a call
        at = np.minimum(table.searchsorted(keys), len(table) - 1)
        hits = (table[at] == keys).nonzero()[0].tolist()
    out = {_edit(word, k) for k in hits}
    out.discard(word)
    return out


def _filtered(fixed: list[int], holes: list[int], steps: list[int], table: Any, bitmap: Any,
              masks: Any, starts: Any) -> list[int]:
    """one_edit_listed()'s hits (edit numbers) through its filters, read as memoryviews (a Python
    int for each read, no numpy call)."""
    bits, slots, tab, first_at = memoryview(bitmap), memoryview(masks), memoryview(table), memoryview(starts)
    low, hole_low, mask = (1 << _FILTER_BITS) - 1, (1 << _HOLE_BITS) - 1, _MASK
    maybe = []  # (hash, edit number)
    for k, h in enumerate(fixed):
        s = h & low
        if bits[s >> 3] >> (s & 7) & 1:
            maybe.append((h, k))
    first = len(fixed)
    for i, (b, step) in enumerate(zip(holes, steps)):
        letters = slots[b & hole_low]
        while letters:
            bit = letters & -letters
            letters ^= bit
            c = bit.bit_length() - 1
            h = (b + (97 + c) * step) & mask
            s = h & low
            if bits[s >> 3] >> (s & 7) & 1:
                maybe.append((h, first + 26 * i + c))
    hits = []
    for h, k in maybe:
        top = h >> 48
        end = first_at[top + 1]
        at = bisect_left(tab, h, first_at[top], end)
        if at < end and tab[at] == h:
            hits.append(k)
    return hits


def _edit(word: str, k: int) -> str:
    """Edit number k of `word` (one_edit_listed's numbering)."""
    n = len(word)
    n_del, n_swap, n_rep = n, max(n - 1, 0), 26 * n
    if k < n_del:
        return word[:k] + word[k + 1:]
    if k < n_del + n_swap:
        i = k - n_del
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if k < n_del + n_swap + n_rep:
        i, c = divmod(k - n_del - n_swap, 26)
        return word[:i] + _ABC[c] + word[i + 1:]
    i, c = divmod(k - n_del - n_swap - n_rep, 26)
    return word[:i] + _ABC[c] + word[i:]


def by_frequency(word: str, pool: list[str]) -> list[str]:
    _, zipf = word_data.frequencies()  # type: ignore[misc]
    typo = word.lower()

    def score(s: str) -> tuple[bool, float]:
        low = s.lower()
        d = distance(typo, low)
        if d == 1:
            slip = _SLIP_COST if len(low) <= len(typo) and not _is_swap(typo, low) else 0.0
        else:  # each wrong or extra letter of the cheapest alignment: "replacents" is nearer
            # "replacements" (two letters missing) than "replaces" (one wrong, one extra)
            slip = _SLIP_COST * _slips(typo, low, d) if d else 0.0
        return (" " in s or "-" in s, -(zipf(low) - _EDIT_COST * d - slip))

    return sorted(dict.fromkeys(pool), key=score)


def _slips(typo: str, word: str, edits: int | None = None) -> int:
    """Wrong or extra letters of `typo` in its optimal string alignment with `word` that has the
    fewest edits, then the fewest such letters (missing letters and adjacent swaps are not slips).
    Given `edits` (their distance), only the cells |i - j| <= edits are filled: an alignment with
    that few edits never leaves them."""
    n, m = len(typo), len(word)
    band = max(n, m) if edits is None else edits
    # A cell's (edits, slips) packed as edits * s + slips (slips < s): compared as the pair,
    # without building tuples (~2.5x faster). `inf`: a cell outside the band.
    s = n + m + 1
    inf = s * s
    rows = [[inf] * (m + 1) for _ in range(n + 1)]
    first = rows[0]
    for j in range(min(m, band) + 1):
        first[j] = j * s  # j missing letters
    prev2: list[int] = first
    prev = first
    for i in range(1, n + 1):
        cur = rows[i]
        if i <= band:
            cur[0] = i * s + i  # i extra letters
        t1 = typo[i - 1]
        t2 = typo[i - 2] if i > 1 else ""
        for j in range(max(1, i - band), min(m, i + band) + 1):
            w1 = word[j - 1]
            v = prev[j - 1] if t1 == w1 else prev[j - 1] + s + 1  # same, or wrong letter
            x = prev[j] + s + 1  # an extra letter
            if x < v:
                v = x
            x = cur[j - 1] + s  # a missing letter
            if x < v:
                v = x
            if j > 1 and t1 == word[j - 2] and t2 == w1 and i > 1:
                x = prev2[j - 2] + s  # two letters swapped
                if x < v:
                    v = x
            cur[j] = v
        prev2, prev = prev, cur
    return rows[n][m] % s


def _is_swap(a: str, b: str) -> bool:
    if len(a) != len(b):
        return False
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]


def same_case(word: str, s: str) -> str:
    if word.isupper() and len(word) > 1:
        return s.upper()
    if word[:1].isupper():
        return s[:1].upper() + s[1:]
    return s


_OSA: Any = None  # osa_distance(), or False without rapidfuzz


def osa_distance() -> Any:
    """rapidfuzz's optimal string alignment distance (C++; imported on first use, ~20 ms), the same
    number as _full_distance() on code points (tested), ~50x faster than within() in Python; None
    without rapidfuzz (the spelling extra brings it), when the Python code below measures."""
    global _OSA
    if _OSA is None:
        try:
            from rapidfuzz.distance import OSA

            _OSA = OSA.distance
        except ImportError:
            _OSA = False
    return _OSA or None


def distance(a: str, b: str) -> int:
    """Optimal string alignment distance (Damerau-Levenshtein with adjacent swaps), case-insensitive.
    Without rapidfuzz: up to four edits found by within()'s narrow band (the candidates'
    distances), more by the whole table."""
    a, b = a.lower(), b.lower()
    if a == b:
        return 0
    osa = osa_distance()
    if osa is not None:
        return osa(a, b)
    for k in range(1, 5):
        if within(a, b, k):
            return k
    return _full_distance(a, b)


def _full_distance(a: str, b: str) -> int:
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[len(b)]


def within(a: str, b: str, k: int) -> bool:
    """Whether the optimal string alignment distance of a and b (adjacent swaps count one) is at
    most k: the DP only on the diagonal band |i - j| <= k, stopping once a row exceeds k
    (~10x faster than the full table for the candidates the index returns)."""
    n, m = len(a), len(b)
    if abs(n - m) > k:
        return False
    osa = osa_distance()
    if osa is not None:
        return osa(a, b, score_cutoff=k) <= k
    big = k + 1
    prev2: list[int] = []
    prev = [j if j <= k else big for j in range(m + 1)]
    for i in range(1, n + 1):
        cur = [big] * (m + 1)
        if i <= k:
            cur[0] = i
        ai = a[i - 1]
        lo, hi = max(1, i - k), min(m, i + k)
        for j in range(lo, hi + 1):
            bj = b[j - 1]
            v = prev[j - 1] + (ai != bj)
            if prev[j] + 1 < v:
                v = prev[j] + 1
            if cur[j - 1] + 1 < v:
                v = cur[j - 1] + 1
            if i > 1 and j > 1 and ai == b[j - 2] and a[i - 2] == bj and prev2[j - 2] + 1 < v:
                v = prev2[j - 2] + 1
            cur[j] = v if v < big else big
        if min(cur[lo - 1:hi + 1]) > k:
            return False
        prev2, prev = prev, cur
    return prev[m] <= k

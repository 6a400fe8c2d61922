"""Offset maps from derived text back to the source it came from.

Every stage that turns one text into another (HTML to text, JSON string to
text, artifact stripping) builds its output with a `TextBuilder`, so any
offset in the final text can be traced to a character of the original file.
That is what lets a finding say "line 12, column 40" of the file an editor
opens, not of some intermediate string.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Segment:
    """text[start:start+length] came from source[src:src+src_len].

    When length == src_len the characters correspond one to one; otherwise
    (a decoded entity, an escape, an inserted separator) every character of
    the segment maps to the start of its source run.
    """

    start: int
    length: int
    src: int
    src_len: int


@dataclass(slots=True)
class TextMap:
    segments: list[Segment] = field(default_factory=list)
    _starts: list[int] = field(default_factory=list, repr=False)
    _src_starts: list[int] | None = field(default=None, repr=False)  # built on first from_source()

    @classmethod
    def identity(cls, length: int, src: int = 0) -> "TextMap":
        m = cls()
        if length:
            m._add(Segment(0, length, src, length))
        return m

    def _add(self, seg: Segment) -> None:
        self.segments.append(seg)
        self._starts.append(seg.start)
        self._src_starts = None

    def to_source(self, offset: int) -> int:
        """Source offset of the character at `offset` in the derived text."""
        if not self.segments:
            return 0
        i = max(bisect_right(self._starts, offset) - 1, 0)
        seg = self.segments[i]
        delta = offset - seg.start
        if seg.length == seg.src_len:
            return seg.src + min(max(delta, 0), seg.length)
        return seg.src

    def from_source(self, src: int) -> int:
        """The derived offset of the first character at or after source offset `src` (inverse map).

        Readers and the cleaner keep source order, so segments are sorted by
        `src` too; a source character that was dropped maps to the next kept one.
        """
        if not self.segments:
            return 0
        if self._src_starts is None:
            self._src_starts = [seg.src for seg in self.segments]
        i = bisect_right(self._src_starts, src) - 1
        if i < 0:
            return self.segments[0].start
        seg = self.segments[i]
        if seg.length == seg.src_len and src < seg.src + seg.src_len:
            return seg.start + (src - seg.src)
        if src < seg.src + max(seg.src_len, 1) and seg.length != seg.src_len:
            return seg.start
        return seg.start + seg.length

    def span_to_source(self, start: int, end: int) -> tuple[int, int]:
        """Source span covering derived text[start:end]."""
        s = self.to_source(start)
        if end <= start:
            return s, s
        last = self.to_source(end - 1)
        # Include the whole source run of the last character (an entity, an escape).
        i = max(bisect_right(self._starts, end - 1) - 1, 0)
        seg = self.segments[i] if self.segments else None
        if seg is not None and seg.length != seg.src_len:
            return s, max(s, seg.src + seg.src_len)
        return s, max(s, last + 1)


    def compose(self, outer: "TextMap") -> "TextMap":
        """This map followed by `outer`: derived text -> outer's source.

        Used when a reader works on text that is itself derived, such as the
        HTML inside a JSON string.
        """
        result = TextMap()
        for seg in self.segments:
            if seg.length != seg.src_len or seg.length == 0:
                s, e = outer.span_to_source(seg.src, seg.src + seg.src_len)
                if seg.length == e - s and seg.length > 1:  # would read as one-to-one
                    for k in range(seg.length):
                        result._add(Segment(seg.start + k, 1, s, e - s))
                else:
                    result._add(Segment(seg.start, seg.length, s, e - s))
                continue
            # One-to-one run: split it wherever the outer map changes segment.
            pos = 0
            while pos < seg.length:
                o_i = max(bisect_right(outer._starts, seg.src + pos) - 1, 0)
                o = outer.segments[o_i] if outer.segments else None
                if o is None:
                    result._add(Segment(seg.start + pos, seg.length - pos, 0, 0))
                    break
                run = min(seg.length - pos, max(o.start + o.length - (seg.src + pos), 1))
                if o.length == o.src_len:
                    src = o.src + (seg.src + pos - o.start)
                    result._add(Segment(seg.start + pos, run, src, run))
                else:
                    result._add(Segment(seg.start + pos, run, o.src, o.src_len))
                pos += run
        return result


class TextBuilder:
    """Accumulates derived text and the map back to its source."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._len = 0
        self.map = TextMap()

    def __len__(self) -> int:
        return self._len

    def add(self, text: str, src: int, src_len: int | None = None) -> None:
        """Append `text` that came from source[src:src+src_len] (default: same length)."""
        if not text:
            return
        src_len = len(text) if src_len is None else src_len
        self.map._add(Segment(self._len, len(text), src, src_len))
        self._parts.append(text)
        self._len += len(text)

    def _add_run(self, text: str, src: int, src_len: int) -> None:
        """Append text whose every character stands for all of source[src:src+src_len].

        A run whose length happens to equal src_len would read as one-to-one,
        so it goes in one character at a time.
        """
        if len(text) != src_len:
            self.add(text, src, src_len)
        else:
            for ch in text:
                self.add(ch, src, src_len)

    def add_synthetic(self, text: str) -> None:
        """Append a separator the source does not contain (maps to the previous character)."""
        if not text:
            return
        prev = self.map.segments[-1] if self.map.segments else None
        src = (prev.src + prev.src_len) if prev else 0
        self.map._add(Segment(self._len, len(text), src, 0))
        self._parts.append(text)
        self._len += len(text)

    def add_mapped(self, text: str, start: int, end: int, through: TextMap) -> None:
        """Append text[start:end] of a derived text whose own map is `through`.

        This composes maps: the result points at the original source, not at the
        intermediate text.
        """
        if end <= start:
            return
        segs = through.segments
        i = max(bisect_right(through._starts, start) - 1, 0)
        pos = start
        while pos < end and i < len(segs):
            seg = segs[i]
            seg_end = seg.start + seg.length
            if seg_end <= pos:
                i += 1
                continue
            piece_end = min(end, seg_end)
            piece = text[pos:piece_end]
            if seg.length == seg.src_len:
                self.add(piece, seg.src + (pos - seg.start))
            elif pos == seg.start and piece_end == seg_end:
                self.add(piece, seg.src, seg.src_len)
            else:
                self._add_run(piece, seg.src, seg.src_len)
            pos = piece_end
            i += 1

    def text(self) -> str:
        return "".join(self._parts)


class LineIndex:
    """Converts source offsets to 1-based (line, column) pairs."""

    def __init__(self, source: str, first_line: int = 1) -> None:
        self._starts = [0]
        find = source.find
        i = find("\n")
        while i != -1:
            self._starts.append(i + 1)
            i = find("\n", i + 1)
        self._first = first_line

    def line_col(self, offset: int) -> tuple[int, int]:
        i = bisect_right(self._starts, offset) - 1
        return i + self._first, offset - self._starts[i] + 1

"""Bytes to text: size limit, binary sniffing and encoding detection."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .base import IngestError

# A NUL byte in the first block is the surest cheap sign of a binary file
# (UTF-16 is the exception, and it starts with a byte-order mark).
_SNIFF = 8192


@dataclass(slots=True)
class Decoded:
    text: str
    encoding: str
    guessed: bool  # True when the file was not UTF-8 and the encoding was detected


def read_bytes(path: Path, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise IngestError(
                "INPUT004",
                f"file is {size / 1_000_000:.1f} MB, over the {max_bytes / 1_000_000:.1f} MB limit "
                "([input] max_bytes); split it or raise the limit",
            )
        with path.open("rb") as fh:
            return fh.read(max_bytes + 1)
    except IngestError:
        raise
    except IsADirectoryError:
        raise IngestError("INPUT001", "is a folder, not a file") from None
    except PermissionError:
        raise IngestError("INPUT001", "cannot be read: permission denied") from None
    except OSError as e:
        raise IngestError("INPUT001", f"cannot be read: {e.strerror or e}") from None


def decode(data: bytes) -> Decoded:
    """Decode UTF-8 (with or without BOM) or, failing that, a detected encoding."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return Decoded(data.decode("utf-16"), "utf-16", False)
        except UnicodeDecodeError:
            raise IngestError("INPUT002", "starts as UTF-16 but is not valid UTF-16") from None
    if b"\x00" in data[:_SNIFF]:
        raise IngestError("INPUT002", "looks like a binary file (it contains NUL bytes), not an article")
    try:
        return Decoded(data.decode("utf-8"), "utf-8", False)
    except UnicodeDecodeError as e:
        utf8_error = e
    from charset_normalizer import from_bytes  # only paid for non-UTF-8 files

    best = from_bytes(data).best()
    if best is None or best.chaos > 0.25:
        raise IngestError(
            "INPUT002",
            f"is not valid UTF-8 (byte {utf8_error.start}) and its encoding could not be detected",
        )
    return Decoded(str(best), best.encoding, True)

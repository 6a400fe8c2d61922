"""When a superscript in an HTML page is a citation marker ("pain<sup>1</sup>") and when it is a
power ("kg/m<sup>2</sup>", "10<sup>9</sup>")."""

from __future__ import annotations

import re

_CITATION_SUP = re.compile(r"^\[?\d{1,3}(?:\s*[-–,]\s*\d{1,3})*\]?$")
_LETTER_SUP = re.compile(r"^[a-z](?:\s*,\s*[a-z])*$")  # footnote letters: a, b or "a,b"
_EXPONENT = re.compile(r"^[-−+]?\d{1,3}$")
# What an exponent follows: a number ("10<sup>9</sup>"), a unit ("kg/m<sup>2</sup>", "mm<sup>3</sup>"),
# or a power sign ("×<sup>2</sup>", "^").
# "in" is left out: "found in<sup>3</sup>" is a citation far more often than cubic inches.
_UNITS = frozenset("m cm mm km µm μm nm ft yd mi s sec g kg mg µg μg mcg l L ml mL dl dL".split())
_YEAR_END = re.compile(r"(?<!\d)(?:19|20)\d\d\)?$")  # "… in 2019<sup>4</sup>": a year takes a citation, not a power
_BEFORE_EXPONENT = re.compile(r"(?:\d|[×^]|/[A-Za-zµμ]{1,4}|(?<![^\W\d_])(?P<unit>[A-Za-zµμ]{1,3}))$")


def _follows_exponent_base(before: str) -> bool:
    """Whether a superscript number right after `before` is a power: after a digit, a unit or a power sign."""
    if _YEAR_END.search(before[-8:]):
        return False
    m = _BEFORE_EXPONENT.search(before[-8:])
    return m is not None and (m.group("unit") is None or m.group("unit") in _UNITS)

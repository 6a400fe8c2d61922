"""Small pieces of markup the HTML report's sections share: escaping, a found-in note, a duration."""

from __future__ import annotations

import html
import re
from typing import Any

_SURROGATES = re.compile("[\ud800-\udfff]")


def esc(value: Any) -> str:
    """Text or attribute value, escaped (quotes too); lone surrogates become U+FFFD."""
    text = "" if value is None else str(value)
    return html.escape(_SURROGATES.sub("\ufffd", text), quote=True)


def _years(days: float) -> str:
    return f"{days / 365.25:.1f} years" if days >= 365 else f"{days:.0f} days"


def _found(where: Any) -> str:
    return f' <span class="found">({esc(where)})</span>' if where else ""

"""What checking one URL came to: its kind, status and final address (cached between runs).

Kept apart from checker.py so that reading cached results, and everything
else that only looks at results, never imports the HTTP stack.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

KINDS = ("ok", "redirect", "broken", "server_error", "timeout", "blocked", "soft404",
         "refused", "redirect_loop", "not_checkable")


@dataclass(slots=True)
class LinkResult:
    url: str                 # the URL checked (normalised)
    kind: str                # one of KINDS
    status: int | None = None
    final_url: str | None = None
    reason: str = ""
    suggestion: str | None = None  # the new address, for a permanent redirect
    checked: float = field(default_factory=time.time)  # when (epoch seconds)
    from_cache: bool = False
    hops: list[tuple[int, str]] = field(default_factory=list)  # (status, next URL) per redirect
    requests: int = 0
    bytes_read: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"url": self.url, "kind": self.kind, "status": self.status, "final_url": self.final_url,
                "reason": self.reason, "suggestion": self.suggestion, "checked": self.checked,
                "hops": [list(h) for h in self.hops]}

    @classmethod
    def from_json(cls, data: dict[str, Any], from_cache: bool = False) -> "LinkResult":
        if data["kind"] not in KINDS:
            raise ValueError(data["kind"])
        return cls(url=data["url"], kind=data["kind"], status=data.get("status"),
                   final_url=data.get("final_url"), reason=data.get("reason", ""),
                   suggestion=data.get("suggestion"), checked=float(data["checked"]),
                   from_cache=from_cache, hops=[(int(s), str(u)) for s, u in data.get("hops", [])])


def status_text(status: int) -> str:
    try:
        return f"HTTP {status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"

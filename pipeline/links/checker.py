"""Checking URLs over HTTP: one session, bounded and polite, every hop vetted.

`LinkChecker.check_all(targets)` checks each Target once and returns a
LinkResult per URL. How:

- One `requests.Session` (connection pooling, a clear User-Agent), used by a
  ThreadPoolExecutor of `concurrency` threads.
- Per host, at most `per_host` requests in flight and `delay` seconds between
  the starts of two requests (`HostGate`). A dispatcher hands a worker a URL
  only when its host has room, so threads never sit waiting on a busy host
  while other hosts have work.
- Which method: with `soft404` on (the default) every HTML page must be
  read to catch "page not found" pages, so the first request is a streamed
  GET: an HTML body is read up to `max_bytes`, any other body (a PDF) is not
  read at all, the connection is just closed. HEAD first would cost two
  requests for every ordinary page (HEAD, then the GET anyway), halving
  throughput and doubling the load on the sites; benchmarks/links_benchmark.py
  measures both. With `soft404 = false` it is HEAD first, and GET only when
  HEAD is refused or mis-answered (any 4xx/5xx: 405, 403, 501, a HEAD 404
  that GET contradicts).
- Redirects are followed by hand (`allow_redirects=False`), at most
  `max_redirects`, each hop through the same address policy; a URL seen
  twice is a loop (unless the hop set a cookie, the way some sites do once).
- 429 and 503 are retried up to `retries` times, after Retry-After (seconds or
  an HTTP date) or an exponential backoff; the wait holds the whole host. A
  Retry-After longer than `max_retry_after`, or past the deadline, ends it.
- (connect, read) timeouts of `timeout` seconds each, and a `deadline` for
  the whole URL (hops, retries, and reading the body).

What comes out is a `kind`, the last HTTP status, the final URL and a reason
an editor can read; `stage.py` turns kinds into LINK findings.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import heapq
import itertools
import re
import socket
import threading
import time
from collections import Counter, deque
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Callable, Iterable, Iterator
from urllib.parse import urljoin, urlsplit

import requests

from .adapter import SafeAdapter
from .result import KINDS, LinkResult, status_text
from .safety import AddressPolicy, AddressRefused
from .settings import LinkSettings
from .soft404 import page_says_missing, redirected_to_error_page
from .urls import NotCheckable, Target, normalise_url

PERMANENT = frozenset({301, 308})
REDIRECTS = frozenset({301, 302, 303, 307, 308})
RETRY_STATUSES = frozenset({429, 503})
BROKEN_STATUSES = frozenset({404, 410})
HTML_TYPES = ("text/html", "application/xhtml+xml")
_CHUNK = 64 * 1024
_DRAIN = 64 * 1024  # a body this short is read to the end so its connection can be reused


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Retry-After as seconds to wait: a number of seconds, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


class DeadlineExceeded(Exception):
    pass


class HostGate:
    """At most `per_host` requests in flight per host, and `delay` between their starts."""

    def __init__(self, per_host: int, delay: float) -> None:
        self.per_host = per_host
        self.delay = delay
        self._cond = threading.Condition()
        self._active: Counter[str] = Counter()
        self._next: dict[str, float] = {}
        self.peak: Counter[str] = Counter()  # most requests in flight to each host at once

    def ready_at(self, host: str) -> float:
        with self._cond:
            return self._next.get(host, 0.0)

    def hold_off(self, host: str, seconds: float) -> None:
        """No new request to this host for `seconds` (the host asked us to wait)."""
        with self._cond:
            self._next[host] = max(self._next.get(host, 0.0), time.monotonic() + seconds)
            self._cond.notify_all()

    @contextmanager
    def slot(self, host: str, deadline: float | None = None) -> Iterator[None]:
        with self._cond:
            while True:
                now = time.monotonic()
                start_at = self._next.get(host, 0.0)
                if self._active[host] < self.per_host and start_at <= now:
                    break
                if deadline is not None and now >= deadline:
                    raise DeadlineExceeded()
                wait_for = start_at - now if self._active[host] < self.per_host else 1.0
                if deadline is not None:
                    wait_for = min(wait_for, deadline - now)
                self._cond.wait(max(0.001, wait_for))
            self._active[host] += 1
            self.peak[host] = max(self.peak[host], self._active[host])
            self._next[host] = now + self.delay
        try:
            yield
        finally:
            with self._cond:
                self._active[host] -= 1
                self._cond.notify_all()


@dataclass(slots=True)
class _Answer:
    """One HTTP answer, the body read only as far as needed."""

    url: str
    method: str
    status: int
    headers: dict[str, str]
    body: bytes = b""
    encoding: str | None = None
    gave_up: str = ""  # why a 429/503 was not retried further


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """The exception and everything it wraps (requests → urllib3 → socket)."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        todo.extend(x for x in (e.__cause__, e.__context__, getattr(e, "reason", None)) if isinstance(x, BaseException))
        todo.extend(a for a in getattr(e, "args", ()) if isinstance(a, BaseException))


class LinkChecker:
    """Checks URLs; one per stage run. Use as a context manager, or call close()."""

    def __init__(self, settings: LinkSettings) -> None:
        self.settings = settings
        self.policy = AddressPolicy(settings.allow_private, settings.allow_networks)
        self.gate = HostGate(settings.per_host, settings.delay)
        self.session = requests.Session()
        self.session.trust_env = False  # no proxies, no .netrc: see safety.py
        self.session.headers.update({
            "User-Agent": settings.user_agent,
            "Accept": "text/html,application/xhtml+xml,application/pdf;q=0.9,*/*;q=0.8",
            "Accept-Language": "en;q=0.9, *;q=0.5",
        })
        adapter = SafeAdapter(self.policy, pool_connections=64,
                              pool_maxsize=max(settings.per_host, 4), max_retries=0)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.requests = 0

    def __enter__(self) -> "LinkChecker":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.session.close()

    # -- many URLs ----------------------------------------------------------------------------

    def check_all(self, targets: Iterable[Target],
                  done: Callable[[LinkResult], None] | None = None) -> dict[str, LinkResult]:
        """Check every target once; `done(result)` is called (in this thread) as each finishes."""
        s = self.settings
        pending: dict[str, deque[Target]] = {}
        for t in targets:
            pending.setdefault(t.host, deque()).append(t)
        results: dict[str, LinkResult] = {}
        if not pending:
            return results
        dispatched: Counter[str] = Counter()  # URLs of each host handed to workers, not finished
        next_start: dict[str, float] = {}
        ready: list[tuple[float, int, str]] = [(0.0, i, h) for i, h in enumerate(pending)]
        heapq.heapify(ready)
        queued = set(pending)  # hosts in `ready`
        tie = itertools.count(len(ready))
        running: dict[Future, Target] = {}
        with ThreadPoolExecutor(max_workers=s.concurrency, thread_name_prefix="medreview-link") as pool:
            while ready or running:
                now = time.monotonic()
                while ready and len(running) < s.concurrency and ready[0][0] <= now:
                    _, _, host = heapq.heappop(ready)
                    queued.discard(host)
                    target = pending[host].popleft()
                    running[pool.submit(self.check, target)] = target
                    dispatched[host] += 1
                    next_start[host] = now + s.delay
                    if pending[host] and dispatched[host] < s.per_host:
                        at = max(next_start[host], self.gate.ready_at(host))
                        heapq.heappush(ready, (at, next(tie), host))
                        queued.add(host)
                if not running:
                    time.sleep(max(0.0, min(ready[0][0] - time.monotonic(), 1.0)) if ready else 0)
                    continue
                timeout = None
                if ready and len(running) < s.concurrency:
                    timeout = max(0.0, ready[0][0] - time.monotonic())
                finished, _ = wait(list(running), timeout=timeout, return_when=FIRST_COMPLETED)
                for fut in finished:
                    target = running.pop(fut)
                    try:
                        result = fut.result()
                    except Exception as e:  # a bug here must not lose the other URLs
                        result = LinkResult(url=target.url, kind="not_checkable", final_url=target.url,
                                            reason=f"medreview failed while checking it ({type(e).__name__}: {e})")
                    results[target.url] = result
                    self.requests += result.requests
                    host = target.host
                    dispatched[host] -= 1
                    if pending[host] and host not in queued:
                        at = max(next_start.get(host, 0.0), self.gate.ready_at(host))
                        heapq.heappush(ready, (at, next(tie), host))
                        queued.add(host)
                    if done is not None:
                        done(result)
        return results

    # -- one URL ------------------------------------------------------------------------------

    def check(self, target: Target) -> LinkResult:
        """Follow one URL to its end and say what a reader would get."""
        s = self.settings
        url = target.url
        result = LinkResult(url=url, kind="ok")
        seen = {url}
        moved_to: str | None = None  # where the leading permanent redirects end
        leading_permanent = True
        deadline = time.monotonic() + s.deadline  # the dispatcher starts a URL when its host has room
        try:
            for _hop in range(s.max_redirects + 1):
                host = (urlsplit(url).hostname or "").lower()
                refusal = self.policy.refusal_for_host(host)
                if refusal:
                    return self._refused(result, url, refusal)
                answer = self._fetch(url, host, deadline, result)
                location = answer.headers.get("location")
                if answer.status in REDIRECTS and location:
                    try:
                        nxt = normalise_url(urljoin(url, location.strip()))
                    except NotCheckable:
                        return self._done(result, "not_checkable", answer, url,
                                          f"it redirects to {_short(location.strip(), 120)}, "
                                          "which is not a web address that can be checked")
                    result.hops.append((answer.status, nxt))
                    if answer.status in PERMANENT and leading_permanent:
                        moved_to = nxt
                    else:
                        leading_permanent = False
                    if nxt in seen and "set-cookie" not in answer.headers:
                        chain = " → ".join([target.url] + [u for _, u in result.hops])
                        return self._done(result, "redirect_loop", answer, nxt,
                                          f"it redirects in a loop ({_short(chain, 300)})")
                    seen.add(nxt)
                    url = nxt
                    continue
                return self._classify(target, result, answer, moved_to)
            return self._done(result, "redirect_loop", None, url,
                              f"it redirects more than {s.max_redirects} times without reaching a page")
        except DeadlineExceeded:
            result.final_url = url
            return self._set(result, "timeout", f"the check took longer than {s.deadline:g} s")
        except requests.RequestException as e:
            return self._failure(result, url, e)

    def _fetch(self, url: str, host: str, deadline: float, result: LinkResult) -> _Answer:
        s = self.settings
        method = "GET" if s.soft404 else "HEAD"
        attempt = 0
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise DeadlineExceeded()
            timeout = min(s.timeout, remaining)
            with self.gate.slot(host, deadline):
                result.requests += 1
                response = self.session.request(method, url, allow_redirects=False, stream=True,
                                                timeout=(timeout, timeout))
                try:
                    answer = _Answer(url=url, method=method, status=response.status_code,
                                     headers={k.lower(): v for k, v in response.headers.items()})
                    if method == "GET" and s.soft404 and 200 <= answer.status < 300 and _is_html(answer.headers):
                        answer.body = self._read(response, deadline)
                        answer.encoding = response.encoding
                        result.bytes_read += len(answer.body)
                finally:
                    _finish(response)
            status = answer.status
            if status in RETRY_STATUSES:
                if attempt >= s.retries:
                    answer.gave_up = f"still {status} after {attempt + 1} tries" if attempt else ""
                    return answer
                wait_s = retry_after_seconds(answer.headers.get("retry-after"))
                asked = wait_s is not None
                if wait_s is None:
                    wait_s = s.retry_backoff * (2 ** attempt)
                if wait_s > s.max_retry_after:
                    answer.gave_up = f"the site asked us to wait {wait_s:.0f} s before trying again"
                    return answer
                if time.monotonic() + wait_s > deadline:
                    answer.gave_up = (f"the site asked us to wait {wait_s:.0f} s, past the {s.deadline:g} s limit"
                                      if asked else "")
                    return answer
                self.gate.hold_off(host, wait_s)
                attempt += 1
                continue
            if method == "HEAD" and status >= 400:
                method = "GET"  # HEAD refused or mis-answered: ask the way a browser does
                continue
            return answer

    def _read(self, response: requests.Response, deadline: float) -> bytes:
        """At most max_bytes of the body, stopping at the deadline; what was read on an error."""
        body = bytearray()
        try:
            for chunk in response.iter_content(chunk_size=_CHUNK):
                body += chunk
                if len(body) >= self.settings.max_bytes or time.monotonic() > deadline:
                    break
        except (requests.RequestException, OSError):
            pass  # the status is known; judge the page by what arrived
        return bytes(body[: self.settings.max_bytes])

    # -- judging --------------------------------------------------------------------------------

    def _classify(self, target: Target, result: LinkResult, answer: _Answer, moved_to: str | None) -> LinkResult:
        status = answer.status
        text = status_text(status)
        if 200 <= status < 300 or status == 300:
            why = redirected_to_error_page(target.url, answer.url) if result.hops else None
            if why is None and answer.body:
                why = page_says_missing(answer.body, answer.encoding)
            if why:
                return self._done(result, "soft404", answer, answer.url, f"{text}, but {why}")
            if moved_to and not target.persistent and moved_to != target.url:
                result.suggestion = moved_to
                return self._done(result, "redirect", answer, answer.url, status_text(result.hops[0][0]))
            return self._done(result, "ok", answer, answer.url, text)
        if status in BROKEN_STATUSES:
            return self._done(result, "broken", answer, answer.url, text)
        if status in REDIRECTS:
            return self._done(result, "server_error", answer, answer.url, f"{text} without a new address")
        if status == 503:
            return self._done(result, "server_error", answer, answer.url, _join(text, answer.gave_up))
        if 500 <= status < 600:
            return self._done(result, "server_error", answer, answer.url, text)
        # 401, 403, 429, 999 (LinkedIn) and other refusals: the site would not let a checker in.
        return self._done(result, "blocked", answer, answer.url, _join(text, answer.gave_up))

    def _failure(self, result: LinkResult, url: str, error: requests.RequestException) -> LinkResult:
        causes = list(_causes(error))
        for e in causes:
            if isinstance(e, AddressRefused):
                return self._refused(result, url, e.reason)
        for e in causes:
            if isinstance(e, socket.gaierror):
                result.final_url = url
                host = urlsplit(url).hostname
                if e.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)):
                    return self._set(result, "broken", f"the site name {host} does not exist")
                return self._set(result, "timeout", f"the site name {host} could not be looked up (DNS: {e.strerror})")
        result.final_url = url
        if isinstance(error, requests.ConnectTimeout):
            return self._set(result, "timeout", f"no connection within {self.settings.timeout:g} s")
        if isinstance(error, requests.ReadTimeout):
            return self._set(result, "timeout", f"no answer within {self.settings.timeout:g} s")
        if isinstance(error, requests.exceptions.SSLError):
            words = re.sub(r"\[SSL[^\]]*\]\s*|\s*\(_ssl\.c:\d+\)", "", _last_words(error)).strip()
            return self._set(result, "timeout", f"the secure connection failed: {_short(words, 120)}")
        if isinstance(error, requests.ConnectionError):
            for e in causes:
                if isinstance(e, ConnectionRefusedError):
                    return self._set(result, "timeout", "the server refused the connection")
            return self._set(result, "timeout", f"the connection failed ({_short(_last_words(error), 120)})")
        return self._set(result, "not_checkable", f"the request could not be made ({_short(str(error), 120)})")

    def _refused(self, result: LinkResult, url: str, why: str) -> LinkResult:
        result.final_url = url
        after = f", after a redirect from {result.url}" if result.hops else ""
        return self._set(result, "refused", f"{why}{after}")

    def _done(self, result: LinkResult, kind: str, answer: _Answer | None, final_url: str, reason: str) -> LinkResult:
        result.status = answer.status if answer is not None else (result.hops[-1][0] if result.hops else None)
        result.final_url = final_url
        return self._set(result, kind, reason)

    @staticmethod
    def _set(result: LinkResult, kind: str, reason: str) -> LinkResult:
        result.kind = kind
        result.reason = reason
        result.checked = time.time()
        return result


def _finish(response: requests.Response) -> None:
    """Close a response, keeping its connection for the next request when that is cheap.

    A connection goes back to the pool only once its body has been read to
    the end; a short body (an error page, a HEAD answer) is read and dropped
    so the connection can be reused (no new TCP and TLS handshake), a long or
    unsized one (a PDF) is cut off by closing the connection.
    """
    try:
        length = int(response.headers.get("content-length", "-1"))
    except ValueError:
        length = -1
    if response.request is not None and response.request.method == "HEAD" or 0 <= length <= _DRAIN:
        try:
            for _ in response.iter_content(chunk_size=_CHUNK):
                pass
        except (requests.RequestException, OSError):
            pass
    response.close()


def _is_html(headers: dict[str, str]) -> bool:
    """HTML, or no Content-Type at all (then the page is sniffed as HTML)."""
    ctype = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return not ctype or ctype in HTML_TYPES


def _join(a: str, b: str) -> str:
    return f"{a}; {b}" if b else a


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _last_words(error: BaseException) -> str:
    """The plainest message inside a wrapped exception (the socket's or TLS's own words)."""
    for e in _causes(error):
        if isinstance(e, OSError) and not type(e).__module__.startswith(("urllib3", "requests")):
            return str(e)
    return str(error)

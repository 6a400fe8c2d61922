"""A small web site on 127.0.0.1 with a route for every case the link checker must tell apart.

    with LinkServer() as site:
        site.url("/missing")          # http://127.0.0.1:PORT/missing
        site.url("/ok", "localhost")  # the same server under another host name
        site.hits("/missing")         # requests it received (any method)
        site.peak("127.0.0.1")        # most requests in flight at once for that Host

It counts every request by method and path, keeps the start time of each,
and tracks requests in flight per Host header, so tests can assert that each
URL was requested once however many articles cite it, that per-host
concurrency never went over the bound, and that the polite delay was kept.
A ThreadingHTTPServer on port 0 in a background thread; HTTP/1.1 keep-alive.
"""

from __future__ import annotations

import email.utils
import re
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

HTML = "text/html; charset=utf-8"


def page(title: str, heading: str | None = None, words: int = 400) -> bytes:
    """An HTML page with a real-looking body (long enough not to be a 'short page')."""
    text = " ".join(["Back pain is common and usually gets better on its own within a few weeks."] * (words // 14 + 1))
    return (f"<!doctype html><html><head><title>{title}</title></head><body>"
            f"<h1>{heading or title}</h1><p>{text}</p></body></html>").encode()


ARTICLE = page("Back pain: causes and treatment | Health Site", "Back pain")
HOME = page("Health Site", "Welcome to Health Site")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def handle_error(self, request, client_address) -> None:  # a client that hung up: not news
        pass


class LinkServer:
    def __init__(self, latency: float = 0.0, slow_seconds: float = 2.0, huge_bytes: int = 64 * 1024 * 1024) -> None:
        self.latency = latency            # every answer waits this long (benchmark)
        self.slow_seconds = slow_seconds  # /slow waits this long before answering
        self.huge_bytes = huge_bytes      # /huge streams this much
        self._lock = threading.Lock()
        self.reset()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body in separate writes must not wait for an ACK
            server_version = "LinkServer/1"

            def log_message(self, *args) -> None:
                pass

            def do_HEAD(self) -> None:
                site._handle(self, "HEAD")

            def do_GET(self) -> None:
                site._handle(self, "GET")

        self._httpd = _Server(("127.0.0.1", 0), Handler)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="link-server", daemon=True)

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> "LinkServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> "LinkServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def reset(self) -> None:
        with self._lock:
            self.counts: Counter[tuple[str, str]] = Counter()
            self.starts: list[tuple[str, str, str, float]] = []  # (host, method, path, monotonic)
            self._in_flight: Counter[str] = Counter()
            self._peak: Counter[str] = Counter()
            self._peak_total = 0
            self.bytes_sent: Counter[str] = Counter()
            self.user_agents: set[str] = set()
            self.connections: set[tuple[str, int]] = set()  # client (address, port) pairs seen

    # -- what tests ask ----------------------------------------------------------------------

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def hits(self, path: str, method: str | None = None) -> int:
        with self._lock:
            return sum(n for (m, p), n in self.counts.items() if p == path and (method is None or m == method))

    def total_hits(self) -> int:
        with self._lock:
            return sum(self.counts.values())

    def peak(self, host: str | None = None) -> int:
        with self._lock:
            return self._peak_total if host is None else self._peak[host]

    def start_times(self, host: str) -> list[float]:
        with self._lock:
            return [t for h, _, _, t in self.starts if h == host]

    # -- serving -----------------------------------------------------------------------------

    def _handle(self, req: BaseHTTPRequestHandler, method: str) -> None:
        host = (req.headers.get("Host") or "").rsplit(":", 1)[0]
        path = req.path
        with self._lock:
            self.counts[(method, path)] += 1
            nth = self.counts[(method, path)] + (self.counts[("GET" if method == "HEAD" else "HEAD", path)])
            self.starts.append((host, method, path, time.monotonic()))
            self._in_flight[host] += 1
            self._peak[host] = max(self._peak[host], self._in_flight[host])
            self._peak_total = max(self._peak_total, sum(self._in_flight.values()))
            self.user_agents.add(req.headers.get("User-Agent", ""))
            self.connections.add(req.client_address[:2])
        req._in_flight_host = host
        try:
            if self.latency:
                time.sleep(self.latency)
            self._route(req, method, path, nth)
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            req.close_connection = True
        finally:
            self._answered(req)

    def _answered(self, req: BaseHTTPRequestHandler) -> None:
        """The request stops counting as in flight when its answer starts.

        The client cannot have more requests in flight than the server counts
        this way (it holds its slot until the answer is read), so a peak seen
        here is a peak the client really reached.
        """
        host = getattr(req, "_in_flight_host", None)
        if host is not None:
            req._in_flight_host = None
            with self._lock:
                self._in_flight[host] -= 1

    def _send(self, req: BaseHTTPRequestHandler, method: str, status: int, body: bytes = b"",
              ctype: str = HTML, headers: dict[str, str] | None = None) -> None:
        self._answered(req)
        req.send_response(status)
        req.send_header("Content-Type", ctype)
        req.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            req.send_header(k, v)
        req.end_headers()
        if method != "HEAD" and body:
            req.wfile.write(body)
            self.bytes_sent[req.path] += len(body)

    def _redirect(self, req, method: str, status: int, location: str, headers: dict[str, str] | None = None) -> None:
        self._send(req, method, status, b"", headers={"Location": location, **(headers or {})})

    def _route(self, req: BaseHTTPRequestHandler, method: str, path: str, nth: int) -> None:
        send: Callable = lambda status, body=b"", **kw: self._send(req, method, status, body, **kw)  # noqa: E731
        go: Callable = lambda status, location, **kw: self._redirect(req, method, status, location, **kw)  # noqa: E731
        if path == "/":
            return send(200, HOME)
        if path == "/ok" or path.startswith("/ok/") or path.startswith("/page/") or path == "/new-home" \
                or path.startswith("/articles/") or path.startswith("/ok?"):
            return send(200, ARTICLE)
        if path.startswith("/slowish/"):
            time.sleep(0.1)
            return send(200, ARTICLE)
        if path == "/file.pdf":
            return send(200, b"%PDF-1.4\n" + b"0" * 2000, ctype="application/pdf")
        if path == "/missing":
            return send(404, page("404 Not Found", words=10))
        if path == "/gone":
            return send(410, page("Gone", words=10))
        if path == "/error":
            return send(500, page("Internal Server Error", words=10))
        if path == "/busy":
            return send(503, b"busy", ctype="text/plain")
        if path == "/flaky":  # 503 the first time, then fine
            return send(503, b"busy", ctype="text/plain") if nth == 1 else send(200, ARTICLE)
        if path == "/rate-limited":
            return send(429, b"slow down", ctype="text/plain", headers={"Retry-After": "1"}) if nth == 1 \
                else send(200, ARTICLE)
        if path == "/rate-limited-date":
            when = email.utils.formatdate(time.time() + 1, usegmt=True)
            return send(429, b"slow down", ctype="text/plain", headers={"Retry-After": when}) if nth == 1 \
                else send(200, ARTICLE)
        if path == "/rate-limited-long":
            return send(429, b"slow down", ctype="text/plain", headers={"Retry-After": "3600"})
        if path == "/bot":
            return send(403, page("Access denied", words=10))
        if path == "/linkedin":
            return send(999, b"", ctype="text/plain")
        if path == "/no-head":
            return send(405, b"", headers={"Allow": "GET"}) if method == "HEAD" else send(200, ARTICLE)
        if path == "/head-404":  # a server that mis-answers HEAD
            return send(404, b"") if method == "HEAD" else send(200, ARTICLE)
        if path == "/moved":
            return go(301, "/new-home")
        if path == "/moved-twice":
            return go(308, "/moved")
        if path == "/temp":
            return go(302, "/ok")
        if path == "/loop-a":
            return go(302, "/loop-b")
        if path == "/loop-b":
            return go(302, "/loop-a")
        if m := re.fullmatch(r"/hop/(\d+)", path):
            return go(302, f"/hop/{int(m.group(1)) + 1}")
        if path == "/cookie-first":  # sets a cookie and comes back to itself once: not a loop
            if "seen=1" in (req.headers.get("Cookie") or ""):
                return send(200, ARTICLE)
            return go(302, "/cookie-first", headers={"Set-Cookie": "seen=1; Path=/"})
        if path == "/no-location":
            return send(302, b"")
        if path == "/slow":
            time.sleep(self.slow_seconds)
            return send(200, ARTICLE)
        if path == "/huge":
            return self._huge(req, method)
        if path == "/soft-404":
            return send(200, page("Page not found | Health Site", "Sorry, we can't find that page"))
        if path == "/soft-404-short":
            return send(200, b"<html><head><title>Health Site</title></head><body>"
                             b"<p>Sorry, this article is no longer available.</p></body></html>")
        if path == "/withdrawn-drug":  # a real article that uses the words: not a soft 404
            return send(200, page("Ranitidine no longer available: what to take instead"))
        if path == "/to-root":
            return go(302, "/")
        if path == "/to-404-page":
            return go(302, "/errors/404.html")
        if path == "/errors/404.html":
            return send(200, page("Health Site", "Oops"))
        if path == "/to-private":
            return go(302, "http://10.0.0.1/admin")
        if path == "/to-metadata":
            return go(302, "http://169.254.169.254/latest/meta-data/")
        if path == "/to-intranet":
            return go(302, f"http://intranet.test:{self.port}/ok")
        if path == "/to-ftp":
            return go(302, "ftp://files.example.org/leaflet.pdf")
        if path == "/doi/10.1000/xyz":
            return go(302, "/articles/xyz")
        if path == "/doi/10.1000/moved":  # a DOI whose landing page moved: DOIs are never "moved"
            return go(301, "/articles/xyz")
        if path == "/pubmed/123456/":
            return send(200, page("Low back pain: a review - PubMed"))
        return send(404, page("404 Not Found", words=10))

    def _huge(self, req: BaseHTTPRequestHandler, method: str) -> None:
        self._answered(req)
        req.send_response(200)
        req.send_header("Content-Type", HTML)
        req.send_header("Content-Length", str(self.huge_bytes))
        req.end_headers()
        if method == "HEAD":
            return
        chunk = b"<p>" + b"x" * (64 * 1024 - 7) + b"</p>\n"
        req.wfile.write(b"<html><head><title>Big page</title></head><body>")
        sent = 0
        try:
            while sent < self.huge_bytes:
                req.wfile.write(chunk)
                sent += len(chunk)
                with self._lock:
                    self.bytes_sent["/huge"] = sent
        finally:
            req.close_connection = True

#!/usr/bin/env python3
"""Link stage throughput: medreview's link stage against LinkChecker, on one loopback server.

    .venv/bin/python benchmarks/links_benchmark.py [--urls 2000] [--latency 0.2] [--threads 16]
                                                   [--skip-linkchecker] [--json FILE]

A ThreadingHTTPServer on 127.0.0.1 answers every request (HEAD or GET) after
`--latency` seconds with a small HTML page, and serves /index.html, a page
listing all `--urls` distinct links. Then, in the same run and against the
same server:

1. medreview's stage (`run_link_stage`) over one article citing the N URLs,
   with `--threads` workers, per_host = threads (one host, so the per-host
   bound is not the limit), delay 0, no cache, allow_private = true; run
   twice: the default (soft404 = true: one streamed GET per link, the HTML
   read for "page not found" text) and soft404 = false (HEAD first, GET only
   where HEAD is refused).
2. LinkChecker from PyPI (`pip install linkchecker` into this venv), started
   on /index.html with recursion level 1, --no-robots, the same thread count,
   CSV output; its wall time includes its start-up, which is timed apart
   (`linkchecker --version`) and reported.

The bound is threads / latency links per second when each link costs one
request (threads requests in flight all the time, each taking `latency`).
Each row says how many requests per link the tool made (counted by the
server), so the gap to the bound can be read: two requests per link halves it.

Fairness: LinkChecker throttles each host to one request every 0.1–0.6 s
(random) unless the server's answers carry a "LinkChecker" header, in which
case `maxrequestspersecond` applies. The server sends that header and the
run sets maxrequestspersecond = 1000, so neither tool is held back by
politeness here; both are bound by threads and latency alone.

Results go to stdout (and to --json FILE, default benchmarks/out/links-benchmark.json).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "out"

from medreview.config import from_dict  # noqa: E402
from medreview.links import run_link_stage  # noqa: E402
from medreview.model import ArticleResult  # noqa: E402

PAGE = (b"<!doctype html><html><head><title>Back pain: causes and treatment</title></head><body>"
        b"<h1>Back pain</h1><p>" + b"Back pain is common and usually gets better on its own. " * 20
        + b"</p></body></html>")


class LatencyServer:
    """Every answer after `latency` seconds; counts requests by method."""

    def __init__(self, n: int, latency: float) -> None:
        self.n = n
        self.latency = latency
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        bench = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body in separate writes must not wait for an ACK

            def log_message(self, *args) -> None:
                pass

            def do_HEAD(self) -> None:
                bench._answer(self, head=True)

            def do_GET(self) -> None:
                bench._answer(self, head=False)

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            block_on_close = False
            request_queue_size = 256

            def handle_error(self, request, client_address) -> None:
                pass

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.index = self._index()
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, i: int) -> str:
        return f"http://127.0.0.1:{self.port}/page/{i}"

    def _index(self) -> bytes:
        items = "".join(f'<li><a href="/page/{i}">page {i}</a></li>' for i in range(self.n))
        return f"<!doctype html><html><head><title>Links</title></head><body><ul>{items}</ul></body></html>".encode()

    def _answer(self, req: BaseHTTPRequestHandler, head: bool) -> None:
        with self._lock:
            self.counts["HEAD" if head else "GET"] += 1
        time.sleep(self.latency)
        body = self.index if req.path == "/index.html" else PAGE
        req.send_response(200)
        req.send_header("Content-Type", "text/html; charset=utf-8")
        req.send_header("Content-Length", str(len(body)))
        req.send_header("LinkChecker", "unthrottled")  # lifts LinkChecker's built-in 0.1-0.6 s per-host pause
        req.end_headers()
        if not head:
            req.wfile.write(body)

    def reset(self) -> None:
        with self._lock:
            self.counts.clear()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def run_ours(server: LatencyServer, threads: int, soft404: bool) -> dict:
    server.reset()
    links = [{"url": server.url(i), "anchor": f"page {i}", "line": i + 1, "column": 1,
              "end_line": i + 1, "end_column": 40} for i in range(server.n)]
    result = ArticleResult(path="bench.md", format="markdown", title=None, meta={}, findings=[],
                           stats={"id": "bench.md"}, links=links)
    config = from_dict({"links": {
        "allow_private": True, "concurrency": threads, "per_host": threads, "delay": 0,
        "timeout": 10, "cache_dir": "", "soft404": soft404,
    }})
    started = time.perf_counter()
    stats = run_link_stage([result], config)
    seconds = time.perf_counter() - started
    requests = sum(server.counts.values())
    return {
        "tool": f"medreview (soft404 = {'true' if soft404 else 'false'})",
        "links": stats.checked, "ok": stats.by_kind.get("ok", 0), "seconds": round(seconds, 2),
        "links_per_s": round(stats.checked / seconds, 1), "requests": requests,
        "requests_per_link": round(requests / max(1, stats.checked), 2), "by_method": dict(server.counts),
        "findings": len(result.findings),
    }


def linkchecker_exe() -> str | None:
    here = Path(sys.executable).parent / "linkchecker"
    return str(here) if here.exists() else shutil.which("linkchecker")


def run_linkchecker(server: LatencyServer, threads: int) -> dict:
    exe = linkchecker_exe()
    if exe is None:
        return {"tool": "LinkChecker", "error": "not installed: run `.venv/bin/pip install linkchecker`"}
    # LinkChecker drops root privileges to 'nobody': its config must be readable by anyone.
    folder = Path(tempfile.mkdtemp(prefix="links-bench-"))
    folder.chmod(0o755)
    rc = folder / "linkcheckerrc"
    rc.write_text(
        "[checking]\n"
        f"threads={threads}\n"
        "recursionlevel=1\n"
        "maxrequestspersecond=1000\n"
        "timeout=10\n"
        "[filtering]\n"
        "checkextern=0\n",
        encoding="utf-8",
    )
    rc.chmod(0o644)
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    version = subprocess.run([exe, "--version"], capture_output=True, text=True, env=env)
    started = time.perf_counter()
    subprocess.run([exe, "--version"], capture_output=True, text=True, env=env)
    startup = time.perf_counter() - started
    server.reset()
    command = [exe, "-f", str(rc), "-r", "1", "-t", str(threads), "--no-robots", "--no-status",
               "--no-warnings", "-v", "-o", "csv", f"http://127.0.0.1:{server.port}/index.html"]
    started = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - started
    shutil.rmtree(folder, ignore_errors=True)
    rows = [line for line in proc.stdout.splitlines() if line and not line.startswith("#")]
    checked = ok = 0
    if rows:
        reader = csv.DictReader(io.StringIO("\n".join(rows)), delimiter=";")
        for row in reader:
            if "/page/" in (row.get("urlname") or "") or "/page/" in (row.get("url") or ""):
                checked += 1
                ok += (row.get("valid") or "").strip().lower() in ("true", "1", "valid")
    requests = sum(server.counts.values())
    out = {
        "tool": "LinkChecker " + (version.stdout.split("\n", 1)[0].split()[1] if version.stdout else "?"),
        "links": checked, "ok": ok, "seconds": round(seconds, 2),
        "links_per_s": round(checked / seconds, 1) if seconds else 0.0,
        "startup_seconds": round(startup, 2),
        "links_per_s_without_startup": round(checked / max(0.001, seconds - startup), 1),
        "requests": requests, "requests_per_link": round(requests / max(1, checked), 2),
        "by_method": dict(server.counts), "exit_code": proc.returncode, "command": " ".join(command[1:]),
    }
    if checked == 0:
        out["error"] = f"LinkChecker checked nothing (exit {proc.returncode}): {proc.stderr.strip()[-500:]}"
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--urls", type=int, default=2000)
    ap.add_argument("--latency", type=float, default=0.2)
    ap.add_argument("--threads", type=int, default=16)
    ap.add_argument("--skip-linkchecker", action="store_true")
    ap.add_argument("--json", type=Path, default=OUT / "links-benchmark.json")
    args = ap.parse_args(argv)

    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        os.environ.pop(var, None)
    server = LatencyServer(args.urls, args.latency)
    bound = args.threads / args.latency
    rows = []
    try:
        rows.append(run_ours(server, args.threads, soft404=True))
        rows.append(run_ours(server, args.threads, soft404=False))
        if not args.skip_linkchecker:
            rows.append(run_linkchecker(server, args.threads))
    finally:
        server.stop()

    print(f"{args.urls} distinct URLs, {args.latency * 1000:.0f} ms per answer, {args.threads} threads; "
          f"bound = {args.threads} / {args.latency} s = {bound:.0f} links/s at one request per link")
    print(f"{'tool':36} {'links':>6} {'ok':>6} {'seconds':>8} {'links/s':>8} {'% bound':>8} {'req/link':>8}")
    for r in rows:
        if "error" in r and not r.get("links"):
            print(f"{r['tool']:36} {r['error']}")
            continue
        print(f"{r['tool']:36} {r['links']:>6} {r['ok']:>6} {r['seconds']:>8.2f} {r['links_per_s']:>8.1f} "
              f"{100 * r['links_per_s'] / bound:>7.0f}% {r['requests_per_link']:>8.2f}")
        if "startup_seconds" in r:
            print(f"{'':36} (start-up {r['startup_seconds']:.2f} s; without it "
                  f"{r['links_per_s_without_startup']:.1f} links/s)")
    report = {
        "urls": args.urls, "latency_s": args.latency, "threads": args.threads, "bound_links_per_s": bound,
        "python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count(),
        "results": rows,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"Wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

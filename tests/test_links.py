"""LINK: the corpus-wide link stage, against a real HTTP server on 127.0.0.1 (tests/link_server.py).

Nothing here may reach beyond this machine: name lookups other than the
loopback names (and one fake private name) fail, and every socket connect is
recorded, refused unless it goes to 127.0.0.1 / ::1 (see `_no_internet`).
"""

from __future__ import annotations

import ipaddress
import socket
import sqlite3
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from link_server import LinkServer  # noqa: E402

from medreview.config import ConfigError, from_dict  # noqa: E402
from medreview.links import (  # noqa: E402
    LINK_RULES,
    LinkChecker,
    LinkRules,
    count_link_targets,
    link_settings,
    run_link_stage,
)
from medreview.links.checker import retry_after_seconds  # noqa: E402
from medreview.links.safety import AddressPolicy  # noqa: E402
from medreview.links.soft404 import page_says_missing, redirected_to_error_page  # noqa: E402
from medreview.links.urls import NotCheckable, normalise_url, target_for  # noqa: E402
from medreview.model import ArticleResult, Severity, fingerprint  # noqa: E402

FAKE_DNS = {"intranet.test": "10.0.0.1"}  # a name that resolves to a private address
CONNECTS: list[str] = []                 # every address a socket tried to connect to


# -- the guard and the server --------------------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def _no_internet():
    """Only loopback names resolve, and only loopback addresses can be connected to."""
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.socket.connect

    def local_only(host, port, *args, **kwargs):
        if isinstance(host, bytes):
            host = host.decode()
        if host in FAKE_DNS:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (FAKE_DNS[host], port or 0))]
        if host not in ("127.0.0.1", "localhost", "::1", None):
            raise socket.gaierror(socket.EAI_NONAME, f"test: no internet ({host})")
        return real_getaddrinfo(host, port, *args, **kwargs)

    def recorded_connect(self, address):
        CONNECTS.append(str(address[0]))
        if address[0] not in ("127.0.0.1", "::1"):
            raise OSError(f"test: no connections beyond this machine ({address[0]})")
        return real_connect(self, address)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(socket, "getaddrinfo", local_only)
        mp.setattr(socket.socket, "connect", recorded_connect)
        for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
            mp.delenv(var, raising=False)
        yield


@pytest.fixture(scope="module")
def site():
    with LinkServer(slow_seconds=2.0) as server:
        yield server


@pytest.fixture(autouse=True)
def _fresh(request):
    CONNECTS.clear()
    if "site" in request.fixturenames:
        request.getfixturevalue("site").reset()


def config(tmp_path: Path | None = None, offline: bool = False, rules: dict | None = None, **links):
    """Fast settings for tests: loopback allowed (and nothing else private), short timeouts, no delay."""
    table = {
        "allow_private": ["127.0.0.0/8"],
        "timeout": 0.5,
        "deadline": 5,
        "delay": 0,
        "retry_backoff": 0.05,
        "max_retry_after": 2,
        "max_bytes": 65536,
        "cache_dir": str(tmp_path / "cache") if tmp_path else "",
        **links,
    }
    cfg = from_dict({"links": table, **({"rules": rules} if rules else {})})
    return cfg.with_overrides(offline=True) if offline else cfg


def link(url: str = "", line: int = 1, column: int = 1, **extra) -> dict:
    return {"url": url, "anchor": extra.pop("anchor", "source"), "line": line, "column": column,
            "end_line": line, "end_column": column + len(url), **extra}


def article(name: str, links: list[dict], meta: dict | None = None) -> ArticleResult:
    return ArticleResult(path=name, format="markdown", title=None, meta=meta or {}, findings=[],
                         stats={"id": name, "line": 1}, links=links)


def by_excerpt(result: ArticleResult) -> dict[str, list]:
    found: dict[str, list] = {}
    for f in result.findings:
        found.setdefault(f.excerpt, []).append(f)
    return found


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# -- every case, one batch -------------------------------------------------------------------------

# path on the test site → (rule it must get or None, HTTP status in the evidence)
CASES = {
    "/ok": (None, None),
    "/file.pdf": (None, None),
    "/missing": ("LINK001", 404),
    "/gone": ("LINK001", 410),
    "/error": ("LINK002", 500),
    "/busy": ("LINK002", 503),
    "/flaky": (None, None),
    "/rate-limited": (None, None),
    "/rate-limited-date": (None, None),
    "/rate-limited-long": ("LINK005", 429),
    "/bot": ("LINK005", 403),
    "/linkedin": ("LINK005", 999),
    "/no-head": (None, None),
    "/head-404": (None, None),
    "/moved": ("LINK004", 200),
    "/moved-twice": ("LINK004", 200),
    "/temp": (None, None),
    "/loop-a": ("LINK008", 302),
    "/hop/0": ("LINK008", 302),
    "/cookie-first": (None, None),
    "/no-location": ("LINK002", 302),
    "/slow": ("LINK003", None),
    "/huge": (None, None),
    "/soft-404": ("LINK006", 200),
    "/soft-404-short": ("LINK006", 200),
    "/withdrawn-drug": (None, None),
    "/to-root": ("LINK006", 200),
    "/to-404-page": ("LINK006", 200),
    "/to-private": ("LINK007", None),
    "/to-metadata": ("LINK007", None),
    "/to-intranet": ("LINK007", None),
    "/to-ftp": ("LINK009", 302),
}


@pytest.fixture(scope="module")
def batch(site, tmp_path_factory):
    """Three articles citing the same links (one of them twice), checked in one run."""
    tmp = tmp_path_factory.mktemp("links")
    site.reset()
    CONNECTS.clear()
    dead_port = closed_port()
    urls = [site.url(p) for p in CASES]
    extra = [
        "http://no-such-host.invalid/page",
        f"http://127.0.0.1:{dead_port}/nothing-listens",
        "mailto:editor@example.org",
        "#references",
        "../relative/page.html",
        "http://exa mple.com/",
    ]
    ids = [
        {"kind": "doi", "id": "10.1000/xyz"},
        {"kind": "doi", "id": "10.1000/missing"},
        {"kind": "doi", "id": "10.1000/moved"},
        {"kind": "doi", "id": "10.12/not-a-doi"},
        {"kind": "pmid", "id": "123456"},
        {"kind": "pmid", "id": "999999999"},
    ]
    cfg = config(tmp, doi_resolver=site.url("/doi/"), pubmed_base=site.url("/pubmed/"))

    def links_for(offset: int) -> list[dict]:
        out = [link(u, line=offset + i, column=3) for i, u in enumerate(urls + extra)]
        out += [{**ident, "anchor": ident["id"], "line": 500 + offset + i, "column": 5, "end_line": 500 + offset + i,
                 "end_column": 5 + len(ident["id"])} for i, ident in enumerate(ids)]
        out.append(link("https://doi.org/10.1000/xyz", line=900 + offset))               # the same DOI as a link
        out.append(link("https://pubmed.ncbi.nlm.nih.gov/123456/", line=901 + offset))  # the same PMID as a link
        return out

    a = article("a.md", links_for(0) + [link(site.url("/missing"), line=999, column=7)])
    b = article("b.md", links_for(1000))
    c = article("c.md", links_for(2000))
    ticks: list[int] = []
    expected_ticks = count_link_targets([a, b, c], cfg)
    started = time.monotonic()
    stats = run_link_stage([a, b, c], cfg, progress=ticks.append)
    elapsed = time.monotonic() - started
    return {"articles": (a, b, c), "stats": stats, "urls": urls, "ticks": ticks, "expected_ticks": expected_ticks,
            "counts": dict(site.counts), "connects": list(CONNECTS), "elapsed": elapsed, "site": site,
            "dead_port": dead_port, "user_agents": set(site.user_agents)}


@pytest.mark.parametrize("path", list(CASES))
def test_each_case_gets_its_rule(batch, path):
    rule, status = CASES[path]
    for art in batch["articles"]:
        found = by_excerpt(art).get(batch["site"].url(path), [])
        if rule is None:
            assert found == [], f"{path}: {[f.message for f in found]}"
            continue
        assert [f.rule for f in found][:1] == [rule], f"{path}: {[(f.rule, f.message) for f in found]}"
        f = found[0]
        assert f.category == "link"
        assert f.evidence["status"] == status
        assert f.evidence["kind"] and f.evidence["reason"]
        assert f.message and f.message[0].isupper()


def test_findings_say_what_an_editor_needs(batch):
    a = batch["articles"][0]
    site = batch["site"]
    found = by_excerpt(a)
    broken = found[site.url("/missing")][0]
    assert broken.severity is Severity.ERROR
    assert broken.message == ("This link is broken (HTTP 404 Not Found): readers get an error page. "
                              "Replace or remove it.")
    moved = found[site.url("/moved")][0]
    assert moved.severity is Severity.INFO
    assert moved.suggestions == [site.url("/new-home")]
    assert site.url("/new-home") in moved.message
    assert found[site.url("/moved-twice")][0].suggestions == [site.url("/new-home")]
    blocked = found[site.url("/bot")][0]
    assert blocked.severity is Severity.INFO and "Could not verify" in blocked.message
    assert "broken" not in blocked.message
    assert "3600" in found[site.url("/rate-limited-long")][0].evidence["reason"]
    soft = found[site.url("/soft-404")][0]
    assert soft.severity is Severity.ERROR and "Page not found" in soft.evidence["reason"]
    assert "home page" in found[site.url("/to-root")][0].evidence["reason"]
    assert "loop" in found[site.url("/loop-a")][0].message
    assert "more than 5" in found[site.url("/hop/0")][0].message
    assert "0.5 s" in found[site.url("/slow")][0].evidence["reason"]


def test_dns_failure_is_broken_and_a_closed_port_unreachable(batch):
    found = by_excerpt(batch["articles"][0])
    dns = found["http://no-such-host.invalid/page"][0]
    assert dns.rule == "LINK001" and "does not exist" in dns.message
    closed = found[f"http://127.0.0.1:{batch['dead_port']}/nothing-listens"][0]
    assert closed.rule == "LINK003" and "refused the connection" in closed.message


def test_links_that_cannot_or_need_not_be_checked(batch):
    found = by_excerpt(batch["articles"][0])
    assert "mailto:editor@example.org" not in found and "#references" not in found
    relative = found["../relative/page.html"][0]
    assert relative.rule == "LINK009" and relative.severity is Severity.INFO
    assert relative.message.startswith("Relative link could not be checked")
    assert found["http://exa mple.com/"][0].rule == "LINK009"
    assert found["/to-ftp".join([batch["site"].url(""), ""])][0].rule == "LINK009"


def test_private_redirects_are_refused_without_connecting(batch):
    found = by_excerpt(batch["articles"][0])
    site = batch["site"]
    private = found[site.url("/to-private")][0]
    assert private.rule == "LINK007" and "10.0.0.1" in private.message
    assert "cloud metadata" in found[site.url("/to-metadata")][0].evidence["reason"]
    # A name that resolves to a private address is refused where the socket would connect.
    intranet = found[site.url("/to-intranet")][0]
    assert "intranet.test, which resolves to private network address 10.0.0.1" in intranet.evidence["reason"]
    for address in batch["connects"]:
        assert ipaddress.ip_address(address).is_loopback, f"connected to {address}"
    assert not any(p.startswith("/admin") or p.startswith("/latest") for _, p in batch["counts"])


def test_dois_and_pmids_resolve_through_the_configured_bases(batch):
    a = batch["articles"][0]
    by_line = {f.line: f for f in a.findings}
    assert 500 not in by_line                      # 10.1000/xyz resolves
    missing = by_line[501]
    assert missing.rule == "LINK001" and missing.message.startswith("This DOI does not resolve")
    assert missing.evidence["url"] == batch["site"].url("/doi/10.1000/missing")
    assert 502 not in by_line                      # a DOI's landing page moving is not "moved"
    assert by_line[503].rule == "LINK009" and "not a valid DOI" in by_line[503].message
    assert 504 not in by_line                      # PMID 123456 resolves
    assert by_line[505].rule == "LINK001" and by_line[505].message.startswith("This PubMed ID")
    assert batch["site"].url("/pubmed/999999999/") == by_line[505].evidence["url"]
    assert 900 not in by_line and 901 not in by_line  # doi.org and PubMed links: through the same bases
    # The DOI as text and as a doi.org link, in three articles: one check.
    assert batch["counts"].get(("GET", "/doi/10.1000/xyz")) == 1
    assert batch["counts"].get(("GET", "/pubmed/123456/")) == 1


def test_every_url_is_requested_once_however_often_it_is_cited(batch):
    counts = batch["counts"]
    # Cited four times in three articles: one request (a streamed GET, to read a page for soft 404s).
    for path in ("/missing", "/file.pdf", "/soft-404", "/no-head", "/gone", "/bot"):
        assert counts.get(("GET", path)) == 1 and ("HEAD", path) not in counts, path
    # Retried only where the site asked: 503 then 200, 429 (Retry-After: 1) then 200.
    assert counts.get(("GET", "/flaky")) == 2 and counts.get(("GET", "/rate-limited")) == 2
    assert counts.get(("GET", "/busy")) == 3               # two retries, then given up
    assert counts.get(("GET", "/rate-limited-long")) == 1  # Retry-After: 3600 is past max_retry_after
    assert counts.get(("GET", "/slow")) == 1               # a timeout is not retried
    assert counts.get(("GET", "/hop/5")) == 1 and ("GET", "/hop/6") not in counts
    stats = batch["stats"]
    assert stats.distinct == len(CASES) + 2 + 5  # + dead host, closed port, 5 distinct DOI/PMID URLs
    assert stats.checked == stats.distinct and stats.by_kind["refused"] == 3  # refused after a redirect
    assert sum(batch["ticks"]) == batch["expected_ticks"] == stats.distinct
    # Requests tried: those the site saw, plus three that never reached it (DNS failure,
    # closed port, a name resolving to a private address).
    assert stats.from_cache == 0 and stats.requests == sum(counts.values()) + 3


def test_findings_at_every_place_with_stable_fingerprints(batch):
    a, b, _ = batch["articles"]
    url = batch["site"].url("/missing")
    in_a = [f for f in a.findings if f.excerpt == url]
    assert [(f.line, f.column, f.end_line, f.end_column) for f in in_a] == [
        (2, 3, 2, 3 + len(url)), (999, 7, 999, 7 + len(url))]
    assert [f.fingerprint for f in in_a] == [fingerprint("a.md", "LINK001", url, 0), fingerprint("a.md", "LINK001", url, 1)]
    in_b = [f for f in b.findings if f.excerpt == url]
    assert [f.line for f in in_b] == [1002] and in_b[0].fingerprint == fingerprint("b.md", "LINK001", url, 0)
    assert in_a[0].evidence.keys() == {"url", "status", "kind", "final_url", "checked", "from_cache", "reason"}
    assert in_a[0].evidence["from_cache"] is False
    assert [(f.line, f.column) for f in a.findings] == sorted((f.line, f.column) for f in a.findings)


def test_read_size_limit_user_agent_and_progress(batch):
    site = batch["site"]
    assert site.bytes_sent["/huge"] < 16 * 1024 * 1024  # of 64 MB offered
    assert any(ua.startswith("medreview/") and "link check" in ua for ua in batch["user_agents"])
    assert batch["elapsed"] < 15  # sanity only: the slow route sleeps 2 s, the timeout is 0.5 s


def test_head_first_when_pages_are_not_read(site):
    """soft404 = false: HEAD settles most links; GET only where HEAD is refused or mis-answered."""
    paths = ["/ok/head", "/file.pdf", "/missing", "/no-head", "/head-404", "/bot", "/soft-404", "/to-root", "/moved"]
    arts = [article("a.md", [link(site.url(p), line=i + 1) for i, p in enumerate(paths)])]
    run_link_stage(arts, config(soft404=False))
    assert [(f.line, f.rule) for f in arts[0].findings] == [(3, "LINK001"), (6, "LINK005"), (8, "LINK006"), (9, "LINK004")]
    for path in ("/ok/head", "/file.pdf", "/soft-404", "/new-home"):
        assert site.hits(path, "HEAD") == 1 and site.hits(path, "GET") == 0, path
    for path in ("/missing", "/no-head", "/head-404", "/bot"):
        assert site.hits(path, "HEAD") == 1 and site.hits(path, "GET") == 1, path


def test_the_checker_stops_reading_at_max_bytes(site):
    settings = link_settings(config(max_bytes=65536))
    with LinkChecker(settings) as checker:
        result = checker.check(target_for(link(site.url("/huge")), None, settings))
    assert result.kind == "ok" and 0 < result.bytes_read <= 65536


# -- concurrency and politeness ----------------------------------------------------------------------


def test_per_host_concurrency_never_exceeds_the_bound(site, tmp_path):
    urls = [site.url(f"/slowish/{i}") for i in range(12)] + [site.url(f"/slowish/{i}", "localhost") for i in range(12)]
    cfg = config(allow_private=True, per_host=2, concurrency=8, soft404=False)
    stats = run_link_stage([article("a.md", [link(u) for u in urls])], cfg)
    assert stats.checked == 24 and stats.by_kind == {"ok": 24}
    assert site.peak("127.0.0.1") == 2 and site.peak("localhost") == 2
    assert site.peak() <= 4


def test_overall_concurrency_bound(site):
    hosts = ["127.0.0.1", "localhost"]
    urls = [site.url(f"/slowish/c{i}", hosts[i % 2]) for i in range(12)]
    run_link_stage([article("a.md", [link(u) for u in urls])],
                   config(allow_private=True, per_host=8, concurrency=3, soft404=False))
    assert site.peak() == 3


def test_polite_delay_between_requests_to_one_host(site):
    urls = [site.url(f"/ok/polite-{i}") for i in range(4)]
    run_link_stage([article("a.md", [link(u) for u in urls])], config(per_host=1, delay=0.2, soft404=False))
    starts = site.start_times("127.0.0.1")
    assert len(starts) == 4
    assert all(later - earlier >= 0.19 for earlier, later in zip(starts, starts[1:]))


def test_connections_are_kept_alive_between_requests_to_one_host(site):
    paths = ["/ok/alive-1", "/missing", "/gone", "/ok/alive-2", "/error", "/file.pdf", "/moved", "/ok/alive-3"]
    for soft404 in (True, False):
        site.reset()
        arts = [article("a.md", [link(site.url(p), line=i + 1) for i, p in enumerate(paths)])]
        run_link_stage(arts, config(concurrency=1, per_host=1, soft404=soft404))
        assert site.total_hits() >= len(paths) + 1
        assert len(site.connections) == 1, (soft404, len(site.connections), site.total_hits())


# -- the cache and --offline ------------------------------------------------------------------------


def cached_batch(site):
    return [article("a.md", [link(site.url("/ok/cached")), link(site.url("/missing"), line=2),
                             link(site.url("/moved"), line=3)]),
            article("b.md", [link(site.url("/missing"), line=5)])]


def test_second_run_uses_the_cache_and_makes_no_request(site, tmp_path):
    first = cached_batch(site)
    stats1 = run_link_stage(first, config(tmp_path))
    assert stats1.checked == 3 and site.total_hits() > 0
    assert (tmp_path / "cache" / "links.sqlite").is_file() and stats1.cache
    site.reset()
    second = cached_batch(site)
    stats2 = run_link_stage(second, config(tmp_path))
    assert site.total_hits() == 0
    assert stats2.from_cache == 3 and stats2.checked == 0 and stats2.requests == 0
    assert [(f.rule, f.line, f.fingerprint, f.suggestions) for f in second[0].findings] == \
        [(f.rule, f.line, f.fingerprint, f.suggestions) for f in first[0].findings]
    assert all(f.evidence["from_cache"] for f in second[0].findings)


def test_expired_entries_are_checked_again_by_their_kind(site, tmp_path):
    run_link_stage(cached_batch(site), config(tmp_path))
    with sqlite3.connect(tmp_path / "cache" / "links.sqlite") as db:  # two days pass
        db.execute("UPDATE links SET checked = checked - 2 * 86400")
    site.reset()
    stats = run_link_stage(cached_batch(site), config(tmp_path))
    # broken results are trusted for a day, ok and redirect for a week
    assert site.hits("/missing") == 1 and site.hits("/ok/cached") == 0 and site.hits("/moved") == 0
    assert stats.checked == 1 and stats.from_cache == 2


def test_cache_ttl_is_configurable(site, tmp_path):
    run_link_stage(cached_batch(site), config(tmp_path))
    site.reset()
    run_link_stage(cached_batch(site), config(tmp_path, cache_ttl={"ok": 0, "redirect": "1s", "broken": "1d"}))
    assert site.hits("/ok/cached") == 1 and site.hits("/missing") == 0


def test_offline_uses_only_the_cache(site, tmp_path):
    cold = cached_batch(site)
    stats = run_link_stage(cold, config(tmp_path, offline=True))
    assert site.total_hits() == 0 and CONNECTS == []
    assert stats.not_checked_offline == 3 and all(not a.findings for a in cold)
    run_link_stage(cached_batch(site), config(tmp_path))
    site.reset()
    CONNECTS.clear()
    warm = cached_batch(site)
    stats = run_link_stage(warm, config(tmp_path, offline=True))
    assert site.total_hits() == 0 and CONNECTS == []
    assert stats.from_cache == 3 and stats.not_checked_offline == 0
    assert {f.rule for f in warm[0].findings} == {"LINK001", "LINK004"}


def test_default_cache_is_under_the_current_folder(site, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cfg = config()
    cfg = cfg.with_section("links", cache_dir=".medreview-cache")
    run_link_stage([article("a.md", [link(site.url("/ok/default-cache"))])], cfg)
    assert (tmp_path / ".medreview-cache" / "links.sqlite").is_file()


def test_a_damaged_cache_is_not_an_error(site, tmp_path):
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "links.sqlite").write_bytes(b"this is not a database" * 100)
    arts = cached_batch(site)
    stats = run_link_stage(arts, config(tmp_path))
    assert stats.checked == 3 and any("cannot" in n for n in stats.notes)
    assert {f.rule for f in arts[0].findings} == {"LINK001", "LINK004"}


# -- the address policy through the stage ---------------------------------------------------------------


def test_loopback_is_refused_unless_allowed(site, tmp_path):
    arts = [article("a.md", [link(site.url("/ok")), link(site.url("/missing", "localhost"), line=2),
                             link("http://[::1]:1/x", line=3), link("http://169.254.169.254/latest/", line=4)])]
    stats = run_link_stage(arts, config(tmp_path, allow_private=False))
    assert site.total_hits() == 0 and CONNECTS == []
    rules = [(f.line, f.rule) for f in arts[0].findings]
    assert rules == [(1, "LINK007"), (2, "LINK007"), (3, "LINK007"), (4, "LINK007")]
    assert "loopback address 127.0.0.1" in arts[0].findings[0].message
    assert stats.by_kind == {"refused": 4}


def test_metadata_is_refused_even_when_private_addresses_are_allowed(site):
    arts = [article("a.md", [link("http://169.254.169.254/latest/meta-data/"), link(site.url("/to-metadata"), line=2)])]
    run_link_stage(arts, config(allow_private=True))
    assert [f.rule for f in arts[0].findings] == ["LINK007", "LINK007"]
    assert not any(a.startswith("169.254") for a in CONNECTS)


def test_https_goes_through_the_same_vetted_connection(site):
    arts = [article("a.md", [link("https://intranet.test/leaflet"), link(site.url("/ok").replace("http:", "https:"), line=2)])]
    run_link_stage(arts, config())
    private, tls = arts[0].findings
    assert private.rule == "LINK007" and "10.0.0.1" in private.evidence["reason"]
    assert tls.rule == "LINK003" and "secure connection failed: wrong version number" in tls.message  # the site speaks plain HTTP
    assert "10.0.0.1" not in CONNECTS and "127.0.0.1" in CONNECTS


def test_address_policy():
    strict = AddressPolicy()
    for address in ("10.0.0.1", "172.16.5.4", "192.168.1.1", "127.0.0.1", "::1", "fe80::1", "169.254.169.254",
                    "fd00:ec2::254", "0.0.0.0", "224.0.0.1", "100.64.0.1", "::ffff:10.0.0.1", "fc00::1",
                    "64:ff9b::a00:1", "240.0.0.1"):
        assert strict.refusal(ipaddress.ip_address(address)), address
    for address in ("93.184.216.34", "2606:4700::6810:84e5", "8.8.8.8"):
        assert strict.refusal(ipaddress.ip_address(address)) is None, address
    loose = AddressPolicy(allow_private=True)
    assert loose.refusal(ipaddress.ip_address("10.0.0.1")) is None
    assert "metadata" in loose.refusal(ipaddress.ip_address("169.254.169.254"))
    assert "metadata" in loose.refusal(ipaddress.ip_address("fd00:ec2::254"))
    only_loopback = AddressPolicy(allow_networks=(ipaddress.ip_network("127.0.0.0/8"),))
    assert only_loopback.refusal(ipaddress.ip_address("127.0.0.1")) is None
    assert only_loopback.refusal(ipaddress.ip_address("10.0.0.1"))
    assert strict.refusal_for_host("localhost") and strict.refusal_for_host("printer.local")
    assert strict.refusal_for_host("metadata.google.internal")
    assert strict.refusal_for_host("www.nhs.uk") is None


# -- rules, settings, enabling ------------------------------------------------------------------------


def test_rules_can_be_disabled_and_reweighted(site):
    arts = [article("a.md", [link(site.url("/missing")), link(site.url("/bot"), line=2), link(site.url("/moved"), line=3)])]
    run_link_stage(arts, config(rules={"disable": ["LINK001", "link.moved"], "severity": {"LINK005": "warning"}}))
    assert [(f.rule, f.severity) for f in arts[0].findings] == [("LINK005", Severity.WARNING)]


def test_disabling_the_family_or_the_stage_makes_no_request(site):
    for cfg in (config(rules={"disable": ["LINK"]}), config(enabled=False)):
        arts = [article("a.md", [link(site.url("/missing"))])]
        stats = run_link_stage(arts, cfg)
        assert not stats.enabled and stats.notes and arts[0].findings == []
    assert site.total_hits() == 0


def test_skip_domains_are_never_checked(site):
    arts = [article("a.md", [link(site.url("/missing", "localhost")), link(site.url("/missing"), line=2)])]
    stats = run_link_stage(arts, config(allow_private=True, skip_domains=["localhost"]))
    assert [f.line for f in arts[0].findings] == [2] and stats.skipped == 1
    assert site.hits("/missing") == 1  # for 127.0.0.1 only


def test_relative_links_resolve_against_the_articles_own_address(site):
    meta = {"extra": {"url": site.url("/articles/back-pain.html")}}
    arts = [article("a.html", [link("exercises.html"), link("../missing", line=2)], meta=meta)]
    run_link_stage(arts, config())
    assert [(f.line, f.rule) for f in arts[0].findings] == [(2, "LINK001")]
    assert site.hits("/articles/exercises.html") == 1


def test_link_rules_for_the_registry():
    family = LinkRules()
    assert family.family == "LINK" and family.category == "link"
    rules = family.rules(from_dict({}))
    assert [r.id for r in rules] == [f"LINK00{i}" for i in range(1, 10)]
    assert {r.id: r.severity.value for r in rules} == {
        "LINK001": "error", "LINK002": "warning", "LINK003": "warning", "LINK004": "info", "LINK005": "info",
        "LINK006": "error", "LINK007": "warning", "LINK008": "warning", "LINK009": "info"}
    assert all(r.category == "link" and r.name.startswith("link.") for r in LINK_RULES)
    assert list(family.check(None, None)) == []


def test_settings_defaults():
    s = link_settings(from_dict({}))
    assert (s.enabled, s.allow_private, s.concurrency, s.per_host, s.delay, s.timeout) == (True, False, 16, 2, 0.5, 10.0)
    assert (s.max_redirects, s.max_bytes, s.retries, s.max_retry_after) == (5, 1_000_000, 2, 30.0)
    assert s.cache_path == Path(".medreview-cache") / "links.sqlite"
    assert s.cache_ttl["ok"] == 7 * 86400 and s.cache_ttl["broken"] == 86400 and s.cache_ttl["timeout"] == 6 * 3600
    assert s.doi_resolver == "https://doi.org/" and s.pubmed_base == "https://pubmed.ncbi.nlm.nih.gov/"
    assert s.user_agent.startswith("medreview/") and "(+link check; editorial audit)" in s.user_agent
    t = link_settings(from_dict({"links": {"cache_ttl": {"ok": "2w", "broken": 60}, "doi_resolver": "http://x.test/doi"}}))
    assert t.cache_ttl["ok"] == 14 * 86400 and t.cache_ttl["broken"] == 60 and t.doi_resolver == "http://x.test/doi/"


@pytest.mark.parametrize("table, words", [
    ({"concurrency": 0}, "concurrency"),
    ({"per_host": "two"}, "per_host"),
    ({"delay": -1}, "delay"),
    ({"timeout": 0}, "timeout"),
    ({"timeout": 20, "deadline": 10}, "deadline"),
    ({"max_bytes": 10}, "max_bytes"),
    ({"cache_ttl": {"ok": "a week"}}, "cache_ttl.ok"),
    ({"cache_ttl": {"fine": "1d"}}, "unknown result kind"),
    ({"allow_private": ["not-a-network"]}, "allow_private"),
    ({"allow_private": "yes"}, "allow_private"),
    ({"doi_resolver": "ftp://doi.example/"}, "doi_resolver"),
    ({"skip_domains": ["not a domain"]}, "skip_domains"),
    ({"user_agent": ""}, "user_agent"),
    ({"enabled": "no"}, "enabled"),
    ({"retries": True}, "retries"),
    ({"colour": "blue"}, "unknown key 'colour'"),
])
def test_bad_settings_are_config_errors(table, words):
    cfg = from_dict({"links": table}, source="medreview.toml")
    with pytest.raises(ConfigError, match="medreview.toml") as e:
        link_settings(cfg)
    assert words in str(e.value)
    with pytest.raises(ConfigError):
        run_link_stage([], cfg)


# -- the small pieces ---------------------------------------------------------------------------------


def test_normalised_urls():
    assert normalise_url("HTTPS://WWW.NHS.UK:443/Conditions/Back-Pain/?a=1#causes") == \
        "https://www.nhs.uk/Conditions/Back-Pain/?a=1"
    assert normalise_url("http://example.org") == "http://example.org/"
    assert normalise_url("http://example.org:8080/a b") == "http://example.org:8080/a%20b"
    assert normalise_url("http://bücher.example/") == "http://xn--bcher-kva.example/"
    for bad in ("http://", "http://exa mple.com/", "http://[::1/", "http://example.org:99999/"):
        with pytest.raises(NotCheckable):
            normalise_url(bad)


def test_targets_for_identifiers_and_links():
    s = link_settings(from_dict({}))
    t = target_for({"kind": "doi", "id": "doi:10.1000/ABC#1."}, None, s)
    assert (t.kind, t.url) == ("doi", "https://doi.org/10.1000/ABC%231")
    assert target_for({"url": "http://dx.doi.org/10.1000/abc"}, None, s).url == "https://doi.org/10.1000/abc"
    assert target_for({"url": "https://www.ncbi.nlm.nih.gov/pubmed/12345"}, None, s).url == \
        "https://pubmed.ncbi.nlm.nih.gov/12345/"
    assert target_for({"url": "www.nhs.uk/back-pain"}, None, s).url == "http://www.nhs.uk/back-pain"
    assert target_for({"url": "//cdn.example.org/x"}, None, s).url == "https://cdn.example.org/x"
    for skipped in ("mailto:a@b.org", "tel:+441234", "javascript:void(0)", "#top", ""):
        assert target_for({"url": skipped}, None, s) is None
    with pytest.raises(NotCheckable, match="relative link could not be checked"):
        target_for({"url": "page.html"}, None, s)
    with pytest.raises(NotCheckable, match="PubMed ID"):
        target_for({"kind": "pmid", "id": "PMC12345"}, None, s)


def test_soft_404_judgement():
    assert page_says_missing(b"<title>404 - Health Site</title><p>" + b"words " * 500 + b"</p>")
    assert page_says_missing(b"<title>Health Site</title><h1>Oops! The page you requested does not exist</h1>"
                             + b"<p>" + b"words " * 500 + b"</p>")
    assert page_says_missing(b"<html><title>Not Found</title></html>")
    assert page_says_missing(b"<title>Site</title><p>We couldn't find that page. It is no longer available.</p>")
    long_article = b"<title>Ranitidine no longer available: what to take instead</title><p>" + b"words " * 500 + b"</p>"
    assert page_says_missing(long_article) is None
    assert page_says_missing(b"<title>Back pain</title><h1>Back pain</h1><p>" + b"words " * 500 + b"</p>") is None
    assert redirected_to_error_page("https://a.org/page", "https://a.org/")
    assert redirected_to_error_page("https://a.org/page", "https://a.org/errors/page-not-found.html")
    assert redirected_to_error_page("https://a.org/", "https://www.a.org/") is None
    assert redirected_to_error_page("https://a.org/old", "https://a.org/new") is None


def test_retry_after_forms():
    assert retry_after_seconds("1") == 1.0
    now = time.time()
    import email.utils
    assert 9 <= retry_after_seconds(email.utils.formatdate(now + 10, usegmt=True), now=now) <= 10
    assert retry_after_seconds(email.utils.formatdate(now - 10, usegmt=True), now=now) == 0.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def test_a_machine_without_network_reports_no_broken_links(tmp_path):
    """Every name fails to resolve and no server answers: say the network is down, report and cache nothing."""
    results = [article("a.md", [link("https://www.nhs.uk/conditions/"), link("https://doi.org/10.1000/x")]),
               article("b.md", [link("https://www.cdc.gov/flu/")])]
    stats = run_link_stage(results, config(tmp_path))
    assert [f for r in results for f in r.findings] == []
    assert stats.not_checked_offline == 3
    assert any("no network" in note for note in stats.notes)
    again = run_link_stage(results, config(tmp_path, offline=True))
    assert again.from_cache == 0  # nothing was cached from the failed run

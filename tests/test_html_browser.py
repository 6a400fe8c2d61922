"""report.html in a real headless Chromium (Debian's `chromium` package).

Each check loads the report from a file: URL with Chromium's own
`--headless=new --dump-dom` (the DOM after the page's script ran) or
`--screenshot`; all browser runs go in parallel, once per module. The page's
script marks <html data-medreview-ready="1"> when it has run; every article
payload would mark <html data-pwned="1"> if it ever ran.

This module installs nothing. It is skipped, loudly, only when
/usr/bin/chromium is missing; scripts/bootstrap installs it (`chromium`).
"""

from __future__ import annotations

import datetime as dt
import struct
import subprocess
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import lxml.html
import pytest

from medreview.model import ArticleResult, Finding, Severity
from medreview.render.html_report import render_html
from medreview.render.report import Report

CHROMIUM = Path("/usr/bin/chromium")

if not CHROMIUM.exists():
    pytest.skip(
        "BROWSER TEST NOT RUN: /usr/bin/chromium is missing, so report.html was NOT checked in a real "
        "browser (rendering, filters, that article code never runs). Install Debian's `chromium` "
        "package (scripts/bootstrap does: apt-get install -y chromium).",
        allow_module_level=True,
    )

PWN = "document.documentElement.setAttribute('data-pwned','1')"
PAYLOAD = (f"<script>{PWN}</script> \"><img src=x onerror=\"{PWN}\"> '><svg onload=\"{PWN}\"> "
           "<script>alert(1)</script> </script> <!-- <iframe src=\"javascript:alert(1)\"></iframe>")
WINDOW = (1100, 800)
FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions", "--mute-audio", "--hide-scrollbars",
    "--host-resolver-rules=MAP * ~NOTFOUND",  # nothing may resolve, whatever the page asks for
    "--virtual-time-budget=3000", f"--window-size={WINDOW[0]},{WINDOW[1]}",
]


def finding(rule, category, severity, message, excerpt="", evidence=None, suggestions=()):
    return Finding(rule=rule, category=category, severity=Severity(severity), message=message, line=1,
                   column=1, end_line=1, end_column=1 + len(excerpt), excerpt=excerpt,
                   suggestions=list(suggestions), evidence=dict(evidence or {}), fingerprint=rule)


def meta(**kw):
    return {"authors": [], "reviewed_by": [], "published": None, "updated": None, "last_reviewed": None,
            "found_in": {}, **kw}


def browser_report() -> Report:
    text = f"Heel pain is definately common. {PAYLOAD} Buy now! This cures everyone."
    at = text.index
    hostile = ArticleResult(
        path=f"corpus/{PAYLOAD}.md", format="markdown", title=f"Heel {PAYLOAD}",
        meta=meta(authors=[PAYLOAD], last_reviewed="2020-01-01", found_in={"last_reviewed": PAYLOAD}),
        findings=[
            finding("SPELL001", "spelling", "warning", f"“definately” {PAYLOAD}", "definately",
                    {"word": "definately", "count": 1, "x": PAYLOAD}, ["definitely", PAYLOAD]),
            finding("ART001", "artifact", "warning", f"Ad code {PAYLOAD}", PAYLOAD),
            finding("CLAIM005", "claim", "error", f"Absolute promise {PAYLOAD}", "This cures everyone.",
                    {"type": "absolute"}),
            finding("LINK001", "link", "error", PAYLOAD, evidence={"url": f"https://x.example/{PAYLOAD}"}),
        ],
        words=12, stats={"id": f"corpus/{PAYLOAD}.md", "days_overdue": 900},
        display={"text": text,
                 "marks": [{"start": at("definately"), "end": at("definately") + 10, "finding": 0},
                           {"start": at(PAYLOAD), "end": at(PAYLOAD) + len(PAYLOAD), "finding": 1},
                           {"start": at("This cures"), "end": len(text), "finding": 2}],
                 "removed": [{"start": at(PAYLOAD), "end": at(PAYLOAD) + len(PAYLOAD), "rule": "ART001"},
                             {"start": at("Buy now!"), "end": at("Buy now!") + 8, "rule": "ART005"}]},
    )
    spelling_only = ArticleResult(
        path="corpus/typos.txt", format="text", title="Only typos", meta=meta(),
        findings=[finding("SPELL001", "spelling", "warning", "“recieve” looks misspelt.", "recieve",
                          {"word": "recieve", "count": 2}, ["receive"])],
        words=5, stats={"id": "corpus/typos.txt"},
        display={"text": "We recieve mail.", "marks": [{"start": 3, "end": 10, "finding": 0}], "removed": []},
    )
    info_only = ArticleResult(
        path="corpus/notes.md", format="markdown", title="Only notes", meta=meta(),
        findings=[finding("ART007", "artifact", "info", "A teaser.", "Also read")], words=3,
        stats={"id": "corpus/notes.md"}, display=None,
    )
    return Report(version="test", as_of=dt.date(2026, 11, 25), fail_on="error",
                  articles=[spelling_only, hostile, info_only], elapsed=0.1)


def run_chromium(tmp: Path, name: str, url: str, *mode: str) -> subprocess.CompletedProcess:
    cmd = [str(CHROMIUM), *FLAGS, f"--user-data-dir={tmp / ('profile-' + name)}", *mode, url]
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=90, cwd=tmp)
    except subprocess.TimeoutExpired as e:  # subprocess.run kills the browser before raising
        pytest.fail(f"chromium did not finish in 90 s for {name}: {e}")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """Every browser run of this module, done once and in parallel: name -> DOM (lxml) or PNG path."""
    tmp = tmp_path_factory.mktemp("browser")
    page = render_html(browser_report())
    report = tmp / "report.html"
    report.write_text(page, encoding="utf-8")
    # An escaping bug, simulated: live markup spliced into the page. The CSP must still stop it.
    live = f"<script>{PWN}</script><img src=x onerror=\"{PWN}\"><svg onload=\"{PWN}\"></svg>"
    injected = page.replace("<main>", "<main>" + live, 1)
    (tmp / "injected.html").write_text(injected, encoding="utf-8")
    # The control: the same splice without the CSP runs, which proves data-pwned detects a run.
    start = injected.index('<meta http-equiv="Content-Security-Policy"')
    control = injected[:start] + injected[injected.index(">", start) + 1:]
    (tmp / "control.html").write_text(control, encoding="utf-8")

    url = report.as_uri()
    jobs = {
        "plain": (url, "--dump-dom"),
        "hide-spelling": (url + "#hide=spelling", "--dump-dom"),
        "hide-warning-info": (url + "#hide=warning,info", "--dump-dom"),
        "injected": ((tmp / "injected.html").as_uri(), "--dump-dom"),
        "control": ((tmp / "control.html").as_uri(), "--dump-dom"),
        "shot": (url, f"--screenshot={tmp / 'shot.png'}"),
    }
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        futures = {name: pool.submit(run_chromium, tmp, name, u, mode) for name, (u, mode) in jobs.items()}
        done = {name: f.result() for name, f in futures.items()}
    results = {}
    for name, proc in done.items():
        if proc.returncode != 0:
            pytest.fail(f"chromium failed on {name} (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
        if name == "shot":
            results[name] = tmp / "shot.png"
        else:
            if "<html" not in proc.stdout:
                pytest.fail(f"chromium dumped no DOM for {name}:\n{proc.stderr[-2000:]}")
            results[name] = lxml.html.document_fromstring(proc.stdout)
    return results


def rows(dom, category=None, severity=None):
    out = dom.xpath("//tr[contains(concat(' ', @class, ' '), ' finding ')]")
    return [r for r in out if (category is None or r.get("data-category") == category)
            and (severity is None or r.get("data-severity") == severity)]


def section(dom, path):
    for s in dom.xpath("//section[contains(concat(' ', @class, ' '), ' article ')]"):
        if s.xpath(".//p[contains(@class, 'path')]/code")[0].text == path:
            return s
    raise AssertionError(f"no section for {path}")


def test_page_script_runs_and_article_code_does_not(browser):
    dom = browser["plain"]
    html = dom.getroottree().getroot()
    assert html.get("data-medreview-ready") == "1"
    assert html.get("data-pwned") is None
    # The payloads are there, as text.
    hostile = section(dom, f"corpus/{PAYLOAD}.md")
    assert PAYLOAD in hostile.text_content()
    assert not dom.xpath("//img | //iframe | //*[@onload] | //*[@onerror]")
    assert len(dom.xpath("//script")) == 1
    # Nothing hidden by default; the script showed the filter bar and its count.
    assert dom.get_element_by_id("filters").get("hidden") is None
    assert not [r for r in rows(dom) if r.get("hidden") is not None]
    assert dom.get_element_by_id("filter-count").text == "showing 6 of 6 findings in 3 of 3 articles"


def test_csp_stops_live_markup_even_after_an_escaping_bug(browser):
    injected = browser["injected"].getroottree().getroot()
    assert injected.get("data-medreview-ready") == "1"  # our script still runs, by its hash
    assert injected.get("data-pwned") is None
    control = browser["control"].getroottree().getroot()
    assert control.get("data-pwned") == "1", "without the CSP the spliced markup runs: the detector works"


def test_filter_from_url_hides_a_category(browser):
    dom = browser["hide-spelling"]
    assert dom.getroottree().getroot().get("data-hidden") == "spelling"
    assert rows(dom, "spelling") and all(r.get("hidden") is not None for r in rows(dom, "spelling"))
    others = [r for r in rows(dom) if r.get("data-category") != "spelling"]
    assert others and all(r.get("hidden") is None for r in others)
    # Spelling marks stay as text but lose their highlight; the others keep it.
    for m in dom.xpath("//mark[@data-finding]"):
        assert ("off" in m.get("class").split()) == (m.get("data-category") == "spelling")
    # An article with only spelling findings has nothing left to show: hidden, with its priority row.
    typos = section(dom, "corpus/typos.txt")
    assert typos.get("hidden") is not None
    assert dom.xpath(f"//tr[@data-article-row='{typos.get('id')}']")[0].get("hidden") is not None
    assert section(dom, f"corpus/{PAYLOAD}.md").get("hidden") is None
    assert dom.get_element_by_id("filter-count").text == "showing 4 of 6 findings in 2 of 3 articles"


def test_filter_from_url_hides_severities(browser):
    dom = browser["hide-warning-info"]
    assert dom.getroottree().getroot().get("data-hidden") == "info,warning"
    visible = [r for r in rows(dom) if r.get("hidden") is None]
    assert [r.get("data-severity") for r in visible] == ["error", "error"]
    assert section(dom, "corpus/typos.txt").get("hidden") is not None
    assert section(dom, "corpus/notes.md").get("hidden") is not None
    assert section(dom, f"corpus/{PAYLOAD}.md").get("hidden") is None


def png_pixels(data: bytes) -> tuple[int, int, set[bytes]]:
    """Width, height and the set of RGB colours of an 8-bit RGB(A) PNG (stdlib only)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, []
    width = height = ctype = 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            width, height, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and ctype in (2, 6) and interlace == 0, (depth, ctype, interlace)
        elif kind == b"IDAT":
            idat.append(body)
        pos += 12 + n
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = width * bpp
    prev = bytearray(stride)
    colours: set[bytes] = set()
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if kind == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif kind == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, prev))
        elif kind == 3:
            for i in range(stride):
                line[i] = (line[i] + ((line[i - bpp] if i >= bpp else 0) + prev[i]) // 2) & 255
        elif kind == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b, c = prev[i], (prev[i - bpp] if i >= bpp else 0)
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        colours.update(bytes(line[i:i + 3]) for i in range(0, stride, bpp))
        prev = line
    return width, height, colours


def test_screenshot_renders_the_dashboard(browser):
    data = browser["shot"].read_bytes()
    assert len(data) > 20_000, "the screenshot is suspiciously small: a blank page?"
    width, height, colours = png_pixels(data)
    assert (width, height) == WINDOW
    assert len(colours) > 50, "the page looks blank or flat"
    assert bytes.fromhex("20344d") in colours  # the header band
    assert bytes.fromhex("c62828") in colours  # error red in the category chart

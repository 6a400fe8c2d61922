"""Soft 404s: pages that answer "200 OK" but tell the reader the page is gone.

A soft 404 is reported (LINK006) when
- the link was redirected to the site's home page (from a deeper page) or to
  an error page such as /404, /not-found or /page-not-found.html; or
- the page's <title> or first <h1> says so plainly: "404", "Page not found",
  "Not Found", "this page does not exist", "this content is no longer
  available", "the page could not be found"; or
- the page is short (under SHORT_BODY characters of visible text) and its
  text says "doesn't exist", "no longer available", "cannot be found", ...

Flags:   <title>Page not found | Health Site</title>
         <title>Oops</title> … <h1>Sorry, this page doesn't exist</h1>
         a short page whose text is "This article is no longer available."
Leaves:  <title>Ranitidine no longer available: what to take instead</title> on a
         full-length article (a weak phrase in a long page is not enough)
         <title>Back pain: causes and treatment</title>
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

SHORT_BODY = 1500  # characters of visible text

# Said by an error page in its title or first heading: enough on its own.
_STRONG = re.compile(r"""(?ix)
    \b404\b
  | \b(?:page|file|document|article|content|resource|url)\s+not\s+found\b
  | ^\W*(?:error\W+)?not\s+found\W*$
  | \b(?:page|file|document|article|content|resource|url)\s+(?:you\s+\w+(?:\s+\w+)?\s+)?
      (?:(?:does\s*n[o'’]?t|does\s+not|no\s+longer)\s+exists?|(?:is\s+)?no\s+longer\s+available
         |(?:can\s*n?[o'’]?t|cannot|could\s*n[o'’]?t|could\s+not)\s+be\s+found)\b
  | \b(?:can\s*[o'’]?t|cannot|could\s*n[o'’]?t|could\s+not)\s+find\s+(?:the|this|that)\s+page\b
""")
# Said by many real articles too: counts only on a short page.
_WEAK = re.compile(r"""(?ix)
    \b(?:does\s*n[o'’]?t|does\s+not|no\s+longer)\s+exists?\b
  | \bno\s+longer\s+available\b
  | \b(?:can\s*[o'’]?t|cannot|could\s*n[o'’]?t|could\s+not)\s+(?:be\s+)?found\b
  | \bnot\s+found\b
""")
_TITLE = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.I | re.S)
_H1 = re.compile(r"<h1[^>]*>(.*?)</h1\s*>", re.I | re.S)
_INVISIBLE = re.compile(r"<(script|style|noscript|template|svg|head)\b.*?</\1\s*>", re.I | re.S)
_TAG = re.compile(r"<[^>]+>")
_ERROR_SEGMENTS = frozenset({
    "404", "notfound", "not-found", "not_found", "page-not-found", "pagenotfound", "page_not_found",
    "error404", "error-404", "404-error", "404error", "404-page", "page-404",
})


def _text(fragment: str) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", fragment)).split())


def redirected_to_error_page(original_url: str, final_url: str) -> str | None:
    """Why a redirect looks like "page gone" (to the home page, or to a /404 page), or None."""
    if final_url == original_url:
        return None
    start, end = urlsplit(original_url), urlsplit(final_url)
    if end.path in ("", "/") and not end.query and start.path not in ("", "/"):
        return f"redirected to the home page {final_url}"
    for segment in end.path.lower().split("/"):
        stem = segment.rsplit(".", 1)[0]
        if stem in _ERROR_SEGMENTS:
            return f"redirected to an error page {final_url}"
    return None


def page_says_missing(body: bytes, encoding: str | None = None) -> str | None:
    """Why an HTML page reads as "page not found" (quoting its title or heading), or None."""
    if not body:
        return None
    text = body.decode(encoding or "utf-8", errors="replace")
    m = _TITLE.search(text)
    title = _text(m.group(1)) if m else ""
    m = _H1.search(text)
    heading = _text(m.group(1)) if m else ""
    for label, value in (("title", title), ("heading", heading)):
        if not value or len(value) > 150:
            continue
        segments = [value] + re.split(r"\s+[|\-–—:·»]+\s+", value)
        if any(_STRONG.search(s) for s in segments):
            return f"its {label} says “{value[:80]}”"
    visible = _text(_INVISIBLE.sub(" ", text))
    if len(visible) <= SHORT_BODY:
        for value in (title, heading, visible):
            m = _WEAK.search(value) or _STRONG.search(value)
            if m:
                return f"the page is almost empty and says “{_around(value, m.start(), m.end())}”"
    return None


def _around(text: str, start: int, end: int, width: int = 40) -> str:
    lo, hi = max(0, start - width), min(len(text), end + width)
    return ("…" if lo else "") + text[lo:hi].strip() + ("…" if hi < len(text) else "")

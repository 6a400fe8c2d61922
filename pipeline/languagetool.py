"""A small client for a LanguageTool server that the user names.

medreview never starts, installs or downloads LanguageTool. The user points
`[grammar] server` at a LanguageTool they run themselves (a local install,
a Docker container, a self-hosted server, or a hosted API), and this module
talks to its HTTP API:

    POST {server}/v2/check      form data: text, language, disabledRules, …
    GET  {server}/v2/languages  the languages it offers (used by `probe`)

Why `requests` and not language_tool_python's LanguageTool class
----------------------------------------------------------------
language_tool_python 3.4 has a remote mode (`LanguageTool(lang,
remote_server=url)`), and in that mode it does not download or start
anything. Its behaviour still does not fit a batch tool that must keep
going when the server is slow or broken:

* The request timeout is a class constant, `LanguageTool._TIMEOUT = 300`
  seconds; the only way to change it is to patch a private attribute.
* `_query_server` retries `check` once more after any IOError, timeouts
  included, so a hung server costs 2 x 300 s per article before the caller
  hears about it.
* It never looks at the HTTP status. An error page that is not JSON becomes
  a `LanguageToolError` whose message is the whole response body (a page of
  HTML, not a line an editor can read); an error that *is* JSON is returned
  as if it were a result and then fails with `KeyError: 'matches'`.
* Its constructor queries /v2/languages at once and raises if the server is
  down, so a client could not even be built for an unreachable server.
* Its `Match` keeps module-wide state (`Match.PREVIOUS_MATCHES_TEXT`),
  corrects the offset but not the length of a match that contains an emoji,
  and drops the category name.

So this module posts to /v2/check itself, with `requests` (already a
dependency): one bounded time limit per request, no retries, every failure
turned into `GrammarUnavailable` with a one-line reason, a circuit breaker
so a dead server costs a few requests per run rather than one per article,
texts split to fit the server's size limit, and our own small
`GrammarMatch` with offsets in Python characters. language_tool_python is
not imported at all, so no code path can reach its downloader.
"""

from __future__ import annotations

import ipaddress
import json
import re
import socket
import time
import urllib.parse
from bisect import bisect_left
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, Iterator

if TYPE_CHECKING:
    import requests

DEFAULT_LANGUAGE = "en-US"
DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_CHARS = 20_000
DEFAULT_MAX_FAILURES = 3
MAX_REPLACEMENTS = 5
# A LanguageTool answer for 20,000 characters is a few hundred kilobytes at
# most; anything far bigger is not a LanguageTool answer.
MAX_RESPONSE_BYTES = 20_000_000


class GrammarUnavailable(Exception):
    """The server could not check a text; `reason` is one line for an editor."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class GrammarMatch:
    """One LanguageTool match, located in the text that was checked.

    `offset` and `length` count Python characters of that text (LanguageTool
    counts UTF-16 code units; the client converts).
    """

    offset: int
    length: int
    rule_id: str  # LanguageTool's rule id, e.g. ENGLISH_WORD_REPEAT_RULE
    category: str  # LanguageTool's category id, e.g. GRAMMAR, TYPOS, STYLE
    message: str
    replacements: tuple[str, ...]  # at most MAX_REPLACEMENTS, best first
    issue_type: str  # e.g. grammar, misspelling, style, typographical
    text: str  # the matched text

    @property
    def end(self) -> int:
        return self.offset + self.length


class LanguageToolClient:
    """Checks texts on one LanguageTool server. Build one per process.

    `url` is the server as the user wrote it: `http://localhost:8081`,
    `http://localhost:8081/v2` or `https://api.languagetool.org` all work.
    `timeout` bounds each request: connecting, and each wait for data, take
    at most `timeout` seconds, and an answer still arriving `timeout` seconds
    after the request went out is abandoned (checked between reads).
    `disabled_rules` are LanguageTool rule ids the server must not apply.
    After `max_failures` failed requests in a row the client stops sending
    any and `check` fails at once (a circuit breaker for this process).
    Texts longer than `max_chars` are sent in pieces split at paragraph or
    sentence ends.
    """

    def __init__(self, url: str, language: str = DEFAULT_LANGUAGE, timeout: float = DEFAULT_TIMEOUT,
                 disabled_rules: Iterable[str] = (), max_failures: int = DEFAULT_MAX_FAILURES,
                 max_chars: int = DEFAULT_MAX_CHARS) -> None:
        self.server = url.strip().rstrip("/")
        self.api = api_base(self.server)
        self.language = language
        self.timeout = float(timeout)
        self.disabled_rules = tuple(disabled_rules)
        self.max_failures = max(1, int(max_failures))
        self.max_chars = max(1, int(max_chars))
        self.failures = 0  # consecutive failed requests
        self.requests_sent = 0
        import requests  # ~0.1 s: only a run with a grammar server configured pays it

        self._session = requests.Session()
        self._session.headers.update({"User-Agent": "medreview (grammar check)", "Accept": "application/json"})
        # A server on this machine is never reached through a proxy from the environment.
        self._session.trust_env = not is_loopback(self.server)

    def close(self) -> None:
        self._session.close()

    # -- public -------------------------------------------------------------

    def check(self, text: str) -> list[GrammarMatch]:
        """Every match LanguageTool reports for `text`, offsets into `text`.

        Raises GrammarUnavailable when the server cannot answer properly, or
        at once, without a request, once the circuit breaker is open.
        """
        matches: list[GrammarMatch] = []
        for start, chunk in split_text(text, self.max_chars):
            if not chunk.strip():
                continue
            for m in self._check_chunk(chunk):
                matches.append(_shifted(m, start))
        return matches

    def probe(self) -> str | None:
        """None when the server answers /v2/languages and offers our language; else why not.

        Meant to be called once per run (by the CLI); it does not count
        towards the circuit breaker.
        """
        try:
            status, headers, body = self._request("GET", "languages")
            data = self._json(status, headers, body)
        except GrammarUnavailable as e:
            return e.reason
        if not isinstance(data, list) or not all(isinstance(x, dict) and "code" in x for x in data):
            return f"The server at {self.server} answered with JSON that is not LanguageTool's list of languages"
        offered = {str(x.get(k, "")).lower() for x in data for k in ("code", "longCode")} | {"auto"}
        if self.language.lower() not in offered:
            return f"The LanguageTool server at {self.server} does not offer the language '{self.language}'"
        return None

    # -- one request --------------------------------------------------------

    def _check_chunk(self, chunk: str) -> list[GrammarMatch]:
        if self.failures >= self.max_failures:
            raise GrammarUnavailable(
                f"Skipped: the LanguageTool server at {self.server} failed {self.failures} times in a row, "
                "so medreview stopped asking it for the rest of this run"
            )
        form = {"text": chunk, "language": self.language,
                # Spelling is our Hunspell check's job: spare the server its speller.
                "disabledCategories": "TYPOS"}
        if self.disabled_rules:
            form["disabledRules"] = ",".join(self.disabled_rules)
        try:
            status, headers, body = self._request("POST", "check", form)
            matches = parse_check_answer(self._json(status, headers, body), chunk, self.server)
        except GrammarUnavailable:
            self.failures += 1
            raise
        self.failures = 0
        return matches

    def _request(self, method: str, endpoint: str, form: dict[str, str] | None = None) -> tuple[int, Any, bytes]:
        """(status, headers, body) of one request, within `timeout`; GrammarUnavailable otherwise."""
        import requests

        self.requests_sent += 1
        url = self.api + endpoint
        deadline = time.monotonic() + self.timeout
        try:
            resp = self._session.request(method, url, data=form, timeout=(self.timeout, self.timeout),
                                         stream=True, allow_redirects=False)
            with resp:
                body = bytearray()
                for piece in resp.iter_content(65536):
                    body += piece
                    if len(body) > MAX_RESPONSE_BYTES:
                        raise GrammarUnavailable(
                            f"The server at {self.server} sent an answer of more than "
                            f"{MAX_RESPONSE_BYTES // 1_000_000} MB, which is not a LanguageTool answer")
                    if time.monotonic() > deadline:
                        raise GrammarUnavailable(self._timeout_reason())
                if time.monotonic() > deadline:
                    raise GrammarUnavailable(self._timeout_reason())
                return resp.status_code, resp.headers, bytes(body)
        except requests.RequestException as e:
            raise GrammarUnavailable(self._network_reason(e)) from None

    def _json(self, status: int, headers: Any, body: bytes) -> Any:
        """The decoded JSON of an answer, or GrammarUnavailable saying what came instead."""
        ctype = str(headers.get("Content-Type", "")).lower()
        text = body.decode("utf-8", errors="replace")
        looks_html = "html" in ctype or text.lstrip()[:1] == "<"
        if 300 <= status < 400:
            where = headers.get("Location")
            to = f" to {where}" if where else ""
            raise GrammarUnavailable(
                f"The server at {self.server} redirected{to}; put the final address in [grammar] server")
        if status >= 400:
            detail = "" if looks_html else _first_line(text)
            raise GrammarUnavailable(
                f"The LanguageTool server at {self.server} answered with HTTP error {status}"
                + (f" ({detail})" if detail else ""))
        if looks_html:
            raise GrammarUnavailable(
                f"The server at {self.server} answered with a web page, not LanguageTool's JSON "
                "(is [grammar] server the address of a LanguageTool server?)")
        try:
            return json.loads(text)
        except ValueError:
            raise GrammarUnavailable(
                f"The server at {self.server} answered with something that is not JSON, "
                "so it is probably not a LanguageTool server") from None

    def _timeout_reason(self) -> str:
        return f"The LanguageTool server at {self.server} did not answer within {self.timeout:g} s"

    def _network_reason(self, e: requests.RequestException) -> str:
        import requests

        causes = list(_causes(e))
        # Refusal and unknown host first: urllib3's NewConnectionError is also a timeout class.
        if any(isinstance(c, ConnectionRefusedError) for c in causes):
            return f"The LanguageTool server at {self.server} refused the connection (is it running?)"
        if any(isinstance(c, socket.gaierror) for c in causes):
            return f"The LanguageTool server at {self.server} could not be found (unknown host name)"
        if isinstance(e, requests.Timeout) or any(_is_timeout(c) for c in causes):
            return self._timeout_reason()
        if isinstance(e, (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError)):
            return f"The server at {self.server} sent a broken answer"
        return f"The LanguageTool server at {self.server} could not be reached ({type(e).__name__})"


# -- the answer ---------------------------------------------------------------


def parse_check_answer(data: Any, text: str, server: str = "the server") -> list[GrammarMatch]:
    """GrammarMatches from a /v2/check answer for `text`; GrammarUnavailable if it is not one."""

    def wrong(detail: str) -> GrammarUnavailable:
        return GrammarUnavailable(
            f"The server at {server} answered with JSON that is not a LanguageTool check result ({detail})")

    if not isinstance(data, dict) or not isinstance(data.get("matches"), list):
        raise wrong("no 'matches' list")
    to_py = _utf16_to_python(text)
    u16_len = _utf16_len(text)
    out: list[GrammarMatch] = []
    for n, m in enumerate(data["matches"], 1):
        rule = m.get("rule") if isinstance(m, dict) else None
        if not isinstance(rule, dict) or not isinstance(rule.get("id"), str):
            raise wrong(f"match {n} has no rule id")
        offset, length = m.get("offset"), m.get("length")
        if not (_is_int(offset) and _is_int(length)) or offset < 0 or length < 0 or offset + length > u16_len:
            raise wrong(f"match {n} does not point inside the text")
        category = rule.get("category") if isinstance(rule.get("category"), dict) else {}
        start, end = to_py(offset), to_py(offset + length)
        replacements = [r.get("value") for r in (m.get("replacements") or []) if isinstance(r, dict)]
        out.append(GrammarMatch(
            offset=start,
            length=end - start,
            rule_id=rule["id"],
            category=str(category.get("id") or ""),
            message=clean_message(str(m.get("message") or m.get("shortMessage") or rule.get("description") or "")),
            replacements=tuple(str(r) for r in replacements if isinstance(r, str) and r)[:MAX_REPLACEMENTS],
            issue_type=str(rule.get("issueType") or ""),
            text=text[start:end],
        ))
    return out


_SUGGESTION_TAG = re.compile(r"</?suggestion>")


def clean_message(message: str) -> str:
    """LanguageTool's message on one line, any leftover <suggestion> markup as quotes."""
    message = _SUGGESTION_TAG.sub(lambda t: "”" if t.group().startswith("</") else "“", message)
    return " ".join(message.split())


# -- long texts ---------------------------------------------------------------

_PARAGRAPH_END = re.compile(r"\n[ \t]*\n\s*")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*\s+")
_LINE_END = re.compile(r"\n\s*")
_SPACE = re.compile(r"\s+")


def split_text(text: str, max_chars: int) -> Iterator[tuple[int, str]]:
    """(start, piece) covering `text` in order, each piece at most `max_chars` long.

    Pieces end after a paragraph break where one fits, else after a sentence
    end, else a line break, else a space; a text with none of those is cut
    hard. Lengths count UTF-16 code units, as LanguageTool's size limit does.
    """
    pos, n = 0, len(text)
    while pos < n:
        end = min(n, pos + max_chars)
        while end > pos + 1 and _utf16_len(text[pos:end]) > max_chars:
            end -= max(1, (_utf16_len(text[pos:end]) - max_chars) // 2)
        if end < n:
            window = text[pos:end]
            for pattern in (_PARAGRAPH_END, _SENTENCE_END, _LINE_END, _SPACE):
                cut = max((m.end() for m in pattern.finditer(window) if m.end() > 0), default=0)
                if cut:
                    end = pos + cut
                    break
        yield pos, text[pos:end]
        pos = end


# -- helpers ------------------------------------------------------------------


def api_base(server: str) -> str:
    """The /v2/ base URL for what the user wrote; ValueError if it is not an http(s) URL."""
    url = server.strip().rstrip("/")
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{server!r} is not an http:// or https:// address such as http://localhost:8081")
    if not parts.path.endswith("/v2"):
        url += "/v2"
    return url + "/"


def is_loopback(server: str) -> bool:
    """True for a server on this machine: localhost, 127.0.0.0/8, ::1."""
    host = (urllib.parse.urlsplit(server.strip()).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _shifted(m: GrammarMatch, by: int) -> GrammarMatch:
    if not by:
        return m
    return GrammarMatch(m.offset + by, m.length, m.rule_id, m.category, m.message,
                        m.replacements, m.issue_type, m.text)


def _utf16_len(text: str) -> int:
    if text.isascii():
        return len(text)
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _utf16_to_python(text: str):
    """A function mapping a UTF-16 offset in `text` (LanguageTool's) to a Python index."""
    if text.isascii() or max(text) <= "\uffff":
        return lambda off: off
    starts: list[int] = []  # UTF-16 offset where each Python character starts
    u = 0
    for ch in text:
        starts.append(u)
        u += 2 if ord(ch) > 0xFFFF else 1
    starts.append(u)
    return lambda off: bisect_left(starts, off)


def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _first_line(text: str, limit: int = 160) -> str:
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _causes(e: BaseException) -> Iterator[BaseException]:
    """The exception, what caused it, and what urllib3 wrapped inside it."""
    seen: set[int] = set()
    todo: list[BaseException] = [e]
    while todo:
        c = todo.pop()
        if id(c) in seen:
            continue
        seen.add(id(c))
        yield c
        todo.extend(x for x in (c.__cause__, c.__context__, getattr(c, "reason", None)) if isinstance(x, BaseException))
        todo.extend(a for a in c.args if isinstance(a, BaseException))


def _is_timeout(e: BaseException) -> bool:
    import urllib3.exceptions

    if isinstance(e, urllib3.exceptions.NewConnectionError):
        return False
    return isinstance(e, (TimeoutError, socket.timeout, urllib3.exceptions.TimeoutError))

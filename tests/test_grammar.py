"""GRAM: the LanguageTool client and the grammar check, against a real HTTP server.

The server is a small fake on 127.0.0.1 that speaks LanguageTool's HTTP API
v2 (POST /v2/check with form data, GET /v2/languages) and replays the
recorded answers in tests/fixtures/languagetool/. No real LanguageTool runs
here, and no test may reach beyond this machine (see `_no_internet`).
"""

from __future__ import annotations

import copy
import json
import socket
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from medreview.checks.base import Context
from medreview.checks.grammar import (
    NO_SERVER_NOTICE,
    GrammarCheck,
    grammar_notice,
    grammar_settings,
    probe_server,
)
from medreview.clean import clean_article
from medreview.config import ConfigError, from_dict
from medreview.ingest import Reader, format_of
from medreview.languagetool import GrammarUnavailable, LanguageToolClient, split_text
from medreview.model import Article, Severity

FIXTURES = Path(__file__).parent / "fixtures" / "languagetool"


def _load(name: str):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


CHECK_ANSWERS = [_load(p.name) for p in sorted(FIXTURES.glob("check-*.json"))]
LANGUAGES = _load("languages.json")


def _u16(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


# -- the fake LanguageTool server ---------------------------------------------------------


class FakeLanguageTool:
    """LanguageTool's HTTP API on 127.0.0.1, answering from the recorded fixtures.

    `mode` picks the answer: "replay" (LanguageTool's), or a broken server
    ("html", "not_json", "wrong_shape", "bad_offset", "http500", "redirect").
    `delay` makes every answer late. Like LanguageTool it leaves out rules
    named in disabledRules; unlike it, it ignores disabledCategories, so the
    client's own spelling filter is exercised too. Every request is recorded.
    """

    def __init__(self) -> None:
        self.mode = "replay"
        self.delay = 0.0
        self.requests: list[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep the test output clean
                pass

            def do_GET(self) -> None:
                fake._handle(self, "GET", {})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8")
                form = {k: v[0] for k, v in urllib.parse.parse_qs(body, keep_blank_values=True).items()}
                fake._handle(self, "POST", form)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    @property
    def checks(self) -> list[dict]:
        return [r["form"] for r in self.requests if r["path"] == "/v2/check"]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _handle(self, h: BaseHTTPRequestHandler, method: str, form: dict) -> None:
        self.requests.append({"method": method, "path": h.path, "form": form})
        if self.delay:
            time.sleep(self.delay)
        try:
            if self.mode == "replay":
                if method == "POST" and h.path == "/v2/check":
                    self._send(h, 200, "application/json", json.dumps(self._replay(form)))
                elif method == "GET" and h.path == "/v2/languages":
                    self._send(h, 200, "application/json", json.dumps(LANGUAGES))
                else:
                    self._send(h, 404, "text/plain", f"Error: unknown path {h.path}")
            elif self.mode == "html":
                self._send(h, 200, "text/html; charset=utf-8",
                           "<!DOCTYPE html><html><head><title>Welcome to nginx!</title></head>"
                           "<body><h1>Welcome to nginx!</h1></body></html>")
            elif self.mode == "not_json":
                self._send(h, 200, "application/json", '{"software": {"name": "LanguageTool", "matches": [')
            elif self.mode == "wrong_shape":
                self._send(h, 200, "application/json", json.dumps({"status": "ok", "result": []}))
            elif self.mode == "bad_offset":
                answer = copy.deepcopy(CHECK_ANSWERS[0])
                answer["matches"][0]["offset"] = 10_000
                self._send(h, 200, "application/json", json.dumps(answer))
            elif self.mode == "http500":
                self._send(h, 500, "text/plain",
                           "Error: Internal Error: java.lang.OutOfMemoryError: Java heap space\n"
                           "\tat org.languagetool.server.TextChecker.checkText(TextChecker.java:512)")
            elif self.mode == "redirect":
                h.send_response(301)
                h.send_header("Location", "https://lt.example.org/v2/check")
                h.send_header("Content-Length", "0")
                h.end_headers()
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout tests)
            pass

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, status: int, ctype: str, body: str) -> None:
        data = body.encode("utf-8")
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    @staticmethod
    def _replay(form: dict) -> dict:
        """The recorded matches wherever their sentence occurs in the posted text, offsets in UTF-16."""
        text = form.get("text", "")
        disabled = set(filter(None, form.get("disabledRules", "").split(",")))
        matches = []
        for answer in CHECK_ANSWERS:
            for m in answer["matches"]:
                if m["rule"]["id"] in disabled:
                    continue
                at = text.find(m["sentence"])
                while at != -1:
                    shifted = copy.deepcopy(m)
                    shifted["offset"] = _u16(text[:at]) + m["offset"]
                    matches.append(shifted)
                    at = text.find(m["sentence"], at + 1)
        matches.sort(key=lambda m: m["offset"])
        head = CHECK_ANSWERS[0]
        return {"software": head["software"], "warnings": head["warnings"], "language": head["language"],
                "matches": matches}


@pytest.fixture
def lt():
    server = FakeLanguageTool()
    yield server
    server.close()


@pytest.fixture
def dead_url() -> str:
    """An address on this machine where nothing listens."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture(autouse=True)
def _no_internet(monkeypatch):
    """Any attempt to resolve a host other than this machine fails the way an offline one does."""
    real = socket.getaddrinfo

    def local_only(host, *args, **kwargs):
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise socket.gaierror(socket.EAI_NONAME, f"test: no internet ({host})")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", local_only)
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)


# -- helpers -------------------------------------------------------------------------------------


def article_from(tmp_path: Path, name: str, source: str) -> Article:
    path = tmp_path / name
    path.write_text(source, encoding="utf-8")
    [article] = list(Reader(8_000_000).read(path, format_of(path)))
    assert isinstance(article, Article)
    return clean_article(article)


def run_check(article: Article, grammar: dict | None, check: GrammarCheck | None = None, **config):
    data = {"grammar": grammar} if grammar is not None else {}
    ctx = Context(config=from_dict(data).with_overrides(**config))
    return list((check or GrammarCheck()).check(article, ctx))


ARTICLE = """\
Lower back pain

Back pain is common. Their are many causes of back pain.
It's affect on the the spine is unclear. Sciatica can cause numbnes in the leg.
Tell your physiotherapist your past history of back injuries. most back pain gets better within a few weeks.
"""


# -- matches become findings ---------------------------------------------------------------------


def test_matches_become_findings_at_their_line_and_column(tmp_path, lt):
    article = article_from(tmp_path, "back-pain.txt", ARTICLE)
    findings = run_check(article, {"server": lt.url})
    got = [(f.rule, f.line, f.column, f.excerpt, f.evidence["languagetool_rule"]) for f in findings]
    assert got == [
        ("GRAM001", 3, 22, "Their", "THEIR_IS"),
        ("GRAM001", 4, 16, "the the", "ENGLISH_WORD_REPEAT_RULE"),
        ("GRAM002", 5, 32, "past history", "PAST_HISTORY"),
        ("GRAM002", 5, 63, "most", "UPPERCASE_SENTENCE_START"),
    ]
    their, repeat, redundant, casing = findings
    assert their.severity is Severity.WARNING and their.category == "grammar"
    assert their.message == "Did you mean “There”?"
    assert their.suggestions == ["There"]
    assert their.evidence == {"languagetool_rule": "THEIR_IS", "category": "CONFUSED_WORDS", "issue_type": "grammar"}
    assert (their.end_line, their.end_column) == (3, 27)
    assert repeat.message == "Possible typo: you repeated a word."
    assert repeat.suggestions == ["the"]
    assert redundant.severity is Severity.INFO and redundant.suggestions == ["history"]
    assert casing.severity is Severity.INFO and casing.evidence["category"] == "CASING"
    [request] = lt.checks
    assert request["text"] == article.text
    assert request["language"] == "en-US"


def test_markup_and_emoji_before_a_match_still_point_at_the_source(tmp_path, lt):
    source = (
        "---\ntitle: Sciatica\nreviewed_by: Dr. A. Example\n---\n"
        "# Sciatica\n\n"
        "Sciatica **hurts** 😣 a lot. Their are many causes of back pain.\n"
    )
    article = article_from(tmp_path, "sciatica.md", source)
    [finding] = run_check(article, {"server": lt.url})
    line = source.splitlines()[finding.line - 1]
    assert finding.line == 7
    assert line[finding.column - 1:].startswith("Their are")
    assert finding.excerpt == "Their"
    # The fake counts UTF-16 code units like LanguageTool: the emoji is two of them.
    [request] = lt.checks
    assert "😣" in request["text"]


def test_spelling_matches_are_not_reported(tmp_path, lt):
    article = article_from(tmp_path, "numb.txt", "Sciatica can cause numbnes in the leg.\n")
    assert run_check(article, {"server": lt.url}) == []
    # The server was asked not to run its speller, and what it sent anyway was dropped.
    assert lt.checks[0]["disabledCategories"] == "TYPOS"
    matches = LanguageToolClient(lt.url).check(article.text)
    assert [m.rule_id for m in matches] == ["MORFOLOGIK_RULE_EN_US"]
    assert matches[0].text == "numbnes"
    assert matches[0].replacements == ("numbness", "numbers", "numbed", "numbest", "numbs")  # at most 5


def test_disabled_rules_are_sent_to_the_server(tmp_path, lt):
    article = article_from(tmp_path, "back-pain.txt", ARTICLE)
    grammar = {"server": lt.url, "disabled_rules": ["ENGLISH_WORD_REPEAT_RULE", "EN_QUOTES"], "language": "en-GB"}
    findings = run_check(article, grammar)
    assert lt.checks[0]["disabledRules"] == "ENGLISH_WORD_REPEAT_RULE,EN_QUOTES"
    assert lt.checks[0]["language"] == "en-GB"
    assert "ENGLISH_WORD_REPEAT_RULE" not in {f.evidence["languagetool_rule"] for f in findings}


def test_disabled_rules_also_read_from_a_comma_separated_string():
    config = from_dict({"grammar": {"server": "http://127.0.0.1:8081", "disabled_rules": "EN_QUOTES, DASH_RULE"}})
    assert grammar_settings(config).disabled_rules == ("EN_QUOTES", "DASH_RULE")


def test_nothing_is_asked_when_every_grammar_rule_is_disabled(tmp_path, lt):
    article = article_from(tmp_path, "back-pain.txt", ARTICLE)
    config = from_dict({"grammar": {"server": lt.url}, "rules": {"disable": ["GRAM001", "grammar.style"]}})
    assert list(GrammarCheck().check(article, Context(config=config))) == []
    assert lt.requests == []


# -- long texts ------------------------------------------------------------------------------------


def test_long_text_is_sent_in_pieces_and_offsets_shift_back(tmp_path, lt):
    filler = "Heat and gentle movement help a stiff back recover. " * 3
    paragraphs = []
    for i in range(12):
        paragraphs.append(filler + ("Their are many causes of back pain." if i % 4 == 1 else "Rest helps."))
    source = "Back pain\n\n" + "\n\n".join(paragraphs) + "\n"
    article = article_from(tmp_path, "long.txt", source)
    findings = run_check(article, {"server": lt.url, "max_chars": 400})
    assert len(lt.checks) > 2
    assert all(len(r["text"]) <= 400 for r in lt.checks)
    assert "".join(r["text"] for r in lt.checks) == article.text
    lines = source.splitlines()
    expected = [n + 1 for n, line in enumerate(lines) if "Their are" in line]
    assert [f.line for f in findings] == expected == [5, 13, 21]
    for f in findings:
        assert lines[f.line - 1][f.column - 1:].startswith("Their are")


def test_split_text_prefers_paragraphs_then_sentences_then_spaces():
    text = "One two. Three four.\n\nFive six seven. Eight nine ten.\n\n" + "x" * 25
    pieces = list(split_text(text, 24))
    assert "".join(p for _, p in pieces) == text
    assert all(len(p) <= 24 for _, p in pieces)
    assert all(text[start:start + len(p)] == p for start, p in pieces)
    assert pieces[0][1] == "One two. Three four.\n\n"  # a whole paragraph
    assert pieces[1][1] == "Five six seven. "  # a sentence, where the paragraph is too long
    assert pieces[-1][1] == "x"  # no break at all: cut hard
    # Sizes count UTF-16 code units, as LanguageTool's limit does: an emoji is two.
    assert [p for _, p in split_text("😣😣😣 ab", 4)] == ["😣😣", "😣 ", "ab"]


# -- no server, or a server that cannot help ------------------------------------------------------


def test_no_server_configured_means_no_findings_and_no_request(tmp_path, lt):
    article = article_from(tmp_path, "back-pain.txt", ARTICLE)
    assert run_check(article, None) == []
    assert run_check(article, {"server": ""}) == []
    assert run_check(article, {"language": "en-US"}) == []
    assert lt.requests == []
    assert grammar_notice(from_dict({})) == NO_SERVER_NOTICE
    assert grammar_notice(from_dict({"grammar": {"server": lt.url}})) is None


def test_server_down_gives_one_clear_gram009_per_article(tmp_path, dead_url):
    article = article_from(tmp_path, "back-pain.txt", ARTICLE)
    [finding] = run_check(article, {"server": dead_url})
    assert finding.rule == "GRAM009"
    assert finding.severity is Severity.INFO
    assert finding.message == (
        f"The LanguageTool server at {dead_url} refused the connection (is it running?); grammar was not checked.")
    assert (finding.line, finding.column, finding.excerpt) == (1, 1, "")
    assert finding.evidence["server"] == dead_url


def test_after_max_failures_no_more_requests_are_sent(tmp_path, lt):
    lt.mode = "http500"
    check = GrammarCheck()
    article = article_from(tmp_path, "back-pain.txt", ARTICLE)
    messages = [run_check(article, {"server": lt.url, "max_failures": 3}, check)[0].message for _ in range(5)]
    assert len(lt.checks) == 3
    assert all("answered with HTTP error 500" in m for m in messages[:3])
    assert messages[3] == messages[4] == (
        f"Skipped: the LanguageTool server at {lt.url} failed 3 times in a row, so medreview stopped "
        "asking it for the rest of this run; grammar was not checked.")


def test_a_success_resets_the_failure_count(lt):
    client = LanguageToolClient(lt.url, max_failures=3)
    for mode in ("http500", "http500", "replay", "http500", "http500", "replay"):
        lt.mode = mode
        try:
            client.check("Their are many causes of back pain.")
        except GrammarUnavailable:
            pass
    assert len(lt.checks) == 6
    assert client.failures == 0


def test_slow_server_times_out_with_a_clear_message(tmp_path, lt):
    lt.delay = 1.5
    article = article_from(tmp_path, "back-pain.txt", ARTICLE)
    [finding] = run_check(article, {"server": lt.url, "timeout": 0.5})
    assert finding.rule == "GRAM009"
    assert finding.message == (
        f"The LanguageTool server at {lt.url} did not answer within 0.5 s; grammar was not checked.")


@pytest.mark.parametrize("mode, reason", [
    ("html", "answered with a web page, not LanguageTool's JSON"),
    ("not_json", "answered with something that is not JSON"),
    ("wrong_shape", "answered with JSON that is not a LanguageTool check result (no 'matches' list)"),
    ("bad_offset", "answered with JSON that is not a LanguageTool check result (match 1 does not point inside the text)"),
    ("http500", "answered with HTTP error 500 (Error: Internal Error: java.lang.OutOfMemoryError: Java heap space)"),
    ("redirect", "redirected to https://lt.example.org/v2/check; put the final address in [grammar] server"),
])
def test_garbage_answers_give_gram009_with_the_reason(tmp_path, lt, mode, reason):
    lt.mode = mode
    article = article_from(tmp_path, "back-pain.txt", ARTICLE)
    [finding] = run_check(article, {"server": lt.url})
    assert finding.rule == "GRAM009"
    assert f"server at {lt.url} {reason}" in finding.message
    assert finding.message.endswith("; grammar was not checked.")
    assert "\n" not in finding.message and len(finding.message) < 300


# -- probe, offline, settings ---------------------------------------------------------------------


def test_probe_up_down_and_wrong(lt, dead_url):
    assert LanguageToolClient(lt.url).probe() is None
    assert lt.requests[-1]["path"] == "/v2/languages"
    assert LanguageToolClient(lt.url + "/v2/", language="en").probe() is None
    assert LanguageToolClient(lt.url, language="xx-YY").probe() == (
        f"The LanguageTool server at {lt.url} does not offer the language 'xx-YY'")
    assert LanguageToolClient(dead_url).probe() == (
        f"The LanguageTool server at {dead_url} refused the connection (is it running?)")
    lt.mode = "html"
    assert "answered with a web page" in LanguageToolClient(lt.url).probe()
    assert probe_server(grammar_settings(from_dict({"grammar": {"server": dead_url}}))) is not None


def test_probe_failures_do_not_count_towards_the_breaker(dead_url):
    client = LanguageToolClient(dead_url, max_failures=1)
    assert client.probe() is not None
    assert client.failures == 0


def test_offline_uses_a_server_on_this_machine_only(tmp_path, lt):
    article = article_from(tmp_path, "back-pain.txt", ARTICLE)
    assert run_check(article, {"server": "https://lt.example.org"}, offline=True) == []
    assert len(run_check(article, {"server": lt.url}, offline=True)) == 4
    config = from_dict({"grammar": {"server": "https://lt.example.org"}}).with_overrides(offline=True)
    assert "--offline" in grammar_notice(config)


def test_unknown_host_is_reported_not_raised(tmp_path):
    article = article_from(tmp_path, "back-pain.txt", ARTICLE)
    [finding] = run_check(article, {"server": "https://lt.example.org"})
    assert finding.message == (
        "The LanguageTool server at https://lt.example.org could not be found (unknown host name); "
        "grammar was not checked.")


@pytest.mark.parametrize("grammar, error", [
    ({"server": "localhost:8081"}, "not an http:// or https:// address"),
    ({"server": "http://127.0.0.1:8081", "timeout": 0}, "timeout must be a number of seconds"),
    ({"server": "http://127.0.0.1:8081", "max_chars": 10}, "max_chars must be a whole number"),
    ({"server": "http://127.0.0.1:8081", "disabled_rules": [1]}, "disabled_rules must be a list"),
    ({"servr": "http://127.0.0.1:8081"}, "unknown key 'servr' in [grammar]"),
])
def test_bad_settings_are_config_errors_and_gram009_in_the_check(tmp_path, grammar, error):
    with pytest.raises(ConfigError, match=error.replace("[", r"\[").replace("]", r"\]")):
        grammar_settings(from_dict({"grammar": grammar}))
    article = article_from(tmp_path, "back-pain.txt", ARTICLE)
    [finding] = run_check(article, grammar)
    assert finding.rule == "GRAM009" and error in finding.message


def test_rules_lists_every_reported_rule():
    rules = GrammarCheck().rules(from_dict({}))
    assert [(r.id, r.name, r.severity) for r in rules] == [
        ("GRAM001", "grammar.error", Severity.WARNING),
        ("GRAM002", "grammar.style", Severity.INFO),
        ("GRAM009", "grammar.not-checked", Severity.INFO),
    ]
    assert all(r.category == "grammar" for r in rules)


def test_fixtures_follow_languagetool_v2_schema():
    for answer in CHECK_ANSWERS:
        assert set(answer) >= {"software", "warnings", "language", "matches"}
        assert answer["software"]["name"] == "LanguageTool" and answer["software"]["apiVersion"] == 1
        for m in answer["matches"]:
            assert set(m) >= {"message", "shortMessage", "replacements", "offset", "length", "context",
                              "sentence", "type", "rule", "ignoreForIncompleteSentence", "contextForSureMatch"}
            assert set(m["rule"]) >= {"id", "description", "issueType", "category"}
            assert set(m["rule"]["category"]) == {"id", "name"}
            ctx = m["context"]
            assert ctx["text"][ctx["offset"]:ctx["offset"] + ctx["length"]] == \
                m["sentence"][m["offset"]:m["offset"] + m["length"]]
    assert all(set(lang) == {"name", "code", "longCode"} for lang in LANGUAGES)

"""Configuration: discovery, validation, disabling, severities and user rule packs."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from medreview.clean import ad_container_pattern, artifact_rules, clean_article
from medreview.config import Config, ConfigError, find_config_file, from_dict, load_config
from medreview.model import Article, Severity
from medreview.rulepacks import RulePackError, load_pack
from medreview.textmap import TextMap


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def audit_text(tmp_path: Path, config: Config, text: str, name: str = "a.txt"):
    from medreview.runner import _init, audit_file

    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    _init(config)
    (result,) = audit_file((p, "text"))
    return result


JUNK = ("Title\n\nIce helps. Just fill in our online form & we’ll call you back. "
        "In this article…. All rights reserved. Heat helps too.\n")


@pytest.fixture
def isolated_cwd(tmp_path, monkeypatch):
    """Run from an empty folder, so the repository's own files are not discovered."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    return cwd


# --- defaults and discovery ---------------------------------------------------------------

def test_defaults():
    c = Config()
    assert c.fail_on == "error"
    assert c.formats == ("json", "md", "html", "terminal")
    assert c.out == "reports"
    assert c.jobs == 0  # one worker per core
    assert c.max_bytes == 8_000_000
    assert c.as_of == dt.date.today()
    assert load_config(None) == Config(as_of=c.as_of)


def test_medreview_toml_found_in_the_audited_folder(tmp_path, isolated_cwd):
    folder = tmp_path / "articles"
    cfg = write(folder / "medreview.toml", "[audit]\nfail_on = 'warning'\n")
    write(folder / "a.txt", "x")
    assert find_config_file([str(folder)]) == cfg.resolve()
    # A file argument looks in its own folder.
    assert find_config_file([str(folder / "a.txt")]) == cfg.resolve()
    assert load_config(cfg).fail_on == "warning"


def test_pyproject_with_tool_medreview_is_found_and_read(tmp_path, isolated_cwd):
    folder = tmp_path / "site"
    py = write(folder / "pyproject.toml", """
        [project]
        name = "site"

        [tool.medreview.audit]
        fail_on = "info"
        formats = ["json"]

        [tool.medreview.input]
        max_bytes = 1234
    """)
    assert find_config_file([str(folder)]) == py.resolve()
    c = load_config(py)
    assert (c.fail_on, c.formats, c.max_bytes) == ("info", ("json",), 1234)
    assert c.source == str(py)


def test_pyproject_without_the_table_is_ignored(tmp_path, isolated_cwd):
    folder = tmp_path / "other"
    write(folder / "pyproject.toml", "[project]\nname = 'x'\n")
    assert find_config_file([str(folder)]) is None


def test_medreview_toml_wins_over_pyproject_in_the_same_folder(tmp_path, isolated_cwd):
    folder = tmp_path / "both"
    write(folder / "pyproject.toml", "[tool.medreview.audit]\nfail_on = 'info'\n")
    cfg = write(folder / "medreview.toml", "[audit]\nfail_on = 'never'\n")
    assert find_config_file([str(folder)]) == cfg.resolve()


def test_current_folder_is_the_fallback(tmp_path, isolated_cwd):
    cfg = write(isolated_cwd / "medreview.toml", "[audit]\njobs = 3\n")
    elsewhere = tmp_path / "plain"
    elsewhere.mkdir()
    assert find_config_file([str(elsewhere)]) == cfg.resolve()


def test_no_config_anywhere(tmp_path, isolated_cwd):
    (tmp_path / "plain").mkdir()
    assert find_config_file([str(tmp_path / "plain")]) is None


def test_sections_of_checks_are_kept(tmp_path):
    cfg = write(tmp_path / "medreview.toml", "[links]\ntimeout = 5\n[review]\nmax_age_days = 700\n")
    c = load_config(cfg)
    assert c.section("links") == {"timeout": 5}
    assert c.section("review") == {"max_age_days": 700}
    assert c.section("absent") == {}


def test_formats_may_be_a_comma_separated_string():
    assert from_dict({"audit": {"formats": "json, md"}}).formats == ("json", "md")


# --- errors -----------------------------------------------------------------------------------

def test_bad_toml_is_a_config_error_naming_the_file(tmp_path):
    cfg = write(tmp_path / "medreview.toml", "[audit\nfail_on = \n")
    with pytest.raises(ConfigError, match="not valid TOML") as e:
        load_config(cfg)
    assert str(cfg) in str(e.value)


def test_missing_config_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml")


@pytest.mark.parametrize("data, match", [
    ({"audit": {"fail_on": "sometimes"}}, "fail_on"),
    ({"audit": {"formats": ["json", "pdf"]}}, "pdf"),
    ({"audit": {"formats": "json,docx"}}, "docx"),
    ({"rules": {"severity": {"ART005": "fatal"}}}, "ART005"),
    ({"audit": {"jobs": -1}}, "jobs"),
    ({"input": {"max_bytes": 0}}, "max_bytes"),
    ({"audit": 3}, r"\[audit\] must be a table"),
    ({"rules": ["x"]}, r"\[rules\] must be a table"),
    ({"rules": {"packs": ["no-such-folder"]}}, "rule pack folder not found"),
])
def test_bad_values_are_config_errors(tmp_path, data, match):
    with pytest.raises(ConfigError, match=match):
        from_dict(data, source="medreview.toml", base=tmp_path)


def test_overrides_are_validated_too():
    with pytest.raises(ConfigError):
        Config().with_overrides(fail_on="loud")
    with pytest.raises(ConfigError):
        Config().with_overrides(formats=("pdf",))
    c = Config().with_overrides(fail_on="never", jobs=None, out=None)
    assert c.fail_on == "never" and c.jobs == 0 and c.out == "reports"


@pytest.mark.parametrize("data", [{"audit": {"jobs": "two"}}, {"input": {"max_bytes": "big"}}])
def test_non_numeric_numbers_are_config_errors(data):
    with pytest.raises(ConfigError):
        from_dict(data, source="medreview.toml")


def test_severity_not_a_table_is_a_config_error():
    with pytest.raises(ConfigError):
        from_dict({"rules": {"severity": "warning"}}, source="medreview.toml")


def test_disable_given_as_a_string_does_not_disable_everything():
    try:
        c = from_dict({"rules": {"disable": "ART007"}}, source="medreview.toml")
    except ConfigError:
        return  # rejecting it is fine too
    assert c.is_disabled("ART007", "artifact.teaser")
    assert not c.is_disabled("ART001", "artifact.ad-code")


# --- disable and severity ----------------------------------------------------------------------

@pytest.mark.parametrize("entry", ["ART008", "artifact.truncated-teaser", "ART", "artifact"])
def test_is_disabled_by_id_name_family_and_group(entry):
    c = Config(disable=frozenset({entry}))
    assert c.is_disabled("ART008", "artifact.truncated-teaser")


def test_disabling_one_rule_leaves_the_others():
    c = Config(disable=frozenset({"ART008", "artifact.teaser"}))
    assert c.is_disabled("ART007", "artifact.teaser")
    assert not c.is_disabled("ART001", "artifact.ad-code")
    assert not c.is_disabled("INPUT005", "input.malformed")


def test_lowercase_family_is_not_an_id_prefix():
    c = Config(disable=frozenset({"art"}))
    assert not c.is_disabled("ART001", "artifact.ad-code")


def test_severity_for_by_id_then_name_else_default():
    c = from_dict({"rules": {"severity": {"ART005": "warning", "artifact.legal-line": "error"}}})
    assert c.severity_for("ART005", "artifact.call-to-action", Severity.INFO) is Severity.WARNING
    assert c.severity_for("ART003", "artifact.legal-line", Severity.INFO) is Severity.ERROR
    assert c.severity_for("ART007", "artifact.teaser", Severity.INFO) is Severity.INFO


def test_disable_and_severity_apply_to_findings_of_an_audit(tmp_path):
    base = audit_text(tmp_path, Config(), JUNK)
    assert {"ART005", "ART008", "ART003"} <= {f.rule for f in base.findings}

    c = from_dict({"rules": {"disable": ["artifact.truncated-teaser", "ART003"],
                             "severity": {"ART005": "error"}}})
    r = audit_text(tmp_path, c, JUNK, "b.txt")
    rules = {f.rule for f in r.findings}
    assert "ART008" not in rules and "ART003" not in rules
    (cta,) = [f for f in r.findings if f.rule == "ART005"]
    assert cta.severity is Severity.ERROR


def test_disabling_the_family_silences_every_artifact_finding(tmp_path):
    r = audit_text(tmp_path, from_dict({"rules": {"disable": ["ART"]}}), JUNK)
    assert not [f for f in r.findings if f.category == "artifact"]
    # The text is still cleaned: disabling only hides the report lines.
    assert r.words < len(JUNK.split())


def test_disable_and_severity_apply_to_input_failures_too(tmp_path):
    r = audit_text(tmp_path, from_dict({"rules": {"severity": {"INPUT003": "info"}}}), "   \n")
    assert [f.severity for f in r.findings] == [Severity.INFO]


# --- user rule packs ----------------------------------------------------------------------------

USER_PACK = """
rules:
  - id: ART100
    name: artifact.house-promo
    severity: warning
    summary: The house promo line.
    message: The house promo line is in the article.
    scope: sentence
    patterns: ['\\bvisit our spine shop\\b']
    flag: ["Visit our spine shop today."]
    keep: ["Visit your doctor today."]
  - id: ART004
    name: artifact.feedback-widget
    severity: warning
    summary: Replaced widget rule.
    message: Replaced widget message.
    scope: sentence
    patterns: ['\\bhouse feedback box\\b']
    flag: ["Use the house feedback box."]
    keep: ["Feedback helps."]
html:
  ad_containers:
    rule: ART009
    pattern: '^house-ad$'
"""


def test_user_pack_adds_a_rule_and_replaces_one_by_id(tmp_path):
    folder = tmp_path / "house-style"
    write(folder / "artifacts.yml", USER_PACK)
    dirs = (str(folder),)
    rules = {r.id: r for r in artifact_rules(dirs)}
    bundled = {r.id for r in artifact_rules()}
    assert set(rules) == bundled | {"ART100"}
    assert rules["ART100"].severity == "warning"
    assert rules["ART004"].message == "Replaced widget message."
    assert len(rules["ART004"].patterns) == 1
    pattern, rule = ad_container_pattern(dirs)
    assert pattern.pattern == "^house-ad$" and rule == "ART009"
    # The bundled pack itself is untouched.
    assert next(r for r in artifact_rules() if r.id == "ART004").message != "Replaced widget message."


def test_user_pack_rules_are_used_when_cleaning(tmp_path):
    folder = tmp_path / "house"
    write(folder / "artifacts.yml", USER_PACK)
    src = "Visit our spine shop today. Was this article helpful? Use the house feedback box. Rest.\n"
    art = Article(id="a", path="a", format="text", raw=src, body=src, body_map=TextMap.identity(len(src)))
    clean_article(art, (str(folder),))
    assert [r.rule for r in art.removed] == ["ART100", "ART004"]
    # The replaced ART004 no longer knows the bundled widget phrase.
    assert "Was this article helpful?" in art.text


def test_config_packs_resolve_relative_to_the_config_file(tmp_path):
    folder = tmp_path / "proj"
    write(folder / "rules-extra" / "artifacts.yml", USER_PACK)
    cfg = write(folder / "medreview.toml", "[rules]\npacks = ['rules-extra']\n")
    c = load_config(cfg)
    assert c.rule_dirs == (str((folder / "rules-extra").resolve()),)
    assert "ART100" in {r.id for r in artifact_rules(c.rule_dirs)}


def test_user_folder_without_the_pack_changes_nothing(tmp_path):
    folder = tmp_path / "empty-packs"
    folder.mkdir()
    assert [r.id for r in artifact_rules((str(folder),))] == [r.id for r in artifact_rules()]


@pytest.mark.parametrize("text, match", [
    ("rules: [\n  - id: ART100\n", "not valid YAML"),
    ("- just\n- a list\n", "mapping at the top level"),
])
def test_broken_pack_is_a_rule_pack_error(tmp_path, text, match):
    folder = tmp_path / "broken"
    write(folder / "artifacts.yml", text)
    with pytest.raises(RulePackError, match=match):
        load_pack("artifacts", (str(folder),))
    with pytest.raises(RulePackError):
        artifact_rules((str(folder),))


@pytest.mark.parametrize("rule, match", [
    ("{id: ART101, name: n, summary: s, message: m}", "missing key"),
    ("{id: ART102, name: n, summary: s, message: m, patterns: ['(unclosed']}", "bad pattern"),
    ("{id: ART103, name: n, summary: s, message: m, patterns: ['x'], scope: paragraph}", "scope"),
])
def test_malformed_rule_is_a_rule_pack_error_naming_it(tmp_path, rule, match):
    folder = tmp_path / "bad-rule"
    write(folder / "artifacts.yml", f"rules:\n  - {rule}\n")
    with pytest.raises(RulePackError, match=match) as e:
        artifact_rules((str(folder),))
    assert "ART10" in str(e.value)


def test_bad_ad_container_pattern_is_a_rule_pack_error(tmp_path):
    folder = tmp_path / "bad-html"
    write(folder / "artifacts.yml", "html:\n  ad_containers:\n    pattern: '(['\n")
    with pytest.raises(RulePackError, match="ad_containers"):
        ad_container_pattern((str(folder),))

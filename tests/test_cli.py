"""The `azwa` command's contract: exit status, one-line reasons, JSON for scripts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from workflow.cli.main import app

ROOT = Path(__file__).resolve().parents[1]
REGISTRATION = ROOT / "docs" / "examples" / "registration.json"
MAKER = ["--as", "plan_maker", "--org", "Huisartsen Twente"]
INSURER = ["--as", "coordinating_insurer", "--org", "Menzis"]


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("AZWA_DATABASE_URL", f"sqlite:///{tmp_path}/cli.db")
    runner = CliRunner()
    assert runner.invoke(app, ["init"]).exit_code == 0
    result = runner.invoke(app, ["plan", "register", "P1", *MAKER, "--payload",
                                 f"@{REGISTRATION}", "--at", "2027-01-11T09:00:00+01:00"])
    assert result.exit_code == 0, result.output
    return runner


def test_refusal_exits_1_with_one_line_naming_rule_and_seed(run: CliRunner) -> None:
    """A refused trigger exits 1 with one line: the reason, the rule and the paragraph."""
    result = run.invoke(app, ["plan", "fire", "P1", "approve_quick_test", *MAKER])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line]
    assert len(lines) == 1
    assert lines[0].startswith("refused: ")
    assert "[rule role_may_fire, A4 §1.5.1]" in lines[0]


def test_refusal_with_json_prints_the_rule(run: CliRunner) -> None:
    """With --json a refusal also prints an object scripts can read."""
    result = run.invoke(app, ["plan", "fire", "P1", "submit_quick_test", *MAKER, "--json",
                              "--at", "2027-01-12T09:00:00+01:00"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["refused"]["rule"] == "has_agreed_character"
    assert data["refused"]["seed"] == "A4 §1.8.1"


@pytest.mark.parametrize(("argv", "message"), [
    (["plan", "show", "NOPE"], "no plan 'NOPE'"),
    (["plan", "fire", "P1", "agree_character", *INSURER, "--payload", "{oops"], "not JSON"),
    (["plan", "fire", "P1", "agree_character", *INSURER, "--payload", "[1]"], "JSON object"),
    (["plan", "fire", "P1", "agree_character", *INSURER, "--payload", "@missing.json"],
     "cannot read missing.json"),
    (["plan", "fire", "P1", "agree_character", *INSURER, "--at", "yesterday"],
     "not an ISO-8601 timestamp"),
    (["plan", "fire", "P1", "agree_character", *INSURER, "--at", "2027-02-01T09:00:00"],
     "without offset"),
])
def test_bad_input_exits_2_with_a_message(run: CliRunner, argv: list[str], message: str) -> None:
    """Unknown plans and unreadable payloads or times exit 2 with a message, no traceback."""
    result = run.invoke(app, argv)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_command_id_applies_once(run: CliRunner) -> None:
    """The same --command-id twice applies once; the second run says so."""
    argv = ["plan", "fire", "P1", "agree_character", *INSURER, "--payload",
            '{"character": "scaling"}', "--command-id", "c-1", "--at", "2027-01-12T09:00:00+01:00"]
    assert run.invoke(app, argv).exit_code == 0
    again = run.invoke(app, [*argv, "--json"])
    assert again.exit_code == 0
    assert json.loads(again.stdout)["repeated"] is True
    history = json.loads(run.invoke(app, ["plan", "history", "P1", "--json"]).stdout)
    assert [e["trigger"] for e in history] == ["register_plan", "agree_character"]


def to_quick_test_decision(run: CliRunner) -> None:
    """Take P1 to the quick-test decision, accepted as complete on 14 January 2027."""
    for argv in (
        ["plan", "fire", "P1", "agree_character", *INSURER, "--payload",
         '{"character": "innovation"}', "--at", "2027-01-12T09:00:00+01:00"],
        ["plan", "fire", "P1", "submit_quick_test", *MAKER, "--at", "2027-01-13T09:00:00+01:00"],
        ["plan", "fire", "P1", "accept_quick_test_as_complete", *INSURER, "--at",
         "2027-01-14T09:00:00+01:00"],
    ):
        assert run.invoke(app, argv).exit_code == 0


def test_show_lists_deadlines_with_days_left_and_next_steps(run: CliRunner) -> None:
    """`plan show --json` gives open deadlines with days left and, per organisation, its
    to-dos apart from what it may also do."""
    to_quick_test_decision(run)
    data = json.loads(run.invoke(app, ["plan", "show", "P1", "--json", "--at",
                                       "2027-02-01T12:00:00+01:00"]).stdout)
    assert data["open_deadlines"] == [{"name": "quick_test_decision", "due": "2027-02-11",
                                       "days_left": 10,
                                       "started_at": "2027-01-14T09:00:00+01:00"}]
    orgs = {(o["role"], o["org"]): o for o in data["organisations"]}
    insurer = orgs[("coordinating_insurer", "Menzis")]
    assert [t["trigger"] for t in insurer["todos"]] == ["approve_quick_test"]
    assert insurer["todos"][0]["due"] == "2027-02-11"
    assert "extend_deadline" in insurer["may_also"]
    maker = orgs[("plan_maker", "Huisartsen Twente")]
    assert maker["todos"] == []
    assert maker["idle"] == "waiting for Menzis (coordinating_insurer): approve_quick_test"
    listed = json.loads(run.invoke(app, ["plan", "list", "--json"]).stdout)
    assert [p["plan_id"] for p in listed] == ["P1"]


def test_show_and_todo_tell_each_organisation_what_to_do(run: CliRunner) -> None:
    """`plan show` lists per organisation its to-dos (overdue marked) and what it may also
    do, or why it has nothing to do; `azwa todo --org` lists one organisation's to-dos."""
    to_quick_test_decision(run)
    late = "2027-03-01T12:00:00+01:00"
    shown = run.invoke(app, ["plan", "show", "P1", "--at", late]).output
    assert "OVERDUE approve_quick_test (due 2027-02-11, quick_test_decision)" in shown
    assert "nothing: waiting for Menzis (coordinating_insurer): approve_quick_test" in shown
    assert "reject_quick_test, extend_deadline" in shown
    early = run.invoke(app, ["plan", "show", "P1", "--at", "2027-01-13T12:00:00+01:00"]).output
    assert "nothing to do for any organisation: 2027-01-13T12:00:00+01:00 lies before the " \
        "plan's last event (2027-01-14T09:00:00+01:00)" in early
    listed = run.invoke(app, ["todo", "--org", "Menzis", "--at", late])
    assert listed.exit_code == 0
    assert "OVERDUE" in listed.output and "Decide on the quick test (A4 §1.5.1)" in listed.output
    none = run.invoke(app, ["todo", "--org", "Huisartsen Twente", "--at", late])
    assert none.output.strip() == "nothing to do for Huisartsen Twente"


def test_help_explains_every_command() -> None:
    """`--help` lists the commands with a sentence each."""
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for name in ("init", "plan", "tick", "demo", "modelplan", "definition"):
        assert name in result.output

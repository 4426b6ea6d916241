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


def test_show_lists_deadlines_with_days_left_and_next_steps(run: CliRunner) -> None:
    """`plan show --json` gives open deadlines with days left and each role's next steps."""
    for argv in (
        ["plan", "fire", "P1", "agree_character", *INSURER, "--payload",
         '{"character": "innovation"}', "--at", "2027-01-12T09:00:00+01:00"],
        ["plan", "fire", "P1", "submit_quick_test", *MAKER, "--at", "2027-01-13T09:00:00+01:00"],
        ["plan", "fire", "P1", "accept_quick_test_as_complete", *INSURER, "--at",
         "2027-01-14T09:00:00+01:00"],
    ):
        assert run.invoke(app, argv).exit_code == 0
    data = json.loads(run.invoke(app, ["plan", "show", "P1", "--json", "--at",
                                       "2027-02-01T12:00:00+01:00"]).stdout)
    assert data["open_deadlines"] == [{"name": "quick_test_decision", "due": "2027-02-11",
                                       "days_left": 10,
                                       "started_at": "2027-01-14T09:00:00+01:00"}]
    steps = {role: [s["trigger"] for s in steps] for role, steps in data["next_steps"].items()}
    assert "approve_quick_test" in steps["coordinating_insurer"]
    assert "approve_quick_test" not in steps["plan_maker"]
    listed = json.loads(run.invoke(app, ["plan", "list", "--json"]).stdout)
    assert [p["plan_id"] for p in listed] == ["P1"]


def test_help_explains_every_command() -> None:
    """`--help` lists the commands with a sentence each."""
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for name in ("init", "plan", "tick", "demo", "modelplan", "definition"):
        assert name in result.output

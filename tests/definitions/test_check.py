"""`azwa definition check`: the search over a definition's configurations finds the faults
of deliberately broken definitions, with the trace that shows them, and none in the real
ones."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import states
from tests.definitions import broken
from workflow.audit.statespace import check
from workflow.cli.main import app

BOUND = 4500
"""Enough for every transition of either version to fire (three profiles, 1500 each);
about ten seconds each."""


def test_transformation_v1_has_no_counterexample_and_fires_every_transition() -> None:
    """Given transformation@1, when checked, then no property fails and every transition
    fires somewhere in the explored space."""
    result = check(states.get("transformation@1"), limit=BOUND)
    assert result.findings == []
    assert result.unreached == []
    assert result.configurations >= BOUND


def test_a_dead_end_gives_the_trace_to_it() -> None:
    """Given a state nothing leaves, then `reaches_final` fails with the path there."""
    result = check(broken.with_dead_end(), limit=500)
    found = [f for f in result.findings if f.prop == "reaches_final"]
    assert found, result.findings
    assert "on_hold" in found[0].message
    assert found[0].trace[0].startswith("register_plan by plan_maker")
    assert found[0].trace[-1].startswith("put_on_hold by coordinating_insurer")


def test_a_deadline_that_can_expire_twice_gives_the_trace() -> None:
    """Given an extension that reopens an expired deadline, then `deadline_closed_once`
    fails with the shortest trace: the quick-test decision expires, is extended (reopened),
    and closes again (expires once more, or is cancelled by a final state)."""
    result = check(broken.with_deadline_expiring_twice(), limit=600)
    found = [f for f in result.findings if f.prop == "deadline_closed_once"]
    assert found and found[0].message.startswith(
        "deadline quick_test_decision closed 2 times in one run")
    trace = found[0].trace
    assert [s.split(" ")[0] for s in trace[:6]] == [
        "register_plan", "agree_character", "submit_quick_test",
        "accept_quick_test_as_complete", "time", "extend_deadline"]
    assert trace[4].endswith(": quick_test_decision expires") and len(trace) == 7
    assert check(broken.V1, limit=600).findings == []


def test_a_trigger_for_a_role_that_does_not_exist_is_reported() -> None:
    """Given a transition only an undeclared role may fire, then `fireable` names it."""
    result = check(broken.with_trigger_for_nobody(), limit=200)
    assert [f.message for f in result.findings if f.prop == "fireable"] == [
        "hold_start_meeting from intent: no role of the definition may fire it (chair)"]


def test_cli_reports_configurations_time_and_exit_status() -> None:
    """The command prints what it explored and how long it took; --json for scripts."""
    out = CliRunner().invoke(app, ["definition", "check", "transformation@1", "--json",
                                   "--limit", "300"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["definition"] == "transformation@1" and data["configurations"] >= 300
    assert data["counterexample"] is False and data["seconds"] > 0
    text = CliRunner().invoke(app, ["definition", "check", "transformation@1",
                                    "--limit", "100"])
    assert text.exit_code == 0 and "configurations" in text.output


@pytest.mark.parametrize("ref", ["transformation@0", "nonsense"])
def test_cli_refuses_an_unknown_definition(ref: str) -> None:
    out = CliRunner().invoke(app, ["definition", "check", ref])
    assert out.exit_code == 2 and "unknown process definition" in out.output


def test_transformation_v2_has_no_counterexample_and_fires_every_transition() -> None:
    """Given transformation@2, when checked to the bound, then no property fails and every
    transition (the breakthrough track's single-applicant grant, the regional coordinator,
    settlement after a no-go) fires somewhere."""
    result = check(states.get("transformation@2"), limit=BOUND)
    assert result.findings == []
    assert result.unreached == []

"""Recorded logs keep replaying to their recorded result (DESIGN.md "Event log: the audit
contract"): a change to the rules that alters an old plan's outcome fails here.

The logs and their results were written once by `tests/replay/record.py` and are fixed data.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

import states
from workflow.audit import replay
from workflow.audit.logfile import read_log
from workflow.audit.replay import rebuild
from workflow.core.engine import ProcessEngine
from workflow.core.spec import Definition

from .helpers import LOGS, azwa

EXPECTED = sorted(LOGS.glob("*.expected.json"))
RUNS = [
    pytest.param(path, run, id=f"{path.name.removesuffix('.expected.json')}"
                               f"{'-now' if '--now' in run['args'] else ''}")
    for path in EXPECTED
    for run in json.loads(path.read_text(encoding="utf-8"))["runs"]
]


def recorded(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((LOGS / f"{name}.expected.json").read_text("utf-8"))
    return data


@pytest.mark.parametrize(("expected", "run"), RUNS)
def test_recorded_log_replays_to_its_recorded_result(expected: Path, run: dict[str, Any]) -> None:
    """DESIGN.md "Event log": replaying a log gives exactly the recorded state, escalation,
    breaches, violations, funds and chain verdict, with the recorded exit status."""
    # Given a recorded log and the result it gave when it was recorded
    log = LOGS / json.loads(expected.read_text(encoding="utf-8"))["log"]
    # When an auditor replays it with the recorded options
    result = azwa("replay", log, *run["args"])
    # Then the outcome is the recorded one, field by field
    assert result.exit_code == run["exit_code"], result.stderr
    assert json.loads(result.stdout) == run["result"]


def test_recorded_logs_cover_every_path() -> None:
    """A4 §1.4, §1.5, §1.7.6, §3.a.5: the recorded logs reach every final state, breach
    deadlines of each kind, climb the whole escalation ladder, and hold violations, an absent
    chain and a broken one."""
    # Given every recorded result
    plans: list[dict[str, Any]] = []
    chains: set[str] = set()
    for path in EXPECTED:
        for run in json.loads(path.read_text(encoding="utf-8"))["runs"]:
            chains.add(run["result"]["chain"])
            plans += run["result"]["plans"].values()
    # Then together they cover what an auditor meets
    assert {p["state"] for p in plans} >= {
        "closed", "lapsed", "terminated", "rejected", "withdrawn", "joint_review"}
    breaches = {b.split(":")[0] for p in plans for b in p["breaches"]}
    assert breaches >= {"quick_test_decision", "plan_submission", "plan_decision",
                        "board_meeting", "kpi"}
    rules = {v["rule"] for p in plans for v in p["violations"]}
    assert rules >= {"role_may_fire", "is_party_of_plan", "time_moves_forward",
                     "final_state_is_final", "deadline_expired_as_computed"}
    assert chains == {"ok", "absent", "broken"}
    ladder = rebuild(line.event for line in read_log(LOGS / "escalation_ladder.jsonl"))
    assert [(h["trigger"], h["to"]) for h in ladder.escalation_history] == [
        ("escalate", "bilateral"), ("escalate", "convened"), ("escalate", "board_level"),
        ("escalate", "governance"), ("request_flying_brigade", "governance"),
        ("resolve_escalation", "none")]


def _without_settle() -> Definition:
    base = states.DEFAULT
    return dataclasses.replace(
        base, transitions=tuple(t for t in base.transitions if t.trigger != "settle"))


def test_a_rule_change_that_alters_an_old_outcome_is_caught(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A4 §3.a.4: if `settle` were dropped from the rules, the recorded demo plan would no
    longer replay to its recorded refund: the comparison of the recorded result fails."""
    # Given the rules of transformation@1 changed so that settling is no longer possible
    changed = ProcessEngine(_without_settle())
    monkeypatch.setitem(replay._ENGINES, states.DEFAULT.ref, changed)
    run = recorded("closed_with_breach")["runs"][0]
    # When the recorded log is replayed under the changed rules
    result = azwa("replay", LOGS / "closed_with_breach.jsonl", "--json")
    # Then the outcome differs from the recorded one: a violation and no refund
    assert result.exit_code == 1
    outcome = json.loads(result.stdout)
    assert outcome != run["result"]
    plan = outcome["plans"]["TW-2027-001"]
    assert plan["funds"]["refund_eur"] == 0
    assert [v["trigger"] for v in plan["violations"]] == ["settle"]


def test_unchanged_rules_replay_the_same_log_to_the_same_result() -> None:
    """DESIGN.md "Event log": the allowed case of the test above — the rules as they are give
    the recorded outcome of the demo plan, refund included (A4 §3.a.4)."""
    # Given the recorded demo log and its result
    run = recorded("closed_with_breach")["runs"][0]
    # When it is replayed under the rules in force
    result = azwa("replay", LOGS / "closed_with_breach.jsonl", "--json")
    # Then nothing differs
    assert result.exit_code == 0
    assert json.loads(result.stdout) == run["result"]
    assert run["result"]["plans"]["TW-2027-001"]["funds"]["refund_eur"] == 20000

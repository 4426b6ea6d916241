"""`azwa replay`: each event re-checked as if fired live (DESIGN.md "Auditor interface").

Logs here are the recorded ones, changed for each case; `reseal` chains a changed log again
so that only the rules, not the hash chain, can object.
"""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from workflow.core.clock import FakeClock
from workflow.core.timecalc import format_at, parse_at
from workflow.service import demo
from workflow.service.api import Engine

from .helpers import LOGS, azwa, load, replay_events, reseal, unchained, write_log

DEMO = "TW-2027-001"


def demo_log() -> list[dict[str, Any]]:
    return load("closed_with_breach")


def index_of(events: list[dict[str, Any]], trigger: str, nth: int = 0) -> int:
    return [i for i, e in enumerate(events) if e["trigger"] == trigger][nth]


def outcome(events: list[dict[str, Any]], now: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = replay_events(events, now).to_dict()
    return data


# -- plans in any order ---------------------------------------------------------------------------


@pytest.mark.parametrize("order", ["by plan", "plans reversed", "round robin"])
def test_plans_may_come_in_any_order(order: str) -> None:
    """DESIGN.md "Auditor interface": a log of several plans replays the same whatever the
    order of the plans, as long as each plan's events keep their seq order."""
    # Given the three interleaved plans, regrouped
    events = load("three_plans_interleaved")
    plans = list(dict.fromkeys(e["plan_id"] for e in events))
    by_plan = {p: [e for e in events if e["plan_id"] == p] for p in plans}
    if order == "by plan":
        regrouped = [e for p in plans for e in by_plan[p]]
    elif order == "plans reversed":
        regrouped = [e for p in reversed(plans) for e in by_plan[p]]
    else:
        regrouped = [by_plan[p][i] for i in range(30) for p in plans if i < len(by_plan[p])]
    # When both orders are replayed
    original, changed = outcome(events), outcome(regrouped)
    # Then every plan has the same outcome and the chain holds
    assert changed["chain"] == "ok"
    assert changed["plans"] == original["plans"]
    assert {p["state"] for p in changed["plans"].values()} == {"rejected", "withdrawn"}


# -- deadline_expired events --------------------------------------------------------------------


def test_deadline_expired_that_agrees_with_the_rules_is_accepted() -> None:
    """A4 §1.5.1: the quick-test decision deadline expired at the first instant after its due
    day, as the log says: accepted, one breach, no violation."""
    # Given the demo log with its own deadline_expired event
    events = demo_log()
    expired = events[index_of(events, "deadline_expired")]
    assert expired["at"] == "2027-03-13T00:00:00+01:00"
    # When it is replayed
    result = outcome(events)
    # Then the expiry is accepted as computed
    plan = result["plans"][DEMO]
    assert plan["violations"] == []
    assert plan["breaches"] == ["quick_test_decision"]


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ({"at": "2027-03-14T00:00:00+01:00"}, "deadline_expired_as_computed"),
        ({"payload": {"deadline": "plan_decision", "due": "2027-03-12"}},
         "deadline_expired_as_computed"),
        ({"payload": {"deadline": "quick_test_decision", "due": "2027-03-13"}},
         "deadline_expired_as_computed"),
        ({"actor": {"role": "plan_maker", "org": "Huisartsen Twente", "region": "Twente"}},
         "role_may_fire"),
    ],
    ids=["a day late", "another deadline", "another due day", "not the system"],
)
def test_deadline_expired_that_disagrees_is_a_violation(change: dict[str, Any], rule: str) -> None:
    """A4 §1.5: a deadline_expired event that does not agree with the computed expiry is a
    violation; the breach is still computed from the rules and reported."""
    # Given the demo log whose expiry event was changed (and the chain sealed again)
    events = demo_log()
    i = index_of(events, "deadline_expired")
    events[i] = {**events[i], **change}
    # When it is replayed
    result = outcome(reseal(events))
    # Then that event is a violation, and the rules still find the breach
    plan = result["plans"][DEMO]
    assert [(v["trigger"], v["rule"]) for v in plan["violations"]] == [
        ("deadline_expired", rule)]
    assert plan["violations"][0]["seed"] == ("A4 §1.5")
    assert plan["breaches"] == ["quick_test_decision"]
    assert plan["state"] == "closed"


def test_a_log_without_expiry_events_gets_its_breaches_computed() -> None:
    """A4 §1.5.1, DESIGN.md "Event log": another system's log carries no deadline_expired
    events and no hashes; replay computes the expiry itself and reports the breach."""
    # Given the demo log as another system would write it
    events = [e for e in unchained(demo_log()) if e["trigger"] != "deadline_expired"]
    for n, e in enumerate(events, start=1):
        e["seq"] = n
    # When it is replayed
    result = outcome(events)
    # Then the breach is there, nothing is a violation, and the chain is absent, not broken
    plan = result["plans"][DEMO]
    assert plan["breaches"] == ["quick_test_decision"]
    assert plan["violations"] == []
    assert plan["definition"] == "transformation@1"
    assert result["chain"] == "absent"


def test_deadlines_expiring_at_the_same_instant_are_both_accepted() -> None:
    """A4 §1.7.4: two KPIs due the same day expire together; the log's two deadline_expired
    events, in whichever order the service wrote them, are both accepted."""
    # Given a contracted demo plan whose two KPIs fall due on one day, listed k2 first
    engine = Engine("sqlite://", FakeClock(demo.START))
    _contract_due_together(engine)
    stored = engine.state(DEMO)
    events = [e.to_dict() for e in engine.history(DEMO)]
    assert [e["payload"].get("deadline") for e in events[-2:]] == ["kpi:k1", "kpi:k2"]
    # When the log is replayed
    result = outcome(events)
    # Then both expiries agree with the rules and the breaches are the stored ones
    plan = result["plans"][DEMO]
    assert plan["violations"] == []
    assert result["chain"] == "ok"
    assert plan["breaches"] == stored.breaches == ["quick_test_decision", "kpi:k1", "kpi:k2"]


def _contract_due_together(engine: Engine) -> None:
    """The demo plan up to its payment decision, both KPIs due on 30 September 2027, then
    the deadline clock run on 2 October."""
    for step, at in demo.moments():
        if step.trigger == "sign_contract":
            assert step.actor is not None
            kpis = copy.deepcopy(demo.CONTRACT["kpis"])
            for k in kpis:
                k["due"] = "2027-09-30"
            engine.fire(DEMO, "sign_contract", step.actor, {"kpis": kpis[::-1]}, at=at)
            engine.fire(DEMO, "issue_payment_decision", demo.NZA, at=at + timedelta(days=1))
            break
        if step.actor is None:
            engine.tick(at)
        elif step.trigger == "register_plan":
            engine.register(DEMO, step.actor, step.payload, at=at)
        else:
            engine.fire(DEMO, step.trigger, step.actor, step.payload, at=at)
    engine.tick(parse_at("2027-10-02T09:00:00+02:00"))


def test_same_instant_expiries_are_accepted_in_either_order() -> None:
    """A4 §1.7.4: a log whose writer recorded two KPI deadlines due together in the other
    order (k2 before k1) is accepted as well, and its breaches keep the log's order."""
    # Given the log of two KPIs expiring together, their two expiry events swapped
    engine = Engine("sqlite://", FakeClock(demo.START))
    _contract_due_together(engine)
    events = [e.to_dict() for e in engine.history(DEMO)]
    events[-2], events[-1] = events[-1], events[-2]
    # When it is replayed (sealed again, as its writer would have)
    result = outcome(reseal(events))
    # Then both are accepted, in the log's order
    plan = result["plans"][DEMO]
    assert plan["violations"] == []
    assert plan["breaches"] == ["quick_test_decision", "kpi:k2", "kpi:k1"]


# -- --now ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "breaches"),
    [("2027-07-29T23:59:00+02:00", []), ("2027-07-30T00:00:00+02:00", []),
     ("2027-07-31T00:00:00+02:00", ["plan_decision"])],
    ids=["before the due day ends", "on the due day", "after the due day"],
)
def test_now_adds_breaches_of_deadlines_still_unmet(now: str, breaches: list[str]) -> None:
    """A4 §1.5.3: with --now, the plan decision deadline still unmet at that time is a breach
    once its due day (8 weeks after acceptance) has ended, not before."""
    # Given a plan left in joint review; its decision deadline is due on 2027-07-30
    events = load("open_deadline")
    # When it is replayed with --now at, on and after the due day
    result = outcome(events, now)
    # Then only the moment after the due day adds the breach
    assert result["plans"]["OP-2027-007"]["breaches"] == breaches


# -- definitions ----------------------------------------------------------------------------------


def test_a_log_without_definition_uses_the_one_in_force(tmp_path: Path) -> None:
    """DESIGN.md "Event log": without `definition` a plan replays under the version in force
    on the date of its register_plan event; before any version was in force it cannot."""
    # Given the lapsed plan without definitions, and the same plan registered in 2024
    events = unchained(load("lapsed"))
    early = copy.deepcopy(events)
    early[0]["at"] = "2024-06-01T09:00:00+02:00"
    # When both are replayed
    ok = azwa("replay", write_log(tmp_path / "ok.jsonl", events), "--json")
    bad = azwa("replay", write_log(tmp_path / "early.jsonl", early), "--json")
    # Then the first is replayed under transformation@1; the second cannot be replayed
    assert ok.exit_code == 0
    assert json.loads(ok.stdout)["plans"]["LP-2027-002"]["definition"] == "transformation@1"
    assert bad.exit_code == 2
    assert "line 1" in bad.stderr and "no version of 'transformation' in force" in bad.stderr


# -- refused events -------------------------------------------------------------------------------


def test_a_refused_event_is_reported_and_skipped() -> None:
    """A4 §1.5.3: a plan maker approving its own plan is refused (role); replay reports the
    rule and seed paragraph, skips the event and goes on to close the plan."""
    # Given the demo log with a plan maker's approve_plan put in before the real one
    events = demo_log()
    i = index_of(events, "approve_plan")
    events.insert(i, {**events[i], "actor": demo.MAKER.to_dict()})
    # When it is replayed
    result = outcome(reseal(events))
    # Then one violation names the rule and seed, and the plan still closes
    plan = result["plans"][DEMO]
    assert [(v["seq"], v["rule"], v["seed"]) for v in plan["violations"]] == [
        (i + 1, "role_may_fire", "A4 §1.5.3")]
    assert plan["state"] == "closed"
    assert result["chain"] == "ok"


def test_an_event_earlier_than_the_one_before_is_a_violation() -> None:
    """DESIGN.md "Auditor interface": time moves only forward; an event dated before the
    event logged before it is refused (rule time_moves_forward) and skipped."""
    # Given the demo log with one cost record dated a year back
    events = demo_log()
    i = index_of(events, "record_costs", 1)
    back = parse_at(events[i]["at"]) - timedelta(days=365)
    events[i] = {**events[i], "at": format_at(back)}
    # When it is replayed
    result = outcome(reseal(events))
    # Then it is a violation and its costs are not counted
    plan = result["plans"][DEMO]
    assert [v["rule"] for v in plan["violations"]] == ["time_moves_forward"]
    assert plan["funds"]["costs_eur"] == 100000


def test_an_event_at_the_same_moment_as_the_one_before_is_allowed() -> None:
    """DESIGN.md "Auditor interface": the allowed case of the rule above — an event at the
    very moment of the one before it is not earlier, so it is accepted."""
    # Given the demo log with the second cost record at the moment of the event before it
    events = demo_log()
    i = index_of(events, "record_costs", 1)
    events[i] = {**events[i], "at": events[i - 1]["at"]}
    # When it is replayed
    result = outcome(reseal(events))
    # Then nothing is refused
    assert result["plans"][DEMO]["violations"] == []
    assert result["plans"][DEMO]["funds"]["costs_eur"] == 180000


def test_a_second_registration_of_a_plan_is_a_violation() -> None:
    """A4 §1.a.2: a plan is registered once; a second register_plan is refused."""
    # Given the lapsed plan's log with its registration repeated
    events = load("lapsed")
    events.insert(1, {**events[0], "at": events[1]["at"]})
    # When it is replayed
    result = outcome(reseal(events))
    # Then the repeat is a violation and the plan lapses as before
    plan = result["plans"]["LP-2027-002"]
    assert [(v["seq"], v["rule"]) for v in plan["violations"]] == [(2, "is_new_plan")]
    assert plan["state"] == "lapsed"


# -- sequence numbers -----------------------------------------------------------------------------


def test_a_gap_in_seq_is_a_violation_and_the_next_event_still_counts() -> None:
    """DESIGN.md "Event log": events of a plan are numbered 1..n; a missing number means a
    lost event, reported; the event after the gap is still checked and applied."""
    # Given another system's demo log with the first cost record left out
    events = unchained(demo_log())
    del events[index_of(events, "record_costs")]
    # When it is replayed
    result = outcome(events)
    # Then the gap is reported and the rest of the plan is replayed
    plan = result["plans"][DEMO]
    assert [(v["rule"], v["seq"]) for v in plan["violations"]] == [("seq_follows_on", 31)]
    assert "seq 30 missing" in plan["violations"][0]["reason"]
    assert plan["state"] == "closed"
    assert plan["funds"]["costs_eur"] == 80000


def test_a_repeated_event_is_a_violation_and_is_skipped() -> None:
    """DESIGN.md "Event log": an event logged twice (same seq) is not applied twice: the
    repeat is a violation and the costs count once (A4 §3.a.1)."""
    # Given another system's demo log with a cost record repeated
    events = unchained(demo_log())
    i = index_of(events, "record_costs")
    events.insert(i + 1, dict(events[i]))
    # When it is replayed
    result = outcome(events)
    # Then the repeat is refused and the costs are counted once
    plan = result["plans"][DEMO]
    assert [v["rule"] for v in plan["violations"]] == ["seq_in_order"]
    assert plan["funds"]["costs_eur"] == 180000


# -- the hash chain -------------------------------------------------------------------------------


def test_one_event_without_hash_in_a_hashed_log_breaks_the_chain() -> None:
    """DESIGN.md "Event log": a chain is absent only when no event carries a hash; one event
    stripped of its hash in a hashed log is a break at that event."""
    # Given the lapsed log with the hash fields of its third event removed
    events = load("lapsed")
    events[2] = {k: v for k, v in events[2].items() if k not in ("hash", "prev_hash")}
    # When it is replayed
    result = outcome(events)
    # Then the chain is broken at seq 3 (and at the event that follows it)
    assert result["chain"] == "broken"
    assert [b["seq"] for b in result["chain_breaks"]] == [3, 4]


# -- the command line -----------------------------------------------------------------------------


def test_exit_status_and_readable_report(tmp_path: Path) -> None:
    """DESIGN.md "Auditor interface": exit 0 with no violations and the chain not broken, 1
    with violations; without --json a readable report per plan names each violation."""
    # Given a clean log and one with violations
    clean, dirty = LOGS / "lapsed.jsonl", LOGS / "foreign_violations.jsonl"
    # When both are replayed without --json
    good, bad = azwa("replay", clean), azwa("replay", dirty)
    # Then the exit status tells them apart and the report shows plans and violations
    assert good.exit_code == 0
    assert "LP-2027-002" in good.stdout and "lapsed" in good.stdout
    assert "hash chain ok" in good.stdout
    assert bad.exit_code == 1
    assert "role_may_fire" in bad.stdout and "A4 §1.5.3" in bad.stdout
    assert "time_moves_forward" in bad.stdout
    assert "NOT OK" in bad.stdout


def test_replay_reads_standard_input() -> None:
    """DESIGN.md "Auditor interface": `-` reads the log from standard input."""
    # Given the lapsed log on standard input
    from typer.testing import CliRunner

    from .helpers import app

    text = (LOGS / "lapsed.jsonl").read_text(encoding="utf-8")
    # When it is replayed from `-`
    result = CliRunner().invoke(app, ["replay", "-", "--json"], input=text)
    # Then it gives the same result as the file
    assert result.exit_code == 0
    assert json.loads(result.stdout)["plans"]["LP-2027-002"]["state"] == "lapsed"

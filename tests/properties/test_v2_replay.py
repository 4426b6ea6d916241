"""transformation@2 under random commands at random times: replay equals the live plan.

Hypothesis interleaves the demo's steps (as @2 wants them) with random triggers by the plan's
actors and strangers, random gaps (minutes to months, so decision clocks expire, acceptances
come late and aims are missed) and clock ticks, on the real engine. The events then replay to
exactly the plan the engine left (STYLE.md "tests/properties"), and the invariants of
DESIGN-v2.md hold: a missed aim is never a breach, nothing leaves a final state.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import states
from workflow.audit.replay import rebuild
from workflow.core.engine import Command, ProcessEngine
from workflow.core.errors import Refused
from workflow.core.events import Event
from workflow.core.spec import Actor
from workflow.core.timecalc import parse_at
from workflow.service import demo

DEFINITION = states.get("transformation@2")
ENGINE = ProcessEngine(DEFINITION)
LATER_CONTRACT = {"kpis": [{**k, "due": f"2030-0{6 + i}-30"}
                          for i, k in enumerate(demo.CONTRACT["kpis"])]}
"""The demo's contract with due days past any run's drift, so runs get into implementation."""
STEPS = tuple(replace(s, payload=LATER_CONTRACT) if s.trigger == "sign_contract" else s
              for s in demo.for_definition(DEFINITION.ref, demo.STEPS))
TRIGGERS = tuple(t for t in DEFINITION.triggers() if t != "register_plan")
ACTORS = (demo.MAKER, demo.HOSPITAL, demo.INSURER, demo.SECOND, demo.ENSCHEDE, demo.NZA,
          Actor("care_office", "Zorgkantoor Twente", "Twente"),
          Actor("coordinating_insurer", "ONVZ"))
PAYLOADS: tuple[dict[str, Any], ...] = (
    {}, {"reason": "Besproken"}, {"kpi": "k1"}, {"kpi": "k2"},
    {"kpi": "k1", "evidence": "Rapport"}, {"issue": "Knelpunt", "contact": "J. de Vries"},
    {"question": "Waar?"}, {"verdict": "negative"}, {"contact": "Bestuurder"},
    {"deadline": "plan_submission", "until": "2028-12-31", "reason": "Later"},
    {"kind": "care_office"}, {"verdict": "lawful"}, {"repayment_terms": "In termijnen"},
)
GAPS = st.one_of(st.integers(0, 600).map(lambda m: timedelta(minutes=m)),
                 st.integers(1, 40).map(lambda d: timedelta(days=d)),
                 st.integers(1, 5).map(lambda m: timedelta(days=30 * m)))
SHORT = st.integers(0, 12 * 60).map(lambda m: timedelta(minutes=m))
OPERATIONS = st.lists(st.one_of(
    *[st.tuples(st.just("step"), SHORT)] * 6,
    st.tuples(st.just("step"), st.integers(1, 20).map(lambda d: timedelta(days=d))),
    st.tuples(st.just("random"), GAPS, st.sampled_from(TRIGGERS), st.sampled_from(ACTORS),
              st.sampled_from(PAYLOADS)),
    st.tuples(st.just("tick"), GAPS),
), min_size=60, max_size=100)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(OPERATIONS)
def test_v2_replay_equals_the_live_plan(operations: list[tuple[Any, ...]]) -> None:
    """Given a @2 plan driven by random operations, when its events are replayed, then the
    rebuilt plan equals the live one; missed aims and breaches never share a deadline; a final
    state stays final."""
    at = parse_at(demo.START)
    outcome = ENGINE.register("TW-P", demo.MAKER, copy.deepcopy(demo.REGISTRATION), at)
    plan, events = outcome.plan, list(outcome.events)
    step = 1
    final_seen: str | None = None
    for op in operations:
        at = at + op[1]
        if op[0] == "tick":
            events += ENGINE.expire(plan, at)
            continue
        if op[0] == "step":
            if step >= len(STEPS) or STEPS[step].actor is None:
                step += 1
                continue
            trigger, actor, payload = STEPS[step].trigger, STEPS[step].actor, STEPS[step].payload
            step += 1
        else:
            trigger, actor, payload = op[2], op[3], op[4]
        assert actor is not None
        before = plan.to_dict()
        try:
            fired: list[Event] = ENGINE.apply(plan, Command(trigger, actor,
                                                           copy.deepcopy(payload), at)).events
        except Refused:
            assert plan.to_dict() == before
            continue
        events += fired
        if final_seen is not None:
            raise AssertionError(f"{trigger} accepted after the final state {final_seen}")
        if plan.state in DEFINITION.finals:
            final_seen = plan.state
    replayed = rebuild(events)
    assert replayed.to_dict() == plan.to_dict()
    assert not set(plan.missed_aims) & set(plan.breaches)
    event(f"ended in {plan.state}")
    assert all(d.status in ("open", "met", "expired", "cancelled")
               for d in plan.deadlines.values())

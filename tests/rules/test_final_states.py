"""Final states are final (DESIGN.md "Main lifecycle"); withdrawal only before the contract."""

from __future__ import annotations

import pytest

from workflow.core.clock import FakeClock
from workflow.core.errors import Refused
from workflow.service.api import Engine

from .builders import DEFINITION, MAKER, MEMBER, T0, into_service, local, plan_in, registration
from .test_roles import TABLE

FINALS = ["closed", "rejected", "withdrawn", "lapsed", "terminated"]
"""The final states of DESIGN.md "Main lifecycle"."""

FIRST_ROW = {r.trigger: r for r in reversed(TABLE)}
TRIGGERS = [t for t in DEFINITION.triggers() if t != "register_plan"]


def test_finals__are_the_final_states_of_the_design() -> None:
    """DESIGN.md "Main lifecycle": closed, rejected, withdrawn, lapsed, terminated are final.

    Given the definition, when its final states are listed, then they are these five.
    """
    assert set(DEFINITION.finals) == set(FINALS)


@pytest.mark.parametrize("trigger", TRIGGERS)
@pytest.mark.parametrize("final", FINALS)
def test_final_state_is_final__every_trigger_refused(final: str, trigger: str) -> None:
    """Rule final_state_is_final (DESIGN.md "Main lifecycle": final states; nothing happens
    after them).

    Given a plan in a final state, when a trigger of the definition is fired by a role that
    could fire it elsewhere, with the payload it would need, then it is refused by
    final_state_is_final and the plan, its events and deadlines are unchanged.
    """
    run = plan_in(final)
    row = FIRST_ROW[trigger]
    actor = MEMBER[sorted(row.roles)[0]]
    run.refuse(trigger, actor, row.payload, rule="final_state_is_final", seed="azwa")
    assert run.state == final


@pytest.mark.parametrize("final", FINALS)
def test_final_state__no_deadline_runs_on(final: str) -> None:
    """DESIGN.md "Escalation": a final state cancels running deadlines.

    Given a plan in a final state, when time runs years ahead, then no deadline expires.
    """
    run = plan_in(final)
    assert run.expire(local(2030, 1, 1)) == []
    assert not [d for d in run.plan.deadlines.values() if d.is_open]


def test_final_state_is_final__the_plan_id_cannot_be_registered_again(sqlite_url: str) -> None:
    """Rule unique_plan_id (A4 §1.a.2; DESIGN.md "Main lifecycle": withdrawn is final).

    Given a withdrawn plan stored by the service, when its plan makers register the same plan
    id again, then it is refused and the stored plan stays withdrawn.
    """
    engine = Engine(sqlite_url, FakeClock(T0))
    plan_id = into_service(engine, plan_in("withdrawn"))
    with pytest.raises(Refused) as info:
        engine.register(plan_id, MAKER, registration(), at=local(2027, 2, 1))
    assert (info.value.rule, info.value.seed) == ("unique_plan_id", "A4 §1.a.2")
    assert engine.state(plan_id).state == "withdrawn"


BEFORE_CONTRACT = ["intent", "start_meeting_held", "quick_test_submitted",
                   "quick_test_incomplete", "quick_test_under_review", "plan_in_preparation",
                   "plan_submitted", "plan_incomplete", "joint_review", "approved"]


@pytest.mark.parametrize("state", BEFORE_CONTRACT)
def test_withdraw__allowed_before_the_contract(state: str) -> None:
    """withdraw (DESIGN.md "Main lifecycle": by the plan maker, before contracted).

    Given a plan that is not yet contracted, when the plan maker withdraws it, then the plan
    is withdrawn and no deadline is left running.
    """
    run = plan_in(state)
    run.fire("withdraw", MAKER, {"reason": "Partijen stoppen"})
    assert run.state == "withdrawn"
    assert not [d for d in run.plan.deadlines.values() if d.is_open]


@pytest.mark.parametrize("state", ["contracted", "in_implementation", "accountability"])
def test_withdraw__refused_once_contracted(state: str) -> None:
    """Rule allowed_in_state (DESIGN.md "Main lifecycle": withdraw before contracted).

    Given a contracted plan, or one in implementation or accountability, when the plan maker
    withdraws, then it is refused and nothing changes.
    """
    run = plan_in(state)
    run.refuse("withdraw", MAKER, {"reason": "Partijen stoppen"}, rule="allowed_in_state",
               seed="A4 §1.a.2")
    assert run.state == state


def test_withdraw__allowed_without_a_reason() -> None:
    """Rule withdraw before contracted (DESIGN.md payloads: withdraw carries no required
    reason).

    Given a plan in preparation, when the plan maker withdraws with an empty payload, then
    the plan is withdrawn.
    """
    run = plan_in("plan_in_preparation")
    run.fire("withdraw", MAKER, {})
    assert run.state == "withdrawn"

"""The escalation ladder beside the main lifecycle (A4 §1.4; DESIGN.md "Escalation")."""

from __future__ import annotations

from datetime import date

import pytest

from workflow.core.spec import Actor

from .builders import (
    BOARD,
    ENSCHEDE,
    HENGELO,
    INSURER,
    MAKER,
    SECOND,
    escalated_to,
    local,
    plan_in,
)

OPEN_SEED = "A4 §1.4.1"
STEP1 = {"issue": "Geen overeenstemming over de inzet van personeel", "contact": "J. de Vries"}
ISSUE = {"issue": "Nog steeds geen oplossing"}
OPEN_RULE = "escalation_only_while_worked_out_or_carried_out"


# -- when escalation is open (A4 §1.4.1) -----------------------------------------------------------

WORKED_OUT_OR_CARRIED_OUT = ["plan_in_preparation", "plan_submitted", "plan_incomplete",
                             "joint_review", "approved", "contracted", "in_implementation"]
NOT_OPEN = ["intent", "start_meeting_held", "quick_test_submitted", "quick_test_incomplete",
            "quick_test_under_review", "accountability"]


@pytest.mark.parametrize("state", NOT_OPEN)
def test_escalation_open__refused_outside_working_out_and_carrying_out(state: str) -> None:
    """Rule escalation_only_while_worked_out_or_carried_out (A4 §1.4.1: problems in the
    "uitwerking of implementatie" of the plans).

    Given a plan in the quick test or in accountability, when the plan maker escalates, then
    it is refused and the escalation stays none.
    """
    run = plan_in(state)
    run.refuse("escalate", MAKER, STEP1, rule=OPEN_RULE, seed=OPEN_SEED)
    assert run.escalation == "none"


@pytest.mark.parametrize("state", WORKED_OUT_OR_CARRIED_OUT)
def test_escalation_open__allowed_from_preparation_through_implementation(state: str) -> None:
    """Rule escalation_only_while_worked_out_or_carried_out (A4 §1.4.1).

    Given a plan from plan_in_preparation through in_implementation, when the plan maker
    escalates with an issue and a contact, then the escalation is bilateral and the main
    state is unchanged.
    """
    run = plan_in(state)
    run.fire("escalate", MAKER, STEP1)
    assert (run.state, run.escalation) == (state, "bilateral")


# -- step 1 (A4 §1.4.1) ----------------------------------------------------------------------------


@pytest.mark.parametrize("actor", [MAKER, INSURER, SECOND, ENSCHEDE],
                         ids=["plan_maker", "coordinating_insurer", "second_insurer",
                              "participating_municipality"])
def test_escalate_step1__allowed_for_any_party(actor: Actor) -> None:
    """Escalation step 1 by any party of the plan (A4 §1.4.1; DESIGN.md "Escalation").

    Given a plan in preparation, when a party escalates with an issue and a contact person,
    then the escalation is bilateral with the contact on the history.
    """
    run = plan_in("plan_in_preparation")
    run.fire("escalate", actor, STEP1)
    assert run.escalation == "bilateral"
    assert run.plan.escalation_history[-1]["contact"] == "J. de Vries"


def test_escalate_step1__refused_for_a_municipality_not_taking_part() -> None:
    """Escalation step 1 by a *participating* municipality only (A4 §1.4.1).

    Given a plan in which Hengelo does not participate, when Hengelo escalates, then it is
    refused.
    """
    run = plan_in("plan_in_preparation")
    run.refuse("escalate", HENGELO, STEP1, rule="is_party_of_plan")


def test_has_contact__refused_without_contact() -> None:
    """Rule has_contact (A4 §1.4.1: it must be clear who the contact person is).

    Given a plan in preparation, when the plan maker escalates without naming a contact,
    then it is refused and the escalation stays none.
    """
    run = plan_in("plan_in_preparation")
    run.refuse("escalate", MAKER, {"issue": STEP1["issue"]}, rule="has_contact",
               seed="A4 §1.4.1")
    assert run.escalation == "none"


def test_has_issue__refused_without_issue() -> None:
    """Rule has_issue (A4 §1.4.1: escalation is about a problem).

    Given a plan in preparation, when the plan maker escalates with a blank problem, then it
    is refused (without the `issue` field at all, by the payload schema).
    """
    run = plan_in("plan_in_preparation")
    run.refuse("escalate", MAKER, {"issue": " ", "contact": "J. de Vries"}, rule="has_issue",
               seed="A4 §1.4.1")
    run.refuse("escalate", MAKER, {"contact": "J. de Vries"}, rule="payload_matches_schema",
               seed="A4 §1.4.1")


# -- steps 2 and 3 (A4 §1.4.2, §1.4.3) -------------------------------------------------------------


@pytest.mark.parametrize(("step", "seed"), [("bilateral", "A4 §1.4.2"),
                                            ("convened", "A4 §1.4.3")])
@pytest.mark.parametrize("actor", [MAKER, SECOND, ENSCHEDE, BOARD],
                         ids=["plan_maker", "second_insurer", "municipality", "board"])
def test_escalate_steps_2_and_3__refused_for_anyone_but_the_coordinating_insurer(
    step: str, seed: str, actor: Actor
) -> None:
    """Rule role_may_fire (A4 §1.4.2–§1.4.3: the coordinating insurer convenes the parties
    and takes the initiative at board level).

    Given an escalation at step 1 or 2, when another party escalates further, then it is
    refused and the escalation stays where it was.
    """
    run = escalated_to(step)
    run.refuse("escalate", actor, ISSUE, rule="role_may_fire", seed=seed)
    assert run.escalation == step


def test_escalate__one_step_at_a_time_by_the_coordinating_insurer() -> None:
    """Escalation climbs one step at a time (DESIGN.md "Escalation"; A4 §1.4.1–§1.4.3).

    Given a plan in preparation, when the coordinating insurer escalates three times, then
    the escalation goes bilateral, convened, board_level in turn.
    """
    run = plan_in("plan_in_preparation")
    steps = []
    for payload in (STEP1, ISSUE, ISSUE):
        run.fire("escalate", INSURER, payload)
        steps.append(run.escalation)
    assert steps == ["bilateral", "convened", "board_level"]


def test_board_meeting__starts_at_step_3_for_2_weeks() -> None:
    """DESIGN.md "Deadlines": board_meeting starts when the escalation reaches step 3 and
    runs 2 weeks (A4 §1.4.3: meet at board level within two weeks).

    Given an escalation reaching board level on 11 January, then board_meeting runs until 25
    January; it did not start at steps 1 or 2.
    """
    run = escalated_to("convened")
    assert "board_meeting" not in run.plan.deadlines
    run.fire("escalate", INSURER, ISSUE)
    deadline = run.plan.deadlines["board_meeting"]
    assert (deadline.status, deadline.due) == ("open", date(2027, 1, 25))


@pytest.mark.parametrize("trigger", ["hold_board_meeting", "resolve_escalation"])
def test_board_meeting__met_by_holding_it_or_resolving(trigger: str) -> None:
    """DESIGN.md "Deadlines": board_meeting is met by hold_board_meeting or
    resolve_escalation (A4 §1.4.3).

    Given an escalation at board level, when the coordinating insurer holds the meeting or
    resolves the escalation within 2 weeks, then board_meeting is met and never breached.
    """
    run = escalated_to("board_level")
    run.fire(trigger, INSURER, at=local(2027, 1, 25, 23, 0))
    assert run.plan.deadlines["board_meeting"].status == "met"
    assert run.expire(local(2027, 3, 1)) == []
    assert "board_meeting" not in run.plan.breaches


# -- step 4 (A4 §1.4.4, §1.4.5) --------------------------------------------------------------------


@pytest.mark.parametrize("actor", [INSURER, BOARD], ids=["coordinating_insurer", "board"])
def test_escalate_step4__allowed_for_insurer_and_governance_board(actor: Actor) -> None:
    """Escalation step 4 by the coordinating insurer or the governance board (A4 §1.4.5).

    Given an escalation at board level, when the insurer or the governance board escalates,
    then the problem goes to the bestuurlijke groep.
    """
    run = escalated_to("board_level")
    run.fire("escalate", actor, ISSUE)
    assert run.escalation == "governance"


def test_is_board_meeting_expired__refused_for_a_plan_maker_within_2_weeks() -> None:
    """Rule is_board_meeting_expired (A4 §1.4.4: providers use the contact list themselves
    only when the board-level meeting did not happen within two weeks).

    Given an escalation at board level since 11 January, when the plan maker escalates to
    step 4 on 25 January, then it is refused and the escalation stays at board level.
    """
    run = escalated_to("board_level")
    run.refuse("escalate", MAKER, ISSUE, at=local(2027, 1, 25, 20),
               rule="is_board_meeting_expired", seed="A4 §1.4.4")
    assert run.escalation == "board_level"


def test_is_board_meeting_expired__allowed_for_a_plan_maker_after_2_weeks() -> None:
    """Rule is_board_meeting_expired (A4 §1.4.4).

    Given an escalation at board level since 11 January with no meeting, when the plan maker
    escalates to step 4 on 26 January, then board_meeting expires first (a breach) and the
    escalation is at governance level.
    """
    run = escalated_to("board_level")
    events = run.fire("escalate", MAKER, ISSUE, at=local(2027, 1, 26, 9))
    assert [e.trigger for e in events] == ["deadline_expired", "escalate"]
    assert run.escalation == "governance"
    assert run.plan.breaches == ["board_meeting"]


def test_is_board_meeting_expired__refused_after_the_meeting_was_held() -> None:
    """Rule is_board_meeting_expired (A4 §1.4.4: the contact list is for when the meeting
    did not happen).

    Given a board-level meeting held in time, when the plan maker escalates to step 4 a month
    later, then it is refused.
    """
    run = escalated_to("board_level")
    run.fire("hold_board_meeting", INSURER)
    run.refuse("escalate", MAKER, ISSUE, at=local(2027, 2, 20),
               rule="is_board_meeting_expired", seed="A4 §1.4.4")


# -- flying brigade, resolution --------------------------------------------------------------------


@pytest.mark.parametrize("step", ["board_level", "governance"])
@pytest.mark.parametrize("actor", [INSURER, BOARD], ids=["coordinating_insurer", "board"])
def test_request_flying_brigade__allowed_at_steps_3_and_4(step: str, actor: Actor) -> None:
    """request_flying_brigade (A4 §1.4.6: the Vliegende Brigade may help).

    Given an escalation at step 3 or 4, when the insurer or the board asks the flying brigade,
    then the request is on record and the step is unchanged.
    """
    run = escalated_to(step)
    run.fire("request_flying_brigade", actor)
    assert run.plan.facts["flying_brigade_requested"]
    assert run.escalation == step


@pytest.mark.parametrize("step", ["bilateral", "convened"])
def test_request_flying_brigade__refused_at_steps_1_and_2(step: str) -> None:
    """Rule allowed_in_state (A4 §1.4.6; DESIGN.md: at step 3 or 4).

    Given an escalation at step 1 or 2, when the insurer asks the flying brigade, then it is
    refused.
    """
    run = escalated_to(step)
    run.refuse("request_flying_brigade", INSURER, rule="allowed_in_state", seed="A4 §1.4.6")


def test_resolve_escalation__back_to_none_with_history_kept() -> None:
    """resolve_escalation (DESIGN.md "Escalation": back to none, history kept; A4 §1.4).

    Given an escalation that climbed to governance, when the governance board resolves it,
    then the escalation is none, the history has every step with who took it, and a new
    escalation starts again at step 1.
    """
    run = escalated_to("governance")
    run.fire("resolve_escalation", BOARD)
    assert run.escalation == "none"
    history = run.plan.escalation_history
    assert [(h["from"], h["to"]) for h in history] == [
        ("none", "bilateral"), ("bilateral", "convened"), ("convened", "board_level"),
        ("board_level", "governance"), ("governance", "none")]
    assert history[0]["role"] == "plan_maker" and history[-1]["role"] == "governance_board"
    run.fire("escalate", SECOND, STEP1)
    assert run.escalation == "bilateral"


@pytest.mark.parametrize("step", ["bilateral", "convened", "board_level"])
def test_resolve_escalation__refused_for_the_board_below_step_4(step: str) -> None:
    """Rule role_may_fire (DESIGN.md "Escalation": resolve by the coordinating insurer, or by
    the governance board at step 4).

    Given an escalation at steps 1–3, when the governance board resolves it, then it is
    refused; the coordinating insurer resolves it.
    """
    run = escalated_to(step)
    run.refuse("resolve_escalation", BOARD, rule="role_may_fire")
    run.fire("resolve_escalation", INSURER)
    assert run.escalation == "none"


def test_resolve_escalation__refused_when_nothing_is_escalated() -> None:
    """Rule allowed_in_state (A4 §1.4).

    Given a plan in preparation without escalation, when the insurer resolves, then it is
    refused.
    """
    run = plan_in("plan_in_preparation")
    run.refuse("resolve_escalation", INSURER, rule="allowed_in_state", seed="A4 §1.4")


# -- a final state closes the escalation -----------------------------------------------------------


def test_final_state__closes_an_open_escalation_and_cancels_running_deadlines() -> None:
    """DESIGN.md "Escalation": a final state of the plan closes an open escalation and
    cancels its running deadlines.

    Given a plan in preparation escalated to board level (board_meeting and plan_submission
    running), when the plan maker withdraws, then the plan is withdrawn, the escalation is
    none with the closing on its history, both deadlines are cancelled and never breached.
    """
    run = escalated_to("board_level")
    run.fire("withdraw", MAKER, {"reason": "Geen draagvlak meer"})
    assert (run.state, run.escalation) == ("withdrawn", "none")
    assert run.plan.escalation_history[-1]["to"] == "none"
    assert run.plan.escalation_history[-1]["from"] == "board_level"
    assert run.plan.deadlines["board_meeting"].status == "cancelled"
    assert run.plan.deadlines["plan_submission"].status == "cancelled"
    assert run.expire(local(2028, 1, 1)) == []
    assert run.plan.breaches == []


def test_final_state__terminated_during_implementation_closes_the_escalation() -> None:
    """DESIGN.md "Escalation"; A4 §1.7.6 (no-go ends the plan).

    Given a plan in implementation with an escalation at governance level, when the insurer
    decides no-go, then the plan is terminated and the escalation is none.
    """
    run = escalated_to("governance", state="in_implementation")
    run.fire("decide_no_go", INSURER, {"kpi": "k2"})
    assert (run.state, run.escalation) == ("terminated", "none")
    assert {d.status for d in run.plan.deadlines.values() if d.status == "open"} == set()


def test_escalation_closes__when_the_plan_leaves_implementation() -> None:
    """Rule escalation_only_while_worked_out_or_carried_out (A4 §1.4.1; DESIGN.md
    "Escalation": open only through in_implementation, not after).

    Given a plan in implementation whose escalation is at board level with the board meeting
    running, when the coordinating insurer completes the implementation, then the plan is in
    accountability, the escalation is closed with its history kept, and the board meeting is
    cancelled rather than left to expire as a breach.
    """
    run = escalated_to("board_level", state="in_implementation")
    for kid, kpi in run.plan.facts["kpis"].items():
        if kpi["go_no_go"]:
            run.fire("decide_go", INSURER, {"kpi": kid})
        run.fire("confirm_kpi", INSURER, {"kpi": kid})
    run.fire("complete_implementation", INSURER)
    assert (run.state, run.escalation) == ("accountability", "none")
    assert run.plan.escalation_history[-1]["from"] == "board_level"
    assert run.plan.escalation_history[-1]["to"] == "none"
    assert run.plan.deadlines["board_meeting"].status == "cancelled"
    assert run.expire(local(2031, 1, 1)) == []
    assert "board_meeting" not in run.plan.breaches


def test_escalation_stays__while_the_plan_moves_within_the_open_phase() -> None:
    """Rule escalation_only_while_worked_out_or_carried_out (A4 §1.4.1).

    Given a plan in preparation with a bilateral escalation, when the plan maker submits the
    plan, then the escalation stays open: the plan is still being worked out.
    """
    run = escalated_to("bilateral")
    run.fire("submit_plan", MAKER, {"impact": {
        "criteria": ["care_use"], "transition_goals": "Zorg dichtbij huis",
        "regional_plan": "Regioplan Twente"}})
    assert (run.state, run.escalation) == ("plan_submitted", "bilateral")

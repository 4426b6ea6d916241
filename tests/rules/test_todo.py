"""Per organisation: what the process waits for (to-dos) apart from what is merely allowed,
and why an organisation has nothing to do (states/agenda.py, workflow/core/todo.py)."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from pathlib import Path

import pytest

import states
from states import agenda
from tests.rules.builders import (
    ENGINE,
    ENSCHEDE,
    HOSPITAL,
    INSURER,
    MAKER,
    SECOND,
    Run,
    complete_joint_review,
    local,
    plan_in,
    register,
)
from workflow.core import todo
from workflow.core.plan import OPEN
from workflow.core.spec import REGISTER
from workflow.service.api import Engine


def lists(run: Run, at: datetime | None = None) -> dict[str, todo.Worklist]:
    when = run.at if at is None else at
    return {w.actor.org: w for w in todo.worklists(ENGINE, run.plan, when)}


def triggers(worklist: todo.Worklist) -> list[str]:
    return [t.trigger for t in worklist.todos]


def test_every_trigger_is_a_duty_an_alternative_or_optional() -> None:
    """The agenda of transformation@1 classifies every trigger once: awaited (a duty), a way
    to settle a duty otherwise (reject instead of approve), or merely allowed."""
    agenda = states.DEFAULT.agenda
    assert agenda is not None
    duties = {d.trigger for d in agenda.duties}
    alternatives = {t for d in agenda.duties for t in d.instead}
    assert len(duties) == len(agenda.duties)
    assert not duties & agenda.optional
    assert alternatives <= agenda.optional
    assert set(states.DEFAULT.triggers()) - {REGISTER} == duties | agenda.optional


def test_joint_review_the_coordinating_insurer_is_told_what_it_still_owes() -> None:
    """A4 §1.3, §1.3.2, §1.5.3: in the joint review the coordinating insurer's to-do is its own
    review first, then the joint feedback once both reviews are in, then the decision once
    every guard of approve_plan passes, with reject and revision as the other ways."""
    run = plan_in("joint_review")
    assert triggers(lists(run)[INSURER.org]) == ["submit_review"]
    run.fire("submit_review", INSURER, {"verdict": "positive"})
    insurer = lists(run)[INSURER.org]
    assert insurer.todos == ()
    assert insurer.idle == (
        "waiting for Huisartsen Twente (plan_maker): record_commitment; ZGT (plan_maker): "
        "record_commitment; Zilveren Kruis (second_insurer): submit_review; Gemeente Enschede "
        "(municipality): record_commitment")
    run.fire("submit_review", SECOND, {"verdict": "positive"})
    assert triggers(lists(run)[INSURER.org]) == ["share_joint_feedback"]
    run.fire("share_joint_feedback", INSURER)
    complete_joint_review(run, skip=["coordinating_review", "second_review"])
    decision = lists(run)[INSURER.org].todos
    assert [(t.trigger, t.instead, t.deadline) for t in decision] == [
        ("approve_plan", ("reject_plan", "request_revision"), "plan_decision")]
    assert "reject_plan" in lists(run)[INSURER.org].may


def test_a_reviewer_that_reviewed_may_replace_its_verdict_but_is_not_told_to() -> None:
    """A4 §1.3: a review given is no to-do any more; replacing it stays possible ("may")."""
    run = plan_in("joint_review")
    run.fire("submit_review", SECOND, {"verdict": "positive"})
    second = lists(run)[SECOND.org]
    assert "submit_review" not in triggers(second)
    assert "submit_review" in second.may


def test_each_plan_maker_and_municipality_is_told_to_commit() -> None:
    """A4 §1.b.1: every party and participating municipality commits; each is told so until
    it has, and the due date is the plan decision's."""
    run = plan_in("joint_review", social_domain=True)
    run.fire("record_commitment", MAKER)
    got = lists(run)
    assert "record_commitment" not in triggers(got[MAKER.org])
    assert "record_commitment" in triggers(got[HOSPITAL.org])
    assert "record_commitment" in triggers(got[ENSCHEDE.org])
    due = run.plan.deadlines["plan_decision"].due
    assert {t.due for t in got[HOSPITAL.org].todos} == {due}


def test_a_passed_deadline_is_overdue_before_the_clock_expired_it() -> None:
    """A4 §1.5.1: a quick-test decision due yesterday is overdue also while `tick` has not
    yet recorded the breach."""
    run = plan_in("quick_test_under_review")
    deadline = run.plan.deadlines["quick_test_decision"]
    later = local(deadline.due.year, deadline.due.month, deadline.due.day) + timedelta(days=2)
    [decision] = lists(run, later)[INSURER.org].todos
    assert deadline.status == OPEN
    assert (decision.trigger, decision.due, decision.overdue) == (
        "approve_quick_test", deadline.due, True)
    [on_time] = lists(run)[INSURER.org].todos
    assert not on_time.overdue


def test_a_final_plan_awaits_nothing() -> None:
    """A final state is final: every organisation is told the plan awaits nothing."""
    run = plan_in("quick_test_submitted")
    run.fire("withdraw", MAKER)
    for worklist in lists(run).values():
        assert (worklist.todos, worklist.may) == ((), ())
        assert worklist.idle == "the plan is withdrawn: a final state, nothing is awaited any more"


def test_a_moment_before_the_last_event_is_said_to_be_so() -> None:
    """DESIGN.md: time moves forward; asking about a moment before the plan's last event
    gives no to-dos and says why, instead of an empty list."""
    run = plan_in("quick_test_submitted")
    earlier = run.at - timedelta(days=1)
    insurer = lists(run, earlier)[INSURER.org]
    assert insurer.todos == ()
    assert insurer.idle is not None and "lies before the plan's last event" in insurer.idle


def test_a_blocked_step_says_what_it_waits_for() -> None:
    """A4 §1.a.1: a domain-transcending plan without a municipality cannot go to the quick
    test; the plan maker is told why, and so is the insurer waiting for it."""
    run = register(domain_transcending=True, municipalities=[])
    run.fire("agree_character", INSURER, {"character": "innovation"})
    got = lists(run)
    assert got[MAKER.org].todos == ()
    assert got[MAKER.org].idle is not None
    assert got[MAKER.org].idle.startswith(
        "waiting until submit_quick_test: A domain-transcending plan needs the other financiers")
    assert got[INSURER.org].idle is not None
    assert got[INSURER.org].idle.startswith(
        "waiting until Huisartsen Twente (plan_maker) may submit_quick_test: ")


def test_next_steps_answer_per_organisation(tmp_path: Path) -> None:
    """`Engine.next_steps` answers for every organisation of the plan, keyed (role, org): both
    plan makers, both insurers and the municipality, each with what it may fire now."""
    engine = Engine(f"sqlite:///{tmp_path / 'steps.db'}")
    run = plan_in("joint_review", social_domain=True)
    engine.register(run.plan.plan_id, run.commands[0][1], run.commands[0][2],
                    at=run.commands[0][3])
    for trigger, actor, payload, at in run.commands[1:]:
        engine.fire(run.plan.plan_id, trigger, actor, payload, at=at)
    engine.fire(run.plan.plan_id, "record_commitment", MAKER, at=run.at + timedelta(hours=1))
    steps = {key: [p.trigger for p in permissions] for key, permissions
             in engine.next_steps(run.plan.plan_id, run.at + timedelta(hours=2)).items()}
    assert set(steps) == {("plan_maker", MAKER.org), ("plan_maker", HOSPITAL.org),
                          ("coordinating_insurer", INSURER.org),
                          ("second_insurer", SECOND.org), ("municipality", ENSCHEDE.org)}
    assert "record_commitment" in steps[("plan_maker", HOSPITAL.org)]
    assert "record_commitment" not in steps[("plan_maker", MAKER.org)]
    assert "approve_plan" not in steps[("coordinating_insurer", INSURER.org)]
    engine.store.close()


def test_each_duty_cites_its_transition_s_paragraph_or_the_one_it_rests_on() -> None:
    """A to-do's line cites the paragraph of the transition that settles it, copied from the
    definition, not by hand; costs and monitoring are awaited for the judgement (A4 §3.a.5)
    though recorded under A4 §3.a.1."""
    definition = states.DEFAULT
    seeds = {t.trigger: t.seed for t in (*definition.transitions, *definition.region.transitions)}
    for duty in definition.agenda.duties:
        wanted = agenda.RESTS_ON.get(duty.trigger, seeds[duty.trigger])
        assert duty.says.endswith(f" ({wanted})"), duty.says
    assert seeds["record_costs"] == "A4 §3.a.1"
    assert definition.agenda.duty("record_costs").says.endswith("(A4 §3.a.5)")


def test_a_duty_whose_transitions_cite_two_paragraphs_is_refused() -> None:
    """Which of two paragraphs a to-do rests on is not guessed: the definition fails to load
    until RESTS_ON names it."""
    settle = next(t for t in states.DEFAULT.transitions if t.trigger == "settle")
    other = dataclasses.replace(settle, seed="A4 §9.9")
    with pytest.raises(ValueError, match=r"duty settle: its transitions cite .*RESTS_ON"):
        agenda.agenda_for((*states.DEFAULT.transitions, other))

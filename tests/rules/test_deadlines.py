"""Deadlines (A4 §1.5, §1.4.3; DESIGN.md "Deadlines"): calendar arithmetic in Europe/Amsterdam,
on time until the end of the due day, one expiry and one breach when passed unmet."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from workflow.core.clock import FakeClock
from workflow.core.spec import Length
from workflow.core.timecalc import add_months, due_date, expiry_instant
from workflow.service.api import Engine

from .builders import (
    INSURER,
    MAKER,
    T0,
    Run,
    escalated_to,
    into_service,
    local,
    plan_in,
)

# -- pure arithmetic -------------------------------------------------------------------------------


def test_due_date__17_march_plus_4_weeks_is_14_april() -> None:
    """DESIGN.md "Deadlines"; A4 §1.5.1 (4 weeks for the quick test decision).

    Given a start on 17 March, when 4 weeks are added, then the due day is 14 April, and the
    deadline expires at the local midnight after it (22:00 UTC in summer time).
    """
    due = due_date(local(2027, 3, 17, 10), Length(weeks=4))
    assert due == date(2027, 4, 14)
    assert expiry_instant(due) == datetime(2027, 4, 14, 22, 0, tzinfo=UTC)


def test_due_date__counts_the_local_calendar_day_of_the_start() -> None:
    """DESIGN.md "Deadlines": t's local date (Europe/Amsterdam) counts.

    Given a start at 00:30 on 17 March in Amsterdam (still 16 March in UTC), when 4 weeks are
    added, then the due day is 14 April, not 13 April.
    """
    start = local(2027, 3, 17, 0, 30)
    assert start.astimezone(UTC).date() == date(2027, 3, 16)
    assert due_date(start, Length(weeks=4)) == date(2027, 4, 14)


@pytest.mark.parametrize(
    ("start", "due"),
    [
        (date(2027, 1, 31), date(2027, 5, 31)),
        (date(2026, 10, 31), date(2027, 2, 28)),
        (date(2027, 10, 31), date(2028, 2, 29)),
        (date(2027, 1, 11), date(2027, 5, 11)),
        (date(2027, 11, 30), date(2028, 3, 30)),
    ],
    ids=["31jan-31may", "31oct-28feb", "31oct-29feb-leap-year", "plain", "across-new-year"],
)
def test_add_months__as_the_calendar_counts_them(start: date, due: date) -> None:
    """DESIGN.md "Deadlines": months as the calendar counts them; A4 §1.5.2 (4 months).

    Given a start date, when 4 calendar months are added, then the due day is the same day
    of the month, or the month's last day when it has no such day.
    """
    assert add_months(start, 4) == due
    started = local(start.year, start.month, start.day, 12)
    assert due_date(started, Length(months=4)) == due


def test_due_date__8_weeks_across_the_end_of_summer_time() -> None:
    """DESIGN.md "Deadlines"; A4 §1.5.3 (8 weeks for the plan decision).

    Given a start on 20 September (summer time, UTC+2), when 8 weeks are added across the
    last Sunday of October, then the due day is 15 November and it expires at local midnight,
    which is 23:00 UTC (UTC+1), an hour later in UTC than in summer time.
    """
    start = local(2027, 9, 20, 15)
    due = due_date(start, Length(weeks=8))
    assert due == date(2027, 11, 15)
    expires = expiry_instant(due)
    assert expires == datetime(2027, 11, 15, 23, 0, tzinfo=UTC)
    assert expires.astimezone(start.tzinfo) == local(2027, 11, 16, 0, 0)
    assert start.utcoffset() == timedelta(hours=2)
    assert expires.astimezone(start.tzinfo).utcoffset() == timedelta(hours=1)
    summer = expiry_instant(date(2027, 9, 15))
    assert summer.time() == datetime(2027, 1, 1, 22, 0).time()


# -- through the engine: on time and late ----------------------------------------------------------


def _under_review_since_17_march() -> Run:
    run = plan_in("quick_test_submitted", at=local(2027, 3, 17, 8))
    run.fire("accept_quick_test_as_complete", INSURER, at=local(2027, 3, 17, 11))
    assert run.plan.deadlines["quick_test_decision"].due == date(2027, 4, 14)
    return run


LAST_MICROSECOND = local(2027, 4, 14, 23, 59).replace(second=59, microsecond=999999)


@pytest.mark.parametrize("at", [local(2027, 4, 14, 23, 30), LAST_MICROSECOND])
def test_quick_test_decision__an_act_on_the_due_day_is_on_time(at: datetime) -> None:
    """DESIGN.md "Deadlines": an act at or before the end of the due day is on time
    (A4 §1.5.1: a decision within 4 weeks).

    Given a quick test accepted as complete on 17 March, when the insurer approves it late on
    14 April, then no deadline expires, no breach is recorded and the deadline is met.
    """
    run = _under_review_since_17_march()
    events = run.fire("approve_quick_test", INSURER, at=at)
    assert [e.trigger for e in events] == ["approve_quick_test"]
    assert run.plan.breaches == []
    assert run.plan.deadlines["quick_test_decision"].status == "met"


@pytest.mark.parametrize("at", [local(2027, 4, 15, 0, 30), local(2027, 4, 15, 0, 0)])
def test_quick_test_decision__an_act_the_next_day_is_late(at: datetime) -> None:
    """DESIGN.md "Deadlines": a deadline passed unmet gives one deadline_expired event (role
    system) at the first instant after the due day, and a breach; the state does not change
    by itself (A4 §1.5.1).

    Given a quick test accepted as complete on 17 March, when the insurer approves it on 15
    April, then a deadline_expired event at 15 April 00:00 precedes the approval, the breach
    is on the plan's record and the approval itself is still applied.
    """
    run = _under_review_since_17_march()
    events = run.fire("approve_quick_test", INSURER, at=at)
    assert [e.trigger for e in events] == ["deadline_expired", "approve_quick_test"]
    expired = events[0]
    assert expired.at == "2027-04-15T00:00:00+02:00"
    assert expired.actor["role"] == "system"
    assert expired.payload == {"deadline": "quick_test_decision", "due": "2027-04-14"}
    assert [e.seq for e in events] == [events[0].seq, events[0].seq + 1]
    assert run.plan.breaches == ["quick_test_decision"]
    assert run.plan.deadlines["quick_test_decision"].status == "expired"
    assert run.state == "plan_in_preparation"


def test_quick_test_decision__expiry_does_not_change_the_state() -> None:
    """DESIGN.md "Deadlines": the state does not change by itself.

    Given a quick test under review since 17 March, when time runs to 1 May, then one
    deadline_expired event comes out, the breach is recorded and the quick test is still
    under review; running to June gives nothing more.
    """
    run = _under_review_since_17_march()
    events = run.expire(local(2027, 5, 1))
    assert [e.payload["deadline"] for e in events] == ["quick_test_decision"]
    assert run.state == "quick_test_under_review"
    assert run.expire(local(2027, 6, 1)) == []
    assert run.plan.breaches == ["quick_test_decision"]


@pytest.mark.parametrize(
    ("approved", "due"),
    [
        (local(2027, 1, 31, 15), date(2027, 5, 31)),
        (local(2026, 10, 31, 15), date(2027, 2, 28)),
        (local(2027, 10, 31, 15), date(2028, 2, 29)),
    ],
    ids=["31jan-31may", "31oct-28feb", "31oct-29feb-leap-year"],
)
def test_plan_submission__4_calendar_months(approved: datetime, due: date) -> None:
    """DESIGN.md "Deadlines"; A4 §1.5.2: the plan within 4 months of the quick test approval.

    Given a quick test under review, when the insurer approves it on this day, then the plan
    must be submitted by the same day 4 calendar months later (or that month's last day).
    """
    run = plan_in("quick_test_under_review", at=approved - timedelta(days=3))
    run.fire("approve_quick_test", INSURER, at=approved)
    assert run.plan.deadlines["plan_submission"].due == due
    assert run.plan.deadlines["plan_submission"].expires_at == expiry_instant(due)


def test_plan_decision__8_weeks_across_the_end_of_summer_time() -> None:
    """DESIGN.md "Deadlines"; A4 §1.5.3: a decision within 8 weeks of the complete plan.

    Given a plan accepted as complete on 20 September, when 8 weeks later the clocks went back
    on 31 October, then the due day is still 15 November: an approval at 23:30 that evening
    is on time, and the deadline expires at local midnight, 23:00 UTC.
    """
    run = plan_in("plan_submitted", at=local(2027, 9, 20, 8))
    run.fire("accept_plan_as_complete", INSURER, at=local(2027, 9, 20, 15))
    deadline = run.plan.deadlines["plan_decision"]
    assert deadline.due == date(2027, 11, 15)
    assert deadline.expires_at == datetime(2027, 11, 15, 23, 0, tzinfo=UTC)
    late = run.clone()
    assert [e.at for e in late.expire(local(2027, 11, 16, 0, 0))] == [
        "2027-11-16T00:00:00+01:00"]
    run.fire("reject_plan", INSURER, {"reason": "Onvoldoende"}, at=local(2027, 11, 15, 23, 30))
    assert run.plan.breaches == []


def test_kpi_deadline__expires_on_its_own_due_date() -> None:
    """DESIGN.md "Deadlines": kpi:<id> is due on the KPI's due date (A4 §1.7.4).

    Given a contract whose KPI k1 is due 30 June 2027, when the insurer confirms it on 1 July
    at 00:30, then kpi:k1 expired first (a breach), and the confirmation still pays it.
    """
    run = plan_in("in_implementation")
    events = run.fire("confirm_kpi", INSURER, {"kpi": "k1"}, at=local(2027, 7, 1, 0, 30))
    assert [e.trigger for e in events] == ["deadline_expired", "confirm_kpi"]
    assert run.plan.breaches == ["kpi:k1"]
    assert run.plan.funds["paid_eur"] == 50000


def test_met_deadline__is_never_expired_afterwards() -> None:
    """DESIGN.md "Deadlines": every deadline is met or breached, once.

    Given a quick test approved on time, when time runs years ahead, then the met deadline
    never expires and no breach is recorded.
    """
    run = _under_review_since_17_march()
    run.fire("approve_quick_test", INSURER, at=local(2027, 4, 1))
    run.fire("submit_plan", MAKER, {"impact": {"criteria": ["care_use"], "transition_goals": "x",
                                               "regional_plan": "y"}}, at=local(2027, 4, 2))
    assert run.expire(local(2030, 1, 1)) == []
    assert {d.status for d in run.plan.deadlines.values()} == {"met"}
    assert run.plan.breaches == []


def test_time_moves_forward__refused_for_an_earlier_moment() -> None:
    """Rule time_moves_forward (DESIGN.md "Payloads": time moves only forward).

    Given a plan whose last event was at 12:00, when a command is dated 11:00, then it is
    refused and nothing changes.
    """
    run = plan_in("quick_test_submitted")
    run.refuse("accept_quick_test_as_complete", INSURER, at=run.at - timedelta(hours=1),
               rule="time_moves_forward", seed="azwa")


# -- extend_deadline (A4 §1.5) ---------------------------------------------------------------------

EXTEND = {"deadline": "quick_test_decision", "until": "2027-02-22",
          "reason": "Aanvullend advies gevraagd"}


def test_extend_deadline__allowed_to_a_later_date_with_a_reason() -> None:
    """extend_deadline (DESIGN.md: the coordinating insurer, with a reason, moves a running
    deadline; A4 §1.5).

    Given a quick test under review due 8 February, when the insurer extends it to 22
    February with a reason, then it is due then, and an approval on 15 February is on time.
    """
    run = plan_in("quick_test_under_review")
    assert run.plan.deadlines["quick_test_decision"].due == date(2027, 2, 8)
    run.fire("extend_deadline", INSURER, EXTEND)
    deadline = run.plan.deadlines["quick_test_decision"]
    assert deadline.due == date(2027, 2, 22)
    assert deadline.expires_at == expiry_instant(date(2027, 2, 22))
    assert deadline.extensions == 1
    run.fire("approve_quick_test", INSURER, at=local(2027, 2, 15))
    assert run.plan.breaches == []


@pytest.mark.parametrize(("until", "rule"), [("2027-02-01", "is_later_due"),
                                             ("2027-02-08", "is_later_due"),
                                             ("22 februari", "payload_matches_schema")],
                         ids=["earlier", "same-day", "not-a-date"])
def test_is_later_due__refused_for_an_earlier_date(until: str, rule: str) -> None:
    """Rule is_later_due (A4 §1.5; DESIGN.md: extend_deadline moves a deadline later).

    Given a quick test decision due 8 February, when the insurer extends it to this date,
    then it is refused (a text that is no date by the payload schema, naming `until`) and the
    due day stays 8 February.
    """
    run = plan_in("quick_test_under_review")
    refusal = run.refuse("extend_deadline", INSURER, {**EXTEND, "until": until}, rule=rule,
                         seed="A4 §1.5")
    if rule == "payload_matches_schema":
        assert refusal.message.startswith("until ")
    assert run.plan.deadlines["quick_test_decision"].due == date(2027, 2, 8)


@pytest.mark.parametrize("which", ["not-started", "met", "passed", "unknown"])
def test_is_running_deadline__refused_for_a_deadline_not_running(which: str) -> None:
    """Rule is_running_deadline (A4 §1.5: only a running deadline can be extended).

    Given a deadline that has not started, was met, has already passed (unrecorded), or does
    not exist, when the insurer extends it, then it is refused and nothing changes.
    """
    run = plan_in("quick_test_under_review")
    payload, at = dict(EXTEND), None
    if which == "not-started":
        payload["deadline"] = "plan_submission"
    elif which == "met":
        run.fire("approve_quick_test", INSURER)
        payload.update(deadline="quick_test_decision", until="2027-09-01")
    elif which == "passed":
        at = local(2027, 2, 9, 10)
        payload["until"] = "2027-03-01"
    else:
        payload["deadline"] = "board_meeting"
    run.refuse("extend_deadline", INSURER, payload, rule="is_running_deadline",
               seed="A4 §1.5", at=at)


def test_extend_deadline__refused_without_reason() -> None:
    """Rule has_reason (A4 §1.5; DESIGN.md "Payloads": extend_deadline carries a reason).

    Given a running quick test decision, when the insurer extends it without a reason, then
    it is refused.
    """
    run = plan_in("quick_test_under_review")
    run.refuse("extend_deadline", INSURER, {**EXTEND, "reason": ""}, rule="has_reason",
               seed="A4 §1.5")


# -- close_lapsed (A4 §1.5.2) ----------------------------------------------------------------------


def test_is_plan_submission_expired__refused_before_the_deadline_passed() -> None:
    """Rule is_plan_submission_expired (A4 §1.5.2: the plan within 4 months).

    Given a quick test approved on 11 January (plan due 11 May), when the insurer closes the
    plan as lapsed at 23:30 on 11 May, then it is refused and the plan stays in preparation.
    """
    run = plan_in("plan_in_preparation")
    assert run.plan.deadlines["plan_submission"].due == date(2027, 5, 11)
    run.refuse("close_lapsed", INSURER, at=local(2027, 5, 11, 23, 30),
               rule="is_plan_submission_expired", seed="A4 §1.5.2")


def test_is_plan_submission_expired__allowed_after_the_deadline_passed() -> None:
    """Rule is_plan_submission_expired (A4 §1.5.2; DESIGN.md: close_lapsed at t is allowed
    exactly when plan_submission was due before t).

    Given a plan due 11 May, when the insurer closes it as lapsed at 00:30 on 12 May, then
    plan_submission expires first and the plan is lapsed with the breach on record.
    """
    run = plan_in("plan_in_preparation")
    events = run.fire("close_lapsed", INSURER, at=local(2027, 5, 12, 0, 30))
    assert [e.trigger for e in events] == ["deadline_expired", "close_lapsed"]
    assert run.state == "lapsed"
    assert run.plan.breaches == ["plan_submission"]


# -- tick through the service ----------------------------------------------------------------------


def _three_plans(engine: Engine) -> None:
    """A: quick_test_decision due 14 Apr. B: board_meeting due 25 Jan and plan_submission
    due 11 May. C: plan_decision due 29 Mar (the clocks go forward on 28 March)."""
    a = plan_in("quick_test_submitted", at=local(2027, 3, 17, 8), plan_id="A")
    a.fire("accept_quick_test_as_complete", INSURER, at=local(2027, 3, 17, 11))
    b = escalated_to("board_level", plan_id="B")
    c = plan_in("joint_review", at=local(2027, 2, 1, 8), plan_id="C")
    for run in (a, b, c):
        into_service(engine, run)


EXPECTED_ORDER = [("B", "board_meeting"), ("C", "plan_decision"), ("A", "quick_test_decision"),
                  ("B", "plan_submission")]


def test_tick__expires_each_due_deadline_once_as_time_passes(sqlite_url: str) -> None:
    """DESIGN.md "Deadlines": each deadline that passes unmet gives one deadline_expired event.

    Given three stored plans with four running deadlines, when the clock moves on and the
    service ticks at 1 February, 1 April, 1 June and again at 1 June, then each deadline
    expires once, at its own moment, in due order, and each plan records its breaches.
    """
    clock = FakeClock(T0)
    engine = Engine(sqlite_url, clock)
    _three_plans(engine)
    seen = []
    for moment in (local(2027, 2, 1), local(2027, 4, 1), local(2027, 6, 1), local(2027, 6, 1)):
        clock.set(moment)
        seen.append([(e.plan_id, e.payload["deadline"]) for e in engine.tick()])
    assert seen == [[EXPECTED_ORDER[0]], [EXPECTED_ORDER[1]], EXPECTED_ORDER[2:], []]
    assert engine.state("B").breaches == ["board_meeting", "plan_submission"]
    history = engine.history("C")
    assert history[-1].trigger == "deadline_expired"
    assert history[-1].at == "2027-03-30T00:00:00+02:00"


def test_tick__one_tick_expires_every_plan_in_due_order(sqlite_url: str) -> None:
    """DESIGN.md "Deadlines"; service.Engine.tick: every due deadline exactly once, in due
    order, across several plans.

    Given three stored plans with four running deadlines, when one tick runs on 1 June, then
    the four deadline_expired events come out in the order their deadlines were due, and a
    second tick gives nothing.
    """
    engine = Engine(sqlite_url, FakeClock(local(2027, 6, 1)))
    _three_plans(engine)
    events = engine.tick()
    assert sorted((e.plan_id, e.payload["deadline"]) for e in events) == sorted(EXPECTED_ORDER)
    assert engine.tick() == []
    assert [(e.plan_id, e.payload["deadline"]) for e in events] == EXPECTED_ORDER

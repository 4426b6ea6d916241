"""Contract, implementation and accountability (A4 §1.6–§1.7, §3.a; DESIGN.md
"Implementation and accountability")."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from workflow.core.plan import Plan

from .builders import CONTRACT, INSURER, MAKER, NZA, Run, plan_in


def _kpi(**changes: Any) -> dict[str, Any]:
    kpi = {"id": "k1", "description": "Plan opgeleverd", "amount_eur": 50000,
           "due": "2027-06-30", "go_no_go": False}
    kpi.update(changes)
    return kpi


# -- the agreement (A4 §1.6.2, §1.7) ---------------------------------------------------------------


SCHEMA = ("payload_matches_schema", "A4 §1.7")
"""A malformed KPI is refused by sign_contract's payload schema, citing sign_contract."""


@pytest.mark.parametrize(
    ("kpis", "rule_and_seed"),
    [
        ([], ("has_valid_kpis", "A4 §1.6.2")),
        ([_kpi(amount_eur=-1)], SCHEMA),
        ([_kpi(due="2026-12-31")], ("has_valid_kpis", "A4 §1.6.2")),
        ([_kpi(due="eind 2027")], SCHEMA),
        ([_kpi(description="")], ("has_valid_kpis", "A4 §1.6.2")),
        ([_kpi(), _kpi()], ("has_valid_kpis", "A4 §1.6.2")),
    ],
    ids=["no-kpi", "negative-amount", "due-before-signing", "due-no-date", "no-description",
         "id-twice"],
)
def test_has_valid_kpis__refused_without_proper_kpi_agreements(
    kpis: list[Any], rule_and_seed: tuple[str, str]
) -> None:
    """Rule has_valid_kpis (A4 §1.6.2; DESIGN.md: an agreement with KPI agreements, amounts
    and due dates).

    Given an approved plan, when the insurer signs a contract whose KPIs are missing or
    malformed, then it is refused (a value of the wrong type by the payload schema) and the
    plan stays approved.
    """
    run = plan_in("approved")
    rule, seed = rule_and_seed
    run.refuse("sign_contract", INSURER, {"kpis": kpis}, rule=rule, seed=seed)
    assert run.state == "approved"


def test_has_valid_kpis__allowed_and_each_kpi_gets_its_deadline() -> None:
    """Rule has_valid_kpis (A4 §1.6.2, §1.7.4; DESIGN.md "Deadlines": kpi:<id> due on the
    KPI's own date).

    Given an approved plan, when the insurer signs the contract with two KPIs, then the plan
    is contracted and kpi:k1 and kpi:k2 run until their due dates.
    """
    run = plan_in("approved")
    run.fire("sign_contract", INSURER, CONTRACT)
    assert run.state == "contracted"
    deadlines = run.plan.deadlines
    assert deadlines["kpi:k1"].due.isoformat() == "2027-06-30"
    assert deadlines["kpi:k2"].due.isoformat() == "2028-02-29"
    assert deadlines["kpi:k1"].is_open and deadlines["kpi:k2"].is_open


def test_issue_payment_decision__starts_the_implementation() -> None:
    """issue_payment_decision (A4 §3.a.5: the NZa's payment decision).

    Given a contracted plan, when the NZa issues the payment decision, then the plan is in
    implementation with the decision on record.
    """
    run = plan_in("contracted")
    run.fire("issue_payment_decision", NZA)
    assert run.state == "in_implementation"
    assert run.plan.facts["payment_decision"]


# -- paying KPIs (A4 §1.7.2, §1.7.4–§1.7.6) --------------------------------------------------------


def test_confirm_kpi__releases_the_kpis_amount() -> None:
    """confirm_kpi (A4 §1.7.4: reaching a KPI releases an amount; §1.7.2 the first KPI may
    be delivering the plan, paid retroactively).

    Given a plan in implementation whose first KPI is delivering the plan, when the insurer
    confirms it, then its 50 000 euro are paid, the KPI is confirmed and kpi:k1 is met.
    """
    run = plan_in("in_implementation")
    run.fire("confirm_kpi", INSURER, {"kpi": "k1"})
    assert run.plan.funds["paid_eur"] == 50000
    assert run.plan.facts["kpis"]["k1"]["status"] == "confirmed"
    assert run.plan.deadlines["kpi:k1"].status == "met"


@pytest.mark.parametrize(("kpi", "rule"), [("k9", "is_open_kpi"),
                                           (None, "payload_matches_schema")])
def test_is_open_kpi__refused_for_a_kpi_not_in_the_contract(kpi: str | None, rule: str) -> None:
    """Rule is_open_kpi (A4 §1.7.4).

    Given a plan in implementation, when the insurer confirms a KPI the contract does not
    have (or no KPI id at all: the payload schema), then it is refused and nothing is paid.
    """
    run = plan_in("in_implementation")
    run.refuse("confirm_kpi", INSURER, {"kpi": kpi}, rule=rule, seed="A4 §1.7.4")
    assert run.plan.funds["paid_eur"] == 0


def test_is_open_kpi__refused_for_a_kpi_paid_already() -> None:
    """Rule is_open_kpi (A4 §1.7.4: each KPI releases its amount once).

    Given a confirmed KPI, when the insurer confirms it again or pays it partially, then both
    are refused and it was paid once.
    """
    run = plan_in("in_implementation")
    run.fire("confirm_kpi", INSURER, {"kpi": "k1"})
    run.refuse("confirm_kpi", INSURER, {"kpi": "k1"}, rule="is_open_kpi", seed="A4 §1.7.4")
    run.refuse("pay_partially", INSURER, {"kpi": "k1", "amount_eur": 1, "reason": "x",
                                          "efforts_delivered": True},
               rule="is_open_kpi", seed="A4 §1.7.4")
    assert run.plan.funds["paid_eur"] == 50000


def _partial(**changes: Any) -> dict[str, Any]:
    payload = {"kpi": "k2", "amount_eur": 150000, "reason": "72% behaald",
               "efforts_delivered": True}
    payload.update(changes)
    return {k: v for k, v in payload.items() if v is not None}


@pytest.mark.parametrize(
    ("payload", "rule"),
    [
        (_partial(efforts_delivered=None), "payload_matches_schema"),
        (_partial(efforts_delivered=False), "has_delivered_efforts"),
        (_partial(amount_eur=200000.01), "is_within_kpi_amount"),
        (_partial(amount_eur=-5), "payload_matches_schema"),
        (_partial(reason=""), "has_reason"),
    ],
    ids=["no-efforts", "efforts-not-delivered", "above-kpi-amount", "negative", "no-reason"],
)
def test_pay_partially__refused(payload: dict[str, Any], rule: str) -> None:
    """Rules of pay_partially (A4 §1.7.5: a KPI not (fully) reached may be paid (in part) when
    the efforts were delivered as agreed; never above the KPI's amount).

    Given a plan in implementation with KPI k2 of 200 000 euro, when the insurer pays part of
    it without delivered efforts, above its amount or without a reason, then it is refused.
    """
    run = plan_in("in_implementation")
    run.refuse("pay_partially", INSURER, payload, rule=rule, seed="A4 §1.7.5")
    assert run.plan.funds["paid_eur"] == 0


def test_pay_partially__allowed_with_efforts_up_to_the_kpi_amount() -> None:
    """Rules of pay_partially (A4 §1.7.5).

    Given a plan in implementation with KPI k2 of 200 000 euro, when the insurer pays 150 000
    with efforts delivered and a reason, then that is paid, the KPI is settled as partial and
    kpi:k2 is met; paying the full amount partially is allowed too.
    """
    run = plan_in("in_implementation")
    run.fire("pay_partially", INSURER, _partial())
    assert run.plan.funds["paid_eur"] == 150000
    assert run.plan.facts["kpis"]["k2"]["status"] == "partial"
    assert run.plan.deadlines["kpi:k2"].status == "met"
    run.fire("pay_partially", INSURER, _partial(kpi="k1", amount_eur=50000))
    assert run.plan.funds["paid_eur"] == 200000


def test_is_undecided_go_no_go_kpi__refused_for_a_kpi_without_go_no_go() -> None:
    """Rule is_undecided_go_no_go_kpi (A4 §1.7.6: go/no-go moments built into the plan).

    Given a plan in implementation whose KPI k1 has no go/no-go moment, when the insurer
    decides go or no-go on it, then both are refused and the plan stays in implementation.
    """
    run = plan_in("in_implementation")
    for trigger in ("decide_go", "decide_no_go"):
        run.refuse(trigger, INSURER, {"kpi": "k1"}, rule="is_undecided_go_no_go_kpi",
                   seed="A4 §1.7.6")
    assert run.state == "in_implementation"


def test_is_undecided_go_no_go_kpi__go_continues_once() -> None:
    """Rule is_undecided_go_no_go_kpi (A4 §1.7.6).

    Given a go/no-go KPI k2, when the insurer decides go, then the plan continues with the
    decision on record, and a second decision on k2 is refused.
    """
    run = plan_in("in_implementation")
    run.fire("decide_go", INSURER, {"kpi": "k2"})
    assert run.state == "in_implementation"
    assert run.plan.facts["kpis"]["k2"]["decision"] == "go"
    run.refuse("decide_no_go", INSURER, {"kpi": "k2"}, rule="is_undecided_go_no_go_kpi",
               seed="A4 §1.7.6")


def test_decide_no_go__terminates_the_plan() -> None:
    """decide_no_go (A4 §1.7.6; DESIGN.md: terminated is final).

    Given a plan in implementation with a go/no-go KPI k2, when the insurer decides no-go,
    then the plan is terminated and its running KPI deadlines are cancelled.
    """
    run = plan_in("in_implementation")
    run.fire("decide_no_go", INSURER, {"kpi": "k2"})
    assert run.state == "terminated"
    assert {d.status for d in run.plan.deadlines.values() if d.name.startswith("kpi:")} == {
        "cancelled"}


# -- costs, monitoring, completion -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "rule", "seed"),
    [({"amount_eur": -1, "period": "2027"}, "payload_matches_schema", "A4 §3.a.1"),
     ({"amount_eur": 100}, "payload_matches_schema", "A4 §3.a.1"),
     ({"period": "2027"}, "payload_matches_schema", "A4 §3.a.1"),
     ({"amount_eur": True, "period": "2027"}, "payload_matches_schema", "A4 §3.a.1"),
     ({"amount_eur": 100, "period": " "}, "has_cost_amount", "A4 §3.a.3")],
    ids=["negative", "no-period", "no-amount", "not-a-number", "blank-period"],
)
def test_has_cost_amount__refused(payload: dict[str, Any], rule: str, seed: str) -> None:
    """Rule has_cost_amount (A4 §3.a.3: the cost registration the parties agreed).

    Given a plan in implementation, when the plan maker records costs without a proper
    amount or period, then it is refused (a missing or mistyped field by record_costs'
    payload schema) and no costs are added.
    """
    run = plan_in("in_implementation")
    run.refuse("record_costs", MAKER, payload, rule=rule, seed=seed)
    assert run.plan.funds["costs_eur"] == 0


def test_has_cost_amount__allowed_adds_up_the_costs() -> None:
    """Rule has_cost_amount (A4 §3.a.1, §3.a.3).

    Given a plan in implementation, when costs of 100 000 and 80 000 are recorded, then the
    plan's costs are 180 000 in two records.
    """
    run = plan_in("in_implementation")
    run.fire("record_costs", MAKER, {"amount_eur": 100000, "period": "2027-H1"})
    run.fire("record_costs", INSURER, {"amount_eur": 80000, "period": "2027-H2"})
    assert run.plan.funds["costs_eur"] == 180000
    assert run.plan.facts["cost_records"] == 2


@pytest.mark.parametrize("trigger", ["record_costs", "record_monitoring"])
def test_record_costs_and_monitoring__only_during_implementation_and_accountability(
    trigger: str,
) -> None:
    """Rule allowed_in_state (A4 §3.a.1; DESIGN.md "Payloads": record_costs and
    record_monitoring are accepted during implementation and accountability).

    Given a plan contracted but without payment decision, when costs or monitoring are
    recorded, then it is refused; in accountability they are accepted.
    """
    payload: dict[str, Any] = ({"amount_eur": 500, "period": "2027-Q4"}
                               if trigger == "record_costs" else {"summary": "Bijgestuurd"})
    plan_in("contracted").refuse(trigger, INSURER, payload, rule="allowed_in_state",
                                 seed="A4 §3.a.1")
    run = plan_in("accountability")
    run.fire(trigger, INSURER, payload)
    assert run.state == "accountability"


def test_has_summary__refused_without_summary_allowed_with() -> None:
    """Rule has_summary (A4 §3.a.1: monitoring and adjustment of progress and costs).

    Given a plan in implementation, when monitoring is recorded without a summary it is
    refused; with a summary it counts.
    """
    run = plan_in("in_implementation")
    run.refuse("record_monitoring", INSURER, {"summary": ""}, rule="has_summary",
               seed="A4 §3.a.1")
    run.fire("record_monitoring", INSURER, {"summary": "Op koers"})
    assert run.plan.facts["monitoring_records"] == 1


def test_has_all_kpis_settled__refused_with_an_open_kpi() -> None:
    """Rule has_all_kpis_settled (A4 §3.a.5; DESIGN.md: complete_implementation needs every
    KPI settled).

    Given a plan in implementation where k1 is confirmed and k2 still open, when the insurer
    completes the implementation, then it is refused naming k2.
    """
    run = plan_in("in_implementation")
    run.fire("confirm_kpi", INSURER, {"kpi": "k1"})
    refusal = run.refuse("complete_implementation", INSURER, rule="has_all_kpis_settled",
                         seed="A4 §3.a.5")
    assert "k2" in refusal.reason


def test_has_all_kpis_settled__allowed_when_confirmed_or_partly_paid() -> None:
    """Rule has_all_kpis_settled (A4 §3.a.5, §1.7.5).

    Given a plan whose k1 is confirmed and k2 partly paid, when the insurer completes the
    implementation, then the plan is in accountability.
    """
    run = plan_in("in_implementation")
    run.fire("confirm_kpi", INSURER, {"kpi": "k1"})
    run.fire("pay_partially", INSURER, _partial())
    run.fire("complete_implementation", INSURER)
    assert run.state == "accountability"


# -- settling (A4 §3.a.4) --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("costs", "refund"), [(180000, 70000), (250000, 0), (300000, 0), (0.5, 249999.5)]
)
def test_settle__refunds_funds_received_beyond_the_costs(costs: float, refund: float) -> None:
    """settle (A4 §3.a.4 rule 1: transformation funds received beyond the costs are paid
    back).

    Given a plan in accountability that received 250 000 euro, with these recorded costs,
    when the insurer settles, then the refund is what was received beyond the costs, never
    negative.
    """
    run = plan_in("accountability", costs=costs)
    assert run.plan.funds["paid_eur"] == 250000
    run.fire("settle", INSURER)
    assert run.plan.funds["refund_eur"] == refund


def test_is_not_settled__refused_to_settle_twice() -> None:
    """Rule is_not_settled (A4 §3.a.4).

    Given a settled plan, when the insurer settles again after more costs, then it is
    refused and the refund stands.
    """
    run = plan_in("accountability")
    run.fire("settle", INSURER)
    run.fire("record_costs", MAKER, {"amount_eur": 10000, "period": "nagekomen"})
    run.refuse("settle", INSURER, rule="is_not_settled", seed="A4 §3.a.4")
    assert run.plan.funds["refund_eur"] == 70000


# -- the lawfulness judgement (A4 §3.a.5) ----------------------------------------------------------


def _accountability(*, costs: bool = True, monitoring: bool = True) -> Run:
    """A plan taken to accountability by its own triggers, with or without costs/monitoring."""
    run = plan_in("in_implementation")
    run.fire("decide_go", INSURER, {"kpi": "k2"})
    run.fire("confirm_kpi", INSURER, {"kpi": "k1"})
    run.fire("confirm_kpi", INSURER, {"kpi": "k2"})
    if costs:
        run.fire("record_costs", MAKER, {"amount_eur": 180000, "period": "2027"})
    if monitoring:
        run.fire("record_monitoring", INSURER, {"summary": "Op koers"})
    run.fire("complete_implementation", INSURER)
    return run


def _record_lacking(change: Callable[[dict[str, Any]], object]) -> Run:
    """A plan in accountability whose stored record lacks something (as an imported record
    might): the lifecycle itself cannot get there without it."""
    run = _accountability()
    data = copy.deepcopy(run.plan.to_dict())
    change(data["facts"])
    run.plan = Plan.from_dict(data)
    return run


def _reopen_k2(facts: dict[str, Any]) -> None:
    facts["kpis"]["k2"]["status"] = "open"


LAWFULNESS_CASES = [
    pytest.param(lambda: _record_lacking(lambda f: f.pop("approved_at")),
                 "has_approved_plan_and_contract", id="no-approved-plan"),
    pytest.param(lambda: _record_lacking(lambda f: f.update(kpis={})),
                 "has_approved_plan_and_contract", id="no-kpi-agreement"),
    pytest.param(lambda: _record_lacking(lambda f: f.pop("payment_decision")),
                 "has_payment_decision", id="no-payment-decision"),
    pytest.param(lambda: _accountability(costs=False), "has_costs_and_kpi_evidence",
                 id="no-cost-registration"),
    pytest.param(lambda: _record_lacking(_reopen_k2), "has_costs_and_kpi_evidence",
                 id="no-evidence-of-a-kpi"),
    pytest.param(lambda: _accountability(monitoring=False), "has_monitoring",
                 id="no-monitoring"),
]


@pytest.mark.parametrize(("build", "rule"), LAWFULNESS_CASES)
def test_give_lawfulness_judgement__refused_without_each_condition(
    build: Callable[[], Run], rule: str
) -> None:
    """Rules of give_lawfulness_judgement (A4 §3.a.5: approved plan and signed agreement with
    KPIs; the NZa's payment decision; cost registration and evidence of achieved KPIs;
    monitoring and adjustment took place).

    Given a plan in accountability lacking one of the four conditions, when the NZa gives the
    lawfulness judgement, then it is refused by that condition and the plan is not closed.
    """
    run = build()
    run.refuse("give_lawfulness_judgement", NZA, rule=rule, seed="A4 §3.a.5")
    assert run.state == "accountability"


def test_give_lawfulness_judgement__allowed_with_the_four_conditions() -> None:
    """Rules of give_lawfulness_judgement (A4 §3.a.5).

    Given a plan in accountability with all four conditions met, when the NZa gives the
    lawfulness judgement, then the plan is closed.
    """
    run = _accountability()
    run.fire("give_lawfulness_judgement", NZA)
    assert run.state == "closed"

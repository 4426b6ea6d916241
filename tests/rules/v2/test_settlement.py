"""DESIGN-v2.md "Implementation, settlement and lawfulness" (A4 §1.7, §3.a) and
"Institutional actors"."""

from __future__ import annotations

from typing import Any

from workflow.core.spec import Actor

from ..builders import HOSPITAL, INSURER, MAKER, NZA, Run
from .builders import EVIDENCE, plan_in_v2, settle_payload

K3 = {"id": "k3", "description": "Extra wijkteam", "amount_eur": 10000, "due": "2028-06-30"}


def _accountability(**options: Any) -> Run:
    return plan_in_v2("accountability", **options)


def test_confirm_kpi__needs_the_plan_makers_report_with_evidence() -> None:
    """DESIGN-v2.md: report_kpi (plan maker, with evidence) precedes confirm_kpi (A4 §3.a.5).

    Given a plan in implementation, when k1 is confirmed before it was reported, then it is
    refused; a report without evidence is refused; after the report it is confirmed.
    """
    run = plan_in_v2("in_implementation")
    run.refuse("confirm_kpi", INSURER, {"kpi": "k1"}, rule="has_kpi_evidence", seed="A4 §3.a.5")
    run.refuse("report_kpi", MAKER, {"kpi": "k1", "evidence": " "}, rule="has_evidence")
    run.fire("report_kpi", MAKER, {"kpi": "k1", "evidence": EVIDENCE})
    run.fire("confirm_kpi", INSURER, {"kpi": "k1"})
    assert run.plan.facts["kpis"]["k1"]["status"] == "confirmed"
    run.refuse("report_kpi", MAKER, {"kpi": "k1", "evidence": EVIDENCE},
               rule="is_unconfirmed_kpi")


def amend(run: Run, kpis: list[dict[str, Any]], reason: str = "Bijgesteld") -> None:
    """Both plan makers commit to these KPIs, then the coordinating insurer amends."""
    for maker in (MAKER, HOSPITAL):
        run.fire("record_commitment", maker, {"amendment": {"kpis": kpis}})
    run.fire("amend_contract", INSURER, {"kpis": kpis, "reason": reason})


def test_amend_contract__with_every_plan_makers_commitment() -> None:
    """DESIGN-v2.md: amend_contract (coordinating insurer, with the plan maker's
    record_commitment to the amendment) changes KPIs, amounts and due dates (A4 §1.7.6).

    Given a plan in implementation, when the contract is amended before the plan makers
    committed, then it is refused; after both committed to it, k3 is added with its own
    deadline and the commitments are spent.
    """
    run = plan_in_v2("in_implementation")
    amendment = {"kpis": [K3], "reason": "Bijgesteld na de go/no-go"}
    run.refuse("amend_contract", INSURER, amendment, rule="has_amendment_commitment",
               seed="A4 §1.7.6")
    run.fire("record_commitment", MAKER, {"amendment": {"kpis": [K3]}})
    run.refuse("amend_contract", INSURER, amendment, rule="has_amendment_commitment")
    run.fire("record_commitment", HOSPITAL, {"amendment": {"kpis": [K3]}})
    run.fire("amend_contract", INSURER, amendment)
    assert run.plan.facts["kpis"]["k3"]["amount_cents"] == 1_000_000
    assert run.plan.deadlines["kpi:k3"].is_open
    assert run.plan.facts["amendment_commitments"] == {}


def test_amend_contract__a_commitment_counts_only_for_the_amendment_it_names() -> None:
    """A4 §1.7.6 ("bijgesteld") with DESIGN-v2.md: the plan maker's record_commitment is to
    *the amendment*; azwa's choice: it names the amendment's KPIs, and amend_contract takes
    effect only when every plan maker committed to exactly those KPIs.

    Given a plan in implementation, when a plan maker commits without naming an amendment, it
    is refused; when both committed to k3 at EUR 10,000 and the insurer amends k3 (or k1) to
    EUR 1 instead, it is refused naming both plan makers; the amendment they committed to is
    accepted, once, and their commitments do not carry over to a later amendment.
    """
    run = plan_in_v2("in_implementation")
    run.refuse("record_commitment", MAKER, rule="has_amendment_referred", seed="A4 §1.7.6")
    for maker in (MAKER, HOSPITAL):
        run.fire("record_commitment", maker, {"amendment": {"kpis": [K3]}})
    run.refuse("record_commitment", MAKER, {"amendment": {"kpis": [K3]}},
               rule="is_not_committed_to_amendment")
    cheap = {**K3, "amount_eur": 1}
    refusal = run.refuse("amend_contract", INSURER, {"kpis": [cheap], "reason": "Goedkoper"},
                         rule="has_amendment_commitment", seed="A4 §1.7.6")
    assert MAKER.org in refusal.reason and HOSPITAL.org in refusal.reason
    k1 = {"id": "k1", "description": "Plan opgeleverd", "amount_eur": 1, "due": "2027-12-31"}
    run.refuse("amend_contract", INSURER, {"kpis": [k1], "reason": "Goedkoper"},
               rule="has_amendment_commitment")
    run.fire("amend_contract", INSURER, {"kpis": [{**K3, "amount_eur": "10000.00"}],
                                         "reason": "Bijgesteld"})
    assert run.plan.facts["kpis"]["k3"]["amount_cents"] == 1_000_000
    run.refuse("amend_contract", INSURER, {"kpis": [K3], "reason": "Nogmaals"},
               rule="has_amendment_commitment")


def test_amend_contract__a_missed_kpi_gets_a_new_due_date_but_keeps_its_breach() -> None:
    """A4 §1.7.6 "bijgesteld": a KPI whose due date passed can be amended; the breach stays.

    Given k1 past its due date unmet, when it is amended to a later date, then kpi:k1 runs to
    the new day and the breach stays on the record; a settled KPI is not amended.
    """
    run = plan_in_v2("in_implementation")
    run.at = run.plan.deadlines["kpi:k1"].expires_at
    run.expire(run.at)
    k1 = {"id": "k1", "description": "Plan opgeleverd", "amount_eur": 40000,
          "due": "2027-12-31"}
    amend(run, [k1], "Later opgeleverd")
    assert run.plan.deadlines["kpi:k1"].is_open
    assert str(run.plan.deadlines["kpi:k1"].due) == "2027-12-31"
    assert run.plan.breaches == ["kpi:k1"]
    run.fire("report_kpi", MAKER, {"kpi": "k1", "evidence": EVIDENCE})
    run.fire("confirm_kpi", INSURER, {"kpi": "k1"})
    for maker in (MAKER, HOSPITAL):
        run.fire("record_commitment", maker, {"amendment": {"kpis": [k1]}})
    run.refuse("amend_contract", INSURER, {"kpis": [k1], "reason": "Nogmaals"},
               rule="is_amendable")


def test_decide_no_go__on_a_kpi_whose_due_date_passed_unmet() -> None:
    """DESIGN-v2.md: a KPI whose due date passed without being met can end in decide_no_go
    (A4 §1.7.6).

    Given k1 (no go/no-go moment) still running, decide_no_go on it is refused; once its due
    date passed unmet, decide_no_go moves the plan to settlement_due.
    """
    run = plan_in_v2("in_implementation")
    run.refuse("decide_no_go", INSURER, {"kpi": "k1"}, rule="is_no_go_moment",
               seed="A4 §1.7.6")
    run.at = run.plan.deadlines["kpi:k1"].expires_at
    run.fire("decide_no_go", INSURER, {"kpi": "k1"})
    assert run.state == "settlement_due"


def test_decide_no_go__settles_before_it_ends_terminated() -> None:
    """DESIGN-v2.md: decide_no_go moves the plan to settlement_due, not straight to
    terminated; settle then ends it in terminated (A4 §3.a.4).

    Given a no-go after k1 was paid and fewer costs were recorded, when it is settled without
    repayment terms, then it is refused; with them, the refund is recorded and the plan ends
    terminated.
    """
    run = plan_in_v2("in_implementation")
    run.fire("report_kpi", MAKER, {"kpi": "k1", "evidence": EVIDENCE})
    run.fire("confirm_kpi", INSURER, {"kpi": "k1"})
    run.fire("record_costs", MAKER, {"amount_eur": 30000, "period": "2027"})
    run.fire("decide_no_go", INSURER, {"kpi": "k2"})
    assert run.state == "settlement_due"
    run.refuse("settle", INSURER, rule="has_repayment_terms_if_refund", seed="A4 §3.a.4")
    run.fire("settle", INSURER, {"repayment_terms": "Terugbetaling binnen een jaar"})
    assert run.state == "terminated"
    assert run.plan.funds["refund_cents"] == 2_000_000


def test_settle__a_shortfall_names_the_agreed_measure() -> None:
    """A4 §3.a.4 rule 2: when the costs exceed the funds paid, the measure is agreed (adjust,
    extra_funds, stop_part).

    Given a plan in accountability whose costs exceed what was paid, when it is settled
    without a measure, it is refused; with `adjust` it is settled and the measure recorded.
    """
    run = _accountability(costs=300000)
    run.refuse("settle", INSURER, rule="has_shortfall_measure_if_short")
    run.fire("settle", INSURER, {"shortfall_measure": "adjust"})
    assert run.plan.facts["settlement"] == {"shortfall_measure": "adjust"}


def test_give_lawfulness_judgement__only_after_settle() -> None:
    """DESIGN-v2.md: settle is required before give_lawfulness_judgement (A4 §3.a.4).

    Given a plan in accountability, when the NZa judges before the funds were settled, then
    it is refused by is_settled; after settle, the lawful verdict closes the plan.
    """
    run = _accountability()
    run.refuse("give_lawfulness_judgement", NZA, {"verdict": "lawful"}, rule="is_settled",
               seed="A4 §3.a.4")
    run.fire("settle", INSURER, settle_payload(run))
    run.fire("give_lawfulness_judgement", NZA, {"verdict": "lawful"})
    assert run.state == "closed"
    assert run.plan.facts["lawfulness"]["verdict"] == "lawful"


def test_give_lawfulness_judgement__unlawful_with_reason_puts_the_reclaim_on_record() -> None:
    """DESIGN-v2.md: `unlawful` (with reason) ends the plan in closed with the verdict and the
    amount to reclaim on the record (A4 §3.a.5).

    Given a settled plan that was paid 250,000 and refunded 70,000, when the NZa judges it
    unlawful without a reason, it is refused; with one, the plan is closed with 180,000 to
    reclaim.
    """
    run = _accountability()
    run.fire("settle", INSURER, settle_payload(run))
    run.refuse("give_lawfulness_judgement", NZA, {"verdict": "unlawful"},
               rule="has_reason_if_unlawful", seed="A4 §3.a.5")
    run.fire("give_lawfulness_judgement", NZA, {"verdict": "unlawful",
                                                "reason": "Kosten niet aantoonbaar"})
    assert run.state == "closed"
    assert run.plan.funds["reclaim_cents"] == 18_000_000


def test_give_lawfulness_judgement__needs_evidence_for_every_paid_kpi() -> None:
    """DESIGN-v2.md: the judgement needs, for each paid KPI, its evidence (A4 §3.a.5).

    Given k2 paid partially without a report, when the NZa judges, then it is refused by
    has_costs_and_kpi_evidence naming k2; after the plan maker reports k2, it is judged.
    """
    run = plan_in_v2("in_implementation")
    run.fire("report_kpi", MAKER, {"kpi": "k1", "evidence": EVIDENCE})
    run.fire("confirm_kpi", INSURER, {"kpi": "k1"})
    run.fire("decide_go", INSURER, {"kpi": "k2"})
    run.fire("pay_partially", INSURER, {"kpi": "k2", "amount_eur": 100000,
                                        "reason": "Deels behaald", "efforts_delivered": True})
    run.fire("record_costs", MAKER, {"amount_eur": 150000, "period": "2027"})
    run.fire("record_monitoring", INSURER, {"summary": "Op koers"})
    run.fire("complete_implementation", INSURER)
    run.fire("settle", INSURER, {})
    refusal = run.refuse("give_lawfulness_judgement", NZA, {"verdict": "lawful"},
                         rule="has_costs_and_kpi_evidence", seed="A4 §3.a.5")
    assert "k2" in refusal.reason
    run.fire("report_kpi", MAKER, {"kpi": "k2", "evidence": "Eindrapport"})
    run.fire("give_lawfulness_judgement", NZA, {"verdict": "lawful"})
    assert run.state == "closed"


def test_give_lawfulness_judgement__needs_monitoring() -> None:
    """DESIGN-v2.md: at least one record_monitoring (A4 §3.a.5).

    Given a settled plan without monitoring, when the NZa judges, it is refused by
    has_monitoring; after monitoring is recorded, the plan is closed.
    """
    run = plan_in_v2("in_implementation")
    for kid in ("k1", "k2"):
        if kid == "k2":
            run.fire("decide_go", INSURER, {"kpi": kid})
        run.fire("report_kpi", MAKER, {"kpi": kid, "evidence": EVIDENCE})
        run.fire("confirm_kpi", INSURER, {"kpi": kid})
    run.fire("record_costs", MAKER, {"amount_eur": 250000, "period": "2027"})
    run.fire("complete_implementation", INSURER)
    run.fire("settle", INSURER, {})
    run.refuse("give_lawfulness_judgement", NZA, {"verdict": "lawful"}, rule="has_monitoring")
    run.fire("record_monitoring", MAKER, {"summary": "Bijgestuurd"})
    run.fire("give_lawfulness_judgement", NZA, {"verdict": "lawful"})
    assert run.state == "closed"


def test_nza__another_organisation_claiming_the_role_is_refused() -> None:
    """DESIGN-v2.md "Institutional actors": nza is the fixed organisation of the settings
    (default NZa); an actor claiming the role with another org is refused.

    Given a contracted plan, when "Zorginstituut" issues the payment decision as nza, it is
    refused by is_party_of_plan; "nza" (the same organisation, other case) issues it.
    """
    run = plan_in_v2("contracted")
    run.refuse("issue_payment_decision", Actor("nza", "Zorginstituut"), rule="is_party_of_plan",
               seed="A4 §3.a.5")
    run.fire("issue_payment_decision", Actor("nza", "nza"))
    assert run.state == "in_implementation"


def test_decide_no_go__the_kpis_still_running_are_no_longer_awaited() -> None:
    """DESIGN-v2.md: after decide_no_go only the settlement remains (A4 §1.7.6, §3.a.4).

    Given a no-go in implementation, then the KPI deadlines still running are cancelled, so
    none becomes a breach while the funds are settled; costs may still be registered then.
    """
    run = plan_in_v2("in_implementation")
    run.fire("decide_no_go", INSURER, {"kpi": "k2"})
    assert {n: d.status for n, d in run.plan.deadlines.items() if n.startswith("kpi:")} == {
        "kpi:k1": "cancelled", "kpi:k2": "cancelled"}
    run.expire(run.plan.deadlines["kpi:k2"].expires_at)
    assert run.plan.breaches == []
    run.fire("record_costs", MAKER, {"amount_eur": 5000, "period": "2027"})
    run.fire("settle", INSURER, {"shortfall_measure": "stop_part"})
    assert run.state == "terminated"


def test_amend_contract__an_amended_kpi_is_reported_again() -> None:
    """DESIGN-v2.md: report_kpi precedes confirm_kpi, which needs that evidence (A4 §3.a.5);
    an amended KPI (A4 §1.7.6) is a new agreement that the old report does not prove.

    Given k1 reported with evidence, when the contract amends k1 (new description, amount,
    due date), then confirm_kpi k1 is refused until the plan maker reports the amended k1;
    k2, reported and not amended, is confirmed on its report.
    """
    run = plan_in_v2("in_implementation")
    run.fire("report_kpi", MAKER, {"kpi": "k1", "evidence": EVIDENCE})
    run.fire("decide_go", INSURER, {"kpi": "k2"})
    run.fire("report_kpi", MAKER, {"kpi": "k2", "evidence": EVIDENCE})
    k1 = {"id": "k1", "description": "Plan en pilot opgeleverd", "amount_eur": 45000,
          "due": "2027-12-31"}
    amend(run, [k1])
    assert "evidence" not in run.plan.facts["kpis"]["k1"]
    run.refuse("confirm_kpi", INSURER, {"kpi": "k1"}, rule="has_kpi_evidence", seed="A4 §3.a.5")
    run.fire("confirm_kpi", INSURER, {"kpi": "k2"})
    run.fire("report_kpi", MAKER, {"kpi": "k1", "evidence": "Pilotrapport (bijlage 4)"})
    run.fire("confirm_kpi", INSURER, {"kpi": "k1"})
    assert run.plan.facts["kpis"]["k1"]["paid_cents"] == 4_500_000


def test_record_costs__after_settle_voids_the_settlement() -> None:
    """A4 §3.a.4: the refund is what was received beyond the costs, agreed "in redelijkheid";
    azwa's choice for @2: costs recorded after `settle` void it, and `settle` runs again before
    the judgement (DESIGN-v2.md: settle is required before give_lawfulness_judgement).

    Given a settled plan in accountability, when more costs are recorded, then the settlement
    is voided (kept on record), the NZa's judgement is refused by is_settled, and after a new
    settle on the new costs it is judged; without new costs the settled plan is judged at once.
    """
    run = _accountability()
    run.fire("settle", INSURER, settle_payload(run))
    refund = run.plan.funds["refund_cents"]
    assert refund > 0
    run.fire("record_costs", MAKER, {"amount_eur": 20000, "period": "2028"})
    assert run.plan.facts["settled"] is False
    assert run.plan.facts["voided_settlements"][0]["refund_cents"] == refund
    run.refuse("give_lawfulness_judgement", NZA, {"verdict": "lawful"}, rule="is_settled",
               seed="A4 §3.a.4")
    run.fire("settle", INSURER, settle_payload(run))
    assert run.plan.funds["refund_cents"] == refund - 2_000_000
    run.fire("give_lawfulness_judgement", NZA, {"verdict": "lawful"})
    assert run.state == "closed"

    settled = _accountability()
    settled.fire("settle", INSURER, settle_payload(settled))
    settled.fire("give_lawfulness_judgement", NZA, {"verdict": "lawful"})
    assert settled.state == "closed"


def test_record_costs__after_settle_under_v1_still_recomputes_the_refund() -> None:
    """DESIGN-v2.md: transformation@1 stays exactly as it is.

    Given a settled @1 plan in accountability, when more costs are recorded, then the refund is
    recomputed and the plan stays settled (the judgement is not refused by settlement).
    """
    from ..builders import plan_in

    run = plan_in("accountability")
    run.fire("settle", INSURER)
    before = run.plan.funds["refund_cents"]
    run.fire("record_costs", MAKER, {"amount_eur": 20000, "period": "2028"})
    assert run.plan.facts["settled"] is True
    assert run.plan.funds["refund_cents"] == max(0, before - 2_000_000)

"""What transformation@2's new and changed triggers record (DESIGN-v2.md).

Effects run after every guard passed and never refuse; the rest are transformation@1's.
"""

from __future__ import annotations

from typing import Any

from states import effects as fx
from states import settings
from states.guards_v2 import QUICK_TEST_REVIEWS, REVIEWS, amendment_terms
from workflow.core.context import Context
from workflow.core.money import RECLAIM, parse_cents
from workflow.core.plan import CANCELLED, Plan
from workflow.core.timecalc import format_at


def init_facts(plan: Plan, ctx: Context) -> None:
    """@1's facts, with v2's; a party registered with its fte and no provider_size is sized
    by the threshold (AZWA_SMALL_PROVIDER_MAX_FTE), for the monitoring (A4 §4.a.1)."""
    fx.init_facts(plan, ctx)
    parties = plan.attrs.get("parties")
    if isinstance(parties, list):  # new objects: the registration's payload stays as given
        plan.attrs["parties"] = [
            {**p, "provider_size": settings.size_for_fte(p["fte"])}
            if isinstance(p, dict) and p.get("fte") is not None and p.get("provider_size") is None
            else p for p in parties]
    plan.facts.update({QUICK_TEST_REVIEWS: {}, "coordinator_waivers": [],
                       "amendment_commitments": {}})
    plan.funds[RECLAIM] = 0  # shown with the funds: what an unlawful verdict reclaims


def join_financier(plan: Plan, ctx: Context) -> None:
    plan.facts["joined"].append(
        {"org": ctx.actor.org, "region": ctx.actor.region, "kind": ctx.payload["kind"]})


def record_review(plan: Plan, ctx: Context) -> None:
    """The verdict, with its conditions; in the quick test (the second insurer's part of the
    one assessment) kept apart from the plan's joint review. A replaced verdict stays on
    record under `revisions`."""
    where = QUICK_TEST_REVIEWS if plan.state == "quick_test_under_review" else REVIEWS
    key = f"{ctx.actor.role}:{ctx.actor.org}"
    review: dict[str, Any] = {"role": ctx.actor.role, "org": ctx.actor.org,
                              "verdict": ctx.payload["verdict"], "at": format_at(ctx.at)}
    if ctx.payload.get("conditions"):
        review["conditions"] = ctx.payload["conditions"]
    earlier = plan.facts[where].get(key)
    if earlier is not None:
        kept = {k: earlier[k] for k in ("verdict", "at", "conditions") if k in earlier}
        review["revisions"] = [*earlier.get("revisions", []), kept]
        review["replaced"] = True
    plan.facts[where][key] = review


def waive_coordinator(plan: Plan, ctx: Context) -> None:
    plan.facts["coordinator_waivers"].append(ctx.actor.org)


def record_commitment(plan: Plan, ctx: Context) -> None:
    """A commitment to the plan in the joint review; during implementation, to the
    amendment it names (its KPIs, kept per organisation: a later one replaces it)."""
    if plan.state == "joint_review":
        plan.facts["commitments"].append(ctx.actor.org)
    else:
        plan.facts["amendment_commitments"][ctx.actor.org] = amendment_terms(
            ctx.payload["amendment"]["kpis"])


def report_kpi(plan: Plan, ctx: Context) -> None:
    kpi = plan.facts["kpis"][str(ctx.payload["kpi"])]
    kpi["evidence"] = ctx.payload["evidence"]
    kpi["reported_at"] = format_at(ctx.at)


def amend_contract(plan: Plan, ctx: Context) -> None:
    """Amended KPIs replace their agreement (amount, due date); new ones are added; the
    plan makers' commitment is spent on this amendment. An amended KPI is a new agreement:
    the evidence reported for the old one does not prove it, so it is reported again."""
    kpis = plan.facts["kpis"]
    for k in ctx.payload["kpis"]:
        kpis[str(k["id"])] = {
            "description": k["description"],
            "amount_cents": parse_cents(k["amount_eur"], "amount_eur"),
            "due": k["due"],
            "go_no_go": bool(k.get("go_no_go", False)),
            "status": "open",
            "paid_cents": 0,
            "decision": None,
        }
    plan.facts["amendments"] = [*plan.facts.get("amendments", []),
                                {"at": format_at(ctx.at), "reason": ctx.payload["reason"]}]
    plan.facts["amendment_commitments"] = {}


def record_costs(plan: Plan, ctx: Context) -> None:
    """Costs recorded after `settle` void that settlement: its refund and repayment terms
    rest on costs that are out of date, so the funds are settled again before the
    judgement (A4 §3.a.4). The voided settlement stays on record."""
    agreed = plan.funds["refund_cents"]
    fx.record_costs(plan, ctx)
    if plan.facts.get("settled"):
        plan.facts["settled"] = False
        voided = {**plan.facts.pop("settlement", {}), "refund_cents": agreed,
                  "voided_at": format_at(ctx.at)}
        plan.facts["voided_settlements"] = [*plan.facts.get("voided_settlements", []), voided]


def settle(plan: Plan, ctx: Context) -> None:
    """Refund what was received beyond the costs (A4 §3.a.4), on the terms agreed."""
    fx.settle(plan, ctx)
    plan.facts["settlement"] = {k: ctx.payload[k] for k in ("repayment_terms",
                                                            "shortfall_measure")
                                if k in ctx.payload}


def judge_lawfulness(plan: Plan, ctx: Context) -> None:
    """The NZa's verdict; an unlawful one puts what was paid and not refunded on record to
    reclaim."""
    verdict = ctx.payload["verdict"]
    plan.facts["lawfulness"] = {"verdict": verdict, "reason": ctx.payload.get("reason")}
    if verdict == "unlawful":
        plan.funds[RECLAIM] = max(0, plan.funds["paid_cents"] - plan.funds["refund_cents"])


def contact_board_level(plan: Plan, ctx: Context) -> None:
    plan.facts["board_contacts"] = [*plan.facts.get("board_contacts", []),
                                    {"contact": ctx.payload["contact"], "by": ctx.actor.org}]


def refer_to_governance_group(plan: Plan, ctx: Context) -> None:
    plan.facts["referrals"] = [*plan.facts.get("referrals", []),
                               {"issue": ctx.payload["issue"], "at": format_at(ctx.at)}]


def request_flying_brigade(plan: Plan, ctx: Context) -> None:
    plan.facts["flying_brigade_requested"] = format_at(ctx.at)
    plan.facts["flying_brigade_question"] = ctx.payload["question"]


def grant_single_applicant(plan: Plan, ctx: Context) -> None:
    plan.attrs["single_applicant_granted"] = True
    plan.facts["single_applicant_reason"] = ctx.payload["reason"]


def decide_no_go(plan: Plan, ctx: Context) -> None:
    """The plan stops: its KPIs still running are no longer awaited (their deadlines are
    cancelled), and only the settlement remains."""
    fx.decide_no_go(plan, ctx)
    at = format_at(ctx.at)
    for name, deadline in plan.deadlines.items():
        if name.startswith("kpi:") and deadline.is_open:
            deadline.status, deadline.closed_at = CANCELLED, at

"""What an accepted trigger records on the plan, beyond the state change.

Effects run only after every guard passed, so they never refuse: a payload an effect reads
has been checked by a guard first.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from workflow.core.context import Context
from workflow.core.plan import Plan
from workflow.core.timecalc import expiry_instant, format_at


def _money(value: Any) -> float:
    return round(float(value), 2)


def _add(plan: Plan, key: str, amount: Any) -> None:
    plan.funds[key] = _money(plan.funds.get(key, 0) + float(amount))


def init_facts(plan: Plan, ctx: Context) -> None:
    plan.facts.update(
        {
            "second_insurer": plan.attrs.get("second_insurer"),
            "character": None,
            "joined": [],
            "reviews": {},
            "commitments": [],
            "kpis": {},
            "cost_records": 0,
            "monitoring_records": 0,
        }
    )


def join_financier(plan: Plan, ctx: Context) -> None:
    plan.facts["joined"].append({"org": ctx.actor.org, "region": ctx.actor.region})


def agree_character(plan: Plan, ctx: Context) -> None:
    plan.facts["character"] = ctx.payload["character"]


def name_second_insurer(plan: Plan, ctx: Context) -> None:
    plan.facts["second_insurer"] = ctx.payload["org"]


def request_information(plan: Plan, ctx: Context) -> None:
    plan.facts["information_requested"] = list(ctx.payload["missing"])


def store_plan_content(plan: Plan, ctx: Context) -> None:
    plan.facts["content"] = {
        k: ctx.payload[k] for k in ("impact", "kpis", "modelplan") if k in ctx.payload
    }


def record_review(plan: Plan, ctx: Context) -> None:
    """The verdict of this organisation in this role; a replaced verdict stays on record
    under `revisions`, oldest first, and the review says `replaced: true`."""
    key = f"{ctx.actor.role}:{ctx.actor.org}"
    review: dict[str, Any] = {
        "role": ctx.actor.role,
        "org": ctx.actor.org,
        "verdict": ctx.payload["verdict"],
        "at": format_at(ctx.at),
    }
    earlier = plan.facts["reviews"].get(key)
    if earlier is not None:
        kept = {k: earlier[k] for k in ("verdict", "at")}
        review["revisions"] = [*earlier.get("revisions", []), kept]
        review["replaced"] = True
    plan.facts["reviews"][key] = review


def assign_coordinator(plan: Plan, ctx: Context) -> None:
    plan.facts["regional_coordinator"] = {
        "org": ctx.payload["org"],
        "region": ctx.payload["region"],
    }


def waive_coordinator(plan: Plan, ctx: Context) -> None:
    plan.facts["coordinator_waived"] = True


def approve_social_domain(plan: Plan, ctx: Context) -> None:
    plan.facts["social_domain_approval"] = True


def decline_social_domain(plan: Plan, ctx: Context) -> None:
    plan.facts["social_domain_approval"] = False


def record_commitment(plan: Plan, ctx: Context) -> None:
    plan.facts["commitments"].append(ctx.actor.org)


def share_feedback(plan: Plan, ctx: Context) -> None:
    plan.facts["joint_feedback"] = True


def start_new_review_round(plan: Plan, ctx: Context) -> None:
    """A revised plan is assessed afresh: reviews, commitments and feedback start over."""
    plan.facts["reviews"] = {}
    plan.facts["commitments"] = []
    plan.facts["joint_feedback"] = False
    plan.facts.pop("social_domain_approval", None)
    plan.facts["revisions"] = plan.facts.get("revisions", 0) + 1


def approve(plan: Plan, ctx: Context) -> None:
    plan.facts["approved_at"] = format_at(ctx.at)


def sign_contract(plan: Plan, ctx: Context) -> None:
    plan.facts["kpis"] = {
        str(k["id"]): {
            "description": k["description"],
            "amount_eur": _money(k["amount_eur"]),
            "due": k["due"],
            "go_no_go": bool(k.get("go_no_go", False)),
            "status": "open",
            "paid_eur": 0,
            "decision": None,
        }
        for k in ctx.payload["kpis"]
    }


def payment_decision(plan: Plan, ctx: Context) -> None:
    plan.facts["payment_decision"] = format_at(ctx.at)


def confirm_kpi(plan: Plan, ctx: Context) -> None:
    kpi = plan.facts["kpis"][str(ctx.payload["kpi"])]
    kpi["status"], kpi["paid_eur"] = "confirmed", kpi["amount_eur"]
    _add(plan, "paid_eur", kpi["amount_eur"])


def pay_partially(plan: Plan, ctx: Context) -> None:
    kpi = plan.facts["kpis"][str(ctx.payload["kpi"])]
    kpi["status"], kpi["paid_eur"] = "partial", _money(ctx.payload["amount_eur"])
    _add(plan, "paid_eur", ctx.payload["amount_eur"])


def decide_go(plan: Plan, ctx: Context) -> None:
    plan.facts["kpis"][str(ctx.payload["kpi"])]["decision"] = "go"


def decide_no_go(plan: Plan, ctx: Context) -> None:
    plan.facts["kpis"][str(ctx.payload["kpi"])]["decision"] = "no_go"


def record_costs(plan: Plan, ctx: Context) -> None:
    _add(plan, "costs_eur", ctx.payload["amount_eur"])
    plan.facts["cost_records"] += 1


def record_monitoring(plan: Plan, ctx: Context) -> None:
    plan.facts["monitoring_records"] += 1


def settle(plan: Plan, ctx: Context) -> None:
    """Funds received beyond the costs are paid back (A4 §3.a.4 rule 1)."""
    plan.funds["refund_eur"] = _money(max(0.0, plan.funds["paid_eur"] - plan.funds["costs_eur"]))
    plan.facts["settled"] = True


def note_flying_brigade(plan: Plan, ctx: Context) -> None:
    plan.facts["flying_brigade_requested"] = format_at(ctx.at)


def extend_deadline(plan: Plan, ctx: Context) -> None:
    """Move a running deadline to the end of the new day (A4 §1.5, by agreement)."""
    deadline = plan.deadlines[str(ctx.payload["deadline"])]
    deadline.due = date.fromisoformat(str(ctx.payload["until"]))
    deadline.expires_at = expiry_instant(deadline.due)
    deadline.extensions += 1

"""A plan and a list of plans as JSON: what `azwa plan show --json`, `plan list --json` and
the HTTP service answer, built in one place so the command line and the service never
disagree. Identifiers and ISO values only; the terminal's wording is workflow/cli/render.py."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import states
from states.guards import participating_municipalities, party_orgs, second_insurer
from workflow.core.money import funds_eur, to_eur
from workflow.core.plan import Plan
from workflow.core.timecalc import days_left
from workflow.core.todo import Worklist
from workflow.store.protocol import PlanSummary

UNKNOWN = "unknown"
"""A monitoring field (sector, provider size, A4 §4.a.1) the registration left out."""


def plan_json(
    plan: Plan, now: datetime, worklists: list[Worklist] | None = None
) -> dict[str, Any]:
    """What `plan show --json` prints: state, deadlines with days left, breaches and, apart
    from them, missed aims (DESIGN-v2: a missed aim is never a breach), the definition, the
    sector, per organisation its to-dos, what it may also do and why it idles; the
    settlement and the lawfulness verdict once given."""
    return {
        "plan_id": plan.plan_id,
        "title": plan.attrs.get("title"),
        "track": plan.attrs.get("track"),
        "region": plan.attrs.get("region"),
        "definition": plan.definition,
        "sector": plan.attrs.get("sector") or UNKNOWN,
        "state": plan.state,
        "escalation": plan.escalation,
        "seq": plan.seq,
        "open_deadlines": [
            {"name": d.name, "due": d.due.isoformat(), "days_left": days_left(d.due, now),
             "started_at": d.started_at}
            for d in plan.open_deadlines()
        ],
        "breaches": list(plan.breaches),
        "missed_aims": list(plan.missed_aims),
        "escalation_history": plan.escalation_history,
        "funds": funds_eur(plan.funds),
        "settlement": settlement_of(plan),
        "lawfulness": lawfulness_of(plan),
        "parties": parties_of(plan),
        "kpis": kpis_of(plan, now),
        "organisations": [w.to_dict() for w in worklists or []],
    }


def settlement_of(plan: Plan) -> dict[str, Any] | None:
    """Once settled (A4 §3.a.4): the repayment terms and the shortfall measure agreed, if
    any (transformation@2 records them; @1 only that it was settled)."""
    terms = plan.facts.get("settlement")
    if terms is None and not plan.facts.get("settled"):
        return None
    return {"repayment_terms": None, "shortfall_measure": None, **(terms or {})}


def lawfulness_of(plan: Plan) -> dict[str, Any] | None:
    """The NZa's verdict and its reason (A4 §3.a.5), once given under transformation@2."""
    found = plan.facts.get("lawfulness")
    return None if not found else {"verdict": found.get("verdict"),
                                   "reason": found.get("reason")}


def parties_of(plan: Plan) -> list[dict[str, Any]]:
    """Who takes part, per role: plan makers with their provider size (A4 §4.a.1, `unknown`
    when not given), insurers, municipalities, the regional coordinator (or that the
    municipalities waived one, A4 §1.b.3)."""
    sizes = {str(p.get("org")): p.get("provider_size")
             for p in plan.attrs.get("parties") or [] if isinstance(p, dict)}
    rows: list[dict[str, Any]] = [
        {"role": "plan_maker", "org": org, "provider_size": sizes.get(org) or UNKNOWN}
        for org in party_orgs(plan.attrs)]
    rows.append({"role": "coordinating_insurer", "org": plan.attrs.get("coordinating_insurer")})
    second = second_insurer(plan.facts) or second_insurer(plan.attrs)
    if second:
        rows.append({"role": "second_insurer", "org": second})
    rows += [{"role": "municipality", "org": org}
             for org in participating_municipalities(plan.attrs, plan.facts)]
    coordinator = plan.facts.get("regional_coordinator")
    if coordinator:
        rows.append({"role": "regional_coordinator", "org": coordinator.get("org"),
                     "region": coordinator.get("region")})
    elif plan.facts.get("coordinator_waived"):
        rows.append({"role": "regional_coordinator", "org": None, "note": "waived"})
    return rows


def kpis_of(plan: Plan, now: datetime) -> list[dict[str, Any]]:
    """The contract's KPI milestones (A4 §1.7, §1.7.4): amount, due day, days left, status,
    paid."""
    found: dict[str, dict[str, Any]] = plan.facts.get("kpis") or {}
    rows = []
    for kpi_id, kpi in found.items():
        due = str(kpi.get("due", ""))
        try:
            left: int | None = days_left(date.fromisoformat(due), now)
        except ValueError:
            left = None
        rows.append({"kpi": kpi_id, "description": kpi.get("description"),
                     "amount_eur": to_eur(int(kpi.get("amount_cents", 0))), "due": due,
                     "days_left": left, "status": kpi.get("status"),
                     "paid_eur": to_eur(int(kpi.get("paid_cents", 0))),
                     "go_no_go": kpi.get("go_no_go"), "decision": kpi.get("decision")})
    return sorted(rows, key=lambda r: (r["due"], r["kpi"]))


def due_of(row: PlanSummary, now: datetime,
           owed: tuple[str, str] | None = None) -> dict[str, Any]:
    """A listed plan's earliest open deadline: its due day, name, days left and whether it
    is overdue (its expiry lies at or before `now`, as `tick` counts it); with none open,
    `owed` (name, due day), a deadline `tick` expired whose act is still owed. `plan list`
    prints this in JSON and in the table alike."""
    if row.next_due is None:
        since = {"overdue_since": owed[1], "overdue_deadline": owed[0]} if owed else {}
        return {"next_due": None, "next_deadline": None, "days_left": None,
                "overdue": owed is not None, **since}
    return {
        "next_due": row.next_due, "next_deadline": row.next_deadline,
        "days_left": days_left(date.fromisoformat(row.next_due), now),
        "overdue": row.next_expires_at is not None and row.next_expires_at <= now,
    }


def still_owed(row: PlanSummary) -> tuple[str, str] | None:
    """For a live plan without an open deadline: the latest deadline `tick` expired whose
    act is still owed, i.e. a trigger that meets it leaves the state the plan is in (name,
    due day); None otherwise. Read from the stored rows and the definition alone."""
    if row.next_due is not None or not row.expired:
        return None
    try:
        definition = states.get(row.definition)
    except KeyError:
        return None
    if row.state in definition.finals:
        return None
    for name, due in row.expired:
        spec = next((d for d in definition.deadlines
                     if d.name == name or name.startswith(f"{d.name}:")), None)
        if spec is not None and any(tr.trigger in spec.met_by and row.state in tr.sources
                                    for tr in definition.transitions):
            return name, due
    return None


Owed = Mapping[str, tuple[str, str]]
"""Per plan id: the expired deadline (name, due day) whose act is still owed."""


def owed_of(rows: list[PlanSummary]) -> dict[str, tuple[str, str]]:
    return {r.plan_id: found for r in rows if (found := still_owed(r)) is not None}


def plans_json(rows: list[PlanSummary], now: datetime,
               owed: Owed | None = None) -> list[dict[str, Any]]:
    """What `plan list --json` prints; `owed` defaults to what `still_owed` finds."""
    owed = owed_of(rows) if owed is None else owed
    return [
        {"plan_id": r.plan_id, "title": r.title, "region": r.region, "track": r.track,
         "state": r.state, "escalation": r.escalation, "definition": r.definition,
         "seq": r.seq, **due_of(r, now, owed.get(r.plan_id)),
         "next_expires_at": r.next_expires_at.isoformat() if r.next_expires_at else None,
         "breaches": list(r.breaches)}
        for r in rows
    ]

"""The roles of the process (DESIGN.md "Who acts") and who belongs to a plan in each."""

from __future__ import annotations

from states.guards import participating_municipalities, party_orgs, second_insurer
from workflow.core.plan import Plan
from workflow.core.spec import Actor, Membership

ROLES: dict[str, str] = {
    "plan_maker": "planmakers / indienende partijen / zorgaanbieders",
    "coordinating_insurer": "coördinerende zorgverzekeraar",
    "second_insurer": "tweede zorgverzekeraar, reviews in parallel (A4 §1.3)",
    "municipality": "(mandaat)gemeente: social-domain parts, third assessor (A4 §1.b)",
    "regional_coordinator": "regiocoördinator, optional co-assessor (A4 §1.b.3)",
    "nza": "NZa: payment decision and lawfulness judgement (A4 §3.a.5)",
    "governance_board": "bestuurlijke groep: last escalation step (A4 §1.4.5, §4)",
    "system": "the engine itself: deadline expiry only",
    "auditor": "reads, replays and verifies; fires nothing",
}

PARTIES = frozenset({"plan_maker", "coordinating_insurer", "second_insurer", "municipality"})


def _plan_maker(plan: Plan, actor: Actor) -> bool:
    return actor.org in party_orgs(plan.attrs)


def _coordinating(plan: Plan, actor: Actor) -> bool:
    return bool(actor.org == plan.attrs["coordinating_insurer"])


def _second(plan: Plan, actor: Actor) -> bool:
    return actor.org == second_insurer(plan.facts)


def _municipality(plan: Plan, actor: Actor) -> bool:
    return actor.org in participating_municipalities(plan.attrs, plan.facts)


def _coordinator(plan: Plan, actor: Actor) -> bool:
    assigned = plan.facts.get("regional_coordinator")
    return assigned is not None and actor.org == assigned["org"]


def _anyone(plan: Plan, actor: Actor) -> bool:
    return True


MEMBERSHIP: dict[str, Membership] = {
    "plan_maker": _plan_maker,
    "coordinating_insurer": _coordinating,
    "second_insurer": _second,
    "municipality": _municipality,
    "regional_coordinator": _coordinator,
    "nza": _anyone,
    "governance_board": _anyone,
    "system": _anyone,
    "auditor": _anyone,
}


MEMBERSHIP_SEED: dict[str, str] = {
    "plan_maker": "A4 §1.a.2",
    "coordinating_insurer": "A4 §1.a.3",
    "second_insurer": "A4 §1.3.1",
    "municipality": "A4 §1.b.3",
    "regional_coordinator": "A4 §1.b.3",
}


def representative(plan: Plan, role: str) -> Actor | None:
    """The organisation that acts in `role` on this plan, if the plan has one."""
    orgs: dict[str, str | None] = {
        "plan_maker": next(iter(party_orgs(plan.attrs)), None),
        "coordinating_insurer": plan.attrs.get("coordinating_insurer"),
        "second_insurer": second_insurer(plan.facts),
        "municipality": next(iter(participating_municipalities(plan.attrs, plan.facts)), None),
        "regional_coordinator": (plan.facts.get("regional_coordinator") or {}).get("org"),
        "nza": "NZa",
        "governance_board": "Bestuurlijke groep",
    }
    org = orgs.get(role)
    return Actor(role, org, plan.attrs.get("region")) if org else None

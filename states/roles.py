"""The roles of the process (DESIGN.md "Who acts") and who belongs to a plan in each."""

from __future__ import annotations

from collections.abc import Collection

from states.guards import participating_municipalities, party_orgs, second_insurer
from workflow.core.plan import Plan
from workflow.core.spec import Actor, Membership, shared

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


NZA_ORG, BOARD_ORG = "NZa", "Bestuurlijke groep"
NZA_STATES = frozenset({"contracted", "accountability"})
"""Where the NZa acts: the payment decision and the lawfulness judgement (A4 §3.a.5)."""
BOARD_STEPS = frozenset({"board_level", "governance"})
"""Where the governance board acts: escalation steps 3 and 4 (A4 §1.4.5)."""


def actors(plan: Plan, roles: Collection[str] | None = None) -> list[Actor]:
    """Every organisation acting on this plan, once per role: each plan maker party, the two
    insurers, each participating municipality, the assigned regional coordinator, and the
    NZa or the governance board where the plan has reached them. Given `roles`, only the
    actors in those roles, in the same order."""
    attrs, facts = plan.attrs, plan.facts
    wanted = ROLES if roles is None else roles
    found = makers_and_insurers(plan, wanted)
    if "municipality" in wanted:
        listed = participating_municipalities(attrs, facts)
        if len(listed) == 1:  # most plans: none, else mostly one
            found.append(shared("municipality", listed[0], _region_of(plan, listed[0])))
        elif listed:
            found += [shared("municipality", org, _region_of(plan, org))
                      for org in dict.fromkeys(listed)]
    if "regional_coordinator" in wanted:
        assigned = facts.get("regional_coordinator")
        if assigned is not None:
            found.append(shared("regional_coordinator", assigned["org"], assigned.get("region")))
    if plan.state in NZA_STATES and "nza" in wanted:
        found.append(shared("nza", NZA_ORG, None))
    if plan.escalation in BOARD_STEPS and "governance_board" in wanted:
        found.append(shared("governance_board", BOARD_ORG, None))
    return found


def makers_and_insurers(plan: Plan, wanted: Collection[str]) -> list[Actor]:
    """The plan maker parties and the two insurers among the `wanted` roles, in that order:
    the first actors of every version's list."""
    attrs = plan.attrs
    found: list[Actor] = []
    # Once per role: within a role an actor is told apart by its organisation alone (the
    # region follows from it), so the organisations are made unique, not the actors.
    if "plan_maker" in wanted:
        parties = attrs.get("parties", ())
        region = attrs.get("region")
        if len(parties) == 1:  # most plans: one party, nothing to make unique
            found.append(shared("plan_maker", parties[0]["org"], region))
        else:
            found += [shared("plan_maker", org, region)
                      for org in dict.fromkeys(party_orgs(attrs))]
    if "coordinating_insurer" in wanted:
        found.append(shared("coordinating_insurer", attrs["coordinating_insurer"], None))
    if "second_insurer" in wanted:
        second = second_insurer(plan.facts)
        if second is not None:
            found.append(shared("second_insurer", second, None))
    return found


def _region_of(plan: Plan, org: str) -> str | None:
    """The region the plan lists for a municipality, else the one it joined with."""
    for listed in (plan.attrs.get("municipalities", ()), plan.facts.get("joined", ())):
        for m in listed:
            if m.get("org") == org:
                region: str | None = m.get("region")
                return region
    return None

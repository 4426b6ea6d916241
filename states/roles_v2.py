"""The roles of transformation@2: those of @1, a care office beside the municipality, and the
NZa and governance board as the one organisation each that the settings name."""

from __future__ import annotations

from collections.abc import Collection

from states import roles as v1
from states import settings
from states.guards_v2 import care_offices, is_institution, municipalities
from workflow.core.plan import Plan
from workflow.core.spec import Actor, Membership, shared

ROLES: dict[str, str] = {
    **v1.ROLES,
    "care_office": "zorgkantoor (Wlz): other financier, reviews and commits (A4 §1.a.1)",
    "regional_coordinator": "regiocoördinator, co-assessor unless waived (A4 §1.b.3)",
    "governance_board": "bestuurlijke groep: referral in generic terms (A4 §1.4.5, §4)",
}

PARTIES = frozenset({*v1.PARTIES, "care_office"})
FINANCIERS = frozenset({"municipality", "care_office"})


def _municipality(plan: Plan, actor: Actor) -> bool:
    return actor.org in municipalities(plan.attrs, plan.facts)


def _care_office(plan: Plan, actor: Actor) -> bool:
    return actor.org in care_offices(plan.facts)


def _institution(plan: Plan, actor: Actor) -> bool:
    return is_institution(actor.org, actor.role)


MEMBERSHIP: dict[str, Membership] = {
    **v1.MEMBERSHIP,
    "municipality": _municipality,
    "care_office": _care_office,
    "nza": _institution,
    "governance_board": _institution,
}

MEMBERSHIP_SEED: dict[str, str] = {
    **v1.MEMBERSHIP_SEED,
    "care_office": "A4 §1.a.1",
    "nza": "A4 §3.a.5",
    "governance_board": "A4 §1.4.5",
}

def actors(plan: Plan, roles: Collection[str] | None = None) -> list[Actor]:
    """Every organisation acting on this plan, once per role (as transformation@1 lists
    them), with the care offices and the NZa by its setting. The governance board fires
    nothing here: the coordinating insurer refers a problem to it (A4 §1.4.5). Given
    `roles`, only the actors in those roles, in the same order."""
    attrs, facts = plan.attrs, plan.facts
    wanted = ROLES if roles is None else roles
    found = v1.makers_and_insurers(plan, wanted)
    # Once per role: within a role the organisation tells actors apart (see v1.actors).
    municipality = "municipality" in wanted
    care_office = "care_office" in wanted
    if municipality or care_office:
        joined = {j["org"]: j.get("region") for j in facts.get("joined", [])}
        if municipality:
            listed = {m["org"]: m.get("region") for m in attrs.get("municipalities", [])}
            found += [shared("municipality", org, listed.get(org, joined.get(org)))
                      for org in dict.fromkeys(municipalities(attrs, facts))]
        if care_office:
            found += [shared("care_office", org, joined.get(org))
                      for org in dict.fromkeys(care_offices(facts))]
    if "regional_coordinator" in wanted:
        assigned = facts.get("regional_coordinator")
        if assigned is not None:
            found.append(shared("regional_coordinator", assigned["org"], assigned.get("region")))
    if plan.state in v1.NZA_STATES and "nza" in wanted:
        found.append(shared("nza", settings.nza_org(), None))
    return found

"""Representative plans, actors and payloads for exploring a definition's state space.

The explorer (`statespace`) drives the real engine; what it needs from outside is what a
user would type: a registration, who acts, and per trigger a few payloads that stand for
every payload the rules tell apart (a positive and a negative verdict, each open KPI, each
running deadline). None of this is a rule: a payload the rules refuse is simply not a
transition. A trigger without a sample here gets payloads made from its declared schema.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from workflow.core.payload import (
    Bool,
    Date,
    Enum,
    ListOf,
    Money,
    Number,
    Object,
    PayloadSchema,
    Text,
)
from workflow.core.plan import Plan
from workflow.core.spec import Actor, Definition
from workflow.core.timecalc import local_date

Payloads = Callable[[Plan, Actor, datetime], list[dict[str, Any]]]

MAKER, INSURER, SECOND = "Huisartsen Twente", "Menzis", "Zilveren Kruis"
TOWN = "Gemeente Enschede"
COORDINATOR = {"org": "Regiocoördinator Achterhoek", "region": "Achterhoek"}
APPLICANTS = ("Zorggroep Noorderhaven", "Thuiszorg De Lindeboom")
"""The applicants of the shipped example modelplan (MP BE12: the plan's own parties)."""
MODELPLAN_EXAMPLE = Path(__file__).parent.parent / "examples" / "modelplan_example.yaml"


@dataclass(frozen=True, slots=True)
class Profile:
    """One abstract plan: what it is registered with, by whom."""

    name: str
    registrant: Actor
    registration: dict[str, Any]
    joiners: bool = False
    """Whether an outside organisation joins (a municipality as financier)."""


_BASE: dict[str, Any] = {
    "title": "Wijkzorg Twente", "region": "Twente", "track": "transformation",
    "parties": [{"org": MAKER, "role": "plan_maker"}], "coordinating_insurer": INSURER,
}

PROFILES = (
    Profile("plain", Actor("plan_maker", MAKER, "Twente"), {
        **_BASE, "social_domain": False, "domain_transcending": False,
        "second_insurer": SECOND, "municipalities": []}),
    Profile("social_domain", Actor("plan_maker", MAKER, "Twente"), {
        **_BASE, "social_domain": True, "domain_transcending": True,
        "municipalities": [{"org": TOWN, "region": "Twente"}]}, joiners=True),
    Profile("breakthrough", Actor("plan_maker", APPLICANTS[0], "Twente"), {
        **_BASE, "track": "breakthrough", "social_domain": False,
        "domain_transcending": False, "second_insurer": SECOND, "municipalities": [],
        "parties": [{"org": org, "role": "plan_maker"} for org in APPLICANTS]}),
)
"""A plan of health care alone, its second insurer named at once; a domain-transcending
social-domain plan with a municipality, whose second insurer is named later; and a plan of
the breakthrough track (MP), its modelplan the shipped example."""


def actors_for(definition: Definition, plan: Plan, outsiders: bool) -> list[Actor]:
    """Everyone acting on the plan; with `outsiders`, one outsider per role too (a
    municipality that joins as financier, where the profile lets one join)."""
    found = list(definition.actors(plan)) if definition.actors is not None else []
    if outsiders:
        found += [Actor(role, f"Andere {role}", "Elders") for role in sorted(definition.roles)]
    return list(dict.fromkeys(found))


def _day(at: datetime, days: int) -> str:
    return (local_date(at) + timedelta(days=days)).isoformat()


def _kpis(plan: Plan) -> list[str]:
    kpis = plan.facts.get("kpis")
    return sorted(kpis) if isinstance(kpis, dict) else []


def _contract(at: datetime) -> list[dict[str, Any]]:
    return [
        {"id": "k1", "description": "Plan delivered", "amount_eur": 1000,
         "due": _day(at, 30), "go_no_go": False},
        {"id": "k2", "description": "Patients seen in the neighbourhood", "amount_eur": 2000,
         "due": _day(at, 60), "go_no_go": True},
    ]


_IMPACT = {"impact": {"criteria": ["care_use"], "transition_goals": "Zorg dichtbij huis",
                      "regional_plan": "Past in het regioplan"},
           "kpis": ["plan delivered"]}


@cache
def _modelplan() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(MODELPLAN_EXAMPLE.read_text(encoding="utf-8"))
    return data


def _plan_content(plan: Plan, actor: Actor, at: datetime) -> list[dict[str, Any]]:
    """The content the plan's track asks for: the impact statement, or the modelplan."""
    if plan.attrs.get("track") == "breakthrough":
        return [{"modelplan": _modelplan()}]
    return [dict(_IMPACT)]


def _reviews(plan: Plan, actor: Actor, at: datetime) -> list[dict[str, Any]]:
    """A positive and a negative verdict, each once: a replaced verdict changes what is on
    record, not which way the process can go."""
    if f"{actor.role}:{actor.org}" in plan.facts.get("reviews", {}):
        return []
    return [{"verdict": "positive"}, {"verdict": "negative"}]


def _per_kpi(*extra: dict[str, Any]) -> Payloads:
    def make(plan: Plan, actor: Actor, at: datetime) -> list[dict[str, Any]]:
        return [{"kpi": k, **e} for k in _kpis(plan) for e in (extra or ({},))]
    return make


def _extensions(plan: Plan, actor: Actor, at: datetime) -> list[dict[str, Any]]:
    return [{"deadline": name, "until": (dl.due + timedelta(days=30)).isoformat(),
             "reason": "Meer tijd afgesproken"} for name, dl in sorted(plan.deadlines.items())]


def _commitments(plan: Plan, actor: Actor, at: datetime) -> list[dict[str, Any]]:
    """To the plan; during implementation, to an amendment (its KPIs)."""
    if plan.state == "in_implementation":
        return [{"amendment": {"kpis": _contract(at)}}]
    return [{}]


def _amendments(plan: Plan, actor: Actor, at: datetime) -> list[dict[str, Any]]:
    """A fresh amendment, and the one the plan makers committed to (if any)."""
    out = [{"kpis": _contract(at), "reason": "Bijgesteld"}]
    committed = plan.facts.get("amendment_commitments")
    for terms in list(committed.values())[:1] if isinstance(committed, dict) else []:
        out.append({"kpis": [{"id": k["id"], "description": k["description"],
                              "amount_eur": k["amount_cents"] / 100, "due": k["due"],
                              "go_no_go": k["go_no_go"]} for k in terms],
                    "reason": "Bijgesteld"})
    return out


def _fixed(*payloads: dict[str, Any]) -> Payloads:
    return lambda plan, actor, at: [dict(p) for p in payloads]


SAMPLES: dict[str, Payloads] = {
    "join_as_financier": _fixed({}, {"kind": "municipality"}),
    "name_second_insurer": _fixed({"org": SECOND}),
    "agree_character": _fixed({"character": "innovation"}),
    "request_information": _fixed({"missing": ["begroting"]}),
    "submit_plan": _plan_content,
    "resubmit_plan": _plan_content,
    "submit_review": _reviews,
    "assign_regional_coordinator": _fixed(COORDINATOR),
    "sign_contract": lambda plan, actor, at: [{"kpis": _contract(at)}],
    "record_commitment": _commitments,
    "amend_contract": _amendments,
    "confirm_kpi": _per_kpi(),
    "report_kpi": _per_kpi({"evidence": "rapportage.pdf"}),
    "pay_partially": _per_kpi({"amount_eur": 500, "reason": "Inspanning geleverd",
                               "efforts_delivered": True}),
    "decide_go": _per_kpi(),
    "decide_no_go": _per_kpi(),
    "record_costs": _fixed({"amount_eur": 800, "period": "2026"}),
    "record_monitoring": _fixed({"summary": "Op koers"}),
    "settle": _fixed({}, {"repayment_terms": "In twee termijnen"},
                     {"shortfall_measure": "adjust"},
                     {"repayment_terms": "In twee termijnen", "shortfall_measure": "adjust"}),
    "give_lawfulness_judgement": _fixed({}, {"verdict": "lawful"},
                                        {"verdict": "unlawful", "reason": "Geen bewijs"}),
    "extend_deadline": _extensions,
    "escalate": _fixed({"issue": "Geen overeenstemming", "contact": "J. de Vries"}),
}


def _values(kind: Any, at: datetime) -> list[Any]:
    """A value of each kind a rule may tell apart (every choice of an enumeration)."""
    if isinstance(kind, Enum):
        return list(kind.values)
    if isinstance(kind, Text):
        return ["Toelichting"]
    if isinstance(kind, Bool):
        return [True]
    if isinstance(kind, Date):
        return [_day(at, 30)]
    if isinstance(kind, Money | Number):
        return [1000]
    if isinstance(kind, ListOf):
        return [[v] for v in _values(kind.item, at)[:1]]
    if isinstance(kind, Object):
        return [{f.name: _values(f.type, at)[0] for f in kind.fields if f.required}]
    return [None]


def from_schema(schema: PayloadSchema, at: datetime) -> list[dict[str, Any]]:
    """Payloads made from a declared schema: the required fields, one per choice of each
    enumeration, and once with every optional field as well."""
    base = {f.name: _values(f.type, at)[0] for f in schema.fields if f.required}
    out = [base]
    for f in schema.fields:
        if f.required and isinstance(f.type, Enum):
            out += [{**base, f.name: v} for v in f.type.values[1:]]
    out.append({**base, **{f.name: _values(f.type, at)[0] for f in schema.fields
                           if not f.required}})
    return out


def payloads(definition: Definition, trigger: str, plan: Plan, actor: Actor,
             at: datetime) -> Iterator[dict[str, Any]]:
    """The payloads to try for this trigger by this actor now, each once."""
    sample = SAMPLES.get(trigger)
    if sample is not None:
        made = sample(plan, actor, at)
    elif trigger in definition.payloads:
        made = from_schema(definition.payloads[trigger], at)
    else:
        made = [{}]
    seen: list[dict[str, Any]] = []
    for payload in made:
        if payload not in seen:
            seen.append(payload)
            yield payload

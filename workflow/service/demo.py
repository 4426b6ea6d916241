"""A sample plan from registration to `closed`, with a breach and an escalation on the way.

The scenario is data: the demo command, the docs and the tests run the same steps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from workflow.core.events import Event
from workflow.core.plan import Plan
from workflow.core.spec import Actor
from workflow.core.timecalc import parse_at
from workflow.service.api import Engine

START = "2027-01-11T09:00:00+01:00"
PLAN_ID = "TW-2027-001"

MAKER = Actor("plan_maker", "Huisartsen Twente", "Twente")
HOSPITAL = Actor("plan_maker", "ZGT", "Twente")
INSURER = Actor("coordinating_insurer", "Menzis")
SECOND = Actor("second_insurer", "Zilveren Kruis")
ENSCHEDE = Actor("municipality", "Gemeente Enschede", "Twente")
NZA = Actor("nza", "NZa")

REGISTRATION: dict[str, Any] = {
    "title": "Samen sterker in de wijk",
    "region": "Twente",
    "track": "transformation",
    "social_domain": True,
    "domain_transcending": True,
    "parties": [
        {"org": "Huisartsen Twente", "role": "plan_maker"},
        {"org": "ZGT", "role": "plan_maker"},
    ],
    "coordinating_insurer": "Menzis",
    "second_insurer": "Zilveren Kruis",
    "municipalities": [{"org": "Gemeente Enschede", "region": "Twente"}],
}

IMPACT = {
    "impact": {
        "criteria": ["care_use", "staff_deployment"],
        "transition_goals": "Minder verwijzingen naar de tweede lijn; zorg dichtbij huis.",
        "regional_plan": "Past in het regioplan Twente: wijkteams en huisartsen werken samen.",
    },
    "kpis": ["plan delivered", "80% of patients seen in the neighbourhood team"],
}

CONTRACT = {
    "kpis": [
        {"id": "k1", "description": "Deliver the transformation plan (paid retroactively)",
         "amount_eur": 50000, "due": "2027-06-30", "go_no_go": False},
        {"id": "k2", "description": "80% of patients seen by the neighbourhood team",
         "amount_eur": 200000, "due": "2028-02-29", "go_no_go": True},
    ]
}


@dataclass(frozen=True, slots=True)
class Step:
    day: int
    actor: Actor | None
    trigger: str
    payload: dict[str, Any] = field(default_factory=dict)
    """`actor` None and trigger `tick`: let the clock run and expire due deadlines."""


STEPS: tuple[Step, ...] = (
    Step(0, MAKER, "register_plan", REGISTRATION),
    Step(7, INSURER, "hold_start_meeting"),
    Step(7, INSURER, "agree_character", {"character": "innovation"}),
    Step(20, MAKER, "submit_quick_test"),
    Step(25, INSURER, "request_information", {"missing": ["begroting per jaar"]}),
    Step(30, MAKER, "resubmit_quick_test"),
    Step(32, INSURER, "accept_quick_test_as_complete"),
    Step(62, None, "tick"),
    Step(63, INSURER, "approve_quick_test"),
    Step(70, MAKER, "escalate", {"issue": "No agreement on staffing of the neighbourhood team",
                                 "contact": "J. de Vries, bestuurder Huisartsen Twente"}),
    Step(80, INSURER, "escalate", {"issue": "Bilateral talks did not resolve the staffing"}),
    Step(90, INSURER, "resolve_escalation"),
    Step(120, MAKER, "submit_plan", IMPACT),
    Step(125, INSURER, "accept_plan_as_complete"),
    Step(130, INSURER, "submit_review", {"verdict": "positive"}),
    Step(131, SECOND, "submit_review", {"verdict": "positive"}),
    Step(132, ENSCHEDE, "submit_review", {"verdict": "conditional"}),
    Step(132, ENSCHEDE, "waive_regional_coordinator"),
    Step(133, ENSCHEDE, "approve_social_domain_parts"),
    Step(135, MAKER, "record_commitment"),
    Step(135, HOSPITAL, "record_commitment"),
    Step(135, ENSCHEDE, "record_commitment"),
    Step(140, INSURER, "share_joint_feedback"),
    Step(150, INSURER, "approve_plan"),
    Step(160, INSURER, "sign_contract", CONTRACT),
    Step(165, NZA, "issue_payment_decision"),
    Step(168, INSURER, "confirm_kpi", {"kpi": "k1"}),
    Step(200, MAKER, "record_costs", {"amount_eur": 100000, "period": "2027-H1"}),
    Step(250, INSURER, "record_monitoring", {"summary": "On track; staffing agreed"}),
    Step(380, INSURER, "decide_go", {"kpi": "k2"}),
    Step(395, INSURER, "pay_partially", {"kpi": "k2", "amount_eur": 150000,
                                         "reason": "72% reached, efforts as agreed",
                                         "efforts_delivered": True}),
    Step(398, MAKER, "record_costs", {"amount_eur": 80000, "period": "2027-H2"}),
    Step(410, INSURER, "complete_implementation"),
    Step(420, INSURER, "settle"),
    Step(430, NZA, "give_lawfulness_judgement"),
)


BREAKTHROUGH_ID = "NH-2027-002"
MODELPLAN_EXAMPLE = Path(__file__).parent.parent / "examples" / "modelplan_example.yaml"
NOORDERHAVEN = Actor("plan_maker", "Zorggroep Noorderhaven", "Noorderhaven")
LINDEBOOM = Actor("plan_maker", "Thuiszorg De Lindeboom", "Noorderhaven")


MODELPLAN_EXAMPLE_V2 = MODELPLAN_EXAMPLE.with_name("modelplan_example_v2.yaml")
"""The same coalition's modelplan as transformation@2 reads it (business case in figures,
BE10's three aspects, KPIs with dates)."""


@cache
def modelplan(version: int = 1) -> dict[str, Any]:
    """The example modelplan of a two-party coalition (thuismonitoring bij hartfalen), in the
    document of transformation@`version`."""
    path = MODELPLAN_EXAMPLE if version == 1 else MODELPLAN_EXAMPLE_V2
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def breakthrough_steps() -> tuple[Step, ...]:
    """The same lifecycle on the breakthrough track (AZWA doorbraakmiddelen, MP): a coalition
    of two providers, no municipality, and a modelplan instead of the impact statement."""
    registration = {
        **REGISTRATION, "title": "Thuismonitoring bij hartfalen", "region": "Noorderhaven",
        "track": "breakthrough", "social_domain": False, "domain_transcending": False,
        "parties": [{"org": NOORDERHAVEN.org, "role": "plan_maker"},
                    {"org": LINDEBOOM.org, "role": "plan_maker"}],
        "municipalities": [],
    }
    swap = {MAKER: NOORDERHAVEN, HOSPITAL: LINDEBOOM}
    steps: list[Step] = []
    for step in STEPS:
        if step.actor == ENSCHEDE or step.trigger in ("escalate", "resolve_escalation"):
            continue
        payload = {
            "register_plan": registration, "submit_plan": {"modelplan": modelplan()},
        }.get(step.trigger, step.payload)
        actor = swap.get(step.actor, step.actor) if step.actor is not None else None
        steps.append(replace(step, actor=actor, payload=payload))
    return tuple(steps)


V2_PAYLOADS: dict[str, dict[str, Any]] = {
    "settle": {"repayment_terms": "Terugbetaling in twee termijnen, afgesproken met Menzis"},
    "give_lawfulness_judgement": {"verdict": "lawful"},
}
"""transformation@2's payloads for steps whose @1 payload is empty (DESIGN-v2.md)."""


def for_definition(ref: str, steps: tuple[Step, ...]) -> tuple[Step, ...]:
    """The scenario's steps as the plan's definition wants them: under transformation@2 the
    second insurer reviews the quick test, a conditional verdict names its conditions, each
    KPI is reported with evidence before it is paid, the settlement gives its repayment terms
    and the judgement its verdict. Under transformation@1 the steps are as written."""
    if ref == "transformation@1":
        return steps
    maker = steps[0].actor
    out: list[Step] = []
    for step in steps:
        payload = dict(step.payload)
        if step.trigger == "approve_quick_test":
            out.append(replace(step, actor=SECOND, trigger="submit_review",
                               payload={"verdict": "positive"}))
        elif step.trigger in ("confirm_kpi", "pay_partially"):
            out.append(replace(step, actor=maker, trigger="report_kpi", payload={
                "kpi": payload["kpi"], "evidence": f"Rapportage {payload['kpi']} (bijlage)"}))
        elif step.trigger == "submit_review" and payload.get("verdict") == "conditional":
            payload["conditions"] = "Wijkteams tekenen de samenwerkingsafspraken"
        elif step.trigger == "submit_plan" and "modelplan" in payload:
            payload["modelplan"] = modelplan(2)
        payload = {**payload, **V2_PAYLOADS.get(step.trigger, {})}
        out.append(replace(step, payload=payload))
    return tuple(out)


def moments(
    start: str = START, steps: tuple[Step, ...] = STEPS
) -> Iterator[tuple[Step, datetime]]:
    """Each step with its moment: `day` days after the start, a minute apart within a day."""
    base = parse_at(start)
    last_day, minute = -1, 0
    for step in steps:
        minute = minute + 1 if step.day == last_day else 0
        last_day = step.day
        yield step, base + timedelta(days=step.day, minutes=minute)


Observer = Callable[[list[Event], Plan], None]


def play(
    engine: Engine,
    plan_id: str = PLAN_ID,
    *,
    until: str | None = None,
    before: str | None = None,
    start: str = START,
    steps: tuple[Step, ...] = STEPS,
    ticks: bool = True,
    observe: Observer | None = None,
) -> datetime:
    """Play the scenario on an engine, up to and including the first step firing `until`, or
    up to the first step firing `before`; returns the moment of the last step played.

    With `ticks` False the scenario's clock ticks are skipped, so due deadlines stay open
    until the plan's next command. `observe` sees each step's events and the plan after it.
    """
    last = parse_at(start)
    steps = for_definition(engine.definition_at(last).ref, steps)
    for step, at in moments(start, steps):
        if step.trigger == before:
            return last
        if step.actor is None:
            events = engine.tick(at) if ticks else []
            if observe is not None:
                observe([e for e in events if e.plan_id == plan_id], engine.state(plan_id))
        else:
            if step.trigger == "register_plan":
                fired = engine.register(plan_id, step.actor, step.payload, at=at)
            else:
                fired = engine.fire(plan_id, step.trigger, step.actor, step.payload, at=at)
            if observe is not None:
                observe(fired.events, fired.plan)
        last = at
        if step.trigger == until:
            return at
    if until is not None or before is not None:
        raise ValueError(f"the scenario never fires {until or before!r}")
    return last


def run(
    engine: Engine, plan_id: str = PLAN_ID, start: str = START, observe: Observer | None = None,
    steps: tuple[Step, ...] = STEPS,
) -> str:
    """Play the whole scenario on an engine; returns the plan id."""
    play(engine, plan_id, start=start, steps=steps, observe=observe)
    return plan_id

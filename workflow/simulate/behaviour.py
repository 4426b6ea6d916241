"""How simulated actors behave: which way a decision goes and what each act carries.

The rules are not here: what is owed, who may act and what is accepted come from the
definition (its agenda and the engine). This module only answers what a process definition
leaves to people: approve or ask for more, a verdict, the KPIs a contract names, a payload.
A trigger it does not know gets an empty payload, so a later definition still runs.
"""

from __future__ import annotations

import random
from datetime import date
from functools import cache
from typing import Any

from workflow.core.plan import Plan
from workflow.core.timecalc import add_months
from workflow.simulate.scenario import Scenario

IMPACT = {
    "impact": {"criteria": ["care_use"], "transition_goals": "Zorg dichtbij huis.",
               "regional_plan": "Past in het regioplan."},
    "kpis": ["plan delivered"],
}

READY: dict[str, dict[str, Any]] = {
    "agree_character": {"character": "innovation"},
    "submit_plan": IMPACT,
    "resubmit_plan": IMPACT,
    "submit_review": {"verdict": "positive"},
    "record_costs": {"amount_eur": 0, "period": "simulated"},
    "record_monitoring": {"summary": "Monitored; nothing to adjust."},
    "sign_contract": {"kpis": [{"id": "k1", "description": "KPI 1", "amount_eur": 1,
                                "due": "2200-01-01"}]},
    # transformation@2 (DESIGN-v2.md "Payloads"): what its acts carry when all goes well
    "report_kpi": {"evidence": "Simulated report (annex)"},
    "settle": {"repayment_terms": "Repaid in one instalment, as agreed"},
    "give_lawfulness_judgement": {"verdict": "lawful"},
}
"""The payload a duty's own trigger carries when nothing is decided (the readiness check)."""

CHOSEN = frozenset({"report_kpi"})
"""Duties owed once for several items whose payload names the item the actor picks (the
plan maker reports one KPI at a time, `chosen_item`); each pick is a step of its own."""

ALTERNATIVES: dict[str, tuple[tuple[str, str, dict[str, Any]], ...]] = {
    "accept_quick_test_as_complete": (
        ("quick_test_incomplete", "request_information", {"missing": ["budget"]}),),
    "approve_quick_test": (
        ("quick_test_rejected", "reject_quick_test", {"reason": "Does not fit the fund"}),),
    "accept_plan_as_complete": (
        ("plan_incomplete", "request_information", {"missing": ["KPI baseline"]}),),
    "approve_plan": (
        ("plan_rejected", "reject_plan", {"reason": "Not convincing"}),
        ("revision", "request_revision", {"reason": "Revise the KPIs"}),
    ),
}
"""Per duty: (branch, the trigger taken instead, its payload), drawn in this order."""

BLOCKED_REASON = {"request_revision": {"reason": "A reviewer gave a negative verdict"},
                  "reject_plan": {"reason": "A reviewer gave a negative verdict"}}
"""What an alternative carries when the definition refused the duty's own trigger."""


def instead_payload(duty: str, trigger: str) -> dict[str, Any]:
    """The payload of `trigger` taken in place of `duty` (empty for one not listed)."""
    found = BLOCKED_REASON.get(trigger)
    if found is None:
        found = next((p for _, alt, p in ALTERNATIVES.get(duty, ()) if alt == trigger), {})
    return dict(found)

KPI_TIMED = frozenset({"confirm_kpi", "decide_go"})
"""Duties timed by their KPI's due day rather than by a delay from when they are owed."""


def ready_payload(trigger: str, item: str | None, plan: Plan | None = None) -> dict[str, Any]:
    if trigger in CHOSEN:
        return {"kpi": item if item is not None or plan is None else chosen_item(plan),
                **READY[trigger]}
    if item is not None:
        return {"kpi": item}
    return dict(READY.get(trigger, {}))


def chosen_item(plan: Plan) -> str | None:
    """The KPI a plan maker reports next: the earliest due of the contract's KPIs neither
    confirmed nor reported yet (the definition's guards judge the report itself)."""
    kpis: dict[str, dict[str, Any]] = plan.facts.get("kpis") or {}
    waiting = sorted((str(k.get("due", "")), kpi_id) for kpi_id, k in kpis.items()
                     if k.get("status") != "confirmed" and not k.get("evidence"))
    return waiting[0][1] if waiting else None


def decide(
    scenario: Scenario, rng: random.Random, plan: Plan, trigger: str, item: str | None
) -> tuple[str, dict[str, Any]]:
    """The trigger taken for this duty and its payload."""
    b = scenario.branches
    if trigger == "approve_plan" and _negative_round(plan):
        return "request_revision", {"reason": "A reviewer gave a negative verdict"}
    if trigger == "submit_review":
        verdict = "negative" if rng.random() < b["negative_verdict"] else "positive"
        return trigger, {"verdict": verdict}
    if trigger == "decide_go" and rng.random() < b["no_go"]:
        return "decide_no_go", {"kpi": item}
    options = ALTERNATIVES.get(trigger)
    if options:
        u = rng.random()
        for branch, instead, payload in options:
            p = b[branch]
            if u < p:
                return instead, dict(payload)
            u -= p
    if item is None and trigger not in CHOSEN:
        return trigger, dict(_fitted(scenario.definition, trigger))
    return trigger, fitting(scenario.definition, trigger, ready_payload(trigger, item, plan))


@cache
def _fitted(ref: str, trigger: str) -> dict[str, Any]:
    """The payload a duty's own trigger carries when nothing is decided and it names no
    item, fitted to the definition once; each act takes a copy (as `ready_payload` gives)."""
    return fitting(ref, trigger, ready_payload(trigger, None))


def rejections_and_others(options: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A refused decision's alternatives split as `blocked_rejected` draws between them:
    the rejections, and the others (a revision)."""
    rejections = tuple(o for o in options if o.startswith("reject"))
    return rejections, tuple(o for o in options if not o.startswith("reject"))


def decide_instead(
    scenario: Scenario, rng: random.Random, duty: str, options: tuple[str, ...]
) -> tuple[str, dict[str, Any]]:
    """The alternative taken when the definition refuses the duty's own trigger: of the
    accepted `options`, a rejection with the scenario's `blocked_rejected` probability,
    else a revision (or whichever other alternative is accepted)."""
    rejections, others = rejections_and_others(options)
    if rejections and others:
        rejected = rng.random() < scenario.branches["blocked_rejected"]
        options = rejections if rejected else others
    trigger = options[0]
    return trigger, fitting(scenario.definition, trigger, instead_payload(duty, trigger))


@cache
def _fields(ref: str, trigger: str) -> frozenset[str] | None:
    """The keys the definition's payload schema of `trigger` names (None: no schema)."""
    import states

    schema = states.get(ref).payloads.get(trigger)
    return None if schema is None else frozenset(f.name for f in schema.fields)


def fitting(ref: str, trigger: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The payload with only the keys the definition's schema names: the defaults above
    serve every version (transformation@1's `settle` carries nothing, @2's its terms)."""
    names = _fields(ref, trigger)
    return payload if names is None else {k: v for k, v in payload.items() if k in names}


def _negative_round(plan: Plan) -> bool:
    reviews: dict[str, Any] = plan.facts.get("reviews", {})
    return any(r.get("verdict") == "negative" for r in reviews.values())


def contract(scenario: Scenario, rng: random.Random, signed: date) -> dict[str, Any]:
    """The sign_contract payload: the scenario's KPIs, due months after signing; the last
    one a go/no-go moment with the scenario's probability."""
    c = scenario.contract
    go_no_go = rng.random() < scenario.branches["go_no_go"]
    kpis = []
    for i in range(c.kpis):
        months = c.months[min(i, len(c.months) - 1)]
        kpis.append({
            "id": f"k{i + 1}", "description": f"KPI {i + 1}", "amount_eur": c.amount_eur,
            "due": add_months(signed, months).isoformat(),
            "go_no_go": go_no_go and i == c.kpis - 1,
        })
    return {"kpis": kpis}


def registration(
    scenario: Scenario, rng: random.Random, plan_id: str
) -> tuple[str, dict[str, Any]]:
    """The registering plan maker's organisation and the register_plan payload."""
    insurers = list(scenario.insurers)
    coordinating = rng.choices(insurers, weights=list(scenario.insurers.values()))[0]
    second = rng.choice([i for i in insurers if i != coordinating])
    social = rng.random() < scenario.branches["social_domain"]
    maker = f"Zorgaanbieder {plan_id}"
    region = "Regio"
    municipalities: list[dict[str, str]] = []
    if social:
        orgs = list(scenario.municipalities)
        muni = rng.choices(orgs, weights=list(scenario.municipalities.values()))[0]
        region = f"Regio {muni.removeprefix('Gemeente ')}"
        municipalities.append({"org": muni, "region": region})
    return maker, {
        "title": f"Simulated plan {plan_id}", "region": region, "track": "transformation",
        "social_domain": social, "domain_transcending": social,
        "parties": [{"org": maker, "role": "plan_maker"}],
        "coordinating_insurer": coordinating, "second_insurer": second,
        "municipalities": municipalities,
    }


def escalation_payload(step: int) -> dict[str, Any]:
    if step == 0:
        return {"issue": "The parties disagree on the KPIs", "contact": "Directeur zorg"}
    return {"issue": "Still no agreement"}

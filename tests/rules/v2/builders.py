"""Drive a plan through the real engine of transformation@2 (DESIGN-v2.md), for its rule tests.

The same sample plan and actors as transformation@1's builders (tests/rules/builders.py), with
the steps v2 changes: the second insurer reviews the quick test, a conditional verdict names
its conditions, the participating municipality waives or a coordinator is assigned, each KPI
is reported with evidence before it is confirmed, and the funds are settled before the NZa
judges, with a verdict.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import states
from workflow.core.engine import ProcessEngine

from ..builders import (
    COORDINATOR,
    COORDINATOR_ASSIGNMENT,
    ENSCHEDE,
    INSURER,
    MAKER,
    NZA,
    REVIEW_PARTS,
    SECOND,
    STEPS,
    Run,
    Step,
    committing_actors,
    plan_in,
    register,
)

DEFINITION = states.get("transformation@2")
ENGINE = ProcessEngine(DEFINITION)
CONDITIONAL = {"verdict": "conditional", "conditions": "Wijkteams tekenen de afspraken"}
EVIDENCE = "Rapportage Q2 (bijlage 3)"


def complete_joint_review(run: Run, *, skip: Iterable[str] = ()) -> Run:
    """Do in `joint_review` what approval needs under v2, leaving out `skip`; the regional
    coordinator is assigned, or (the default, "waived") every municipality waives it."""
    skipped = set(skip)
    assert not {s for s in skipped - set(REVIEW_PARTS) if not s.startswith("commitment:")}
    social = bool(run.plan.attrs["social_domain"])
    coordinator = run.options.get("coordinator") or "waived"
    munis = [a for a in committing_actors(run) if a.role == "municipality"]
    if munis and coordinator == "assigned" and run.plan.facts.get("regional_coordinator") is None:
        run.fire("assign_regional_coordinator", ENSCHEDE, COORDINATOR_ASSIGNMENT)
    elif munis and coordinator == "waived":
        for actor in munis:
            if actor.org not in run.plan.facts["coordinator_waivers"]:
                run.fire("waive_regional_coordinator", actor)
    if "coordinating_review" not in skipped:
        run.fire("submit_review", INSURER, {"verdict": "positive"})
    if "second_review" not in skipped:
        run.fire("submit_review", SECOND, {"verdict": "positive"})
    if social and "municipality_review" not in skipped:
        run.fire("submit_review", ENSCHEDE, CONDITIONAL)
    if coordinator == "assigned" and munis and "coordinator_review" not in skipped:
        run.fire("submit_review", COORDINATOR, {"verdict": "positive"})
    if social and "social_domain_approval" not in skipped:
        run.fire("approve_social_domain_parts", ENSCHEDE)
    if "commitments" not in skipped:
        for actor in committing_actors(run):
            if "commitment:" + actor.org not in skipped:
                run.fire("record_commitment", actor)
    if not skipped & {"coordinating_review", "second_review", "joint_feedback"}:
        run.fire("share_joint_feedback", INSURER)
    return run


def _approve_quick_test(run: Run) -> None:
    run.fire("submit_review", SECOND, {"verdict": "positive"})
    run.fire("approve_quick_test", INSURER)


def _reject_quick_test(run: Run) -> None:
    run.fire("submit_review", SECOND, {"verdict": "negative"})
    run.fire("reject_quick_test", INSURER, {"reason": "Geen regionale impact"})


def _settle_kpis(run: Run) -> None:
    for kid, kpi in run.plan.facts["kpis"].items():
        if kpi["go_no_go"]:
            run.fire("decide_go", INSURER, {"kpi": kid})
        run.fire("report_kpi", MAKER, {"kpi": kid, "evidence": EVIDENCE})
        run.fire("confirm_kpi", INSURER, {"kpi": kid})


def _judge(run: Run) -> None:
    run.fire("settle", INSURER, settle_payload(run))
    run.fire("give_lawfulness_judgement", NZA, {"verdict": "lawful"})


def settle_payload(run: Run) -> dict[str, Any]:
    funds = run.plan.funds
    if funds["paid_cents"] > funds["costs_cents"]:
        return {"repayment_terms": "In twee termijnen"}
    if funds["costs_cents"] > funds["paid_cents"]:
        return {"shortfall_measure": "adjust"}
    return {}


def _no_go(run: Run) -> None:
    kid = next(k for k, v in run.plan.facts["kpis"].items() if v["go_no_go"])
    run.fire("decide_no_go", INSURER, {"kpi": kid})


STEPS_V2: dict[str, Step] = {
    **STEPS,
    "quick_test_approved": _approve_quick_test,
    "quick_test_rejected": _reject_quick_test,
    "review": complete_joint_review,
    "kpis_settled": _settle_kpis,
    "judgement": _judge,
    "no_go": _no_go,
}


def plan_in_v2(state: str, **options: Any) -> Run:
    """A transformation@2 plan brought to `state` by the triggers a case worker fires."""
    if state == "terminated":
        run = plan_in_v2("settlement_due", **options)
        run.fire("settle", INSURER, settle_payload(run))
        assert run.state == "terminated"
        return run
    if state == "settlement_due":
        run = plan_in("in_implementation", engine=ENGINE, steps=STEPS_V2, **options)
        _no_go(run)
        assert run.state == "settlement_due"
        return run
    return plan_in(state, engine=ENGINE, steps=STEPS_V2, **options)


def register_v2(**attrs: Any) -> Run:
    return register(engine=ENGINE, **attrs)

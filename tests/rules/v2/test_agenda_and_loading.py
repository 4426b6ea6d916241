"""transformation@2 loads validated, and its agenda awaits what DESIGN-v2.md adds: the second
insurer's quick-test review, the municipalities' choice on the coordinator, each KPI's report."""

from __future__ import annotations

import dataclasses

import pytest

from workflow.core import todo
from workflow.core.errors import DefinitionError
from workflow.core.spec import REGISTER
from workflow.core.validate import validate

from ..builders import ENSCHEDE, INSURER, MAKER, SECOND, Run
from .builders import DEFINITION, ENGINE, STEPS_V2, plan_in_v2


def _todos(run: Run) -> dict[str, list[str]]:
    return {w.actor.org: [t.trigger for t in w.todos]
            for w in todo.worklists(ENGINE, run.plan, run.at)}


def test_v2__every_trigger_is_a_duty_an_alternative_or_optional() -> None:
    """The agenda of transformation@2 classifies every trigger once."""
    agenda = DEFINITION.agenda
    assert agenda is not None
    duties = {d.trigger for d in agenda.duties}
    assert not duties & agenda.optional
    assert {t for d in agenda.duties for t in d.instead} <= agenda.optional
    assert set(DEFINITION.triggers()) - {REGISTER} == duties | agenda.optional


def test_v2_todo__the_second_insurer_reviews_the_quick_test() -> None:
    """DESIGN-v2.md: the quick test is decided after the second insurer's review, so that
    review is the second insurer's to-do in quick_test_under_review."""
    run = plan_in_v2("quick_test_under_review")
    assert _todos(run)[SECOND.org] == ["submit_review"]
    run.fire("submit_review", SECOND, {"verdict": "positive"})
    assert "submit_review" not in _todos(run).get(SECOND.org, [])


def test_v2_todo__municipality_waives_or_assigns_and_the_plan_maker_reports() -> None:
    """DESIGN-v2.md: in the joint review each participating municipality is asked to waive or
    assign the coordinator; in implementation the plan maker is asked to report each KPI."""
    review = plan_in_v2("joint_review")
    assert "waive_regional_coordinator" in _todos(review)[ENSCHEDE.org]
    review.fire("waive_regional_coordinator", ENSCHEDE)
    assert "waive_regional_coordinator" not in _todos(review).get(ENSCHEDE.org, [])
    impl = plan_in_v2("in_implementation")
    assert _todos(impl)[MAKER.org].count("report_kpi") == 1
    impl.fire("report_kpi", MAKER, {"kpi": "k1", "evidence": "Rapport"})
    impl.fire("report_kpi", MAKER, {"kpi": "k2", "evidence": "Rapport"})
    assert "report_kpi" not in _todos(impl).get(MAKER.org, [])


@pytest.mark.parametrize(("change", "problem"), [
    ({"kind": "wish"}, "unknown kind 'wish'"),
    ({"anchor_by": ("submit_everything",)}, "anchored at unknown trigger"),
])
def test_validate__a_deadline_of_unknown_kind_or_anchor_fails_to_load(
    change: dict[str, object], problem: str
) -> None:
    """Load-time check of the deadline vocabulary v2 adds (kind `aim`, an anchor taken from
    an earlier event): an unknown kind or anchor trigger fails when the definition loads."""
    validate(DEFINITION)
    spec = dataclasses.replace(DEFINITION.deadlines[0], **change)  # type: ignore[arg-type]
    broken = dataclasses.replace(DEFINITION, deadlines=(spec, *DEFINITION.deadlines[1:]))
    with pytest.raises(DefinitionError, match=problem):
        validate(broken)


def test_v2_todo__the_settlement_waits_for_the_costs_it_settles() -> None:
    """DESIGN-v2.md "Implementation, settlement and lawfulness" (A4 §3.a.4): `settle`
    records costs, funds paid and the refund, and costs recorded after it void it.

    Given a plan in accountability with no costs recorded, then the coordinating insurer's
    to-dos do not hold `settle` yet while the plan maker owes `record_costs`; once the costs
    are recorded, `settle` is the insurer's to-do."""
    run = plan_in_v2("in_implementation")
    for step in ("kpis_settled", "monitoring", "implementation_complete"):  # no costs yet
        STEPS_V2[step](run)
    assert run.state == "accountability" and not run.plan.facts.get("cost_records")
    assert "settle" not in _todos(run).get(INSURER.org, [])
    assert "record_costs" in _todos(run)[MAKER.org]
    run.fire("record_costs", MAKER, {"amount_eur": 30000, "period": "2027"})
    assert "settle" in _todos(run)[INSURER.org]

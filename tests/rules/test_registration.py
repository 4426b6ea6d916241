"""Registering the intent to submit a plan (DESIGN.md "Plan attributes"; A4 §1.a.2)."""

from __future__ import annotations

from typing import Any

import pytest

from workflow.core.errors import Refused
from workflow.core.spec import Actor

from .builders import ENGINE, MAKER, T0, register, registration


def _register(payload: dict[str, Any], actor: Actor = MAKER, plan_id: str = "TW-1") -> Refused:
    with pytest.raises(Refused) as info:
        ENGINE.register(plan_id, actor, payload, T0)
    return info.value


SCHEMA = "payload_matches_schema"


@pytest.mark.parametrize(
    ("field", "value", "rule"),
    [
        ("title", "", "is_valid_registration"),
        ("region", None, SCHEMA),
        ("track", "pilot", SCHEMA),
        ("social_domain", "yes", SCHEMA),
        ("domain_transcending", None, SCHEMA),
        ("parties", [], "is_valid_registration"),
        ("coordinating_insurer", "", "is_valid_registration"),
        ("municipalities", [{"org": "Gemeente Enschede"}], SCHEMA),
    ],
)
def test_is_valid_registration__refused_for_an_incomplete_registration(
    field: str, value: Any, rule: str
) -> None:
    """Rule is_valid_registration (A4 §1.a.2; DESIGN.md "Plan attributes").

    Given a registration with one attribute missing or wrong, when the plan maker registers,
    then it is refused naming that attribute (a value of the wrong type or outside the
    allowed ones by the payload schema), and no plan or event comes out.
    """
    refusal = _register(registration(**{field: value}))
    assert (refusal.rule, refusal.seed) == (rule, "A4 §1.a.2")
    assert field in refusal.reason


def test_is_valid_registration__allowed_with_every_attribute() -> None:
    """Rule is_valid_registration (A4 §1.a.2; DESIGN.md "Plan attributes").

    Given a complete registration, when the plan maker registers, then the plan is in
    intent with its attributes, escalation none, and one register_plan event is out.
    """
    outcome = ENGINE.register("TW-1", MAKER, registration(track="breakthrough"), T0)
    assert (outcome.plan.state, outcome.plan.escalation) == ("intent", "none")
    assert outcome.plan.attrs["track"] == "breakthrough"
    assert [e.trigger for e in outcome.events] == ["register_plan"]


def test_is_registrant_a_party__refused_for_an_outsider() -> None:
    """Rule is_registrant_a_party (A4 §1.a.2: the parties with the intent register).

    Given a registration whose parties do not include the registering organisation, when it
    registers, then it is refused.
    """
    refusal = _register(registration(), Actor("plan_maker", "Adviesbureau X"))
    assert (refusal.rule, refusal.seed) == ("is_registrant_a_party", "A4 §1.a.2")


def test_is_registrant_a_party__allowed_for_any_listed_party() -> None:
    """Rule is_registrant_a_party (A4 §1.a.2).

    Given a registration listing ZGT as a party, when ZGT registers it, then it is accepted.
    """
    outcome = ENGINE.register("TW-1", Actor("plan_maker", "ZGT"), registration(), T0)
    assert outcome.plan.state == "intent"


def test_has_plan_id__refused_without_an_id() -> None:
    """Rule has_plan_id (A4 §1.a.2; DESIGN.md "Plan attributes": plan_id).

    Given a complete registration, when it is registered with an empty plan id, then it is
    refused; with an id it is accepted.
    """
    refusal = _register(registration(), plan_id="  ")
    assert (refusal.rule, refusal.seed) == ("has_plan_id", "A4 §1.a.2")
    assert ENGINE.register("TW-1", MAKER, registration(), T0).plan.plan_id == "TW-1"


def test_is_new_plan__refused_registering_an_existing_plan_again() -> None:
    """Rule is_new_plan (A4 §1.a.2: a plan is registered once).

    Given a registered plan, when register_plan is applied to it as a command, then it is
    refused and the plan is unchanged.
    """
    run = register()
    run.refuse("register_plan", MAKER, registration(title="Opnieuw"), rule="is_new_plan",
               seed="A4 §1.a.2")
    assert run.plan.attrs["title"] == "Samen sterker in de wijk"

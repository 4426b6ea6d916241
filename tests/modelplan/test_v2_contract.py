"""`breakthrough_contract_problems`, the guard of sign_contract/amend_contract on the
breakthrough track of `transformation@2` (MP BE4): each KPI due in 2027–2028, each amount
positive and at most the cap."""

from __future__ import annotations

from typing import Any

import pytest

from states.guards import kpi_problems
from states.modelplan_v2 import DEFAULT_MAX_AMOUNT_EUR, breakthrough_contract_problems

from .v2_support import context

CONTRACT: dict[str, Any] = {"kpis": [
    {"id": "k1", "description": "200 patiënten thuis gemonitord", "amount_eur": 400000,
     "due": "2027-10-01"},
    {"id": "k2", "description": "80% van de doelgroep thuis gemonitord", "amount_eur": 600000,
     "due": "2028-12-31", "go_no_go": True},
]}


def problems(trigger: str = "sign_contract", track: str = "breakthrough",
             **k2: Any) -> list[str]:
    kpis = [CONTRACT["kpis"][0], {**CONTRACT["kpis"][1], **k2}]
    payload: dict[str, Any] = {"kpis": kpis}
    if trigger == "amend_contract":
        payload["reason"] = "Opschaling een kwartaal later"
    return breakthrough_contract_problems(context(payload, trigger=trigger, track=track))


@pytest.mark.parametrize("trigger", ["sign_contract", "amend_contract"])
def test_a_contract_within_2027_2028_is_accepted(trigger: str) -> None:
    """MP BE4: KPI agreements due in 2027–2028 with positive amounts under the cap pass."""
    assert problems(trigger) == []


@pytest.mark.parametrize("trigger", ["sign_contract", "amend_contract"])
@pytest.mark.parametrize(("due", "refused"), [
    ("2026-12-31", True), ("2027-01-01", False), ("2028-12-31", False), ("2029-01-01", True)])
def test_be4_every_kpi_is_due_in_2027_2028(trigger: str, due: str, refused: bool) -> None:
    """MP BE4: "De middelen worden besteed in 2027 en 2028": a KPI due later pays later."""
    found = problems(trigger, due=due)
    assert found == ([f"BE4 kpis[1].due: KPI 'k2': due date {due} is outside 2027–2028, the "
                      "years the funds are spent in"] if refused else [])


@pytest.mark.parametrize(("amount", "refused"), [
    (0, True), ("0.00", True), ("0.01", False), (DEFAULT_MAX_AMOUNT_EUR, False),
    (DEFAULT_MAX_AMOUNT_EUR + 0.01, True)])
def test_be4_every_amount_is_positive_and_under_the_cap(amount: object, refused: bool) -> None:
    """MP BE4: a KPI pays a positive amount, at most AZWA_MP_MAX_AMOUNT_EUR."""
    found = problems(amount_eur=amount)
    assert [p.split(": ")[0] for p in found] == (["BE4 kpis[1].amount_eur"] if refused else [])


def test_the_transformation_track_keeps_v1s_contract_rules() -> None:
    """A4 §1.7: a transformation plan's KPIs may fall after 2028; only MP limits the years."""
    assert problems(track="transformation", due="2030-06-30") == []
    assert problems(track="breakthrough", due="2030-06-30") != []


@pytest.mark.parametrize(("k2", "words"), [
    ({"due": "eind 2028"}, "kpis[1].due must be a date"),
    ({"amount_eur": "veel"}, "kpis[1].amount_eur must be euros"),
])
def test_an_unreadable_kpi_is_left_to_the_contracts_own_check(k2: dict[str, Any],
                                                              words: str) -> None:
    """A4 §1.7: a KPI's shape is judged by `kpi_problems`, which names it; BE4 judges only what
    it can read, so the sender gets one message for one mistake."""
    assert problems(**k2) == []
    kpis = [CONTRACT["kpis"][0], {**CONTRACT["kpis"][1], **k2}]
    assert any(words in p for p in kpi_problems(context({"kpis": kpis}, trigger="sign_contract")))


def test_every_problem_names_its_kpi_and_basiseis() -> None:
    """MP BE4: two problems of one KPI are two lines, each citing BE4 and the KPI."""
    found = problems(due="2029-03-31", amount_eur=0)
    assert [p.split(": ")[0] for p in found] == ["BE4 kpis[1].due", "BE4 kpis[1].amount_eur"]
    assert all("KPI 'k2'" in p for p in found)

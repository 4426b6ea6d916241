"""`modelplan_problems_v2`, the guard of submit_plan/resubmit_plan on the breakthrough track of
`transformation@2` (DESIGN-v2.md "Breakthrough track (MP)"): each rule allowed and refused,
each refusal one line starting with its basiseis."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import yaml

from states.modelplan_v2 import (
    DEFAULT_MAX_AMOUNT_EUR,
    MAX_AMOUNT_SETTING,
    check_modelplan_v2,
    max_amount_eur,
    modelplan_problems_v2,
)
from states.modelplan_v2_doc import parse_modelplan_v2
from workflow.modelplan.template import template

from .v2_support import LINDEBOOM, NOORDERHAVEN, Change, context, example_v1, example_v2


def problems(change: Change | None = None, **ctx: Any) -> list[str]:
    return modelplan_problems_v2(context({"modelplan": example_v2(change)}, **ctx))


def heads(found: list[str]) -> list[str]:
    """Each problem's basiseis and field: "BE4 budget[2].year"."""
    return [line.split(": ", 1)[0] for line in found]


def test_the_v2_example_meets_every_rule() -> None:
    """MP BE1–BE14 (transformation@2): the example coalition plan is accepted as it is."""
    assert problems() == []


def test_every_problem_is_one_line_starting_with_its_basiseis() -> None:
    """MP BE1–BE14: the empty v2 document gives one line a problem, each citing its basiseis."""
    found = modelplan_problems_v2(context({"modelplan": yaml.safe_load(template("yaml"))}))
    assert len(found) > 14
    for line in found:
        assert "\n" not in line
        number = line.split(" ", 1)[0]
        assert number.startswith("BE") and 1 <= int(number[2:]) <= 14, line


def test_the_transformation_track_has_no_modelplan_to_judge() -> None:
    """A4 §2.b.1: on the transformation track the plan carries its impact, not a modelplan."""
    assert modelplan_problems_v2(context({"impact": {}}, track="transformation")) == []
    assert modelplan_problems_v2(context({}, track="breakthrough")) != []


@pytest.mark.parametrize(("payload", "words"), [
    ({}, "a modelplan must be a mapping of fields, got null"),
    ({"modelplan": {**example_v2(), "budget": "veel"}}, "budget: must be a list"),
    ({"modelplan": {**example_v2(), "business_case": {"net_eur": 1}}}, "business_case.net_eur"),
    ({"modelplan": {**example_v2(), "kpis": [{"id": "k1", "due": "eind 2027"}]}},
     "kpis[0].due: must be a date"),
    ({"modelplan": {**example_v2(), "business_case": {"horizon_years": 0}}},
     "horizon_years: must be a whole number of years"),
])
def test_an_unreadable_modelplan_is_one_line_naming_the_field(payload: dict[str, Any],
                                                              words: str) -> None:
    """MP BE1–BE14: a document that cannot be read is refused as a whole, naming its field."""
    found = modelplan_problems_v2(context(payload))
    assert len(found) == 1 and found[0].startswith("BE1–BE14 modelplan: ")
    assert words in found[0]


def test_a_v1_document_reads_and_lacks_only_the_v2_figures() -> None:
    """MP BE2, BE8, BE10: v1's example reads under v2; what it lacks are findings, not errors."""
    assert heads(modelplan_problems_v2(context({"modelplan": example_v1()}))) == [
        "BE2 business_case", "BE8 sections.financien.eenmalige_impuls",
        "BE10 data_conditions.dependencies", "BE10 data_conditions.data_quality",
        "BE10 data_conditions.generic_functions"]


# --- BE12: applicants are parties; a single applicant only when granted -------------------------


def test_be12_an_applicant_outside_the_parties_is_refused() -> None:
    """MP BE12: the applicants are organisations among the plan's parties."""
    def stranger(data: dict[str, Any]) -> None:
        data["applicants"][1]["org"] = "Elders BV"
        for line in data["budget"]:
            line["provider"] = NOORDERHAVEN

    found = problems(stranger)
    assert heads(found) == ["BE12 applicants[1].org"]
    assert "'Elders BV' is not a party of the plan" in found[0]


def test_be12_party_names_compare_without_case_and_spacing() -> None:
    """MP BE12: " zorggroep  noorderhaven" registered is the applicant Zorggroep Noorderhaven."""
    parties = [{"org": " zorggroep  noorderhaven"}, {"org": LINDEBOOM.upper()}]
    assert problems(parties=parties) == []


def _single(data: dict[str, Any]) -> None:
    data["applicants"] = data["applicants"][:1]
    for line in data["budget"]:
        line["provider"] = NOORDERHAVEN


@pytest.mark.parametrize(("exemption", "granted", "refused"), [
    (None, None, True),
    ("Alleen deze aanbieder heeft een monitoringcentrum in de regio.", None, True),
    ("Alleen deze aanbieder heeft een monitoringcentrum in de regio.", "true", True),
    (None, True, False),
    ("Alleen deze aanbieder heeft een monitoringcentrum in de regio.", True, False),
])
def test_be12_a_single_applicant_needs_the_insurers_grant(exemption: str | None,
                                                          granted: object, refused: bool) -> None:
    """MP BE12, DESIGN-v2.md: an exemption from the joint application is granted by the
    coordinating insurer (grant_single_applicant), not claimed in the document."""
    def change(data: dict[str, Any]) -> None:
        _single(data)
        data["joint_application_exemption"] = exemption

    extra = {} if granted is None else {"single_applicant_granted": granted}
    found = problems(change, **extra)
    assert heads(found) == (["BE12 applicants"] if refused else [])
    if refused:
        assert "grant_single_applicant" in found[0]
        assert ("does not count" in found[0]) == (exemption is not None)


def test_be12_two_names_of_one_organisation_are_one_applicant() -> None:
    """MP BE12: "Zorggroep Noorderhaven" twice, in other case, is still a single applicant."""
    def twice(data: dict[str, Any]) -> None:
        _single(data)
        data["applicants"].append({"org": NOORDERHAVEN.lower()})

    assert heads(problems(twice)) == ["BE12 applicants"]


def test_be12_no_applicants_is_refused() -> None:
    """MP BE12: an application names who applies, granted or not."""
    found = problems(lambda d: d.update(applicants=[]), single_applicant_granted=True)
    assert "BE12 applicants: no applicants are named" in found


# --- BE4: 2027–2028, positive amounts under the cap ---------------------------------------------


@pytest.mark.parametrize(("year", "refused"), [(2026, True), (2027, False), (2028, False),
                                               (2029, True)])
def test_be4_every_budget_line_falls_in_2027_2028(year: int, refused: bool) -> None:
    """MP BE4: "De middelen worden besteed in 2027 en 2028"."""
    found = problems(lambda d: d["budget"][2].update(year=year))
    assert heads(found) == (["BE4 budget[2].year"] if refused else [])


@pytest.mark.parametrize(("due", "refused"), [
    ("2026-12-31", True), ("2027-01-01", False), ("2028-12-31", False), ("2029-01-01", True)])
def test_be4_every_kpi_date_falls_in_2027_2028(due: str, refused: bool) -> None:
    """MP BE4 and §II Monitoring ("mijlpalen en KPI's ... streefdata"): within 2027–2028."""
    found = problems(lambda d: d["kpis"][1].update(due=due))
    assert heads(found) == (["BE4 kpis[1].due"] if refused else [])
    if refused:
        assert f"KPI 'k2': due date {due} is outside 2027–2028" in found[0]


@pytest.mark.parametrize(("amount", "refused"), [
    (0, True), (0.01, False), (DEFAULT_MAX_AMOUNT_EUR, False), (DEFAULT_MAX_AMOUNT_EUR + 1, True)])
def test_be4_budget_amounts_are_positive_and_under_the_cap(amount: float, refused: bool) -> None:
    """MP BE4 (the budget spent in 2027–2028): an amount is positive and at most the cap."""
    def change(data: dict[str, Any]) -> None:
        data["budget"][0]["amount_eur"] = amount
        data["business_case"]["costs_eur"] = 10**10  # the business case counts the funds asked
        data["business_case"]["benefits_eur"] = 10**11

    found = problems(change)
    assert heads(found) == (["BE4 budget[0].amount_eur"] if refused else [])


@pytest.mark.parametrize(("amount", "refused"), [(None, False), (-5, True), (0, True),
                                                 (1, False), (DEFAULT_MAX_AMOUNT_EUR + 1, True)])
def test_be4_kpi_amounts_are_positive_and_under_the_cap(amount: float | None,
                                                        refused: bool) -> None:
    """MP BE4: a KPI's amount, when the plan gives one, is positive and at most the cap."""
    found = problems(lambda d: d["kpis"][0].update(amount_eur=amount))
    assert heads(found) == (["BE4 kpis[0].amount_eur"] if refused else [])


def test_be4_the_cap_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    """MP BE4: AZWA_MP_MAX_AMOUNT_EUR lowers the cap; a setting that is no amount is refused."""
    try:
        monkeypatch.setenv(MAX_AMOUNT_SETTING, "400000")
        max_amount_eur.cache_clear()
        found = problems()
        assert heads(found) == ["BE4 budget[0].amount_eur", "BE4 kpis[1].amount_eur"]
        assert "exceeds € 400,000, the most one amount may be (AZWA_MP_MAX_AMOUNT_EUR)" in found[0]
        monkeypatch.setenv(MAX_AMOUNT_SETTING, "veel")
        max_amount_eur.cache_clear()
        with pytest.raises(ValueError, match="AZWA_MP_MAX_AMOUNT_EUR must be a whole number"):
            max_amount_eur()
    finally:
        monkeypatch.delenv(MAX_AMOUNT_SETTING)
        max_amount_eur.cache_clear()
    assert max_amount_eur() == DEFAULT_MAX_AMOUNT_EUR


def test_be4_an_empty_budget_is_refused() -> None:
    """MP BE4: without budget lines nothing shows the money is spent in 2027 and 2028."""
    assert "BE4 budget" in heads(problems(lambda d: d.update(budget=[])))


# --- BE2: the business case in numbers, with a positive net effect ------------------------------


@pytest.mark.parametrize(("case", "expected"), [
    (None, ["BE2 business_case"]),
    ({"costs_eur": 2_120_000, "benefits_eur": None, "horizon_years": 5}, ["BE2 business_case"]),
    ({"costs_eur": 2_120_000, "benefits_eur": 2_120_000, "horizon_years": 5},
     ["BE2 business_case.benefits_eur"]),
    ({"costs_eur": 1_000_000, "benefits_eur": 3_000_000, "horizon_years": 5},
     ["BE2 business_case.costs_eur"]),
    ({"costs_eur": 1_475_000, "benefits_eur": 1_475_000.01, "horizon_years": 1}, []),
])
def test_be2_a_positive_business_case_given_as_numbers(case: dict[str, Any] | None,
                                                       expected: list[str]) -> None:
    """MP BE2 ("Een positieve business case"): benefits above costs, the costs counting at
    least the € 1,475,000 the budget asks."""
    found = problems(lambda d: d.update(business_case=case))
    assert heads(found) == expected


# --- BE9: savings at least the structural costs (shared with v1) --------------------------------


@pytest.mark.parametrize(("savings", "refused"), [(214_999, True), (215_000, False)])
def test_be9_savings_cover_the_structural_costs(savings: int, refused: bool) -> None:
    """MP BE9: the structural savings are at least the structural costs (€ 215,000 in 2028)."""
    found = problems(lambda d: d.update(structural_savings_eur_per_year=savings))
    assert heads(found) == (["BE9 structural_savings_eur_per_year"] if refused else [])


def test_be1_labour_impact_is_a_positive_figure() -> None:
    """MP BE1 (shared with v1): the impact on labour in fte per million euro, above zero."""
    assert heads(problems(lambda d: d.update(fte_per_million_eur=0))) == [
        "BE1 fte_per_million_eur"]


# --- BE10: the three aspects named ------------------------------------------------------------


@pytest.mark.parametrize("key", ["dependencies", "data_quality", "generic_functions"])
@pytest.mark.parametrize(("answer", "refused"), [
    (None, True), ("", True), ("n.v.t.", True), ("Nader te bepalen.", True),
    ("Koppeling met de EPD's via FHIR in 2027.", False)])
def test_be10_names_the_three_aspects(key: str, answer: str | None, refused: bool) -> None:
    """MP BE10 ("Dit omvat minimaal: afhankelijkheden, datakwaliteit & eenheid van taal en
    inzet generieke functies"): each of the three is answered."""
    found = problems(lambda d: d["data_conditions"].update({key: answer}))
    assert heads(found) == ([f"BE10 data_conditions.{key}"] if refused else [])


def test_be10_without_data_conditions_names_all_three() -> None:
    """MP BE10: a document without `data_conditions` lacks all three aspects."""
    found = problems(lambda d: d.pop("data_conditions"))
    assert heads(found) == ["BE10 data_conditions.dependencies",
                            "BE10 data_conditions.data_quality",
                            "BE10 data_conditions.generic_functions"]


# --- answers in substance ---------------------------------------------------------------------


@pytest.mark.parametrize("number", range(1, 15))
@pytest.mark.parametrize(("answer", "refused"), [
    ("", True), ("...", True), ("n.v.t.", True), ("TBD", True), ("Ja.", True),
    ("Zie boven.", True), ("Nader te bepalen", True), ("- - -", True), ("2027", True),
    ("Wij scholen alle verpleegkundigen in 2027.", False)])
def test_every_basiseis_needs_an_answer_in_substance(number: int, answer: str,
                                                     refused: bool) -> None:
    """MP BE1–BE14 (DESIGN-v2.md: "a substantive answer (not just punctuation or a
    placeholder)"): punctuation, a placeholder or a word or two is no answer."""
    found = problems(lambda d: d["basiseisen"].update({str(number): answer}))
    assert heads(found) == ([f"BE{number} basiseisen.{number}"] if refused else [])


# --- BE8: the flag waives the first sentence only ------------------------------------------------


@pytest.mark.parametrize(("social", "impuls", "answer", "expected"), [
    (False, "", "De borging loopt via de contracten.", ["BE8 sections.financien.eenmalige_impuls"]),
    (True, "", "De borging loopt via de contracten.", []),
    (True, "", "", ["BE8 basiseisen.8"]),
    (True, "", "n.v.t.", ["BE8 basiseisen.8"]),
    (False, "Zonder impuls komt de koppeling niet tot stand.",
     "De borging loopt via de contracten.", []),
])
def test_be8_the_social_domain_flag_waives_only_the_first_sentence(
    social: bool, impuls: str, answer: str, expected: list[str]
) -> None:
    """MP BE8: "(deze vereiste geldt niet voor de 2x100 miljoen)" follows the first sentence;
    "Er moet beschreven worden hoe de eenmalige financiële impuls na afloop geborgd wordt"
    holds for the social-domain budget too."""
    def change(data: dict[str, Any]) -> None:
        data["social_domain_budget"] = social
        data["sections"]["financien"]["eenmalige_impuls"] = impuls
        data["basiseisen"]["8"] = answer

    found = problems(change)
    assert heads(found) == expected
    if expected == ["BE8 basiseisen.8"]:
        assert "which the social-domain budget does not waive" in found[0]


def test_check_without_parties_does_not_compare_applicants() -> None:
    """MP BE12: a file checked on its own (no plan) is not compared with parties it lacks."""
    doc = parse_modelplan_v2(example_v2(lambda d: d["applicants"][1].update(org="Elders BV")))
    assert [f.field for f in check_modelplan_v2(doc) if f.basiseis == 12] == [
        "budget[2].provider", "budget[4].provider", "budget[6].provider"]
    with_parties = check_modelplan_v2(doc, parties=[NOORDERHAVEN, LINDEBOOM])
    assert next(f.field for f in with_parties if f.basiseis == 12) == "applicants[1].org"


@pytest.mark.parametrize(("due", "words"), [
    (date(2027, 10, 1), 'write "2027-10-01" in quotes'),
    ("20271001", 'must be a date such as "2027-10-01"'),
    (20271001, "got a whole number"),
])
def test_a_kpi_date_is_text_as_json_carries_it(due: object, words: str) -> None:
    """MP §II Monitoring (streefdata): a date is text YYYY-MM-DD, so the file that passes the
    check is also a payload the engine takes (JSON has no dates)."""
    found = problems(lambda d: d["kpis"][0].update(due=due))
    assert len(found) == 1 and found[0].startswith("BE1–BE14 modelplan: kpis[0].due: ")
    assert words in found[0]

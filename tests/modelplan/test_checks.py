"""The modelplan checklist (MP BE1–BE14, MP §I–§II): reading the document and its findings."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from states.modelplan import (
    BASISEISEN,
    SECTION_BY_KEY,
    SECTIONS,
    Finding,
    ModelplanError,
    check_modelplan,
    format_eur,
    parse_modelplan,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "modelplan_example.yaml"
Change = Callable[[dict[str, Any]], object]


def example(change: Change | None = None) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    if change is not None:
        change(data)
    return data


def findings(change: Change | None = None) -> list[Finding]:
    return check_modelplan(parse_modelplan(example(change)))


def fields(found: list[Finding]) -> list[tuple[int, str]]:
    return [(f.basiseis, f.field) for f in found]


def test_example_meets_every_basiseis() -> None:
    """MP BE1–BE14: the complete example coalition plan gives no findings."""
    assert findings() == []


# --- a basiseis left empty ---------------------------------------------------------------------

MISSING = object()


@pytest.mark.parametrize("number", range(1, 15))
@pytest.mark.parametrize(
    ("answer", "flagged"),
    [("Zo voldoet het plan eraan.", False), ("", True), ("  \n ", True), (None, True),
     (MISSING, True)],
    ids=["answered", "empty", "blank", "null", "missing"],
)
def test_basiseis_left_empty(number: int, answer: object, flagged: bool) -> None:
    """MP BE1–BE14: each basiseis must say how the plan meets it."""

    def change(data: dict[str, Any]) -> None:
        if answer is MISSING:
            del data["basiseisen"][str(number)]
        else:
            data["basiseisen"][str(number)] = answer

    found = findings(change)
    assert fields(found) == ([(number, f"basiseisen.{number}")] if flagged else [])
    if flagged:
        assert BASISEISEN[number].title in found[0].message


@pytest.mark.parametrize(("social_domain_budget", "flagged"), [(True, False), (False, True)])
def test_be8_does_not_apply_to_the_social_domain_budget(
    social_domain_budget: bool, flagged: bool
) -> None:
    """MP BE8: the one-off impulse is not required for the 2x100 million of the social domain."""

    def change(data: dict[str, Any]) -> None:
        data["social_domain_budget"] = social_domain_budget
        data["basiseisen"]["8"] = ""

    assert fields(findings(change)) == ([(8, "basiseisen.8")] if flagged else [])


# --- budget ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("year", "flagged"),
                         [(2027, False), (2028, False), (2026, True), (2029, True)])
def test_be4_budget_year_outside_2027_2028(year: int, flagged: bool) -> None:
    """MP BE4: the funds are spent in 2027 and 2028."""

    def change(data: dict[str, Any]) -> None:
        data["budget"][2]["year"] = year

    found = findings(change)
    assert fields(found) == ([(4, "budget[2].year")] if flagged else [])
    if flagged:
        assert str(year) in found[0].message


@pytest.mark.parametrize(("lines", "flagged"), [(None, False), ([], True)], ids=["full", "empty"])
def test_be4_empty_budget(lines: list[object] | None, flagged: bool) -> None:
    """MP BE4: without budget lines nothing shows the money is spent in 2027 and 2028."""

    def change(data: dict[str, Any]) -> None:
        if lines is not None:
            data["budget"] = lines

    assert fields(findings(change)) == ([(4, "budget")] if flagged else [])


@pytest.mark.parametrize(
    ("savings", "flagged"),
    [(300_000, False), (215_000, False), (214_999, True), (200_000, True), (None, True)],
)
def test_be9_structural_costs_not_above_savings(savings: int | None, flagged: bool) -> None:
    """MP BE9: savings at least the structural costs of the costliest year (2028: 120k + 95k)."""

    def change(data: dict[str, Any]) -> None:
        data["structural_savings_eur_per_year"] = savings

    found = findings(change)
    assert fields(found) == ([(9, "structural_savings_eur_per_year")] if flagged else [])
    if flagged:
        assert "215,000" in found[0].message and "2028" in found[0].message


@pytest.mark.parametrize(("kind", "flagged"), [("incidental", False), ("structural", True)])
def test_be9_only_structural_lines_count(kind: str, flagged: bool) -> None:
    """MP BE9: incidental costs need no structural savings; structural ones do."""

    def change(data: dict[str, Any]) -> None:
        data["structural_savings_eur_per_year"] = 100_000
        for line in data["budget"]:
            line["kind"] = "incidental"
        data["budget"][0]["kind"] = kind  # 420,000 in 2027

    assert fields(findings(change)) == ([(9, "structural_savings_eur_per_year")]
                                        if flagged else [])


@pytest.mark.parametrize(("fte", "flagged"),
                         [(4.2, False), (0.5, False), (0, True), (-1.5, True), (None, True)])
def test_be1_positive_fte_per_million_eur(fte: float | None, flagged: bool) -> None:
    """MP BE1: the impact on labour is a positive number of fte per million euro."""

    def change(data: dict[str, Any]) -> None:
        data["fte_per_million_eur"] = fte

    assert fields(findings(change)) == ([(1, "fte_per_million_eur")] if flagged else [])


# --- applicants --------------------------------------------------------------------------------

TWO = [{"org": "Zorggroep Noorderhaven"}, {"org": "Thuiszorg De Lindeboom"}]
ONE = [{"org": "Zorggroep Noorderhaven"}]


UNPAID = [(12, f"budget[{i}].provider") for i in range(7)]


@pytest.mark.parametrize(
    ("applicants", "exemption", "expected"),
    [
        (TWO, None, []),
        (ONE, "Er is maar één aanbieder met een monitoringcentrum in de regio.", []),
        (ONE, None, [(12, "applicants")]),
        (ONE, "   ", [(12, "applicants")]),
        (ONE * 2, None, [(12, "applicants")]),
        ([], "Geen gezamenlijke aanvraag.", [(12, "applicants"), *UNPAID]),
    ],
    ids=["joint", "argued-exemption", "alone", "blank-exemption", "same-org-twice", "nobody"],
)
def test_be12_joint_application(
    applicants: list[dict[str, str]], exemption: str | None, expected: list[tuple[int, str]]
) -> None:
    """MP BE12: two or more applicants, unless a joint application is argued to cost more."""

    def change(data: dict[str, Any]) -> None:
        data["applicants"] = applicants
        data["joint_application_exemption"] = exemption
        for line in data["budget"]:
            line["provider"] = "Zorggroep Noorderhaven"

    assert fields(findings(change)) == expected


@pytest.mark.parametrize(("provider", "flagged"),
                         [("Thuiszorg De Lindeboom", False), ("Huisartsenpraktijk Zuid", True)])
def test_be12_budget_provider_is_an_applicant(provider: str, flagged: bool) -> None:
    """MP BE12, MP §II Financiën: the amount per provider (VAT) goes to a coalition party."""

    def change(data: dict[str, Any]) -> None:
        data["budget"][3]["provider"] = provider

    found = findings(change)
    assert fields(found) == ([(12, "budget[3].provider")] if flagged else [])
    if flagged:
        assert provider in found[0].message


def test_all_findings_at_once() -> None:
    """MP BE1–BE14: every shortcoming is reported in one round, ordered by basiseis."""

    def change(data: dict[str, Any]) -> None:
        data["applicants"] = ONE
        data["basiseisen"]["13"] = ""
        data["fte_per_million_eur"] = 0
        data["budget"][0]["year"] = 2026
        data["budget"][5]["year"] = 2029
        data["budget"][2]["provider"] = "Thuiszorg De Lindeboom"
        data["structural_savings_eur_per_year"] = 1000

    assert fields(findings(change)) == [
        (1, "fte_per_million_eur"),
        (4, "budget[0].year"),
        (4, "budget[5].year"),
        (9, "structural_savings_eur_per_year"),
        (12, "applicants"),
        (12, "budget[2].provider"),
        (12, "budget[4].provider"),
        (12, "budget[6].provider"),
        (13, "basiseisen.13"),
    ]


def test_finding_to_dict() -> None:
    """MP: a finding travels as {basiseis, field, message}, the shape `check --json` prints."""
    finding = Finding(4, "budget[2].year", "year 2029 is outside 2027–2028")
    assert finding.to_dict() == {"basiseis": 4, "field": "budget[2].year",
                                 "message": "year 2029 is outside 2027–2028"}


# --- the seed's catalogue ----------------------------------------------------------------------


def test_basiseisen_are_the_fourteen_of_the_seed() -> None:
    """MP BE1–BE14: numbered 1 to 14 with the seed's titles."""
    assert list(BASISEISEN) == list(range(1, 15))
    assert BASISEISEN[4].title == "Tijdige besteding"
    assert BASISEISEN[4].explanation == "De middelen worden besteed in 2027 en 2028."
    assert BASISEISEN[12].title == "Gezamenlijke aanvragen"
    assert all(b.title and b.explanation for b in BASISEISEN.values())


def test_sections_are_those_of_the_seed() -> None:
    """MP §I–§II: the seven sections in the seed's order, with all its questions."""
    assert [s.key for s in SECTIONS] == [
        "probleemdefinitie", "afbakening", "aanpak_en_organisatie", "business_case",
        "financien", "monitoring_en_bijsturing", "randvoorwaarden_en_risicos"]
    assert [len(s.questions) for s in SECTIONS] == [4, 1, 8, 9, 9, 4, 8]
    organisatie = SECTION_BY_KEY["aanpak_en_organisatie"].questions[1]
    assert organisatie.text == "Wie zijn er betrokken? Is het een gezamenlijke aanvraag?"


def test_questions_link_the_basiseis_the_seed_names() -> None:
    """MP §I–§II: a question carries the basiseis number the seed puts in parentheses."""
    links = {q.key: q.basiseis for s in SECTIONS for q in s.questions if q.basiseis is not None}
    assert links == {
        "organisatie": 12, "executiekracht": 3, "wetgeving_en_beleid": 7, "impact_arbeid": 1,
        "impact_kosten_structureel": 9, "structurele_inbedding": 5, "toegevoegde_waarde": 6,
        "eenmalige_impuls": 8, "tijdige_besteding": 4,
        "gegevensuitwisseling_en_databeschikbaarheid": 10, "veranderkundige_ondersteuning": 13,
        "samenwerking_keten_en_bekostiging": 14, "impact_op_de_markt": 11,
    }
    assert SECTION_BY_KEY["business_case"].basiseis == 2
    covered = set(links.values()) | {s.basiseis for s in SECTIONS if s.basiseis is not None}
    assert covered == set(BASISEISEN)


def test_questions_marked_for_regional_context() -> None:
    """MP §I–§II: the questions the seed marks "[aanvulling met (boven-)regio-context]"."""
    marked = {q.key for s in SECTIONS for q in s.questions if q.regional_context}
    assert marked == {"probleemstelling", "uitgangspunten_aanpak", "organisatie", "governance",
                      "executiekracht", "planning", "impact_indirect", "randvoorwaarden_breed"}
    assert all("aanvulling" not in q.text for s in SECTIONS for q in s.questions)


# --- reading -----------------------------------------------------------------------------------


def _set(path: str, value: object) -> Change:
    """A change that sets `a.b[2].c` to value, or deletes it when value is DELETE."""

    def change(data: dict[str, Any]) -> None:
        *parents, last = path.replace("[", ".").replace("]", "").split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if part.isdigit() and isinstance(node, list) else node[part]
        key: Any = int(last) if last.isdigit() and isinstance(node, list) else last
        if value is DELETE:
            del node[key]
        else:
            node[key] = value

    return change


DELETE = object()


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        (_set("budget[2].year", "2027"), "budget[2].year", "text '2027'"),
        (_set("budget[0].year", 2027.0), "budget[0].year", "whole number"),
        (_set("budget[0].amount_eur", -5), "budget[0].amount_eur", "negative"),
        (_set("budget[0].amount_eur", "420000"), "budget[0].amount_eur", "number"),
        (_set("budget[0].amount_eur", True), "budget[0].amount_eur", "number"),
        (_set("budget[0].amount_eur", math.nan), "budget[0].amount_eur", "finite"),
        (_set("budget[1].category", "personeel"), "budget[1].category", "personnel, material"),
        (_set("budget[1].kind", "eenmalig"), "budget[1].kind", "incidental, structural"),
        (_set("budget[3].provider", DELETE), "budget[3].provider", "missing"),
        (_set("budget[3].provider", ""), "budget[3].provider", "non-empty"),
        (_set("budget[3].bedrag", 5), "budget[3].bedrag", "unknown field"),
        (_set("budget", DELETE), "budget", "missing"),
        (_set("budget", {"2027": 1}), "budget", "list"),
        (_set("applicants", "Zorggroep Noorderhaven"), "applicants", "list"),
        (_set("applicants[1]", "Thuiszorg De Lindeboom"), "applicants[1]", "mapping"),
        (_set("applicants[0].org", 7), "applicants[0].org", "name"),
        (_set("basiseisen.15", "extra"), "basiseisen.15", "1 to 14"),
        (_set("basiseisen.4", 2027), "basiseisen.4", "text"),
        (_set("sections.financien", DELETE), "sections.financien", "missing"),
        (_set("sections.afbakening.doelgroep", "x"), "sections.afbakening.doelgroep", "unknown"),
        (_set("sections.afbakening.scope", ["a"]), "sections.afbakening.scope", "text"),
        (_set("fte_per_million_eur", "veel"), "fte_per_million_eur", "number"),
        (_set("structural_savings_eur_per_year", -1), "structural_savings_eur_per_year",
         "negative"),
        (_set("social_domain_budget", "ja"), "social_domain_budget", "true or false"),
        (_set("strucural_savings", 1), "strucural_savings", "unknown field"),
    ],
)
def test_unreadable_document_names_the_field(change: Change, path: str, words: str) -> None:
    """MP §II Financiën: a document of the wrong shape is refused, naming the field to mend."""
    with pytest.raises(ModelplanError) as caught:
        parse_modelplan(example(change))
    assert caught.value.path == path
    assert words in caught.value.message
    assert str(caught.value).startswith(f"{path}: ")


@pytest.mark.parametrize("data", [None, [], "modelplan", 3])
def test_document_must_be_a_mapping(data: object) -> None:
    """MP: a modelplan is one mapping of fields; anything else is refused, not crashed on."""
    with pytest.raises(ModelplanError, match="must be a mapping"):
        parse_modelplan(data)


@pytest.mark.parametrize(("keys", "readable"),
                         [((4,), True), ((4, "4"), False), (("04", "4"), False)])
def test_basiseis_numbers_may_be_unquoted_but_not_given_twice(
    keys: tuple[object, ...], readable: bool
) -> None:
    """MP BE1–BE14: YAML may give the numbers unquoted; the same basiseis twice is refused."""
    data = example()
    answer = data["basiseisen"].pop("4")
    for key in keys:
        data["basiseisen"][key] = answer
    if readable:
        assert check_modelplan(parse_modelplan(data)) == []
    else:
        with pytest.raises(ModelplanError, match="twice"):
            parse_modelplan(data)


def test_notes_and_unanswered_questions_are_accepted() -> None:
    """MP §I–§II: "_" keys are notes; a question left out reads as unanswered, not an error."""

    def change(data: dict[str, Any]) -> None:
        data["_toelichting"] = "notitie"
        data["basiseisen"]["_vragen"] = {"1": "..."}
        data["sections"]["randvoorwaarden_en_risicos"]["_vragen"] = {}
        del data["sections"]["randvoorwaarden_en_risicos"]["duurzaamheid"]
        data["budget"][0]["_opmerking"] = "offerte volgt"

    doc = parse_modelplan(example(change))
    assert doc.sections["randvoorwaarden_en_risicos"]["duurzaamheid"] == ""
    assert check_modelplan(doc) == []


def test_amounts_are_shown_to_the_cent_as_the_engine_rounds_them() -> None:
    """A modelplan's euros are shown as every other output shows money (workflow.core.money):
    whole euros without cents, others to the cent, a half cent to the even cent as stored
    amounts are rounded (the float 813.155 lies just below it and once showed € 813.15)."""
    assert format_eur(1_100_000) == "€ 1,100,000"
    assert format_eur(1234.5) == "€ 1,234.50"
    assert format_eur(813.155) == "€ 813.16"
    assert format_eur(935.065) == "€ 935.06"

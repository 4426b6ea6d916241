"""`azwa modelplan check` (transformation@2, the default) in Dutch: every finding and every
reading error translated, amounts as Dutch writes them; English as it always was."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from workflow.cli.modelplan import app as modelplan_app
from workflow.core import i18n

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "modelplan_example.yaml"


def check(file: Path, language: str, *args: str) -> tuple[int, str, str]:
    i18n.forget_missing()
    with i18n.reading(language):
        result = CliRunner().invoke(modelplan_app, ["check", str(file), *args],
                                    env={"COLUMNS": "400"})
    return result.exit_code, result.stdout, result.stderr


def bad_plan(tmp_path: Path) -> Path:
    """The example with a finding of each kind transformation@2 adds."""
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["applicants"] = data["applicants"][:1]
    data["joint_application_exemption"] = "Wij zijn de enige aanbieder in de regio"
    data["basiseisen"]["3"] = "n.v.t."
    data["basiseisen"]["5"] = "nader te bepalen"
    data["basiseisen"]["6"] = "Zie boven"
    data["basiseisen"]["8"] = ""
    data["sections"]["financien"]["eenmalige_impuls"] = ""
    data["budget"][0]["amount_eur"] = 0
    data["budget"][1]["amount_eur"] = 500_000_000
    data["business_case"] = {"costs_eur": 1_000, "benefits_eur": 500, "horizon_years": 3}
    data["data_conditions"] = {"dependencies": "", "data_quality": "TBD"}
    data["kpis"] = [{"id": "k1", "due": "2030-01-01", "amount_eur": -5}]
    plan = tmp_path / "plan.yaml"
    plan.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return plan


def test_every_finding_of_version_2_is_said_in_dutch(tmp_path: Path) -> None:
    plan = bad_plan(tmp_path)
    code, out, _err = check(plan, "nl")
    assert code == 1
    assert i18n.missing() == set()
    for dutch in ("het antwoord op basiseis 3 (", "bevat geen woorden", "is een opvultekst",
                  "bevat 2 woorden, minder dan 3", "tweede zin van BE8",
                  "eerste zin van BE8", "bedrag € 0 moet positief zijn",
                  "bedrag € 500.000.000 is hoger dan € 400.000.000",
                  "KPI 'k1': streefdatum 1 januari 2030 valt buiten 2027–2028",
                  "het netto-effect is niet positief: een opbrengst van € 500 tegenover kosten "
                  "van € 1.000 over 3 jaar", "de business case rekent de middelen als kosten",
                  "datakwaliteit & eenheid van taal",
                  "telt niet"):
        assert dutch in out, dutch
    assert "the answer" not in out


def test_english_findings_are_as_they_were(tmp_path: Path) -> None:
    plan = bad_plan(tmp_path)
    code, out, _err = check(plan, "en", "--json")
    assert code == 1
    messages = [f["message"] for f in json.loads(out)["findings"]]
    for english in ("amount € 0 must be positive",
                    "amount € 500,000,000 exceeds € 400,000,000, the most one amount may be "
                    "(AZWA_MP_MAX_AMOUNT_EUR)",
                    "KPI 'k1': due date 2030-01-01 is outside 2027–2028, the years the funds "
                    "are spent in",
                    "the net effect is not positive: benefits of € 500 against costs of € 1,000 "
                    "over 3 year(s)"):
        assert english in messages, english


def test_a_document_that_cannot_be_read_is_refused_in_dutch(tmp_path: Path) -> None:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["budget"][0]["year"] = "twintig"
    data["kpis"] = [{"id": "k1", "due": "morgen"}]
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(data), encoding="utf-8")
    code, _out, err = check(plan, "nl")
    assert code == 2
    assert i18n.missing() == set()
    assert ("fout: " + str(plan) + ": budget[0].year: moet een jaartal als geheel getal zijn, "
            "zoals 2027, maar is tekst 'twintig'") in " ".join(err.split())
    code, _out, err = check(plan, "en")
    assert code == 2
    assert "budget[0].year: must be a year as a whole number such as 2027, got text 'twintig'" \
        in " ".join(err.split())
    data["budget"][0]["year"] = 2027
    plan.write_text(json.dumps(data), encoding="utf-8")
    code, _out, err = check(plan, "nl")
    assert code == 2
    assert i18n.missing() == set()
    assert 'kpis[0].due: moet een datum zijn zoals "2027-10-01", maar is tekst' in err


def test_a_breakthrough_submission_is_refused_in_dutch(sqlite_url: str) -> None:
    """submit_plan under transformation@2: the basiseisen a modelplan falls short of, and a
    modelplan that cannot be read, in Dutch with their rule and seed; English as before."""
    from tests.modelplan.test_v2_engine import MAKER, _single_applicant, in_preparation
    from tests.modelplan.v2_support import example_v2
    from workflow.core.refusal_text import reason

    _engine, steps = in_preparation(sqlite_url)

    def faulty(data: dict[str, object]) -> None:
        _single_applicant(data)
        data["business_case"] = {"costs_eur": 2_000_000, "benefits_eur": 1_475_000,
                                 "horizon_years": 4}

    refused = steps.refuse("submit_plan", MAKER, {"modelplan": example_v2(faulty)})
    i18n.forget_missing()
    with i18n.reading("nl"):
        said = reason(refused)
    assert i18n.missing() == set()
    assert "[regel has_complete_modelplan, MP BE1–BE14]" in said
    assert ("BE2 business_case.benefits_eur: het netto-effect is niet positief: een opbrengst "
            "van € 1.475.000 tegenover kosten van € 2.000.000 over 4 jaar") in said
    assert "BE12 applicants: een gezamenlijke aanvraag vraagt twee of meer aanvragers" in said
    assert "benefits of € 1,475,000 against costs of € 2,000,000 over 4 year(s)" in str(refused)
    unreadable = steps.refuse("submit_plan", MAKER, {"modelplan": {"applicants": 3}})
    i18n.forget_missing()
    with i18n.reading("nl"):
        said = reason(unreadable)
    assert i18n.missing() == set()
    assert "BE1–BE14 modelplan: basiseisen: is verplicht maar ontbreekt" in said
    with i18n.reading("en"):
        assert reason(unreadable) == unreadable.reason

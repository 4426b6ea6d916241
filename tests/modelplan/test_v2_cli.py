"""`azwa modelplan` under `transformation@2`'s rules, the default (`--version 2`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner, Result

from states.modelplan import BASISEISEN, SECTIONS
from states.modelplan_v2 import check_modelplan_v2, modelplan_problems_v2
from states.modelplan_v2_doc import parse_modelplan_v2
from workflow.cli.modelplan import app
from workflow.modelplan.files import read_modelplan_v2, report, template

from .v2_support import (
    EXAMPLE_V1,
    EXAMPLE_V2,
    LINDEBOOM,
    NOORDERHAVEN,
    ROOT,
    context,
    example_v2,
)

runner = CliRunner()


def run(*args: str | Path) -> Result:
    return runner.invoke(app, [str(a) for a in args])


def write_yaml(path: Path, data: object) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def fields(result: Result) -> list[str]:
    return [f"BE{f['basiseis']} {f['field']}" for f in json.loads(result.stdout)["findings"]]


def test_the_v2_example_passes_by_default() -> None:
    """MP BE1–BE14: `check` applies transformation@2 unless told otherwise."""
    result = run("check", EXAMPLE_V2, "--party", NOORDERHAVEN, "--party", LINDEBOOM)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"ok: {EXAMPLE_V2} meets every basiseis (transformation@2)\n"


def test_a_v1_plan_shows_what_v2_asks_more() -> None:
    """MP BE2, BE8, BE10: the v1 example passes v1, and under v2 lacks the v2 figures."""
    assert run("check", EXAMPLE_V1, "--version", "1").exit_code == 0
    result = run("check", EXAMPLE_V1, "--json")
    assert result.exit_code == 1
    assert fields(result) == [
        "BE2 business_case", "BE8 sections.financien.eenmalige_impuls",
        "BE10 data_conditions.dependencies", "BE10 data_conditions.data_quality",
        "BE10 data_conditions.generic_functions"]


def test_version_1_does_not_read_the_v2_fields() -> None:
    """azwa: transformation@1 reads its own document; the v2 fields are unknown to it."""
    result = run("check", EXAMPLE_V2, "--version", "1")
    assert result.exit_code == 2
    assert "business_case: unknown field" in result.stderr


@pytest.mark.parametrize(("args", "expected"), [
    ([], []),
    (["--party", NOORDERHAVEN], ["BE12 applicants[1].org"]),
    (["--party", NOORDERHAVEN.upper(), "--party", f"  {LINDEBOOM} "], []),
])
def test_party_compares_the_applicants(args: list[str], expected: list[str]) -> None:
    """MP BE12: with the plan's parties given, each applicant must be one of them."""
    result = run("check", EXAMPLE_V2, "--json", *args)
    assert fields(result) == expected
    assert result.exit_code == (1 if expected else 0)


def test_single_applicant_needs_the_grant(tmp_path: Path) -> None:
    """MP BE12: one applicant passes only with --single-applicant-granted."""
    def single(data: dict[str, Any]) -> None:
        data["applicants"] = data["applicants"][:1]
        data["joint_application_exemption"] = "Alleen deze aanbieder heeft een monitoringcentrum."
        for line in data["budget"]:
            line["provider"] = NOORDERHAVEN

    plan = write_yaml(tmp_path / "plan.yaml", example_v2(single))
    assert fields(run("check", plan, "--json")) == ["BE12 applicants"]
    assert run("check", plan, "--json", "--single-applicant-granted").exit_code == 0


def test_the_plans_facts_are_refused_for_version_1() -> None:
    """azwa: v1 reads no parties or grant, so asking for them under v1 is an error, not a
    silent pass."""
    result = run("check", EXAMPLE_V1, "--version", "1", "--party", NOORDERHAVEN)
    assert result.exit_code == 2 and "apply to --version 2 only" in result.stderr


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_the_v2_template_reads_and_asks_for_everything(tmp_path: Path, fmt: str) -> None:
    """MP BE1–BE14: the empty v2 template reads under v2 and is flagged for each basiseis,
    the business case, BE8's first sentence and BE10's three aspects."""
    target = tmp_path / f"plan.{fmt}"
    assert run("template", "--format", fmt, "-o", target).exit_code == 0
    result = run("check", target, "--json")
    assert result.exit_code == 1
    found = fields(result)
    assert [f for f in found if " basiseisen." in f] == [
        f"BE{n} basiseisen.{n}" for n in BASISEISEN]
    for expected in ("BE2 business_case", "BE8 sections.financien.eenmalige_impuls",
                     "BE10 data_conditions.dependencies", "BE10 data_conditions.data_quality",
                     "BE10 data_conditions.generic_functions", "BE12 applicants", "BE4 budget",
                     "BE1 fte_per_million_eur"):
        assert expected in found


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_the_v2_template_filled_in_passes(fmt: str) -> None:
    """MP BE1–BE14: filled with the example's figures and real answers, the template passes."""
    text = template("json" if fmt == "json" else "yaml")
    data = json.loads(text) if fmt == "json" else yaml.safe_load(text)
    filled = example_v2()
    for key in ("applicants", "fte_per_million_eur", "budget", "structural_savings_eur_per_year",
                "business_case", "data_conditions", "kpis"):
        data[key] = filled[key]
    for number in BASISEISEN:
        data["basiseisen"][str(number)] = f"Zo voldoet het plan aan basiseis {number}."
    for section in SECTIONS:
        for question in section.questions:
            data["sections"][section.key][question.key] = "Het antwoord van de coalitie."
    assert check_modelplan_v2(parse_modelplan_v2(data)) == []


def test_the_v1_template_is_still_there() -> None:
    """azwa: `template --version 1` gives the document transformation@1 reads."""
    result = run("template", "--version", "1")
    assert result.exit_code == 0 and result.stdout == template("yaml", 1)
    assert "\nbusiness_case:" not in result.stdout and "\ndata_conditions:" not in result.stdout


def test_the_v2_report_shows_the_business_case_and_kpis(tmp_path: Path) -> None:
    """MP BE2, BE4, BE10: the v2 report adds the figures of the business case, the data
    conditions and the KPIs with their dates."""
    target = tmp_path / "plan.md"
    assert run("report", EXAMPLE_V2, "-o", target).exit_code == 0
    text = target.read_text(encoding="utf-8")
    assert text == report(read_modelplan_v2(EXAMPLE_V2), "md")
    assert "| Benefits | € 3,180,000 |" in text
    assert "| k2 | 80% van de doelgroep thuis gemonitord | 2028-12-31 | € 600,000 |" in text
    assert "Check: ok, no findings" in text


def test_the_shipped_v2_example_is_the_documented_one() -> None:
    """azwa: the example shipped with the package (the demo's) is the one in docs/examples."""
    shipped = ROOT / "workflow" / "examples" / "modelplan_example_v2.yaml"
    assert shipped.read_text(encoding="utf-8") == EXAMPLE_V2.read_text(encoding="utf-8")


# --- docs/modelplan.md ---------------------------------------------------------------------------

DOCS = (ROOT / "docs" / "modelplan.md").read_text(encoding="utf-8")


def test_docs_show_what_v2_prints_for_the_v1_example() -> None:
    """MP BE2, BE8, BE10: the JSON the docs show for the v1 example under v2 is the output."""
    result = run("check", EXAMPLE_V1, "--json")
    assert f"```json\n{result.stdout}```" in DOCS


def test_docs_show_what_v2_prints_for_a_budget_line_in_2029(tmp_path: Path) -> None:
    """MP BE4: the documented finding of a third budget line in 2029 is the v2 output."""
    plan = write_yaml(tmp_path / "plan.yaml", example_v2(lambda d: d["budget"][2].update(
        year=2029)))
    result = run("check", plan, "--json")
    assert result.exit_code == 1
    assert f"```json\n{result.stdout}```" in DOCS


def test_docs_show_the_engines_line_for_a_single_applicant() -> None:
    """MP BE12: the refusal line the docs quote is what the guard gives."""
    def single(data: dict[str, Any]) -> None:
        data["applicants"] = data["applicants"][:1]
        for line in data["budget"]:
            line["provider"] = NOORDERHAVEN

    lines = modelplan_problems_v2(context({"modelplan": example_v2(single)}))
    assert len(lines) == 1 and f"```text\n{lines[0]}\n```" in DOCS

"""`azwa modelplan` check, template and report (MP BE1–BE14) under `transformation@1`'s rules
(`--version 1`), and the docs that show them; `test_v2_cli.py` has version 2, the default."""

from __future__ import annotations

import json
import re
import shlex
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner, Result

from states.modelplan import BASISEISEN, SECTIONS, check_modelplan, parse_modelplan
from workflow.cli.modelplan import app
from workflow.modelplan.files import ModelplanFileError, read_modelplan, report, template

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "modelplan_example.yaml"
runner = CliRunner()


def run(*args: str | Path) -> Result:
    return runner.invoke(app, [str(a) for a in args])


def example() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    return data


def write_yaml(path: Path, data: object) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def assert_unreadable(result: Result, *words: str) -> None:
    """Exit 2, nothing on stdout, one line on stderr naming what is wrong, no traceback."""
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")
    assert "Traceback" not in result.output
    for word in words:
        assert word in result.stderr


# --- check -------------------------------------------------------------------------------------


@pytest.mark.parametrize("as_json", [False, True])
def test_check_passing_example_exits_0(as_json: bool) -> None:
    """MP BE1–BE14: a complete modelplan passes, as text and as JSON."""
    result = run("check", EXAMPLE, "--version", "1", *(["--json"] if as_json else []))
    assert result.exit_code == 0, result.output
    if as_json:
        assert json.loads(result.stdout) == {"ok": True, "findings": []}
    else:
        assert "meets every basiseis" in result.stdout


def test_check_json_shape_with_findings(tmp_path: Path) -> None:
    """MP BE4, BE12: `check --json` prints exactly {ok, findings[{basiseis, field, message}]}."""
    data = example()
    data["budget"][2]["year"] = 2029
    data["applicants"] = data["applicants"][:1]
    data["joint_application_exemption"] = "Alleen deze aanbieder heeft een monitoringcentrum."
    for line in data["budget"]:
        line["provider"] = data["applicants"][0]["org"]
    result = run("check", write_yaml(tmp_path / "plan.yaml", data), "--json", "--version", "1")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {"ok": False, "findings": [{
        "basiseis": 4, "field": "budget[2].year",
        "message": "year 2029 is outside 2027–2028, the years the funds must be spent in",
    }]}


def test_check_table_lists_every_finding(tmp_path: Path) -> None:
    """MP BE1, BE9: without --json the findings are shown as a table, and exit 1."""
    data = example()
    data["fte_per_million_eur"] = 0
    data["structural_savings_eur_per_year"] = 10
    result = run("check", write_yaml(tmp_path / "plan.yaml", data), "--version", "1")
    assert result.exit_code == 1
    assert "2 finding(s)" in result.stdout
    assert "fte_per_million_eur" in result.stdout
    assert "structural_savings_eur_per_year" in result.stdout


# --- unreadable files --------------------------------------------------------------------------


def _broken(change: str) -> dict[str, Any]:
    data = example()
    if change == "wrong-type":
        data["applicants"] = "Zorggroep Noorderhaven"
    elif change == "negative":
        data["budget"][0]["amount_eur"] = -420000
    elif change == "year-as-text":
        data["budget"][2]["year"] = "2027"
    elif change == "unknown-kind":
        data["budget"][1]["kind"] = "eenmalig"
    return data


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ("wrong-type", ["plan.yaml: applicants:", "must be a list"]),
        ("negative", ["plan.yaml: budget[0].amount_eur:", "negative"]),
        ("year-as-text", ["plan.yaml: budget[2].year:", "text '2027'"]),
        ("unknown-kind", ["plan.yaml: budget[1].kind:", "incidental, structural"]),
    ],
)
@pytest.mark.parametrize("command", ["check", "report"])
def test_unreadable_document_exits_2_naming_the_field(
    tmp_path: Path, change: str, words: list[str], command: str
) -> None:
    """MP §II Financiën: a document of the wrong shape is refused with its field path."""
    result = run(command, write_yaml(tmp_path / "plan.yaml", _broken(change)))
    assert_unreadable(result, *words)


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("plan.yaml", "applicants: [\nbudget: 1\n", ["plan.yaml:3:", "not valid YAML"]),
        ("plan.yml", "applicants:\n  - org: a\n - org: b\n", ["plan.yml:3:", "not valid YAML"]),
        ("plan.json", '{\n  "applicants": ,\n}', ["plan.json:2:", "not valid JSON"]),
        ("plan.txt", '{"applicants": [}', ["plan.txt:1:", "not valid JSON"]),
        ("plan.txt", "applicants: [\n", ["plan.txt:2:", "not valid YAML"]),
        ("plan.yaml", "", ["plan.yaml:", "must be a mapping"]),
        ("plan.json", "[1, 2]", ["plan.json:", "must be a mapping"]),
    ],
)
def test_unparsable_file_exits_2_naming_the_line(
    tmp_path: Path, name: str, content: str, words: list[str]
) -> None:
    """MP: a file that is not YAML or JSON is reported with the line the parser names."""
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert_unreadable(run("check", path, "--json"), *words)


def test_missing_file_exits_2(tmp_path: Path) -> None:
    """MP: a file that is not there is an unreadable file, not a crash."""
    assert_unreadable(run("check", tmp_path / "nergens.yaml"), "nergens.yaml", "cannot read")


def test_read_modelplan_error_carries_file_and_path(tmp_path: Path) -> None:
    """MP BE4: the error names file and field, so callers can show or log them."""
    path = write_yaml(tmp_path / "plan.yaml", _broken("year-as-text"))
    with pytest.raises(ModelplanFileError) as caught:
        read_modelplan(path)
    assert (caught.value.file, caught.value.path, caught.value.line) == (
        str(path), "budget[2].year", None)


def test_json_and_yaml_read_alike(tmp_path: Path) -> None:
    """MP: the same modelplan as JSON (by extension or by content) reads like the YAML."""
    as_json = json.dumps(example(), ensure_ascii=False)
    (tmp_path / "plan.json").write_text(as_json, encoding="utf-8")
    (tmp_path / "plan.txt").write_text(as_json, encoding="utf-8")
    expected = read_modelplan(EXAMPLE)
    assert read_modelplan(tmp_path / "plan.json") == expected
    assert read_modelplan(tmp_path / "plan.txt") == expected


# --- template ----------------------------------------------------------------------------------


def _template_data(fmt: str) -> dict[str, Any]:
    loaded = (json.loads(template("json", 1)) if fmt == "json"
              else yaml.safe_load(template("yaml", 1)))
    assert isinstance(loaded, dict)
    return loaded


@pytest.mark.parametrize("fmt", ["yaml", "json"])
@pytest.mark.parametrize("social_domain_budget", [False, True])
def test_empty_template_gives_one_finding_per_empty_basiseis(
    fmt: str, social_domain_budget: bool
) -> None:
    """MP BE1–BE14: the empty template reads, and each basiseis is flagged exactly once."""
    data = _template_data(fmt)
    data["social_domain_budget"] = social_domain_budget
    found = check_modelplan(parse_modelplan(data))
    basiseis_fields = [f.field for f in found if f.field.startswith("basiseisen.")]
    expected = [n for n in BASISEISEN if not (social_domain_budget and n == 8)]
    assert basiseis_fields == [f"basiseisen.{n}" for n in expected]
    assert len(basiseis_fields) == (13 if social_domain_budget else 14)
    others = {(f.basiseis, f.field) for f in found if not f.field.startswith("basiseisen.")}
    assert others == {(1, "fte_per_million_eur"), (4, "budget"), (12, "applicants")}


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_template_filled_with_example_text_passes(fmt: str) -> None:
    """MP BE1–BE14: once every answer and figure is filled in, the template passes."""
    data = _template_data(fmt)
    filled = example()
    for key in ("applicants", "fte_per_million_eur", "budget", "structural_savings_eur_per_year"):
        data[key] = filled[key]
    for number in BASISEISEN:
        data["basiseisen"][str(number)] = f"Zo voldoet het plan aan basiseis {number}."
    for section in SECTIONS:
        for question in section.questions:
            data["sections"][section.key][question.key] = "Antwoord van de coalitie."
    assert check_modelplan(parse_modelplan(data)) == []


def test_template_carries_every_question_in_dutch() -> None:
    """MP §I–§II: each question, its basiseis and the regional-context mark are in the template."""
    text = template("yaml", 1)
    flat = " ".join(line.strip().lstrip("# ") for line in text.splitlines())
    for section in SECTIONS:
        assert f"  {section.key}:" in text
        for question in section.questions:
            assert f'    {question.key}: ""' in text
            assert question.text in flat
    assert "Organisatie: Wie zijn er betrokken? Is het een gezamenlijke aanvraag? (basiseis 12) " \
        "[aanvulling met (boven-)regio-context]" in flat
    for number, basiseis in BASISEISEN.items():
        assert f'  "{number}": ""' in text
        assert f"{number}. {basiseis.title}:" in flat
    notes = _template_data("json")["sections"]["business_case"]["_vragen"]
    assert notes["impact_arbeid"] == ("Beoogde impact (arbeid): Wat zijn de effecten op "
                                      "arbeidsbesparing (fte per miljoen euro)? (basiseis 1)")


def test_example_answers_every_question_of_the_template() -> None:
    """MP §I–§II: the example is complete: it answers each question the template asks."""
    answers = example()["sections"]
    assert {k: set(v) for k, v in answers.items()} == {
        s.key: set(s.question_keys()) for s in SECTIONS}
    assert all(str(a).strip() for section in answers.values() for a in section.values())


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_template_command_prints_or_writes(tmp_path: Path, fmt: str) -> None:
    """MP: `template` prints the template, or writes it with -o, in the chosen format."""
    printed = run("template", "--format", fmt)
    assert printed.exit_code == 0
    assert printed.stdout == template("json" if fmt == "json" else "yaml")
    target = tmp_path / f"plan.{fmt}"
    written = run("template", "--format", fmt, "-o", target)
    assert written.exit_code == 0 and written.stdout == ""
    assert target.read_text(encoding="utf-8") == printed.stdout
    assert run("check", target).exit_code == 1


def test_template_command_unwritable_output_exits_2(tmp_path: Path) -> None:
    """MP: an output file that cannot be written is one line and exit 2, not a traceback."""
    assert_unreadable(run("template", "-o", tmp_path / "geen" / "map" / "plan.yaml"),
                      "cannot write")


# --- report ------------------------------------------------------------------------------------


def test_report_markdown_shows_budget_and_verdicts() -> None:
    """MP BE1, BE4, BE9: the report gives the budget by year and category and the figures."""
    text = report(read_modelplan(EXAMPLE), "md")
    assert "| 2027 | € 630,000 | € 470,000 | € 1,100,000 |" in text
    assert "| 2028 | € 160,000 | € 215,000 | € 375,000 |" in text
    assert "| Zorggroep Noorderhaven | € 1,010,000 |" in text
    assert "they cover the largest structural costs a year (€ 215,000 in 2028)" in text
    assert "fte per million euro: 4.2 (expected labour saving 6.2 fte" in text
    assert "## Positieve business case (zoveel mogelijk normerend) (BE2)" in text
    assert "Check: ok, no findings" in text


def test_report_lists_findings(tmp_path: Path) -> None:
    """MP BE9: a report of a failing plan lists its findings and says savings fall short."""
    data = example()
    data["structural_savings_eur_per_year"] = 100_000
    doc = parse_modelplan(data)
    text = report(doc, "md")
    assert "Check: 1 finding" in text
    assert "| 9 | structural_savings_eur_per_year |" in text
    assert "they do not cover the largest structural costs" in text


def test_report_html_escapes_answers() -> None:
    """MP: the HTML report is a page of its own and shows answers as text, not markup."""
    data = example()
    data["sections"]["afbakening"]["scope"] = "<script>alert(1)</script> & meer"
    text = report(parse_modelplan(data), "html")
    assert text.startswith("<!DOCTYPE html>")
    assert "<script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; meer" in text
    assert "<td>2027</td>" in text


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_report_command_writes_file(tmp_path: Path, fmt: str) -> None:
    """MP: `report -o` writes the chosen format; the exit status is 0 even with findings."""
    target = tmp_path / f"modelplan.{fmt}"
    result = run("report", EXAMPLE, "--format", fmt, "--version", "1", "-o", target)
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8") == report(
        read_modelplan(EXAMPLE), "html" if fmt == "html" else "md")


# --- docs --------------------------------------------------------------------------------------


def test_docs_example_is_the_tested_example() -> None:
    """MP: the example the docs point at passes the check, and is the one these tests use."""
    docs_example = ROOT / "docs" / "examples" / "modelplan_example.yaml"
    assert run("check", docs_example, "--version", "1").exit_code == 0
    assert docs_example.read_text(encoding="utf-8") == EXAMPLE.read_text(encoding="utf-8")


def _documented_commands() -> list[tuple[list[str], str]]:
    """Each `$ azwa modelplan ...` line of the docs' console blocks, with the output shown."""
    text = (ROOT / "docs" / "modelplan.md").read_text(encoding="utf-8")
    commands: list[tuple[list[str], str]] = []
    for block in re.findall(r"```console\n(.*?)```", text, flags=re.S):
        for chunk in re.split(r"^\$ ", block, flags=re.M)[1:]:
            command, _, shown = chunk.partition("\n")
            words = shlex.split(command)
            assert words[:2] == ["azwa", "modelplan"], command
            commands.append((words[2:], shown))
    return commands


def test_docs_commands_run_as_shown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """MP: every command in docs/modelplan.md runs, exits 0 and prints what the docs show."""
    shutil.copytree(ROOT / "docs" / "examples", tmp_path / "docs" / "examples")
    monkeypatch.chdir(tmp_path)
    commands = _documented_commands()
    assert len(commands) >= 5
    for args, shown in commands:
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (args, result.output)
        assert result.stdout == shown, args

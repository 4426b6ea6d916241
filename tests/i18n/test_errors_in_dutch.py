"""What goes wrong, said in Dutch: a modelplan file that cannot be read, the modelplan
report, an output that would overwrite a file, the web service's `input_within_limits` and
its token and lookup refusals. Each run fails on a text looked up and not in the catalogue
(`i18n.missing()`), and on any line that still holds the English of a catalogue text
(`english_left`). English as it always was."""

from __future__ import annotations

import html
import re
from functools import cache
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.http.helpers import auth, registration
from tests.i18n.test_catalogue import catalogue
from workflow.cli.main import app
from workflow.core import i18n
from workflow.http.settings import load

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "modelplan_example.yaml"
SLOT = re.compile(r"\{[^{}]*\}")


@cache
def english_fragments() -> frozenset[str]:
    """The fixed parts, 16 characters or longer and of more than one word, of every
    catalogue sentence whose Dutch differs from its English: one found in an output is
    English where Dutch was due. Terms (a message context) are identifiers, which may be
    shown as they are (a list of known states)."""
    found = set()
    for (context, english), dutch in catalogue("nl").items():
        if dutch != english and context is None:
            found |= {part.strip() for part in SLOT.split(english)
                      if len(part.strip()) >= 16 and " " in part.strip()}
    dutch_parts = {part for (_c, _e), d in catalogue("nl").items() for part in SLOT.split(d)}
    return frozenset(f for f in found if not any(f in d for d in dutch_parts))


def english_left(text: str) -> list[str]:
    flat = " ".join(text.split())
    return sorted(f for f in english_fragments() if f in flat)


def azwa(*args: object, language: str = "nl") -> tuple[int, str, str]:
    i18n.forget_missing()
    result = CliRunner().invoke(app, [str(a) for a in args],
                                env={"COLUMNS": "300", "AZWA_LANG": language})
    return result.exit_code, result.stdout, result.stderr


def bad_plan(tmp_path: Path) -> Path:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["title"] = ""
    data["basiseisen"]["3"] = ""
    data["budget"][0]["amount_eur"] = 0
    data["fte_per_million_eur"] = 1.25
    data["business_case"] = {"costs_eur": 1_000, "benefits_eur": 500, "horizon_years": 3}
    data["kpis"] = [{"id": "k1", "description": "Wachttijd gehalveerd", "due": "2027-10-01",
                     "amount_eur": 50_000}]
    plan = tmp_path / "plan.yaml"
    plan.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return plan


def test_english_left_finds_english_and_passes_dutch() -> None:
    """The check itself: a catalogue text's English is found, its Dutch is not."""
    assert english_left("fout: het bestand bestaat al") == []
    assert english_left("x.md exists; add --force to replace it") == [
        "exists; add --force to replace it"]


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_the_modelplan_report_in_dutch(tmp_path: Path, fmt: str) -> None:
    """`azwa modelplan report`: headings, table heads, verdicts, amounts and days in Dutch,
    the findings said as `modelplan check` says them; the answers as the document wrote
    them."""
    plan = bad_plan(tmp_path)
    code, out, err = azwa("modelplan", "report", plan, "--format", fmt)
    assert code == 0, err
    out = html.unescape(out)
    assert i18n.missing() == set()
    assert english_left(out) == []
    for dutch in ("Modelplan: (zonder titel)", "Controle: ", " bevindingen", "Aanvragers",
                  "Begroting", "Per jaar en soort lasten", "Personele lasten", "Totaal",
                  "Bedrag per zorgaanbieder", "Structurele besparing per jaar: € ",
                  "fte per miljoen euro: 1,25 (verwachte arbeidsbesparing",
                  "Business case in cijfers (BE2)", "Looptijd", "3 jaar", "Mijlpalen en KPI's",
                  "Streefdatum", "Bevindingen", "bedrag € 0 moet positief zijn",
                  "het netto-effect is niet positief", "(niet beantwoord)"):
        assert dutch in out, dutch
    assert re.search(r"\d{1,2} (januari|februari|maart|april|mei|juni|juli|augustus|"
                     r"september|oktober|november|december) 202[78]", out)
    for english in ("Budget", "Total", "Applicants", "Findings", "not given", "(untitled)",
                    "year(s)", "fte per million euro"):
        assert english not in out, english


def test_the_modelplan_report_in_english_is_as_it_was(tmp_path: Path) -> None:
    code, out, _err = azwa("modelplan", "report", bad_plan(tmp_path), language="en")
    assert code == 0
    for english in ("# Modelplan: (untitled)", "## Budget", "| Year | Personnel | Material |",
                    "fte per million euro: 1.25 (expected labour saving",
                    "Structural savings a year: ", "| Horizon | 3 year(s) |"):
        assert english in out, english


@pytest.mark.parametrize(("content", "suffix", "dutch", "english"), [
    (None, ".yaml", "kan het bestand niet lezen:", "cannot read the file:"),
    ("title: a: b\n", ".yaml", "geen geldige YAML: hier mag geen veld met waarde staan",
     "not valid YAML: mapping values are not allowed here"),
    ('{"title": }', ".json", "geen geldige JSON: ", "not valid JSON: Expecting value"),
    ("a: &x [1]\nb: *x\n", ".yaml", "YAML-aliassen (*naam) worden in een modelplan niet gelezen",
     "YAML aliases (*name) are not read in a modelplan"),
    ("[" * 100 + "]" * 100, ".json", "dieper genest dan 64 niveaus",
     "nested deeper than 64 levels"),
], ids=["missing", "yaml", "json", "alias", "deep"])
def test_a_modelplan_file_that_cannot_be_read_in_dutch(tmp_path: Path, content: str | None,
                                                       suffix: str, dutch: str,
                                                       english: str) -> None:
    plan = tmp_path / f"plan{suffix}"
    if content is not None:
        plan.write_text(content, encoding="utf-8")
    for command in ("check", "report"):
        code, _out, err = azwa("modelplan", command, plan)
        assert code == 2
        assert i18n.missing() == set()
        flat = " ".join(err.split())
        assert flat.startswith("fout: ") and dutch in flat, flat
        assert english_left(flat) == []
        code, _out, err = azwa("modelplan", command, plan, language="en")
        assert code == 2 and english in " ".join(err.split())


def test_the_modelplan_commands_refusals_in_dutch(tmp_path: Path) -> None:
    """An output that exists (no --force), and v2's options asked of version 1."""
    target = tmp_path / "report.md"
    target.write_text("x", encoding="utf-8")
    code, _out, err = azwa("modelplan", "report", EXAMPLE, "-o", target)
    assert code == 2 and i18n.missing() == set() and english_left(err) == []
    assert "bestaat al; voeg --force toe om het te vervangen" in err
    code, _out, err = azwa("modelplan", "check", EXAMPLE, "--version", "1", "--party", "X")
    assert code == 2 and i18n.missing() == set() and english_left(err) == []
    assert "gelden alleen voor --version 2" in " ".join(err.split())


def test_input_within_limits_over_http_in_dutch(client: TestClient) -> None:
    """The web service's refusals of input no store can take, of a token and of a filter:
    `detail` in Dutch by Accept-Language, `problems` in English for programs."""
    dutch = {**auth("maker"), "Accept-Language": "nl"}
    assert client.post("/plans", json=registration("P1"), headers=auth("maker")
                       ).status_code == 201
    i18n.forget_missing()
    seen = []
    at = client.get("/plans/P1", params={"at": "2027-01-01T09:00"}, headers=dutch)
    assert at.status_code == 422
    assert at.json()["detail"] == ("at: tijdstip zonder tijdzoneverschil: '2027-01-01T09:00' "
                                   "[regel input_within_limits, azwa]")
    assert at.json()["problems"][0]["message"] == "at: timestamp without offset: " \
        "'2027-01-01T09:00'"
    seen.append(at.json()["detail"])
    nul = client.post("/plans/P1/commands", headers=dutch, json={
        "trigger": "submit_quick_test", "payload": {"note": "a\x00b"}})
    assert nul.status_code == 422
    assert "een tekst met een NUL-teken" in nul.json()["detail"]
    seen.append(nul.json()["detail"])
    token = client.get("/plans/P1", headers={"Accept-Language": "nl"})
    assert token.json()["detail"].startswith("Stuur `Authorization: Bearer <token>`")
    seen.append(token.json()["detail"])
    unknown = client.get("/plans", params={"state": "nergens"}, headers=dutch)
    assert unknown.status_code == 422 and "is onbekend; bekend:" in unknown.json()["detail"]
    seen.append(unknown.json()["detail"])
    assert i18n.missing() == set()
    assert english_left("\n".join(seen)) == []
    english = client.get("/plans/P1", params={"at": "2027-01-01T09:00"},
                         headers={**auth("maker"), "Accept-Language": "en"})
    assert english.json()["detail"] == ("at: timestamp without offset: '2027-01-01T09:00' "
                                        "[rule input_within_limits, azwa]")


@pytest.mark.parametrize(("content", "dutch", "english"), [
    ("arrivals = 3\n", "scenariosleutel arrivals: moet een tabel zijn",
     "scenario key arrivals: must be a table"),
    ("[delays]\nnowhere = {kind = \"exponential\", mean = 5}\n",
     "scenariosleutel delays.nowhere: onbekende handeling 'nowhere' in transformation@",
     "scenario key delays.nowhere: unknown trigger 'nowhere' in transformation@"),
    ("[delays.default]\nkind = \"triangular\"\nlow = 5\nmode = 3\nhigh = 9\n",
     "scenariosleutel delays.default: vraagt low <= mode <= high",
     "scenario key delays.default: needs low <= mode <= high"),
    ("start = 2027-03-01\n[arrivals]\ndates = [2027-01-04]\n",
     "scenariosleutel arrivals.dates: 4 januari 2027 ligt vóór het begin (1 maart 2027)",
     "scenario key arrivals.dates: 2027-01-04 lies before start (2027-03-01)"),
    ("colour = 'red'\n", "scenariosleutel colour: onbekende sleutel; bekend: arrivals",
     "scenario key colour: unknown key; known: arrivals"),
    ("= nothing\n", "scenariosleutel (file): ", "is not valid TOML"),
], ids=["table", "trigger", "triangular", "dates", "key", "toml"])
def test_a_scenario_file_that_cannot_be_used_in_dutch(tmp_path: Path, content: str, dutch: str,
                                                      english: str) -> None:
    """`azwa simulate SCENARIO`: the first bad key of a scenario, in Dutch."""
    scenario = tmp_path / "scenario.toml"
    scenario.write_text(content, encoding="utf-8")
    code, _out, err = azwa("simulate", scenario, "--plans", "1", "--no-plots")
    flat = " ".join(err.split())
    assert code == 2 and i18n.missing() == set() and english_left(flat) == []
    assert dutch in flat, flat
    code, _out, err = azwa("simulate", scenario, "--plans", "1", "--no-plots", language="en")
    assert code == 2 and english in " ".join(err.split())


def test_a_database_that_cannot_be_opened_in_dutch(tmp_path: Path) -> None:
    """`--db` naming no azwa database: where, why and what to do, in Dutch."""
    for db, dutch in ((tmp_path / "nowhere" / "azwa.db", "de map"),
                      (tmp_path / "new.db", "maak er een met `azwa init --db"),
                      (tmp_path, "is een map, geen azwa-database")):
        code, _out, err = azwa("plan", "list", "--db", db)
        flat = " ".join(err.split())
        assert code == 2 and i18n.missing() == set() and english_left(flat) == []
        assert dutch in flat, flat
    code, _out, err = azwa("plan", "list", "--db", tmp_path / "new.db", language="en")
    assert "no azwa database at" in err


def test_a_log_that_cannot_be_read_in_dutch(tmp_path: Path) -> None:
    """`azwa replay LOG`: the line that cannot be read and why, in Dutch."""
    log = tmp_path / "log.jsonl"
    log.write_text('{"plan_id": "P1"}\n', encoding="utf-8")
    code, _out, err = azwa("replay", log)
    flat = " ".join(err.split())
    assert code == 2 and i18n.missing() == set() and english_left(flat) == []
    assert "regel 1: velden" in flat and "ontbreken" in flat, flat
    log.write_text("{nope\n", encoding="utf-8")
    code, _out, err = azwa("replay", log)
    flat = " ".join(err.split())
    assert code == 2 and i18n.missing() == set()
    assert "regel 1: geen geldige JSON (veldnaam tussen dubbele aanhalingstekens verwacht" \
        in flat, flat
    code, _out, err = azwa("replay", log, language="en")
    assert "line 1: not valid JSON (Expecting property name" in " ".join(err.split())


def test_the_services_config_file_errors_in_dutch(tmp_path: Path) -> None:
    """`azwa serve --config`: a token without its role, said in Dutch."""
    from workflow.cli.text import said
    from workflow.http.settings import SettingsError

    config = tmp_path / "azwa.toml"
    config.write_text('[[tokens]]\nhash = "sha256:' + "0" * 64 + '"\norg = "Menzis"\n',
                      encoding="utf-8")
    with pytest.raises(SettingsError) as caught:
        load(config)
    i18n.forget_missing()
    with i18n.reading("nl"):
        assert said(caught.value) == f"{config}: token 1: role en org zijn verplicht"
    assert i18n.missing() == set()
    assert str(caught.value) == f"{config}: token 1: role and org are required"

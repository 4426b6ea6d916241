"""Refusals in Dutch where people read them (the command line, the web service's
problem+json), English as before, and the same rules, seeds and English messages for
programs in every language (docs/language.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.http.helpers import auth, registration
from workflow.cli.main import app
from workflow.cli.render import idle_text
from workflow.core import i18n
from workflow.core.errors import Refused
from workflow.core.phrase import Phrase
from workflow.core.refusal_text import reason, say
from workflow.core.todo import IDLE_REASONS, idle_reason
from workflow.service import demo
from workflow.service.api import Engine

LATER = "2027-01-12T09:00:00+01:00"


def refused(engine: Engine, trigger: str, actor: Any, payload: dict[str, Any],
            at: str = LATER) -> Refused:
    with pytest.raises(Refused) as caught:
        engine.fire(demo.PLAN_ID, trigger, actor, payload, at=at)
    return caught.value


def in_dutch(refusal: Refused) -> str:
    """The refusal's one line in Dutch; fails on any text the catalogue lacks."""
    i18n.forget_missing()
    with i18n.reading("nl"):
        said = reason(refusal)
        assert say(refusal.reason) == said  # quoted elsewhere (a to-do waiting), said too
    assert i18n.missing() == set()
    with i18n.reading("en"):
        assert reason(refusal) == refusal.reason
    return said


@pytest.fixture
def engine(sqlite_url: str) -> Engine:
    found = Engine(sqlite_url)
    demo.play(found, demo.PLAN_ID, until="register_plan")
    return found


def test_a_role_that_may_not_act_is_told_in_dutch(engine: Engine) -> None:
    refusal = refused(engine, "approve_quick_test", demo.MAKER, {})
    assert refusal.reason == ("A plan_maker may not approve_quick_test; only "
                              "coordinating_insurer may [rule role_may_fire, A4 §1.5.1]")
    assert in_dutch(refusal) == (
        "Een planmaker mag ‘snelle toets goedkeuren’ niet doen; alleen een coördinerende "
        "zorgverzekeraar mag dat [regel role_may_fire, A4 §1.5.1]")


def test_a_step_out_of_its_state_names_the_states_in_dutch(engine: Engine) -> None:
    said = in_dutch(refused(engine, "approve_quick_test", demo.INSURER, {}))
    assert "‘snelle toets goedkeuren’ kan niet zolang het plan in de fase ‘voornemen’ is" in said
    assert "(wel in: snelle toets in beoordeling)" in said and "[regel allowed_in_state" in said


def test_every_payload_problem_is_said_in_dutch(engine: Engine) -> None:
    """A payload of the wrong shape: each field's problem in Dutch, the paths as sent."""
    refusal = refused(engine, "agree_character", demo.INSURER,
                      {"character": 7, "colour": "blue"})
    assert len(refusal.problems) >= 2
    said = in_dutch(refusal)
    assert "colour is hier geen veld (wel: character)" in said
    assert "character moet een van deze waarden zijn: innovation, scaling; maar is het getal 7" \
        in said
    assert "[regel payload_matches_schema" in said


def test_a_rule_of_the_seed_is_said_in_dutch(sqlite_url: str) -> None:
    """A guard's rule description, translated by its message, with its paragraph."""
    engine = Engine(sqlite_url)
    demo.play(engine, demo.PLAN_ID, until="hold_start_meeting")
    refusal = refused(engine, "submit_quick_test", demo.MAKER, {}, "2027-01-25T09:00:00+01:00")
    assert refusal.rule == "has_agreed_character"
    assert in_dutch(refusal).startswith(
        "Stem het karakter van het plan (innovatie of opschaling) af vóór de snelle toets "
        "[regel has_agreed_character, A4 §1.8.1]")


def test_the_command_line_refuses_in_dutch_and_json_keeps_its_fields(tmp_path: Path) -> None:
    db = tmp_path / "azwa.db"
    engine = Engine(f"sqlite:///{db}")
    demo.play(engine, demo.PLAN_ID, until="register_plan")
    engine.store.close()  # type: ignore[attr-defined]
    args = ["plan", "fire", demo.PLAN_ID, "approve_quick_test", "--as", "plan_maker", "--org",
            demo.MAKER.org, "--at", LATER, "--db", str(db)]
    i18n.forget_missing()
    result = CliRunner().invoke(app, ["--lang", "nl", *args], env={"COLUMNS": "300"})
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "geweigerd: Een planmaker mag ‘snelle toets goedkeuren’ niet doen; alleen een "
        "coördinerende zorgverzekeraar mag dat [regel role_may_fire, A4 §1.5.1]")
    assert i18n.missing() == set()
    english = CliRunner().invoke(app, ["--lang", "en", *args])
    assert english.stderr.strip().startswith("refused: A plan_maker may not approve_quick_test")
    scripted = CliRunner().invoke(app, ["--lang", "nl", *args, "--json"])
    data = json.loads(scripted.stdout)
    assert data["refused"]["rule"] == "role_may_fire"
    assert data["refused"]["message"].startswith("A plan_maker may not")
    assert data["refused"]["problems"][0]["text"].startswith("Een planmaker mag")
    assert data["reason"].endswith("[rule role_may_fire, A4 §1.5.1]")


def test_the_web_service_answers_in_the_language_asked_for(client: TestClient) -> None:
    assert client.post("/plans", json=registration("P1"), headers=auth("maker")).status_code \
        == 201
    command = {"trigger": "approve_quick_test", "at": LATER}
    dutch = client.post("/plans/P1/commands", json=command,
                        headers={**auth("maker"), "Accept-Language": "nl-NL,nl;q=0.9"}).json()
    assert dutch["title"] == "Niet toegestaan"
    assert dutch["detail"].startswith("Een planmaker mag ‘snelle toets goedkeuren’ niet doen")
    assert dutch["problems"][0]["message"].startswith("A plan_maker may not")
    english = client.post("/plans/P1/commands", json=command,
                          headers={**auth("maker"), "Accept-Language": "en-GB"}).json()
    assert english["title"] == "Not allowed"
    assert english["detail"].startswith("A plan_maker may not approve_quick_test")
    unknown = client.get("/plans/nothing-here/events",
                         headers={**auth("maker"), "Accept-Language": "nl"}).json()
    assert unknown["title"] == "Niet gevonden"


@pytest.mark.parametrize(("code", "params", "dutch"), [
    ("final_state", {"state": "withdrawn"}, "het plan is ingetrokken"),
    ("waiting_for", {"others": [{"org": "Menzis", "role": "coordinating_insurer",
                                 "triggers": ["approve_quick_test"]}]},
     "Menzis (coördinerende zorgverzekeraar): snelle toets goedkeuren"),
    ("nothing_awaited", {}, None),
    ("waiting_until", {"what": [Phrase("{trigger}: {reason}", trigger="submit_plan",
                                       reason=Phrase("Give a reason"))]},
     "wacht tot transformatieplan indienen: Geef een reden"),
    ("before_last_event", {"at": "a", "last": "b"}, None),
])
def test_every_idle_reason_is_said_by_its_code(code: str, params: dict[str, Any],
                                               dutch: str | None) -> None:
    """`todo`'s "nothing to do: why" is a code and values: English as composed, Dutch from
    the catalogue, no shape of English taken apart."""
    assert set(IDLE_REASONS) == {"final_state", "waiting_for", "nothing_awaited",
                                 "waiting_until", "before_last_event"}
    row = {"idle": idle_reason(code, params), "idle_code": code, "idle_params": params}
    i18n.forget_missing()
    with i18n.reading("nl"):
        said = idle_text(row)
    assert i18n.missing() == set()
    assert said != row["idle"]
    if dutch is not None:
        assert dutch in said
    with i18n.reading("en"):
        assert idle_text(row) == row["idle"]


def test_modelplan_findings_in_dutch(tmp_path: Path) -> None:
    """`azwa modelplan check --version 1` in Dutch: every finding of the seed's checklist
    as transformation@1 reads it, translated."""
    import yaml

    from workflow.cli.modelplan import app as modelplan_app

    data = yaml.safe_load((Path(__file__).resolve().parents[2] / "docs" / "examples"
                           / "modelplan_example.yaml").read_text(encoding="utf-8"))
    data["applicants"] = data["applicants"][:1]
    data["basiseisen"]["13"] = ""
    data["fte_per_million_eur"] = 0
    data["budget"][0]["year"] = 2029
    data["structural_savings_eur_per_year"] = 1000
    data["budget"][2]["provider"] = "Elders"
    plan = tmp_path / "plan.yaml"
    plan.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    i18n.forget_missing()
    with i18n.reading("nl"):
        result = CliRunner().invoke(modelplan_app, ["check", str(plan), "--version", "1"],
                                    env={"COLUMNS": "300"})
    assert result.exit_code == 1
    assert i18n.missing() == set()
    for dutch in ("bevinding(en) in", "het jaar 2029 valt buiten 2027–2028",
                  "de impact op arbeidsinzet moet een positief aantal fte",
                  "basiseis 13 (", "is niet behandeld",
                  "aanbieder 'Elders' is geen aanvrager",
                  "een gezamenlijke aanvraag vraagt twee of meer aanvragers",
                  "zijn hoger dan de structurele besparing"):
        assert dutch in result.stdout, dutch
    english = CliRunner().invoke(modelplan_app, ["check", str(plan), "--json", "--version", "1"])
    assert "year 2029 is outside 2027–2028" in english.stdout


def test_what_a_rule_adds_is_said_in_dutch_too(sqlite_url: str) -> None:
    """A registration with several problems: the rule, each of its specifics and the second
    failing rule, all in Dutch; the English as it always was."""
    engine = Engine(sqlite_url)
    attrs = {**demo.REGISTRATION, "title": " ", "parties": []}
    with pytest.raises(Refused) as caught:
        engine.register("P9", demo.MAKER, attrs, at=demo.START)
    assert caught.value.reason.startswith(
        "The registration is incomplete: title must be a non-empty text; parties must list at "
        "least one organisation [rule is_valid_registration, A4 §1.a.2] (+1 more: ")
    assert in_dutch(caught.value) == (
        "De registratie is onvolledig: title moet een niet-lege tekst zijn; parties moet ten "
        "minste één organisatie bevatten [regel is_valid_registration, A4 §1.a.2] (+1 andere: "
        "Alleen een van de eigen partijen van het plan mag het registreren [regel "
        "is_registrant_a_party, A4 §1.a.2])")

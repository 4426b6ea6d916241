"""Input the command line and the web service refuse before any rule looks at it, in
Dutch: a `-p` that is no JSON, an `--at` that cannot be read, an unknown plan, a request
of the wrong shape. English as it always was."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.http.helpers import auth
from workflow.cli.main import app
from workflow.core import i18n
from workflow.service.databases import create_or_upgrade


def fire(db: str, language: str, *extra: str) -> tuple[int, str]:
    i18n.forget_missing()
    result = CliRunner().invoke(app, ["plan", "fire", "P1", "submit_plan", "--db", db,
                                      "--as", "plan_maker", "--org", "Zorggroep", *extra],
                                env={"COLUMNS": "300", "AZWA_LANG": language})
    return result.exit_code, " ".join(result.stderr.split())


@pytest.mark.parametrize(("extra", "dutch", "english"), [
    (("-p", "{a: 1}"), "payload is geen JSON: veldnaam tussen dubbele aanhalingstekens "
     "verwacht op regel 1, kolom 2", "payload is not JSON: Expecting property name enclosed "
     "in double quotes at line 1 column 2"),
    (("-p", "[1]"), "payload moet een JSON-object zijn", "payload must be a JSON object"),
    (("--at", "gisteren"), "at: geen ISO-8601-tijdstip: 'gisteren'",
     "at: not an ISO-8601 timestamp: 'gisteren'"),
    (("--at", "2027-01-01T09:00"), "at: tijdstip zonder tijdzoneverschil",
     "at: timestamp without offset: '2027-01-01T09:00'"),
    (("--at", "2400-01-01T09:00:00+01:00"), "at: het jaar 2400 ligt buiten 1900–2200",
     "at: the year 2400 is outside 1900–2200"),
])
def test_the_command_lines_input_errors_in_dutch(sqlite_url: str, extra: tuple[str, ...],
                                                 dutch: str, english: str) -> None:
    create_or_upgrade(sqlite_url).close()
    code, err = fire(sqlite_url, "nl", *extra)
    assert code == 2
    assert dutch in err
    assert i18n.missing() == set()
    code, err = fire(sqlite_url, "en", *extra)
    assert code == 2
    assert english in err


def test_an_unknown_plan_and_a_request_of_the_wrong_shape_in_dutch(client: TestClient) -> None:
    dutch = {**auth("maker"), "Accept-Language": "nl"}
    english = {**auth("maker"), "Accept-Language": "en"}
    i18n.forget_missing()
    unknown = client.post("/plans/NOPE/commands", json={"trigger": "submit_plan"},
                          headers=dutch)
    assert unknown.status_code == 404
    assert unknown.json()["detail"] == ("Er is geen plan 'NOPE' geregistreerd "
                                        "[regel known_plan, azwa]")
    shape = client.post("/plans/NOPE/commands", json={"trigger": 5}, headers=dutch)
    assert shape.status_code == 422
    assert shape.json()["title"] == "Invoer die niet de vereiste vorm heeft"
    assert "Invoer moet een geldige tekst zijn" in shape.json()["detail"]
    route = client.get("/nowhere", headers=dutch)
    assert route.json()["detail"] == "Niet gevonden [regel known_route, azwa]"
    assert i18n.missing() == set()
    assert client.post("/plans/NOPE/commands", json={"trigger": "submit_plan"},
                       headers=english).json()["detail"] == \
        "No plan 'NOPE' is registered [rule known_plan, azwa]"
    found = client.post("/plans/NOPE/commands", json={"trigger": 5}, headers=english).json()
    assert found["detail"] == ("body.trigger: Input should be a valid string "
                               "[rule request_matches_schema, azwa]")
    assert found["problems"][0]["message"] == "body.trigger: Input should be a valid string"


def test_audit_verify_in_dutch(sqlite_url: str) -> None:
    """`azwa audit verify` on the demo's database: its verdict and its notes in Dutch."""
    from workflow.service import demo
    from workflow.service.api import Engine

    engine = Engine(sqlite_url)
    demo.run(engine)
    engine.store.close()
    i18n.forget_missing()
    result = CliRunner().invoke(app, ["audit", "verify", "--db", sqlite_url,
                                      "--require-signature"],
                                env={"COLUMNS": "300", "AZWA_LANG": "nl"})
    out = " ".join(result.stdout.split())
    assert result.exit_code == 1
    assert i18n.missing() == set()
    assert "NIET IN ORDE: 1 plan(nen)" in out
    assert "elk plan is gelijk aan het nagespeelde plan en elke hashketen is intact" in out
    assert "let op: --require-signature: koppen niet ondertekend" in out
    english = CliRunner().invoke(app, ["audit", "verify", "--db", sqlite_url],
                                 env={"COLUMNS": "300", "AZWA_LANG": "en"})
    assert english.exit_code == 0
    assert "ok: 1 plan(s)" in english.stdout
    assert "note: heads not signed: forgery cannot be excluded" in english.stdout


@pytest.mark.parametrize(("sql", "dutch"), [
    ("update plans set state = 'approved' where plan_id = :p",
     "kolom state van het plan wijkt af van het nagespeelde plan"),
    ("update deadlines set status = 'met' where plan_id = :p and name = 'quick_test_decision'",
     "termijn quick_test_decision.status wijkt af van het nagespeelde plan"),
    ("update events set payload = 'x' where plan_id = :p and seq = 3",
     "de gebeurtenis met nr. 3 is onleesbaar: actor of payload is geen JSON"),
])
def test_what_audit_verify_finds_is_said_in_dutch(sqlite_url: str, sql: str,
                                                  dutch: str) -> None:
    """A database changed behind the engine's back: what differs, in Dutch."""
    from sqlalchemy import text

    from workflow.service import demo
    from workflow.service.api import Engine

    engine = Engine(sqlite_url)
    demo.run(engine)
    with engine.store.engine.begin() as conn:  # type: ignore[attr-defined]
        conn.execute(text(sql), {"p": demo.PLAN_ID})
    engine.store.close()
    i18n.forget_missing()
    result = CliRunner().invoke(app, ["audit", "verify", "--db", sqlite_url],
                                env={"COLUMNS": "400", "AZWA_LANG": "nl"})
    assert result.exit_code == 1
    assert i18n.missing() == set()
    out = " ".join(result.stdout.split())
    assert "1 van 1 plan(nen) wijken af van hun gebeurtenissenlog" in out
    assert dutch in out

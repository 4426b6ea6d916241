"""The parts around the routes: metrics, the deadline worker, traces when configured, the
config file's refusals, CORS when listed, and the commands that run and feed the service."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.http.helpers import auth, registration, write_config
from workflow.cli.main import app as cli
from workflow.http.app import create_app
from workflow.http.settings import SettingsError, load, token_hash
from workflow.service.databases import create_or_upgrade

LATER = "2027-01-12T09:00:00+01:00"


def test_metrics_count_accepted_refused_and_expired(client: TestClient) -> None:
    client.post("/plans", json=registration("P1", "2025-01-11T09:00:00+01:00"),
                headers=auth("maker"))
    client.post("/plans/P1/commands", headers=auth("maker"),
                json={"trigger": "approve_quick_test", "at": "2025-01-12T09:00:00+01:00"})
    for trigger, payload, who, day in (
            ("hold_start_meeting", {}, "insurer", 12),
            ("agree_character", {"character": "scaling"}, "insurer", 12),
            ("submit_quick_test", {}, "maker", 13),
            ("accept_quick_test_as_complete", {}, "insurer", 14)):
        answer = client.post("/plans/P1/commands", headers=auth(who), json={
            "trigger": trigger, "payload": payload, "at": f"2025-01-{day}T09:00:00+01:00"})
        assert answer.status_code == 200, answer.text
    worker = client.app.state.deadline_worker  # type: ignore[attr-defined]
    assert worker.run_once() != []  # the real clock is long past the decision deadline
    assert worker.run_once() == []
    text = client.get("/metrics", headers=auth("auditor")).text
    assert 'azwa_commands_accepted_total{trigger="register_plan"} 1.0' in text
    assert ('azwa_commands_refused_total{rule="role_may_fire",trigger="approve_quick_test"} '
            '1.0') in text
    assert 'azwa_deadlines_expired_total{deadline="quick_test_decision"} 1.0' in text
    assert 'azwa_command_seconds_count{trigger="submit_quick_test"} 1.0' in text
    plan = client.get("/plans/P1", headers=auth("auditor")).json()
    assert plan["breaches"] == ["quick_test_decision"]


def test_traces_only_when_configured(sqlite_url: str, tmp_path: Path) -> None:
    """A span per command with plan, trigger and actor; none without the setting."""
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from workflow.http.telemetry import Tracing

    create_or_upgrade(sqlite_url).close()
    app = create_app(load(write_config(tmp_path / "azwa.toml", sqlite_url)), workers=False)
    assert app.state.tracing.tracer is None
    exporter = InMemorySpanExporter()
    app.state.tracing = Tracing(None, exporter=exporter)
    with TestClient(app) as client:
        client.post("/plans", json=registration("P1"), headers=auth("maker"))
        client.post("/plans/P1/commands", headers=auth("maker"),
                    json={"trigger": "approve_quick_test", "at": LATER})
    spans = exporter.get_finished_spans()
    assert [s.name for s in spans] == ["azwa.command", "azwa.command"]
    assert spans[0].attributes["azwa.trigger"] == "register_plan"
    assert spans[1].attributes["azwa.actor.org"] == "Huisartsen Twente"
    app.state.engine.store.close()


def test_cors_answers_only_the_listed_origins(sqlite_url: str, tmp_path: Path) -> None:
    create_or_upgrade(sqlite_url).close()
    config = write_config(tmp_path / "azwa.toml", sqlite_url)
    config.write_text(config.read_text().replace(
        "[server]", '[server]\ncors_origins = ["https://cms.example.org"]'))
    app = create_app(load(config), workers=False)
    with TestClient(app) as client:
        listed = client.get("/healthz", headers={"Origin": "https://cms.example.org"})
        other = client.get("/healthz", headers={"Origin": "https://evil.example"})
    assert listed.headers["access-control-allow-origin"] == "https://cms.example.org"
    assert "access-control-allow-origin" not in other.headers
    app.state.engine.store.close()


@pytest.mark.parametrize(("text", "says"), [
    ("[[tokens]]\nhash = \"abc\"\nrole = \"nza\"\norg = \"NZa\"\n", "hash must be"),
    (f"[[tokens]]\nhash = \"{token_hash('x' * 20)}\"\nrole = \"nza\"\n", "role and org"),
    ("[server]\nport = \"eighty\"\n", "port"),
    ("[[webhooks.subscribers]]\nname = \"a\"\nurl = \"ftp://x\"\nsecret = \"s\"\n",
     "http:// or https://"),
    ("[[webhooks.subscribers]]\nname = \"a\"\nurl = \"http://x\"\nsecret = \"s\"\n"
     "types = [\"gossip\"]\n", "unknown types"),
    ("[server\n", "not TOML"),
])
def test_a_config_file_that_cannot_be_used_is_refused_naming_why(
        tmp_path: Path, text: str, says: str) -> None:
    path = tmp_path / "azwa.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError, match=says):
        load(path)


def test_settings_default_to_no_token_so_only_healthz_answers(
        sqlite_url: str) -> None:
    create_or_upgrade(sqlite_url).close()
    app = create_app(load(None, db=sqlite_url), workers=False)
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        assert client.get("/plans", headers=auth("insurer")).status_code == 401
    app.state.engine.store.close()


def test_hash_token_prints_a_token_whose_hash_the_config_takes(tmp_path: Path) -> None:
    made = CliRunner().invoke(cli, ["serve", "hash-token", "--json"])
    assert made.exit_code == 0, made.output
    data = json.loads(made.stdout)
    assert data["token"].startswith("azwa_") and data["hash"] == token_hash(data["token"])
    path = tmp_path / "azwa.toml"
    path.write_text(f'[[tokens]]\nhash = "{data["hash"]}"\nrole = "nza"\norg = "NZa"\n')
    caller = load(path).caller(data["token"])
    assert caller is not None and caller.actor.org == "NZa" and not caller.read_only
    short = CliRunner().invoke(cli, ["serve", "hash-token", "short"])
    assert short.exit_code == 2 and "16 characters" in short.output


def test_serve_without_a_database_says_so_in_one_line(tmp_path: Path) -> None:
    missing = CliRunner().invoke(cli, ["serve", "--db", str(tmp_path / "none.db")])
    assert missing.exit_code == 2
    assert "azwa init" in missing.output and len(missing.output.strip().splitlines()) == 1
    bad = tmp_path / "bad.toml"
    bad.write_text("[server\n")
    refused = CliRunner().invoke(cli, ["serve", "--config", str(bad)])
    assert refused.exit_code == 2 and "not TOML" in refused.output


def test_webhooks_status_on_a_database_without_notifications(sqlite_url: str) -> None:
    create_or_upgrade(sqlite_url).close()
    shown = CliRunner().invoke(cli, ["webhooks", "status", "--db", sqlite_url, "--json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout) == {"subscribers": {}, "dead": []}
    none = CliRunner().invoke(cli, ["webhooks", "retry", "7", "--db", sqlite_url])
    assert none.exit_code == 2 and "webhooks status" in none.output

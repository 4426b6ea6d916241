"""The outbox on SQLite and PostgreSQL: what each command writes to it, in the command's own
transaction, and a delivery round sending it in order."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.http.helpers import auth, registration, write_config
from tests.http.test_webhook_outbox import SECRET, Receiver
from workflow.http.app import create_app
from workflow.http.settings import Subscriber, load
from workflow.http.webhooks import verify
from workflow.service import demo
from workflow.service.api import Engine
from workflow.service.databases import create_or_upgrade
from workflow.store import outbox

LATER = "2027-01-12T09:00:00+01:00"


@pytest.fixture
def hooked(db_url: str, tmp_path: Path) -> Iterator[tuple[FastAPI, TestClient, Receiver]]:
    receiver = Receiver(delay=0)
    create_or_upgrade(db_url).close()
    app = create_app(load(write_config(tmp_path / "azwa.toml", db_url, subscribers=[
        {"name": "cms", "url": receiver.url, "secret": SECRET}])), workers=False)
    with TestClient(app) as client:
        yield app, client, receiver
    app.state.engine.store.close()
    receiver.close()


def kinds(app: FastAPI) -> list[tuple[str, str]]:
    with app.state.engine.store.engine.connect() as conn:
        return [(r[0], r[1]) for r in conn.exec_driver_sql(
            "SELECT plan_id, kind FROM webhook_outbox ORDER BY id")]


def test_each_command_writes_its_notifications(
        hooked: tuple[FastAPI, TestClient, Receiver]) -> None:
    app, client, _ = hooked
    client.post("/plans", json=registration("P1"), headers=auth("maker"))
    assert kinds(app) == [("P1", "state_changed")]
    client.post("/plans/P1/commands", headers=auth("insurer"), json={
        "trigger": "agree_character", "payload": {"character": "scaling"}, "at": LATER})
    assert len(kinds(app)) == 1  # no change of state: nothing to tell
    client.post("/plans/P1/commands", headers=auth("maker"),
                json={"trigger": "approve_quick_test", "at": LATER})
    assert kinds(app)[-1] == ("P1", "command_refused")
    stale = client.post("/plans/P1/commands", headers={**auth("insurer"), "If-Match": '"1"'},
                        json={"trigger": "hold_start_meeting", "at": LATER})
    assert stale.status_code == 412 and len(kinds(app)) == 2
    client.post("/plans/P1/commands", headers=auth("maker"), json={
        "trigger": "escalate", "payload": {"issue": "x", "contact": "y"}, "at": LATER})
    assert len(kinds(app)) == 3  # escalation is closed before the plan is worked out


def test_a_delivery_round_sends_them_in_order_signed(
        hooked: tuple[FastAPI, TestClient, Receiver]) -> None:
    app, client, receiver = hooked
    for plan_id in ("P1", "P2"):
        client.post("/plans", json=registration(plan_id), headers=auth("maker"))
        client.post(f"/plans/{plan_id}/commands", headers=auth("insurer"),
                    json={"trigger": "hold_start_meeting", "at": LATER})
    assert kinds(app) == [("P1", "state_changed"), ("P1", "state_changed"),
                          ("P2", "state_changed"), ("P2", "state_changed")]
    while app.state.deliverer.run_once():
        pass
    key = Subscriber("cms", receiver.url, SECRET).key()
    bodies = [json.loads(body) for headers, body in receiver.received
              if verify(key, headers, body)]
    assert len(bodies) == len(receiver.received) == 4
    p1 = [b["data"]["to"] for b in bodies if b["subject"] == "P1"]
    assert p1 == ["intent", "start_meeting_held"]
    assert bodies[0]["data"]["from"] is None and bodies[0]["type"] == "nl.azwa.state_changed"
    assert app.state.queue.counts() == {"cms": {"pending": 0, "delivered": 4, "dead": 0}}


def test_the_outbox_commits_with_the_command_or_not_at_all(
        db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """An outbox row that cannot be written takes the command down with it."""
    create_or_upgrade(db_url).close()
    engine = Engine.open(db_url)
    outbox.Outbox(engine.store, [outbox.Subscription("cms")]).install()
    engine.register("P1", demo.MAKER, demo.REGISTRATION, at=demo.START)
    monkeypatch.setattr(outbox, "INSERT_ROW", "INSERT INTO no_such_table VALUES (:plan_id)")
    with pytest.raises(Exception, match="no_such_table"):
        engine.fire("P1", "hold_start_meeting", demo.INSURER, at=LATER)
    assert engine.state("P1").seq == 1 and len(engine.history("P1")) == 1
    engine.store.close()  # type: ignore[attr-defined]

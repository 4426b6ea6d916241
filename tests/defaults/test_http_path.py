"""The HTTP service as a case-management system calls it today: the shipped settings, no
`at` in any request (the real clock); the plan registers under transformation@2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.defaults.user import python

SERVICE = """
import json, sys
from pathlib import Path
from fastapi.testclient import TestClient
from tests.http.helpers import auth, write_config
from workflow.http.app import create_app
from workflow.http.settings import load
from workflow.service import demo
from workflow.service.databases import create_or_upgrade

home = Path(sys.argv[1])
db = f"sqlite:///{home}/azwa.db"
create_or_upgrade(db).close()
app = create_app(load(write_config(home / "azwa.toml", db)), workers=False)
said = []
with TestClient(app) as client:
    def record(answer):
        said.append({"status": answer.status_code, "body": answer.json()})

    record(client.post("/plans", headers=auth("maker"),
                       json={"plan_id": "P1", "attrs": demo.REGISTRATION}))
    for who, trigger, payload in json.load(sys.stdin):
        record(client.post("/plans/P1/commands", headers=auth(who),
                           json={"trigger": trigger, "payload": payload}))
    record(client.get("/plans/P1", headers=auth("maker")))
    record(client.get("/plans", headers=auth("maker")))
    record(client.get("/todo", headers=auth("maker")))
    record(client.get("/todo", headers=auth("insurer")))
app.state.engine.store.close()
(home / "said.json").write_text(json.dumps(said), encoding="utf-8")
"""

COMMANDS = [
    ("insurer", "hold_start_meeting", {}),
    ("insurer", "agree_character", {"character": "innovation"}),
    ("maker", "submit_quick_test", {}),
    ("insurer", "accept_quick_test_as_complete", {}),
    ("insurer", "approve_quick_test", {}),  # 409: the second insurer reviews first
    ("second", "submit_review", {"verdict": "conditional"}),  # 409: conditions missing
    ("second", "submit_review", {"verdict": "conditional", "conditions": "Begroting per jaar"}),
    ("insurer", "approve_quick_test", {}),
]


def test_register_command_and_todo_under_v2(tmp_path: Path) -> None:
    """Registered now, the plan follows @2: the quick test waits for the second insurer's
    review (409 with @2's rule), a conditional verdict names its conditions (409), then the
    approval passes; the plan, the list and the to-dos say @2, and the plan maker's to-do
    is @2's plan submission."""
    python(SERVICE, str(tmp_path), stdin=json.dumps(COMMANDS), AZWA_LANG="en")
    said: list[dict[str, Any]] = json.loads((tmp_path / "said.json").read_text())
    statuses = [s["status"] for s in said[:len(COMMANDS) + 1]]
    assert statuses == [201, 200, 200, 200, 200, 409, 409, 200, 200], said
    refused = said[5]["body"]["problems"][0]
    assert refused["rule"] == "has_second_insurer_quick_test_review"
    assert refused["seed"] == "A4 §1.3.2"
    assert "conditions" in json.dumps(said[6]["body"])
    plan, listed, maker, insurer = (s["body"] for s in said[len(COMMANDS) + 1:])
    assert plan["definition"] == "transformation@2" and plan["state"] == "plan_in_preparation"
    assert plan["missed_aims"] == [] and plan["breaches"] == []
    assert plan["sector"] == "unknown"
    assert [d["name"] for d in plan["open_deadlines"]] == ["plan_submission"]
    assert [(p["plan_id"], p["definition"]) for p in listed["plans"]] == [
        ("P1", "transformation@2")]
    assert [t["trigger"] for t in maker["todos"]] == ["submit_plan"]
    assert maker["todos"][0]["deadline"] == "plan_submission"
    assert insurer["todos"] == []

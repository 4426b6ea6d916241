"""A database of plans registered under transformation@1: the recorded logs that replay
clean, fired event by event through the Engine pinned to @1 (deadline expiries by its
deadline clock, `tick`), and the demo's steps dated before 2026."""

from __future__ import annotations

import json
from pathlib import Path

import states
from workflow.service import demo
from workflow.service.api import Engine

LOGS = Path(__file__).parent.parent / "replay" / "logs"
CLEAN = ("closed_with_breach", "escalation_ladder", "lapsed", "open_deadline",
         "three_plans_interleaved")
"""The recorded logs without violations (the others record refused or forged events, which
no engine stores)."""
DEMO_ID = "TW-2025-001"
DEMO_START = "2025-01-06T09:00:00+01:00"
DEMO_BEFORE = "decide_go"
"""The demo started on 6 January 2025: its first step dated 2026 is decide_go (day 380)."""


def load_log(engine: Engine, path: Path) -> None:
    for line in path.open(encoding="utf-8"):
        event = json.loads(line)
        plan_id, trigger, at = event["plan_id"], event["trigger"], event["at"]
        if trigger == "register_plan":
            engine.register(plan_id, event["actor"], event["payload"], at=at)
        elif trigger == "deadline_expired":
            engine.tick(at)
        else:
            engine.fire(plan_id, trigger, event["actor"], event["payload"], at=at)


def build(db_url: str) -> Engine:
    engine = Engine(db_url, definition=states.get("transformation@1"))
    for name in CLEAN:
        load_log(engine, LOGS / f"{name}.jsonl")
    demo.play(engine, DEMO_ID, start=DEMO_START, before=DEMO_BEFORE)
    return engine

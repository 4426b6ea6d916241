"""Every accepted and refused command is logged with plan, trigger, actor and rule."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from workflow import Actor, Engine, FakeClock, Refused
from workflow.service import demo
from workflow.service.logs import configure


@pytest.fixture(autouse=True)
def _log_everything() -> Iterator[None]:
    configure(json=True, level="DEBUG")
    yield
    configure(json=True, level="CRITICAL")


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = Engine(f"sqlite:///{tmp_path}/log.db", FakeClock(demo.START))
    engine.register("LOG-1", demo.MAKER, demo.REGISTRATION)
    return engine


def test_accepted_command_is_logged(engine: Engine) -> None:
    """An accepted command logs its plan, trigger, role, organisation and the state after it."""
    with capture_logs() as logs:
        engine.fire("LOG-1", "agree_character", demo.INSURER, {"character": "innovation"})
    assert logs == [{
        "event": "accepted", "log_level": "info", "plan_id": "LOG-1", "seq": 2,
        "trigger": "agree_character", "role": "coordinating_insurer", "org": "Menzis",
        "at": logs[0]["at"], "state": "intent",
    }]


def test_refused_command_is_logged_with_its_rule(engine: Engine) -> None:
    """A refused command logs the rule and seed paragraph that refused it (A4 §1.8.1)."""
    with capture_logs() as logs, pytest.raises(Refused):
        engine.fire("LOG-1", "submit_quick_test", demo.MAKER)
    (entry,) = logs
    assert entry["event"] == "refused"
    assert entry["log_level"] == "warning"
    assert (entry["plan_id"], entry["trigger"], entry["role"], entry["org"]) == (
        "LOG-1", "submit_quick_test", "plan_maker", "Huisartsen Twente")
    assert (entry["rule"], entry["seed"]) == ("has_agreed_character", "A4 §1.8.1")


def test_json_lines_in_production(engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    """With JSON logging configured each log entry is one JSON object on a line of stderr."""
    with pytest.raises(Refused):
        engine.fire("LOG-1", "approve_plan", Actor("plan_maker", "Huisartsen Twente"))
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line]
    assert lines[-1]["event"] == "refused"
    assert lines[-1]["rule"] == "role_may_fire"

"""Deadlines are database rows: they outlive the process that set them (STYLE.md, A4 §1.5).

The first half runs in a separate Python process that ends before the second half starts, so
nothing in memory (no timer, no machine model, no connection) can carry a deadline over.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from workflow import Engine, FakeClock

from .scenario import START, assert_log_is_sound, close

ROOT = Path(__file__).resolve().parents[2]

FIRST_PROCESS = """
import json, sys
from workflow import Engine, FakeClock
from workflow.service import demo
from workflow.service.logs import configure

configure(json=True, level="CRITICAL")


def play(engine, plan_id, until, start):
    for step, at in demo.moments(start):
        if step.actor is None:
            continue
        if step.trigger == "register_plan":
            engine.register(plan_id, step.actor, step.payload, at=at)
        else:
            engine.fire(plan_id, step.trigger, step.actor, step.payload, at=at)
        if step.trigger == until:
            return


engine = Engine(sys.argv[1], FakeClock(demo.START))
play(engine, "QT-1", "accept_quick_test_as_complete", "2027-01-11T09:00:00+01:00")
play(engine, "PD-1", "accept_plan_as_complete", "2026-12-01T09:00:00+01:00")
states = {pid: engine.state(pid).to_dict() for pid in ("QT-1", "PD-1")}
engine.store.close()
print(json.dumps(states))
"""


def set_deadlines_in_another_process(db_url: str) -> dict[str, dict[str, object]]:
    """Run the first half in its own interpreter; it ends before this returns."""
    done = subprocess.run(
        [sys.executable, "-c", FIRST_PROCESS, db_url], cwd=ROOT, capture_output=True,
        text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, dict[str, object]] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_deadlines_set_before_a_restart_expire_once_after_it(db_url: str) -> None:
    """A4 §1.5.1 and §1.5.3 with DESIGN.md "Deadlines": a running deadline survives the end
    of the process that started it and expires exactly once at its moment.

    Given one process that accepted a quick test (4-week decision deadline) and a plan
    (8-week decision deadline) and then ended
    When a brand-new Engine on the same database ticks just before, at and after each expiry
    Then nothing expires early, each deadline expires once at the first instant after its due
    day, a repeated tick expires nothing, and each log still verifies and replays.
    """
    before = set_deadlines_in_another_process(db_url)
    engine = Engine(db_url, FakeClock(START))
    try:
        for pid, plan in before.items():
            assert engine.state(pid).to_dict() == plan
        qt_expiry, pd_expiry = "2027-03-13T00:00:00+01:00", "2027-06-01T00:00:00+02:00"
        deadlines = {pid: engine.state(pid).deadlines for pid in before}
        assert deadlines["QT-1"]["quick_test_decision"].is_open
        assert deadlines["PD-1"]["plan_decision"].is_open

        assert engine.tick("2027-03-12T23:59:59.999999+01:00") == []
        first = engine.tick(qt_expiry)
        assert [(e.plan_id, e.payload["deadline"], e.at) for e in first] == [
            ("QT-1", "quick_test_decision", qt_expiry)]
        assert engine.tick(qt_expiry) == []

        assert engine.tick("2027-05-31T21:59:59.999999+00:00") == []
        second = engine.tick("2027-05-31T22:00:00+00:00")
        assert [(e.plan_id, e.payload["deadline"], e.at) for e in second] == [
            ("PD-1", "plan_decision", pd_expiry)]
        assert engine.tick("2028-01-01T00:00:00+01:00") == []
    finally:
        close(engine)

    again = Engine(db_url, FakeClock(START))
    try:
        assert again.tick("2029-01-01T00:00:00+01:00") == []
        for pid in before:
            log = assert_log_is_sound(again, pid)
            expired = [e.payload["deadline"] for e in log if e.trigger == "deadline_expired"]
            assert expired == again.state(pid).breaches
        assert again.state("QT-1").breaches == ["quick_test_decision"]
        assert again.state("PD-1").breaches == ["quick_test_decision", "plan_decision"]
    finally:
        close(again)

"""Round trip: every stored plan exports to JSONL and replays to exactly its stored state
(DESIGN.md "Event log: the audit contract")."""

from __future__ import annotations

import io
import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workflow.audit import export
from workflow.audit.logfile import parse_lines, replay_lines
from workflow.audit.replay import rebuild
from workflow.audit.verify import verify
from workflow.core.clock import FakeClock
from workflow.core.money import funds_eur
from workflow.service import demo
from workflow.service.api import Engine
from workflow.store.sql import SqlStore

from ..replay.helpers import azwa
from .histories import walk


def assert_round_trip(store: SqlStore) -> None:
    """Export every plan as JSONL, replay it, and compare each plan with the stored one."""
    buffer = io.StringIO()
    written = export.write("jsonl", store.iter_events(), buffer)
    header, *lines = buffer.getvalue().splitlines()
    assert json.loads(header)["log"] == "azwa"
    result = replay_lines(parse_lines([header, *lines]))
    ids = list(store.plan_ids())
    assert written.plans == len(ids) == len(result.plans)
    assert result.exit_code == 0
    assert result.chain == "ok"
    for plan_id in ids:
        stored = store.load(plan_id)
        assert stored is not None
        replayed = result.plans[plan_id].result()
        assert replayed["state"] == stored.state
        assert replayed["escalation"] == stored.escalation
        assert replayed["breaches"] == stored.breaches
        assert replayed["funds"] == funds_eur(stored.funds)
        mine = [json.loads(x) for x in lines if json.loads(x)["plan_id"] == plan_id]
        assert rebuild(mine).to_dict() == stored.to_dict()
    assert verify(store).ok


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31 - 1), plans=st.integers(1, 3), steps=st.integers(10, 150))
def test_random_histories_replay_to_their_stored_state(seed: int, plans: int, steps: int) -> None:
    """DESIGN.md "Event log": for random histories (breaches, escalations, revisions, KPI
    payments, ticks of the deadline clock), the exported log replays to exactly each plan's
    stored state, escalation, deadlines, breaches and funds."""
    # Given a database full of random plan histories
    engine = Engine("sqlite://", FakeClock("2027-01-04T09:00:00+01:00"))
    walk(engine, seed, plans, steps)
    # When it is exported and replayed, Then every plan is what is stored
    assert isinstance(engine.store, SqlStore)
    assert_round_trip(engine.store)


def test_exported_file_replays_on_the_command_line(db_url: str, tmp_path: Path) -> None:
    """DESIGN.md "Auditor interface": `azwa export --format jsonl` writes a file that
    `azwa replay` reads back to each plan's stored outcome, on SQLite and PostgreSQL."""
    # Given the demo plan and two random ones stored in a real database
    engine = Engine(db_url, FakeClock(demo.START))
    demo.run(engine)
    walk(engine, 7, 2, 60)
    # When the log is exported and replayed through the command line
    out = tmp_path / "log.jsonl"
    assert azwa("export", "--db", db_url, "--format", "jsonl", "-o", out).exit_code == 0
    result = azwa("replay", out, "--json")
    # Then each plan's outcome is the stored one
    assert result.exit_code == 0, result.stdout
    outcome = json.loads(result.stdout)
    assert outcome["chain"] == "ok"
    for summary in engine.plans():
        stored = engine.state(summary.plan_id)
        plan = outcome["plans"][summary.plan_id]
        assert (plan["state"], plan["escalation"], plan["breaches"], plan["funds"]) == (
            stored.state, stored.escalation, stored.breaches, funds_eur(stored.funds))

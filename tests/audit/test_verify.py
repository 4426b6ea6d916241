"""`azwa audit verify`: every stored plan re-derived from its events; a tampered row or a lost
event is reported and the exit status is 1 (DESIGN.md "Event log: the audit contract")."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import text

from workflow.audit.verify import verify
from workflow.core.clock import FakeClock
from workflow.service import demo
from workflow.service.api import Engine
from workflow.store.opening import open_existing

from ..replay.helpers import azwa
from .histories import walk

DEMO = demo.PLAN_ID


def stored_database(url: str) -> Engine:
    """The demo plan and three random plans."""
    engine = Engine(url, FakeClock(demo.START))
    demo.run(engine)
    walk(engine, 11, 3, 80)
    return engine


def run_sql(engine: Engine, sql: str, **params: Any) -> None:
    with engine.store.engine.begin() as conn:  # type: ignore[attr-defined]
        conn.execute(text(sql), params)


def _plan_json(engine: Engine, change: Callable[[dict[str, Any]], None]) -> None:
    with engine.store.engine.begin() as conn:  # type: ignore[attr-defined]
        data = json.loads(conn.execute(text("select data from plans where plan_id = :p"),
                                       {"p": DEMO}).scalar_one())
        change(data)
        conn.execute(text("update plans set data = :d where plan_id = :p"),
                     {"d": json.dumps(data), "p": DEMO})


def _last_seq(engine: Engine) -> int:
    return engine.state(DEMO).seq


TAMPERING: dict[str, tuple[Callable[[Engine], None], str]] = {
    "state in the plan's data": (
        lambda e: _plan_json(e, lambda d: d.update(state="approved")), "differs"),
    "breaches in the plan's data": (
        lambda e: _plan_json(e, lambda d: d.update(breaches=[])), "differs"),
    "funds in the plan's data": (
        lambda e: _plan_json(e, lambda d: d["funds"].update(refund_cents=0)), "differs"),
    "escalation history": (
        lambda e: run_sql(e, "delete from plan_appended where plan_id = :p and kind = "
                             "'escalation_history' and n = (select max(n) from plan_appended "
                             "where plan_id = :p and kind = 'escalation_history')", p=DEMO),
        "differs"),
    "a deadline in the plan's data": (
        lambda e: _plan_json(e, lambda d: d["deadlines"]["quick_test_decision"].update(
            status="met")), "differs"),
    "the plan row's state column": (
        lambda e: run_sql(e, "update plans set state = 'approved' where plan_id = :p", p=DEMO),
        "differs"),
    "a deadline row": (
        lambda e: run_sql(e, "update deadlines set status = 'met' where plan_id = :p and "
                             "name = 'quick_test_decision'", p=DEMO), "differs"),
    "an event's payload": (
        lambda e: run_sql(e, "update events set payload = :x where plan_id = :p and seq = 33",
                          x=json.dumps({"kpi": "k2", "amount_eur": 200000, "reason": "r",
                                        "efforts_delivered": True}), p=DEMO), "chain"),
    "a lost event in the middle": (
        lambda e: run_sql(e, "delete from events where plan_id = :p and seq = 20", p=DEMO),
        "chain"),
    "a lost last event": (
        lambda e: run_sql(e, "delete from events where plan_id = :p and seq = :s", p=DEMO,
                          s=_last_seq(e)), "differs"),
    "a lost first event": (
        lambda e: run_sql(e, "delete from events where plan_id = :p and seq = 1", p=DEMO),
        "chain"),
    "a plan without events": (
        lambda e: run_sql(e, "delete from events where plan_id = :p", p=DEMO), "no_events"),
}


def test_an_untouched_database_verifies(db_url: str) -> None:
    """DESIGN.md "Event log": the allowed case — plans written by the engine equal their
    replay; verify exits 0 on SQLite and PostgreSQL."""
    # Given a database written by the service only
    engine = stored_database(db_url)
    # When an auditor verifies it
    result = azwa("audit", "verify", "--db", db_url, "--json")
    # Then every plan is in order
    assert result.exit_code == 0, result.stdout
    report = json.loads(result.stdout)
    assert report["ok"] is True
    assert report["plans"] == len(engine.plans()) == 4
    assert report["events"] == sum(len(engine.history(p.plan_id)) for p in engine.plans())


@pytest.mark.parametrize("case", list(TAMPERING))
def test_tampering_with_the_database_is_reported(case: str, db_url: str) -> None:
    """DESIGN.md "Event log": a stored plan whose state, deadlines, breaches or history differ
    from its replay, or whose events were changed or lost, is reported by name; exit 1."""
    # Given a verified database, then tampered with
    engine = stored_database(db_url)
    assert verify(open_existing(db_url, write=False)).ok
    tamper, kind = TAMPERING[case]
    tamper(engine)
    # When an auditor verifies it
    result = azwa("audit", "verify", "--db", db_url, "--json")
    # Then the demo plan, and only it, is reported, with the kind of problem
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["bad_plans"] == [DEMO]
    assert kind in {p["kind"] for p in report["problems"]}


def test_verify_prints_a_readable_table(tmp_path: Any) -> None:
    """DESIGN.md "Auditor interface": without --json, a database in order gets one line; a
    tampered one a table naming the plan and the stored and replayed values."""
    # Given two databases, one with the demo plan's state column changed
    clean, tampered = f"sqlite:///{tmp_path}/clean.db", f"sqlite:///{tmp_path}/tampered.db"
    stored_database(clean)
    run_sql(stored_database(tampered), "update plans set state = 'approved' where "
                                       "plan_id = :p", p=DEMO)
    # When an auditor verifies both
    ok, bad = azwa("audit", "verify", "--db", clean), azwa("audit", "verify", "--db", tampered)
    # Then the first is one line, the second a table with the plan and both values
    assert ok.exit_code == 0
    assert ok.stdout.startswith("ok: 4 plan(s)")
    assert bad.exit_code == 1
    assert DEMO in bad.stdout and "plan row column state" in bad.stdout
    assert "approved" in bad.stdout and "closed" in bad.stdout


@pytest.mark.parametrize("command", [["audit", "verify"], ["export", "-o", "-"],
                                     ["audit", "report", DEMO]])
def test_a_missing_database_exits_2(command: list[str], tmp_path: Any) -> None:
    """DESIGN.md "Auditor interface": a database that is not there is an input that cannot be
    read: exit 2 with one line, no traceback, and no empty database left behind."""
    # Given a path where no database is
    missing = tmp_path / "nothing.db"
    # When an auditor points a command at it
    result = azwa(*command, "--db", missing)
    # Then it exits 2 and creates nothing
    assert result.exit_code == 2
    assert not isinstance(result.exception, Exception)
    assert f"no azwa database at {missing}" in result.stderr
    assert not missing.exists()


def test_a_file_that_is_no_azwa_database_exits_2(tmp_path: Any) -> None:
    """DESIGN.md "Auditor interface": an SQLite file without the plans, events and deadlines
    tables is reported as such, exit 2."""
    # Given an empty SQLite file
    import sqlite3

    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("create table x (y int)").connection.close()
    # When verify is pointed at it
    result = azwa("audit", "verify", "--db", other)
    # Then it says what is wrong
    assert result.exit_code == 2
    assert "is not an azwa database" in result.stderr


def test_the_database_comes_from_the_environment_or_the_working_directory(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DESIGN.md "Auditor interface": without --db the commands read AZWA_DATABASE_URL, and
    without that ./azwa.db."""
    # Given a database in the working directory and another named by the environment
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AZWA_DATABASE_URL", raising=False)
    stored_database("sqlite:///azwa.db")
    other = Engine(f"sqlite:///{tmp_path}/other.db", FakeClock(demo.START))
    demo.run(other, "TW-2027-777")
    # When verify runs without --db, then with the environment set
    here = azwa("audit", "verify", "--json")
    monkeypatch.setenv("AZWA_DATABASE_URL", f"sqlite:///{tmp_path}/other.db")
    named = azwa("audit", "verify", "--json")
    # Then the first reads ./azwa.db, the second the database the environment names
    assert json.loads(here.stdout)["plans"] == 4
    assert json.loads(named.stdout)["plans"] == 1

"""The store's promises (workflow/store/protocol.py), kept on SQLite and on PostgreSQL.

One command is one `save`: its events, the plan's new state and its changed deadline rows are
written together or not at all, and a save against a plan that moved on is refused.
"""

from __future__ import annotations

import copy
import dataclasses
from datetime import date, timedelta

import pytest
from sqlalchemy import text

import states
from workflow import Actor, StaleWrite
from workflow.core.engine import ProcessEngine
from workflow.core.events import verify_chain
from workflow.core.plan import CANCELLED, EXPIRED, MET, OPEN, Deadline
from workflow.core.timecalc import local_date, parse_at
from workflow.service import demo
from workflow.store.sql import SqlStore

from .scenario import PLAN_ID, Save, deadline_rows, demo_saves

MICRO = timedelta(microseconds=1)


def store_all(store: SqlStore, saves: list[Save]) -> None:
    for save in saves:
        save.into(store)


def first(saves: list[Save], trigger: str) -> int:
    return next(i for i, s in enumerate(saves) if s.trigger == trigger)


def stored(store: SqlStore, plan_id: str = PLAN_ID) -> tuple[object, ...]:
    """Everything the store holds of a plan: the plan row, the log and the deadline rows."""
    plan = store.load(plan_id)
    return (
        plan.to_dict() if plan is not None else None,
        [e.to_dict() for e in store.events(plan_id)],
        deadline_rows(store.stored_deadlines(plan_id)),
    )


# -- round trip ----------------------------------------------------------------------------------


def test_saved_plan_loads_exactly_as_saved(store: SqlStore) -> None:
    """DESIGN.md "Event log": what is stored is the engine's plan (state, facts, deadlines,
    breaches, escalation history, funds), after every command of the demo (A4 §1.5, §1.4, §3.a).

    Given the demo's commands as saves
    When each is saved and the plan loaded back
    Then the loaded plan equals the saved plan, field for field.
    """
    for save in demo_saves():
        save.into(store)
        loaded = store.load(PLAN_ID)
        assert loaded is not None
        assert loaded.to_dict() == save.plan.to_dict()
    assert loaded.state == "closed"
    assert loaded.breaches == ["quick_test_decision"]
    assert loaded.funds == save.plan.funds
    assert loaded.attrs["title"] == "Samen sterker in de wijk"


def test_unknown_plan_is_absent(store: SqlStore) -> None:
    """DESIGN.md "Event log": a plan never registered has no row, no events, no deadlines.

    Given an empty store
    When a plan id nobody registered is read
    Then there is no plan, no event, no deadline and no command.
    """
    assert store.load("NOPE-1") is None
    assert store.events("NOPE-1") == []
    assert store.stored_deadlines("NOPE-1") == []
    assert store.command_events("no-such-command") is None
    assert list(store.plan_ids()) == []


# -- the event log -------------------------------------------------------------------------------


def test_events_come_back_in_seq_order_with_an_unbroken_chain(store: SqlStore) -> None:
    """DESIGN.md "Event log": every accepted trigger is one event, appended in seq order, each
    hash chained to the one before.

    Given the demo saved command by command
    When the plan's log is read back
    Then it is every saved event, in order, seq 1..n, and the hash chain verifies.
    """
    saves = list(demo_saves())
    store_all(store, saves)
    log = [e.to_dict() for e in store.events(PLAN_ID)]
    assert log == [e.to_dict() for s in saves for e in s.events]
    assert [e["seq"] for e in log] == list(range(1, len(log) + 1))
    assert verify_chain(log) == []


def test_two_plans_stream_plan_by_plan(store: SqlStore) -> None:
    """DESIGN.md "Event log": each plan has its own chain; the full log streams plan by plan.

    Given two plans whose commands were saved interleaved in time
    When the whole log is streamed
    Then each plan's events come together in seq order and both chains verify.
    """
    first_plan = list(demo_saves("TW-2027-001"))
    second_plan = list(demo_saves("TW-2027-002", start="2027-01-12T09:00:00+01:00"))
    for a, b in zip(first_plan, second_plan, strict=True):
        a.into(store)
        b.into(store)
    log = [e.to_dict() for e in store.iter_events()]
    assert [(e["plan_id"], e["seq"]) for e in log] == (
        [("TW-2027-001", n) for n in range(1, len(log) // 2 + 1)]
        + [("TW-2027-002", n) for n in range(1, len(log) // 2 + 1)]
    )
    assert verify_chain(log) == []
    assert list(store.plan_ids()) == ["TW-2027-001", "TW-2027-002"]


def test_an_altered_stored_event_breaks_the_chain(store: SqlStore) -> None:
    """DESIGN.md "Event log": an event is never changed; a change shows as a chain break.

    Given the demo's log stored
    When someone rewrites the payload of event 5 in the database
    Then the chain no longer verifies, and the break is at seq 5.
    """
    store_all(store, list(demo_saves()))
    assert verify_chain(e.to_dict() for e in store.events(PLAN_ID)) == []
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE events SET payload = :p WHERE plan_id = :id AND seq = 5"),
                     {"p": '{"missing": ["niets"]}', "id": PLAN_ID})
    breaks = verify_chain(e.to_dict() for e in store.events(PLAN_ID))
    assert [b.seq for b in breaks] == [5]


def test_deadline_rows_follow_the_plan(store: SqlStore) -> None:
    """A4 §1.5: the deadline rows (what `due` reads) agree with the plan after every command.

    Given the demo's commands as saves
    When each is saved
    Then the deadline rows hold exactly the plan's deadlines: started, due, expiry, status.
    """
    for save in demo_saves():
        save.into(store)
        assert deadline_rows(store.stored_deadlines(PLAN_ID)) == deadline_rows(
            save.plan.deadlines)


def test_command_id_finds_the_events_it_produced(store: SqlStore) -> None:
    """DESIGN.md "Event log": a command id leads back to the events of that command only.

    Given the demo saved with a command id per save
    When the events of one command id are asked for
    Then they are that save's events; an unused id has none.
    """
    saves = list(demo_saves())
    for n, save in enumerate(saves):
        save.into(store, command_id=f"cmd-{n}")
    found = store.command_events("cmd-7")
    assert found is not None
    assert [e.to_dict() for e in found] == [e.to_dict() for e in saves[7].events]
    assert store.command_events("cmd-unused") is None


# -- one command, one transaction ----------------------------------------------------------------

FAILING_TRIGGERS = {
    "sqlite": [
        "CREATE TRIGGER fail_deadline_insert BEFORE INSERT ON deadlines "
        "BEGIN SELECT RAISE(ABORT, 'injected deadline failure'); END",
        "CREATE TRIGGER fail_deadline_update BEFORE UPDATE ON deadlines "
        "BEGIN SELECT RAISE(ABORT, 'injected deadline failure'); END",
    ],
    "postgresql": [
        "CREATE FUNCTION fail_deadline() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'injected deadline failure'; END $$",
        "CREATE TRIGGER fail_deadline BEFORE INSERT OR UPDATE ON deadlines "
        "FOR EACH ROW EXECUTE FUNCTION fail_deadline()",
    ],
}
REPAIRS = {
    "sqlite": ["DROP TRIGGER fail_deadline_insert", "DROP TRIGGER fail_deadline_update"],
    "postgresql": ["DROP TRIGGER fail_deadline ON deadlines"],
}


def break_deadline_writes(store: SqlStore, *, repair: bool = False) -> None:
    """Make every write to the deadlines table fail inside the database (or stop doing so)."""
    dialect = store.engine.dialect.name
    with store.engine.begin() as conn:
        for sql in (REPAIRS if repair else FAILING_TRIGGERS)[dialect]:
            conn.exec_driver_sql(sql)


@pytest.mark.parametrize("trigger", ["accept_quick_test_as_complete", "approve_quick_test"])
def test_failed_deadline_write_stores_nothing_of_the_command(
    store: SqlStore, trigger: str
) -> None:
    """DESIGN.md "Event log" with A4 §1.5.1: a command's event, plan and deadlines are one
    transaction; when the deadline write fails, the event and the new plan are not stored either.

    Given the demo stored up to the command that starts (or meets) a deadline
    And a database that refuses every deadline write
    When that command is saved
    Then the save fails, the log has no new event, the plan and the deadline rows are as before;
    and once the database accepts deadline writes again, the same save goes through.
    """
    saves = list(demo_saves())
    n = first(saves, trigger)
    assert saves[n].deadlines, "the command must write a deadline row"
    store_all(store, saves[:n])
    before = stored(store)
    break_deadline_writes(store)
    with pytest.raises(Exception, match="injected deadline failure"):
        saves[n].into(store)
    assert stored(store) == before
    break_deadline_writes(store, repair=True)
    saves[n].into(store)
    assert stored(store)[0] == saves[n].plan.to_dict()


def test_event_seq_taken_already_rolls_back_plan_and_deadlines(store: SqlStore) -> None:
    """DESIGN.md "Event log": an event is appended once; a save whose event seq is taken is
    refused as a whole, the plan and deadline writes of that save included.

    Given the demo stored up to `accept_quick_test_as_complete`
    When a second save arrives with the same event seq, a different plan and a met deadline
    Then it is refused as stale, and the plan, the log and the deadline rows are unchanged.
    """
    saves = list(demo_saves())
    n = first(saves, "accept_quick_test_as_complete")
    store_all(store, saves[: n + 1])
    before = stored(store)
    plan = copy.deepcopy(saves[n].plan)
    plan.state, plan.escalation = "approved", "governance"
    met = dataclasses.replace(plan.deadlines["quick_test_decision"], status=MET,
                              closed_at="2027-02-13T09:00:00+01:00")
    with pytest.raises(StaleWrite):
        store.save(plan, saves[n].events, expected_seq=plan.seq, deadlines=[met])
    assert stored(store) == before


def test_save_against_an_older_seq_is_refused(store: SqlStore) -> None:
    """DESIGN.md "Event log": a plan moved on since it was read is not overwritten.

    Given the demo stored up to its fourth command
    When the fifth command is saved as if the plan were still at an older seq
    Then it is refused as stale and nothing of it is stored; with the right seq it is stored.
    """
    saves = list(demo_saves())
    store_all(store, saves[:4])
    before = stored(store)
    assert saves[4].expected_seq is not None
    stale = dataclasses.replace(saves[4], expected_seq=saves[4].expected_seq - 1)
    with pytest.raises(StaleWrite):
        stale.into(store)
    assert stored(store) == before
    saves[4].into(store)
    assert stored(store)[0] == saves[4].plan.to_dict()


def test_registering_an_existing_plan_id_is_refused(store: SqlStore) -> None:
    """A4 §1.a.2: a plan id is registered once; a second registration changes nothing.

    Given a registered plan
    When another registration with the same id but other attributes is saved
    Then it is refused and the first registration stays as it was.
    """
    saves = list(demo_saves())
    saves[0].into(store)
    before = stored(store)
    other = next(demo_saves(start="2027-02-01T09:00:00+01:00"))
    other.plan.attrs["title"] = "Een ander plan"
    with pytest.raises(StaleWrite):
        other.into(store)
    assert stored(store) == before


# -- due deadlines ---------------------------------------------------------------------------------

# Expiry instants around both clock changes of 2027, each written in another UTC offset. Their
# wall-clock order differs from their order in time: a query comparing local wall times (what a
# timezone column on SQLite does, MEASURED.md) returns them wrongly.
DEADLINES = {
    # 28 March 2027, clocks go forward at 02:00 CET to 03:00 CEST
    ("P-SPRING", "spring_late_wall"): "2027-03-28T03:10:00+02:00",  # 01:10 UTC
    ("P-SPRING", "spring_early_wall"): "2027-03-28T01:50:00+00:00",  # 01:50 UTC
    # 31 October 2027, clocks go back at 03:00 CEST to 02:00 CET: 02:00-03:00 happens twice
    ("P-AUTUMN-1", "first_0230"): "2027-10-31T02:30:00+02:00",  # 00:30 UTC
    ("P-AUTUMN-2", "tokyo"): "2027-10-31T09:55:00+09:00",  # 00:55 UTC
    ("P-AUTUMN-2", "new_york"): "2027-10-30T21:00:00-04:00",  # 01:00 UTC
    ("P-AUTUMN-1", "second_0210"): "2027-10-31T02:10:00+01:00",  # 01:10 UTC
}
CLOSED = {
    ("P-AUTUMN-1", "met_earlier"): ("2027-10-30T00:00:00+02:00", MET),
    ("P-AUTUMN-2", "expired_earlier"): ("2027-10-29T00:00:00+02:00", EXPIRED),
    ("P-SPRING", "cancelled_earlier"): ("2027-03-20T00:00:00+01:00", CANCELLED),
}
SPRING = [("P-SPRING", "spring_late_wall"), ("P-SPRING", "spring_early_wall")]
AUTUMN = [("P-AUTUMN-1", "first_0230"), ("P-AUTUMN-2", "tokyo"), ("P-AUTUMN-2", "new_york"),
          ("P-AUTUMN-1", "second_0210")]


def _deadline(name: str, expires: str, status: str) -> Deadline:
    at = parse_at(expires)
    return Deadline(name, "2027-01-04T09:00:00+01:00", local_date(at - MICRO), at, status,
                    None if status == OPEN else expires)


@pytest.fixture
def due_store(store: SqlStore) -> SqlStore:
    """Three plans with open and closed deadlines expiring around both clock changes of 2027."""
    process = ProcessEngine(states.DEFAULT)
    maker = Actor("plan_maker", "Huisartsen Twente", "Twente")
    rows: dict[str, list[Deadline]] = {}
    for (pid, name), expires in DEADLINES.items():
        rows.setdefault(pid, []).append(_deadline(name, expires, OPEN))
    for (pid, name), (expires, status) in CLOSED.items():
        rows.setdefault(pid, []).append(_deadline(name, expires, status))
    for pid, deadlines in rows.items():
        outcome = process.register(pid, maker, dict(demo.REGISTRATION),
                                   parse_at("2027-01-04T09:00:00+01:00"))
        outcome.plan.deadlines = {d.name: d for d in deadlines}
        store.save(outcome.plan, outcome.events, expected_seq=None, deadlines=deadlines)
    return store


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        ("2027-03-28T01:09:59.999999+00:00", []),
        ("2027-03-28T03:10:00+02:00", SPRING[:1]),
        ("2027-03-28T02:50:00+01:00", SPRING),  # 01:50 UTC, written in winter time
        ("2027-10-31T00:29:59.999999+00:00", SPRING),
        ("2027-10-31T02:30:00+02:00", SPRING + AUTUMN[:1]),
        ("2027-10-31T02:00:00+01:00", SPRING + AUTUMN[:3]),  # after the clocks went back
        ("2027-10-30T21:00:00-04:00", SPRING + AUTUMN[:3]),
        ("2027-10-31T10:09:59.999999+09:00", SPRING + AUTUMN[:3]),
        ("2027-10-31T01:10:00Z", SPRING + AUTUMN),
        ("2028-01-01T00:00:00+01:00", SPRING + AUTUMN),
    ],
)
def test_due_finds_running_deadlines_at_or_before_now_earliest_first(
    due_store: SqlStore, now: str, expected: list[tuple[str, str]]
) -> None:
    """A4 §1.5 with DESIGN.md "Deadlines": a deadline is due from the first instant after it;
    `due` compares instants, not wall clocks, whatever offset a time was written in and across
    the summer and winter time changes; only running deadlines count, earliest first.

    Given running and closed deadlines expiring around both clock changes, in mixed offsets
    When the store is asked what is due at `now`
    Then it names exactly the running deadlines expiring at or before `now`, in time order.
    """
    found = due_store.due(parse_at(now))
    assert [(d.plan_id, d.name) for d in found] == expected
    assert [d.expires_at for d in found] == [parse_at(DEADLINES[k]) for k in expected]


def test_due_order_is_not_wall_clock_order(due_store: SqlStore) -> None:
    """A4 §1.5, MEASURED.md "SQLite drops the offset": time order, not local wall-clock order.

    Given the autumn deadlines, whose wall-clock times run 21:00, 02:10, 02:30, 09:55
    When all of them are due
    Then they come in the order they expire: 00:30, 00:55, 01:00, 01:10 UTC.
    """
    found = due_store.due(parse_at("2027-11-01T00:00:00+01:00"))
    names = [d.name for d in found if d.plan_id != "P-SPRING"]
    wall = sorted(AUTUMN, key=lambda k: DEADLINES[k][11:16])
    assert names == [name for _, name in AUTUMN]
    assert names != [name for _, name in wall]


def test_due_limit_takes_the_earliest(due_store: SqlStore) -> None:
    """A4 §1.5: a tick working in batches takes the earliest due deadlines first.

    Given six running deadlines due
    When at most three are asked for
    Then the three that expire first are returned.
    """
    found = due_store.due(parse_at("2028-01-01T00:00:00+01:00"), limit=3)
    assert [(d.plan_id, d.name) for d in found] == (SPRING + AUTUMN)[:3]


def test_deadline_instants_round_trip_in_any_offset(due_store: SqlStore) -> None:
    """A4 §1.5: a deadline's expiry is stored as an instant and read back as the same instant.

    Given deadlines whose expiry was given in five different UTC offsets
    When their rows are read back
    Then each expiry is the same instant and the due day is kept.
    """
    rows = {(pid, d.name): d for pid in ("P-SPRING", "P-AUTUMN-1", "P-AUTUMN-2")
            for d in due_store.stored_deadlines(pid)}
    for key, expires in DEADLINES.items():
        assert rows[key].expires_at == parse_at(expires)
        assert rows[key].status == OPEN
    assert rows[("P-AUTUMN-2", "new_york")].due == date(2027, 10, 31)

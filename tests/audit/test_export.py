"""`azwa export`: JSONL for replay, CSV for spreadsheets, XES (IEEE 1849) for process mining."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from workflow.core.clock import FakeClock
from workflow.service import demo
from workflow.service.api import Engine

from ..replay.helpers import azwa
from .histories import walk

XES = "{http://www.xes-standard.org/}"


@pytest.fixture
def stored(sqlite_url: str) -> Engine:
    """The demo plan and two random plans in an SQLite file."""
    engine = Engine(sqlite_url, FakeClock(demo.START))
    demo.run(engine)
    walk(engine, 3, 2, 60)
    return engine


def _events(engine: Engine) -> int:
    return sum(len(engine.history(p.plan_id)) for p in engine.plans())


def test_jsonl_is_the_stored_log_line_for_line(stored: Engine, sqlite_url: str,
                                               tmp_path: Path) -> None:
    """DESIGN.md "Event log": the JSONL export holds a header line (the log comes from this
    engine) and every event exactly as stored and hashed, one JSON object a line."""
    # Given a database, When it is exported as JSONL
    out = tmp_path / "log.jsonl"
    result = azwa("export", "--db", sqlite_url, "--format", "jsonl", "-o", out)
    # Then each line is a stored event, field for field
    assert result.exit_code == 0
    assert f"wrote {_events(stored)} event(s) of 3 plan(s)" in result.stderr
    header, *lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert header == {"log": "azwa", "version": 1, "chain": "sha256"}
    stored_events = [e.to_dict() for p in sorted(x.plan_id for x in stored.plans())
                     for e in stored.history(p)]
    assert lines == stored_events


def test_one_plan_only(stored: Engine, sqlite_url: str, tmp_path: Path) -> None:
    """DESIGN.md "Auditor interface": --plan exports one plan's log; an unknown plan is an
    error (exit 2) and writes nothing."""
    # Given a database with three plans
    out, none = tmp_path / "one.jsonl", tmp_path / "none.jsonl"
    # When one plan is exported, and a plan that does not exist
    ok = azwa("export", "--db", sqlite_url, "--plan", demo.PLAN_ID, "-o", out)
    bad = azwa("export", "--db", sqlite_url, "--plan", "NO-SUCH-PLAN", "-o", none)
    # Then the first file holds that plan's events only; the second is refused
    assert ok.exit_code == 0
    plans = {json.loads(x)["plan_id"] for x in out.read_text(encoding="utf-8").splitlines()[1:]}
    assert plans == {demo.PLAN_ID}
    assert bad.exit_code == 2 and "no plan 'NO-SUCH-PLAN'" in bad.stderr
    assert not none.exists()


def test_csv_has_one_row_an_event(stored: Engine, sqlite_url: str, tmp_path: Path) -> None:
    """DESIGN.md "Auditor interface": the CSV export is one row an event, the actor split
    into role, org and region, the payload as JSON text."""
    # Given a database, When it is exported as CSV
    out = tmp_path / "log.csv"
    assert azwa("export", "--db", sqlite_url, "--format", "csv", "-o", out).exit_code == 0
    # Then the rows match the events
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == _events(stored)
    first = rows[0]
    assert list(first) == ["plan_id", "seq", "at", "trigger", "role", "org", "region",
                           "definition", "payload", "prev_hash", "hash"]
    pay = next(r for r in rows if r["trigger"] == "pay_partially" and r["plan_id"] ==
               demo.PLAN_ID)
    assert (pay["role"], pay["org"]) == ("coordinating_insurer", "Menzis")
    assert json.loads(pay["payload"])["amount_eur"] == 150000


def test_xes_has_a_trace_a_plan_and_an_event_an_event(stored: Engine, sqlite_url: str,
                                                      tmp_path: Path) -> None:
    """IEEE 1849 (XES): case = plan, activity = trigger, time:timestamp, resource = the
    actor's organisation, org:role its role."""
    # Given a database, When it is exported as XES
    out = tmp_path / "log.xes"
    assert azwa("export", "--db", sqlite_url, "--format", "xes", "-o", out).exit_code == 0
    # Then it is XML with one trace a plan and one event an event
    root = ET.parse(out).getroot()
    assert root.tag == f"{XES}log" and root.get("xes.version") == "1849-2016"
    traces = root.findall(f"{XES}trace")
    assert len(traces) == len(stored.plans())
    assert sum(len(t.findall(f"{XES}event")) for t in traces) == _events(stored)
    demo_trace = next(t for t in traces if _attrs(t)["concept:name"] == demo.PLAN_ID)
    assert _attrs(demo_trace)["azwa:title"] == "Samen sterker in de wijk"
    first = _attrs(demo_trace.findall(f"{XES}event")[0])
    assert first["concept:name"] == "register_plan"
    assert first["time:timestamp"] == "2027-01-11T09:00:00.000+01:00"
    assert (first["org:resource"], first["org:role"]) == ("Huisartsen Twente", "plan_maker")


def _attrs(element: ET.Element) -> dict[str, str]:
    return {child.get("key", ""): child.get("value", "") for child in element
            if child.tag != f"{XES}event"}


def test_an_unwritable_output_exits_2(stored: Engine, sqlite_url: str, tmp_path: Path) -> None:
    """DESIGN.md "Auditor interface": an output that cannot be written is reported on one
    line, exit 2."""
    # Given an output path in a folder that does not exist
    out = tmp_path / "no" / "such" / "log.jsonl"
    # When the log is exported there
    result = azwa("export", "--db", sqlite_url, "-o", out)
    # Then it says so
    assert result.exit_code == 2
    assert "cannot write the file" in result.stderr

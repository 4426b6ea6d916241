"""`azwa plan list` and `Engine.plans` answer without misleading, on SQLite and PostgreSQL.

A plan whose deadline expired before `tick` ran is overdue, not "nothing due"; the deadlines
a plan missed are listed; region and track match whatever case and spaces a person types; the
JSON and the table show the same due day.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from workflow import Actor, Engine, FakeClock
from workflow.cli.main import app
from workflow.core.timecalc import parse_at
from workflow.service import demo

LATER = (parse_at(demo.START) + timedelta(days=40)).isoformat()


@pytest.fixture
def listed(db_url: str) -> Iterator[tuple[Engine, str]]:
    """B missed its quick-test decision (a breach); A's decision deadline is open; C is a
    breakthrough plan in Noorderhaven; D is in Fryslân."""
    engine = Engine(db_url, FakeClock(demo.START))
    demo.play(engine, "B", before="approve_quick_test")
    demo.play(engine, "A", until="accept_quick_test_as_complete", start=LATER)
    steps = demo.breakthrough_steps()
    engine.register("C", steps[0].actor or demo.MAKER, steps[0].payload, at=LATER)
    engine.register("D", Actor("plan_maker", "Huisartsen Twente"),
                    {**demo.REGISTRATION, "region": "Fryslân"}, at=LATER)
    yield engine, db_url
    engine.store.close()  # type: ignore[attr-defined]


def test_an_expired_deadline_before_tick_is_overdue(listed: tuple[Engine, str]) -> None:
    """A4 §1.5.1: the four-week decision deadline, once past, shows as overdue with its due
    day, before and after `tick` records the breach."""
    engine, _ = listed
    deadline = engine.state("A").open_deadlines()[0]
    rows = {r.plan_id: r for r in engine.plans()}
    assert rows["A"].next_due == deadline.due.isoformat()
    assert rows["A"].next_deadline == "quick_test_decision"
    assert rows["A"].next_expires_at == deadline.expires_at
    assert rows["A"].breaches == ()
    assert rows["B"].breaches == ("quick_test_decision",)
    assert rows["C"].next_due is None


def test_region_and_track_ignore_case_and_spaces(listed: tuple[Engine, str]) -> None:
    """What a person types: ` twente `, `NOORDERHAVEN`, `FRYSLÂN`, `Breakthrough`."""
    engine, _ = listed
    assert sorted(r.plan_id for r in engine.plans(region=" twente ")) == ["A", "B"]
    assert [r.plan_id for r in engine.plans(region="NOORDERHAVEN")] == ["C"]
    assert [r.plan_id for r in engine.plans(region="FRYSLÂN")] == ["D"]
    assert [r.plan_id for r in engine.plans(track="Breakthrough")] == ["C"]
    assert sorted(r.plan_id for r in engine.plans(track="transformation", region="Twente")) == [
        "A", "B"]
    assert engine.plans(region="Twent") == []


def _cli(url: str, *args: str) -> str:
    result = CliRunner().invoke(app, ["plan", "list", "--db", url, *args],
                                env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.stdout


def test_json_and_table_show_the_same_due_day(listed: tuple[Engine, str]) -> None:
    """One function gives the due day, name and overdue flag to both outputs."""
    engine, url = listed
    deadline = engine.state("A").open_deadlines()[0]
    after = (deadline.expires_at + timedelta(hours=1)).isoformat()
    before = (deadline.expires_at - timedelta(days=3)).isoformat()
    rows = {r["plan_id"]: r for r in json.loads(_cli(url, "--json", "--at", after))}
    assert rows["A"]["next_due"] == deadline.due.isoformat()
    assert rows["A"]["overdue"] is True
    assert rows["A"]["breaches"] == []
    assert rows["B"]["breaches"] == ["quick_test_decision"]
    assert rows["C"]["next_due"] is None and rows["C"]["overdue"] is False
    table = _cli(url, "--at", after)
    line = next(line for line in table.splitlines() if "│ A " in line)
    assert f"{deadline.due.isoformat()} quick_test_decision (overdue)" in line
    early = {r["plan_id"]: r for r in json.loads(_cli(url, "--json", "--at", before))}
    assert early["A"]["overdue"] is False and early["A"]["days_left"] == 2
    line = next(line for line in _cli(url, "--at", before).splitlines() if "│ A " in line)
    assert f"{deadline.due.isoformat()} quick_test_decision (2 days left)" in line
    line = next(line for line in table.splitlines() if "│ B " in line)
    assert "quick_test_deci" in line.rsplit("│", 2)[-2]


def test_cli_filters_by_track_and_region(listed: tuple[Engine, str]) -> None:
    _, url = listed
    rows = json.loads(_cli(url, "--json", "--track", " BREAKTHROUGH"))
    assert [r["plan_id"] for r in rows] == ["C"]
    rows = json.loads(_cli(url, "--json", "--region", "twente"))
    assert sorted(r["plan_id"] for r in rows) == ["A", "B"]


def test_markup_in_a_title_is_printed_not_read(listed: tuple[Engine, str]) -> None:
    """A title with rich markup (`[/x]`) is text in the table, for every plan after it too."""
    engine, url = listed
    engine.register("E", Actor("plan_maker", "Huisartsen Twente"),
                    {**demo.REGISTRATION, "title": "[/x] [bold]loud"}, at=LATER)
    assert "[/x] [bold]loud" in _cli(url)

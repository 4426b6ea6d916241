"""Commands without an explicit time run on the wall clock (issue 12 part 1).

Every other test passes explicit times or a FakeClock, so nothing else walks the path a live
system takes: `Engine(db_url)` with no clock and no `at=`, the CLI without `--at`/`--now`, and
`azwa tick` started by cron in a bare environment. With pendulum 3.3 that path failed
(`AttributeError: 'datetime.timedelta' object has no attribute '_to_microseconds'`); the last
tests pin the pendulum behaviour behind it, so a pendulum release that changes it is noticed.
"""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pendulum
import pytest
from typer.testing import CliRunner

from tests.rules.builders import INSURER, MAKER, registration
from workflow import Engine, FakeClock
from workflow.cli.main import app
from workflow.core import formats
from workflow.core.clock import SystemClock
from workflow.core.i18n import reading
from workflow.core.timecalc import AMSTERDAM, EPOCH, MICROSECOND, local_date, parse_at, plain

ROOT = Path(__file__).resolve().parents[1]
REGISTRATION = ROOT / "docs" / "examples" / "registration.json"
CLI_INSURER = ["--as", "coordinating_insurer", "--org", "Menzis"]
CLI_MAKER = ["--as", "plan_maker", "--org", "Huisartsen Twente"]


def _to_quick_test_review(engine: Engine, plan_id: str, at: datetime | None = None) -> None:
    """Register the sample plan and bring it to the quick test review, an hour a step when
    `at` is given, else each command at the moment the clock says."""
    moments = [None] * 4 if at is None else [at + timedelta(hours=h) for h in range(4)]
    engine.register(plan_id, MAKER, registration(), at=moments[0])
    engine.fire(plan_id, "agree_character", INSURER, {"character": "innovation"}, at=moments[1])
    engine.fire(plan_id, "submit_quick_test", MAKER, at=moments[2])
    engine.fire(plan_id, "accept_quick_test_as_complete", INSURER, at=moments[3])


def _overdue_plan(db: Path, plan_id: str = "SYS-1") -> str:
    """A plan whose quick test decision (4 weeks, A4 §1.5.1) was due a month ago; its due day."""
    engine = Engine(f"sqlite:///{db}")
    _to_quick_test_review(engine, plan_id, datetime.now(AMSTERDAM) - timedelta(days=60))
    return engine.state(plan_id).deadlines["quick_test_decision"].due.isoformat()


# -- the Python API -------------------------------------------------------------------------------


def test_system_clock_gives_a_plain_datetime_in_amsterdam() -> None:
    """The wall clock hands out a standard-library datetime with Amsterdam's offset, the
    kind every instant in the engine is."""
    now = SystemClock().now()
    assert type(now) is datetime
    assert now.tzinfo is AMSTERDAM


def test_engine_without_clock_or_at_runs_on_the_wall_clock(tmp_path: Path) -> None:
    """Given `Engine(db_url)` on an SQLite file with no clock, when a plan is registered and
    fired to the quick test review with no `at`, then each event carries the moment it was
    applied, the decision deadline runs 4 weeks from then (A4 §1.5.1), `tick()` expires
    nothing yet, and `allowed` and `next_steps` answer for now."""
    engine = Engine(f"sqlite:///{tmp_path}/azwa.db")
    before = datetime.now(UTC)
    _to_quick_test_review(engine, "SYS-1")
    after = datetime.now(UTC)
    moments = [parse_at(e.at) for e in engine.history("SYS-1")]
    assert len(moments) == 4
    assert all(before <= m <= after for m in moments)
    assert moments == sorted(moments)
    deadline = engine.state("SYS-1").deadlines["quick_test_decision"]
    assert deadline.due == local_date(moments[-1]) + timedelta(weeks=4)
    assert engine.tick() == []
    allowed = {p.trigger for p in engine.allowed("SYS-1", INSURER) if p.allowed}
    assert {"approve_quick_test", "reject_quick_test"} <= allowed
    steps = engine.next_steps("SYS-1")
    insurer = steps[(INSURER.role, INSURER.org)]
    assert "approve_quick_test" in {p.trigger for p in insurer}
    assert [t.trigger for t in engine.todos(INSURER.org)] == ["approve_quick_test"]


def test_tick_without_now_expires_what_the_wall_clock_passed(tmp_path: Path) -> None:
    """Given a quick test decision due a month ago, when `tick()` runs with no time, then it
    expires once, as a deadline_expired event at the first instant after the due day; a
    second tick expires nothing."""
    due = _overdue_plan(tmp_path / "azwa.db")
    engine = Engine(f"sqlite:///{tmp_path}/azwa.db")
    expired = engine.tick()
    assert [(e.trigger, e.payload) for e in expired] == [
        ("deadline_expired", {"deadline": "quick_test_decision", "due": due})]
    assert engine.tick() == []
    assert engine.state("SYS-1").breaches == ["quick_test_decision"]


# -- the command line -----------------------------------------------------------------------------


def test_cli_without_at_or_now_runs_on_the_wall_clock(tmp_path: Path) -> None:
    """Given a new database, when `azwa init`, `plan register`, `plan fire`, `tick`,
    `plan show` and `todo` run without --at or --now, then each exits 0, the register_plan
    event is dated now, and the insurer is to accept the submitted quick test."""
    db = str(tmp_path / "azwa.db")
    runner = CliRunner()
    init = runner.invoke(app, ["init", "--db", db])
    assert init.exit_code == 0, init.output
    assert "database ready" in init.output
    before = datetime.now(UTC)
    register = runner.invoke(app, ["plan", "register", "SYS-1", *CLI_MAKER,
                                   "--payload", f"@{REGISTRATION}", "--db", db])
    assert register.exit_code == 0, register.output
    stamp = re.search(r"#1 register_plan at (\S+)", register.output)
    assert stamp is not None
    assert before <= parse_at(stamp.group(1)) <= datetime.now(UTC)
    for trigger, who, payload in [("agree_character", CLI_INSURER, '{"character": "scaling"}'),
                                  ("submit_quick_test", CLI_MAKER, "{}")]:
        fired = runner.invoke(app, ["plan", "fire", "SYS-1", trigger, *who,
                                    "--payload", payload, "--db", db])
        assert fired.exit_code == 0, fired.output
    assert "SYS-1 is quick_test_submitted" in fired.output
    tick = runner.invoke(app, ["tick", "--db", db])
    assert tick.exit_code == 0, tick.output
    assert tick.output.strip() == "0 deadline(s) expired"
    show = runner.invoke(app, ["plan", "show", "SYS-1", "--db", db])
    assert show.exit_code == 0, show.output
    todo = runner.invoke(app, ["todo", "--org", "Menzis", "--db", db, "--json"])
    assert todo.exit_code == 0, todo.output
    assert "accept_quick_test_as_complete" in todo.output


def test_tick_runs_as_cron_runs_it(tmp_path: Path) -> None:
    """Given a database with a deadline due a month ago, when `.venv/bin/azwa tick --db FILE`
    runs as cron starts it (no terminal, no input, only cron's bare environment), then it
    exits 0, says which deadline expired (in Dutch, the default without AZWA_LANG), and the
    next run expires nothing."""
    db = tmp_path / "azwa.db"
    due = _overdue_plan(db)
    azwa = Path(sys.executable).with_name("azwa")
    cron_env = {"HOME": str(tmp_path), "LOGNAME": "cron", "SHELL": "/bin/sh",
                "PATH": "/usr/bin:/bin"}

    def cron() -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(azwa), "tick", "--db", str(db)], cwd=tmp_path, env=cron_env,
                              stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=120, check=False)

    first = cron()
    assert first.returncode == 0, first.stderr
    with reading("nl"):
        day = formats.day(date.fromisoformat(due))
    assert first.stdout.splitlines() == [
        f"SYS-1: besluit snelle toets verstreken (uiterlijk {day})", "1 termijn(en) verstreken"]
    assert first.stderr == ""
    second = cron()
    assert (second.returncode, second.stdout) == (0, "0 termijn(en) verstreken\n")


# -- pendulum, pinned -----------------------------------------------------------------------------


def test_pendulum_instants_are_taken_as_the_same_instant(tmp_path: Path) -> None:
    """Given pendulum DateTimes where callers hand in a time, when a plan is registered with
    `at=pendulum.now(...)`, and when the same plan is played on a FakeClock started from a
    pendulum DateTime and on one started from a standard datetime, then the stored instants
    are the given ones, and equal between the two clocks (events and deadline)."""
    at = pendulum.now("Europe/Amsterdam")
    engine = Engine(f"sqlite:///{tmp_path}/now.db")
    fired = engine.register("PEN-0", MAKER, registration(), at=at)
    assert parse_at(fired.events[0].at) == at
    assert engine.state("PEN-0").last_at == at

    start_pendulum = pendulum.datetime(2027, 1, 11, 9, tz="Europe/Amsterdam")
    start_plain = datetime(2027, 1, 11, 9, tzinfo=AMSTERDAM)
    played = []
    for name, start in (("pendulum", start_pendulum), ("plain", start_plain)):
        clock = FakeClock(start)
        engine = Engine(f"sqlite:///{tmp_path}/{name}.db", clock)
        engine.register("PEN-1", MAKER, registration())
        for trigger, actor, payload in [
            ("agree_character", INSURER, {"character": "innovation"}),
            ("submit_quick_test", MAKER, {}),
            ("accept_quick_test_as_complete", INSURER, {}),
        ]:
            clock.advance(hours=1)
            engine.fire("PEN-1", trigger, actor, payload)
        clock.advance(weeks=5)
        expired = engine.tick()
        deadline = engine.state("PEN-1").deadlines["quick_test_decision"]
        played.append(([e.at for e in engine.history("PEN-1")], deadline.expires_at,
                       [e.at for e in expired]))
    assert played[0] == played[1]
    assert played[0][0][0] == "2027-01-11T09:00:00+01:00"
    assert played[0][2] == ["2027-02-09T00:00:00+01:00"]  # due 8 February: 4 weeks


def test_pendulum_interval_still_cannot_be_divided_by_a_timedelta() -> None:
    """What broke the wall-clock path on pendulum 3.3, pinned: a pendulum DateTime minus a
    standard datetime is a pendulum Interval, and dividing that by a standard timedelta (how
    instants become stored microseconds) raises AttributeError. `plain()` turns a pendulum
    instant into a standard one first. If this test fails, pendulum changed: look again at
    `workflow.core.timecalc.plain` and where instants enter."""
    delta = pendulum.now("Europe/Amsterdam") - EPOCH
    assert isinstance(delta, pendulum.Interval)
    with pytest.raises(AttributeError, match="_to_microseconds"):
        delta // MICROSECOND
    assert (plain(pendulum.now("Europe/Amsterdam")) - EPOCH) // MICROSECOND > 0

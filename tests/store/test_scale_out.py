"""Many writer processes and deadline workers on one database (small sizes; `make bench`
runs the full ones): nothing lost, nothing applied twice, every chain sound and verified,
also when a writer or a worker is killed with SIGKILL in the middle of its work."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from workflow import Engine, FakeClock, SystemClock
from workflow.service.worker import WorkerStats, drain, run_worker
from workflow.store.sql import SqlStore

from . import load

FAR = "2030-01-01T00:00:00+01:00"


def _plans(url: str, count: int, prefix: str = "L") -> list[str]:
    ids = [f"{prefix}{n:04d}" for n in range(count)]
    load.bulk_plans(url, ids, until="record_costs", start=load.recent_start())
    return ids


def _joined(writers: list[object]) -> list[int | None]:
    codes = []
    for proc in writers:
        proc.join(120)  # type: ignore[attr-defined]
        codes.append(proc.exitcode)  # type: ignore[attr-defined]
    return codes


def _assert_all_acknowledged_once(url: str, folder: Path) -> dict[str, tuple[str, int]]:
    acks = load.acknowledged(folder)
    logged = load.logged_commands(url)
    assert [c for c in acks if logged[c] != 1] == []
    assert [c for c, n in logged.items() if n != 1] == []  # no command applied twice
    return acks


@pytest.mark.parametrize(("processes", "commands", "plans"), [(8, 25, 12)])
def test_eight_writer_processes_on_postgresql_lose_no_update(
    pg_url: str, tmp_path: Path, processes: int, commands: int, plans: int,
) -> None:
    """DESIGN.md "Event log" and A4 §3.a.5 (costs and monitoring recorded during
    implementation): eight case systems, each its own process with the real clock, record
    costs and monitoring on the same plans at once.

    Then every command is acknowledged (none refused, none told it was stale), each is in
    the log once, every plan's seq runs 1..n, its chain holds, the stored plan equals its
    replay, and `azwa audit verify` is clean."""
    ids = _plans(pg_url, plans)
    before = load.assert_sound(pg_url, ids)
    codes = _joined(load.start_writers(pg_url, ids, processes, commands, tmp_path))
    assert codes == [0] * processes
    acks = _assert_all_acknowledged_once(pg_url, tmp_path)
    assert len(acks) == processes * commands
    assert load.assert_sound(pg_url, ids) == before + processes * commands
    verified = load.audit_verify(pg_url)
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_two_writer_processes_on_sqlite_lose_no_update(sqlite_url: str, tmp_path: Path) -> None:
    """The same on an SQLite file with two processes: SQLite's writer lock makes them take
    turns, and every command is still acknowledged and in the log once."""
    ids = _plans(sqlite_url, 4)
    before = load.assert_sound(sqlite_url, ids)
    codes = _joined(load.start_writers(sqlite_url, ids, 2, 25, tmp_path))
    assert codes == [0, 0]
    assert len(_assert_all_acknowledged_once(sqlite_url, tmp_path)) == 50
    assert load.assert_sound(sqlite_url, ids) == before + 50
    verified = load.audit_verify(sqlite_url)
    assert verified.returncode == 0, verified.stdout + verified.stderr


def _due_plans(url: str, count: int) -> list[str]:
    """Plans whose quick-test decision deadline (A4 §1.5.1) is open and long passed."""
    ids = [f"D{n:04d}" for n in range(count)]
    load.bulk_plans(url, ids, until="accept_quick_test_as_complete", start=load.recent_start(),
                    ticks=False)
    return ids


def _work(url: str, batch: int) -> None:
    engine = Engine.open(url, FakeClock(FAR))
    drain(engine, limit=batch)


def test_four_workers_expire_each_due_deadline_exactly_once(db_url: str) -> None:
    """A4 §1.5.1 with DESIGN.md "Deadlines": a passed deadline is expired once, however
    many workers, in however many processes, claim due plans at once.

    Given 60 plans with a passed quick-test decision deadline
    When four worker processes drain the due deadlines in batches of 4
    Then each deadline has exactly one `deadline_expired` event, none is left due, and
    every log is sound."""
    ids = _due_plans(db_url, 60)
    workers = [load.FORK.Process(target=_work, args=(db_url, 4)) for _ in range(4)]
    for proc in workers:
        proc.start()
    assert _joined(workers) == [0, 0, 0, 0]  # type: ignore[arg-type]
    expired = load.expiries(db_url)
    assert expired == Counter({(pid, "quick_test_decision"): 1 for pid in ids})
    store = SqlStore(db_url, create=False)
    try:
        assert store.due(FakeClock(FAR).now()) == []
    finally:
        store.close()
    load.assert_sound(db_url, ids)


def test_a_worker_finds_nothing_due_before_its_time(sqlite_url: str) -> None:
    """The refused case: a deadline not yet passed is not expired by a worker."""
    _due_plans(sqlite_url, 3)
    engine = Engine.open(sqlite_url, FakeClock(load.recent_start(299)))
    try:
        assert drain(engine) == 0
    finally:
        engine.store.close()  # type: ignore[attr-defined]
    assert load.expiries(sqlite_url) == Counter()


def _kill_at_random(url: str, ids: list[str], folder: Path, kills: int, seed: int) -> None:
    rng = random.Random(seed)
    for n in range(kills):
        [proc] = load.start_writers(url, ids, 1, 10_000, folder, prefix=f"k{n}-")
        time.sleep(rng.uniform(0.05, 0.4))
        os.kill(proc.pid, signal.SIGKILL)  # type: ignore[arg-type]
        proc.join(30)


def test_a_writer_killed_mid_load_loses_no_acknowledged_command(
    pg_url: str, tmp_path: Path,
) -> None:
    """A writer killed with SIGKILL at a random moment, four times, while another writer
    keeps going: every command a writer was told was stored is in the log once, no command
    is half applied (each plan's log and its row agree), and `azwa audit verify` passes."""
    ids = _plans(pg_url, 6)
    [steady] = load.start_writers(pg_url, ids, 1, 60, tmp_path, prefix="steady")
    _kill_at_random(pg_url, ids, tmp_path, kills=4, seed=8)
    assert _joined([steady]) == [0]
    acks = _assert_all_acknowledged_once(pg_url, tmp_path)
    assert len([c for c in acks if c.startswith("k")]) > 0  # the killed ones got some through
    load.assert_sound(pg_url, ids)
    verified = load.audit_verify(pg_url)
    assert verified.returncode == 0, verified.stdout + verified.stderr


def _slow_worker(url: str) -> None:
    engine = Engine.open(url, FakeClock(FAR))
    drain(engine, limit=1)


def test_a_worker_killed_mid_batch_leaves_the_rest_due(db_url: str) -> None:
    """A worker killed with SIGKILL between batches or inside one: what it committed is
    whole, what it had claimed is due again, and a second worker expires the rest once."""
    ids = _due_plans(db_url, 80)
    proc = load.FORK.Process(target=_slow_worker, args=(db_url,))
    proc.start()
    time.sleep(0.15)
    os.kill(proc.pid, signal.SIGKILL)  # type: ignore[arg-type]
    proc.join(30)
    engine = Engine.open(db_url, FakeClock(FAR))
    try:
        drain(engine)
    finally:
        engine.store.close()  # type: ignore[attr-defined]
    assert load.expiries(db_url) == Counter({(pid, "quick_test_decision"): 1 for pid in ids})
    load.assert_sound(db_url, ids)


def test_azwa_worker_stops_on_sigterm_after_its_batch(sqlite_url: str) -> None:
    """`azwa worker` with the real clock expires what is due, logs a line per batch, and on
    SIGTERM ends after the batch in hand (exit 0), leaving nothing half done."""
    ids = _due_plans(sqlite_url, 12)
    azwa = Path(sys.executable).with_name("azwa")
    proc = subprocess.Popen(
        [str(azwa), "worker", "--db", sqlite_url, "--interval", "0.2", "--batch", "5"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "AZWA_LOG_JSON": "1", "AZWA_LOG_LEVEL": "INFO"})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and sum(load.expiries(sqlite_url).values()) < len(ids):
        time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "stopped: 12 events in" in out
    batches = [line for line in err.splitlines() if '"deadline_batch"' in line]
    assert [b.count('"plans": 5') for b in batches[:2]] == [1, 1]
    assert load.expiries(sqlite_url) == Counter({(pid, "quick_test_decision"): 1 for pid in ids})


def test_a_deadline_written_due_wakes_a_listening_worker(pg_url: str) -> None:
    """PostgreSQL: a worker waiting out a long interval is woken by a command that writes a
    deadline already due (NOTIFY), instead of finding it only when the interval ends."""
    stop = threading.Event()
    stats = WorkerStats()
    Engine(pg_url, SystemClock()).store.close()  # type: ignore[attr-defined]
    thread = threading.Thread(target=run_worker, args=(pg_url, stop), kwargs={
        "interval": 60.0, "stats": stats}, daemon=True)
    thread.start()
    try:
        waited = time.monotonic() + 20
        while stats.rounds == 0 and time.monotonic() < waited:
            time.sleep(0.05)
        assert stats.rounds == 1 and stats.expired == 0
        time.sleep(0.3)  # the worker is waiting now
        _due_plans(pg_url, 1)  # bulk writes go without a clock: no wake-up
        writer = Engine(pg_url, SystemClock())
        try:
            [pid] = [f"W{n}" for n in range(1)]
            load.demo.play(writer, pid, until="accept_quick_test_as_complete",
                           start=load.recent_start(), ticks=False)
        finally:
            writer.store.close()  # type: ignore[attr-defined]
        woken = time.monotonic() + 10
        while stats.expired < 2 and time.monotonic() < woken:
            time.sleep(0.05)
        assert stats.expired >= 2  # both plans' deadlines, long before the 60 s interval
    finally:
        stop.set()
        thread.join(30)
    assert not thread.is_alive()

"""Many writers and workers on one database, as separate processes: shared by the scale-out
tests (small) and `make bench` (full size).

Plans are set up in bulk: the demo's commands judged by the process rules in memory and
written by the store many plans to a transaction (the same rows, hashes and signed heads as
one command at a time, much faster). Writers are forked processes, each with its own Engine
and the real clock, that fire repeatable commands (record_costs, record_monitoring) at
shared plans under their own command ids and note each acknowledged id in a file of their
own, so a test can kill them and check that every acknowledged command is in the log.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import states
from workflow import Engine, SystemClock
from workflow.audit.replay import rebuild
from workflow.core.engine import Command, ProcessEngine
from workflow.core.events import Event, verify_chain
from workflow.core.plan import Deadline, Plan
from workflow.core.timecalc import AMSTERDAM, format_at
from workflow.service import demo
from workflow.service.logs import configure
from workflow.store import sqlrun
from workflow.store.sql import SqlStore

FORK = multiprocessing.get_context("fork")
MAKER, INSURER = demo.MAKER, demo.INSURER


def recent_start(days_ago: int = 300) -> str:
    """A demo start far enough back that its `record_costs` lies before today."""
    moment = datetime.now(AMSTERDAM).replace(microsecond=0) - timedelta(days=days_ago)
    return format_at(moment)


def bulk_plans(url: str, ids: Sequence[str], *, until: str, start: str, ticks: bool = True,
               per_transaction: int = 200) -> None:
    """Bring each plan of `ids` through the demo up to and including `until`."""
    process = ProcessEngine(states.DEFAULT)
    store = SqlStore(url)
    try:
        for first in range(0, len(ids), per_transaction):
            chunk = ids[first:first + per_transaction]
            writes = [w for pid in chunk for w in _demo_writes(process, pid, until, start, ticks)]

            def write(run: sqlrun.Runner, writes: list[Any] = writes) -> None:
                for plan, events, seq, dls in writes:
                    # Noted at once (the next save of the plan chains its head to this
                    # one without reading it back); a failure fails the whole set-up.
                    store._write(run, plan, events, expected_seq=seq, deadlines=dls)()

            store._run(write)
    finally:
        store.close()


def _demo_writes(process: ProcessEngine, plan_id: str, until: str, start: str, ticks: bool
                 ) -> Iterable[tuple[Plan, list[Event], int | None, list[Deadline]]]:
    """One plan's saves; the plan object is shared, so each save is made before the next
    command changes it (the writes hold their own copies of what they store)."""
    plan: Plan | None = None
    for step, at in demo.moments(start):
        if step.trigger == "register_plan":
            assert step.actor is not None
            outcome = process.register(plan_id, step.actor, dict(step.payload), at)
            plan = outcome.plan
            yield _copy(plan, outcome.events, None, list(plan.deadlines.values()))
        else:
            assert plan is not None
            seq = plan.seq
            before = {n: (d.status, d.expires_at) for n, d in plan.deadlines.items()}
            if step.actor is None:
                events = process.expire(plan, at) if ticks else []
            else:
                events = process.apply(
                    plan, Command(step.trigger, step.actor, dict(step.payload), at)).events
            if events:
                changed = [d for n, d in plan.deadlines.items()
                           if before.get(n) != (d.status, d.expires_at)]
                yield _copy(plan, events, seq, changed)
        if step.trigger == until:
            return


def _copy(plan: Plan, events: list[Event], seq: int | None, deadlines: list[Deadline]
          ) -> tuple[Plan, list[Event], int | None, list[Deadline]]:
    copied = Plan.from_dict(plan.to_dict())
    copied.stored.entries = tuple([] for _ in copied.stored.entries)
    return copied, events, seq, [Deadline.from_dict(d.to_dict()) for d in deadlines]


def write_commands(url: str, plan_ids: Sequence[str], commands: int, name: str,
                   acks: Path | None, seed: int) -> None:
    """A writer process: `commands` repeatable commands at random plans of `plan_ids`, at
    the real clock's time, each under the id `name-k`; each acknowledged id is written to
    `acks` (one line, flushed) before the next command is sent."""
    configure(json=True, level="CRITICAL")
    rng = random.Random(seed)
    engine = Engine(url, SystemClock())
    out = acks.open("a", encoding="utf-8") if acks is not None else None
    try:
        for k in range(commands):
            pid = rng.choice(plan_ids)
            command_id = f"{name}-{k}"
            if k % 2:
                fired = engine.fire(pid, "record_monitoring", INSURER,
                                    {"summary": f"{name} looked at it ({k})"},
                                    command_id=command_id)
            else:
                fired = engine.fire(pid, "record_costs", MAKER,
                                    {"amount_eur": 1 + k, "period": f"{name}-{k}"},
                                    command_id=command_id)
            if out is not None:
                out.write(f"{command_id} {pid} {fired.events[-1].seq}\n")
                out.flush()
    finally:
        if out is not None:
            out.close()
        engine.store.close()  # type: ignore[attr-defined]


def start_writers(url: str, plan_ids: Sequence[str], processes: int, commands: int,
                  folder: Path, prefix: str = "w") -> list[Any]:
    """`processes` forked writers; their ack files are `folder/<name>.acks`."""
    writers = []
    for n in range(processes):
        name = f"{prefix}{n}"
        proc = FORK.Process(target=write_commands, args=(
            url, list(plan_ids), commands, name, folder / f"{name}.acks", n), daemon=True)
        proc.start()
        writers.append(proc)
    return writers


def acknowledged(folder: Path) -> dict[str, tuple[str, int]]:
    """Every acknowledged command id → (plan, seq of its last event), from the ack files
    (a line cut short by a kill is no acknowledgement)."""
    found: dict[str, tuple[str, int]] = {}
    for path in sorted(folder.glob("*.acks")):
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[2].isdigit():
                found[parts[0]] = (parts[1], int(parts[2]))
    return found


def logged_commands(url: str) -> Counter[str]:
    """How many events each command id has in the log."""
    store = SqlStore(url, create=False)
    try:
        return Counter(e_id for e_id in _command_ids(store))
    finally:
        store.close()


def expiries(url: str) -> Counter[tuple[str, str]]:
    """How often each (plan, deadline) was expired, read from the log."""
    store = SqlStore(url, create=False)
    try:
        return Counter((e.plan_id, str(e.payload["deadline"])) for e in store.iter_events()
                       if e.trigger == "deadline_expired")
    finally:
        store.close()


def _command_ids(store: SqlStore) -> Iterable[str]:
    from sqlalchemy import text

    with store.engine.connect() as conn:
        for (command_id,) in conn.execute(text(
                "SELECT command_id FROM events WHERE command_id IS NOT NULL")):
            yield str(command_id)


def assert_sound(url: str, plan_ids: Iterable[str]) -> int:
    """Each plan's log is seq 1..n without a gap or a duplicate, an unbroken chain, and
    replays to the stored plan; the number of events checked."""
    store = SqlStore(url, create=False)
    count = 0
    try:
        for pid in plan_ids:
            events = store.events(pid)
            assert [e.seq for e in events] == list(range(1, len(events) + 1)), pid
            assert verify_chain(e.to_dict() for e in events) == [], pid
            stored = store.load(pid)
            assert stored is not None
            assert rebuild(events).to_dict() == stored.to_dict(), pid
            count += len(events)
    finally:
        store.close()
    return count


def audit_verify(url: str) -> subprocess.CompletedProcess[str]:
    """`azwa audit verify` on the database, as an auditor runs it."""
    azwa = Path(sys.executable).with_name("azwa")
    return subprocess.run([str(azwa), "audit", "verify", "--db", url], capture_output=True,
                          text=True, timeout=300, env={**os.environ, "AZWA_LOG_LEVEL": "ERROR"})

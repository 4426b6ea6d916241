"""Deadline workers: expire every due deadline exactly once, from one or many processes.

A worker claims a batch of plans with a due deadline (the store locks their rows with
FOR UPDATE SKIP LOCKED on PostgreSQL, so workers on one or more machines each take other
plans), judges each with the process rules (`ProcessEngine.expire`, what `tick` runs) and
commits the batch's events in one transaction. Killed mid-batch, nothing of the batch is
stored and its rows are due again for the next worker.

When nothing is due it waits `interval` seconds, or on PostgreSQL until a command writes a
deadline due soon (LISTEN/NOTIFY), whichever comes first. Setting `stop` ends it after the
batch in hand: `azwa worker` sets it on SIGTERM and Ctrl-C; a web service runs `run_worker`
in a thread and sets it when it shuts down.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from workflow.core.clock import Clock, SystemClock
from workflow.core.events import Event
from workflow.core.plan import Deadline, Plan
from workflow.core.timecalc import to_micros
from workflow.service.api import Engine, _changed, _snapshot
from workflow.service.logs import enabled as log_enabled
from workflow.store.sql import SqlStore

BATCH = 200
"""Plans claimed per transaction: large enough that a commit serves many expiries, small
enough that a stop (or a kill) waits for little."""
CHANNEL = "azwa_deadlines"


@dataclass
class WorkerStats:
    """What a worker did, summed over its batches (and its threads)."""

    rounds: int = 0
    """Claims made, the empty ones (nothing due) included."""
    batches: int = 0
    """Claims that found plans."""
    plans: int = 0
    expired: int = 0
    """Events written (`deadline_expired` and what follows from it)."""
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, plans: int, events: int) -> None:
        with self.lock:
            self.rounds += 1
            self.batches += plans > 0
            self.plans += plans
            self.expired += events


def drain(engine: Engine, now: datetime | None = None, *, limit: int = BATCH,
          stop: threading.Event | None = None, stats: WorkerStats | None = None,
          name: str = "worker",
          on_batch: Callable[[list[Event]], None] | None = None) -> int:
    """Run batches until nothing is due at `now` (the clock's, read per batch, when None);
    the number of events written. Ends early, after a whole batch, when `stop` is set.
    `on_batch` is told each committed batch's events (`azwa serve` counts them)."""
    total = 0
    while stop is None or not stop.is_set():
        started = time.perf_counter()
        moment = now if now is not None else engine.clock.now()
        store = engine.store
        if not isinstance(store, SqlStore):
            raise TypeError("a worker needs the SQL store")
        claimed = store.expire_due(moment, limit, _Judge(engine, moment))
        total += len(claimed.events)
        if on_batch is not None and claimed.events:
            on_batch(list(claimed.events))
        if stats is not None:
            stats.add(claimed.plans, len(claimed.events))
        if claimed.plans == 0:
            break
        if log_enabled(logging.INFO):
            engine.log.info("deadline_batch", worker=name, plans=claimed.plans,
                            expired=len(claimed.events), ms=round(
                                (time.perf_counter() - started) * 1000, 1))
    return total


class _Judge:
    """What the worker makes of a claimed plan: the process rules' expiries at `now`."""

    def __init__(self, engine: Engine, now: datetime) -> None:
        self.engine, self.now = engine, now

    def __call__(self, plan: Plan) -> tuple[Sequence[Event], Sequence[Deadline]]:
        before = _snapshot(plan)
        events = self.engine.process(plan.definition).expire(plan, self.now)
        return events, _changed(plan, before)


def run_worker(target: Engine | str | None, stop: threading.Event, *, interval: float = 30.0,
               concurrency: int = 1, batch: int = BATCH, clock: Clock | None = None,
               listen: bool = True, stats: WorkerStats | None = None, once: bool = False
               ) -> WorkerStats:
    """Expire due deadlines until `stop` is set; what was done.

    `target` is an Engine (its database's URL and its clock are reused: each thread has
    its own connection), a database URL, or None for AZWA_DATABASE_URL. `concurrency` threads claim
    batches side by side. Between empty rounds a thread waits `interval` seconds, or on
    PostgreSQL until a deadline due soon is written (`listen`). `once`: expire what is due
    now and return."""
    if interval <= 0 or concurrency < 1 or batch < 1:
        raise ValueError("interval must be above 0, concurrency and batch at least 1")
    stats = stats if stats is not None else WorkerStats()
    url = target.store.url if isinstance(target, Engine) and isinstance(
        target.store, SqlStore) else target if isinstance(target, str | None) else None
    if clock is None:
        clock = target.clock if isinstance(target, Engine) else SystemClock()
    engines = [Engine.open(url, clock) for _ in range(concurrency)]
    try:
        threads = [threading.Thread(target=_loop, name=f"azwa-worker-{n}", daemon=True,
                                    args=(e, stop, interval, batch, listen, stats, once))
                   for n, e in enumerate(engines[1:], start=1)]
        for thread in threads:
            thread.start()
        _loop(engines[0], stop, interval, batch, listen, stats, once)
        for thread in threads:
            while thread.is_alive():
                thread.join(timeout=0.5)
    finally:
        for engine in engines:
            store = engine.store
            if isinstance(store, SqlStore):
                store.close()
    return stats


def _loop(engine: Engine, stop: threading.Event, interval: float, batch: int, listen: bool,
          stats: WorkerStats, once: bool = False) -> None:
    name = threading.current_thread().name
    if once:
        drain(engine, limit=batch, stats=stats, name=name)
        return
    waiter = _Waiter(engine, stop, listen)
    try:
        while not stop.is_set():
            drain(engine, limit=batch, stop=stop, stats=stats, name=name)
            waiter.wait(waiter.until_soonest(engine.clock.now(), interval))
    finally:
        waiter.close()


class _Waiter:
    """Sleeps until the interval passed, `stop` is set, or (PostgreSQL) a NOTIFY arrived."""

    def __init__(self, engine: Engine, stop: threading.Event, listen: bool) -> None:
        self.stop = stop
        self.conn: Any = None
        self.soonest: int | None = None
        """The earliest expiry (µs) a NOTIFY announced and no batch has reached yet."""
        store = engine.store
        if listen and isinstance(store, SqlStore) and store.engine.dialect.name == "postgresql":
            self.conn = _listening(store)

    def wait(self, interval: float) -> None:
        if self.conn is None:
            self.stop.wait(interval)
            return
        deadline = time.monotonic() + interval
        while not self.stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            for note in self.conn.notifies(timeout=min(left, 0.5), stop_after=1):
                with contextlib.suppress(ValueError):
                    value = int(note.payload)
                    self.soonest = value if self.soonest is None else min(self.soonest, value)
                return

    def until_soonest(self, now: datetime, interval: float) -> float:
        """How long to wait: the interval, or less when an announced deadline comes first."""
        if self.soonest is None:
            return interval
        left = (self.soonest - to_micros(now)) / 1e6
        if left <= 0:
            self.soonest = None  # reached: the batch just run has seen it
            return interval
        return min(interval, left + 0.01)

    def close(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(Exception):
                self.conn.close()


def _listening(store: SqlStore) -> Any:
    """A connection of its own, out of the pool, listening on the deadlines channel."""
    raw = store.engine.raw_connection()
    raw.detach()
    conn: Any = raw.dbapi_connection
    conn.rollback()
    conn.autocommit = True
    conn.execute(f"LISTEN {CHANNEL}")
    return conn


def stop_on_signals(stop: threading.Event) -> Callable[[], None]:
    """Set `stop` on SIGTERM and SIGINT (the batch in hand is finished first); returns what
    puts the previous handlers back."""
    import signal

    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    for sig in previous:
        signal.signal(sig, lambda _signum, _frame: stop.set())

    def restore() -> None:
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    return restore

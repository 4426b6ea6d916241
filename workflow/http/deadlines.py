"""The deadline worker inside `azwa serve`: a deployed service expires deadlines without cron.

It claims due plans in batches as `azwa worker` does (FOR UPDATE SKIP LOCKED on PostgreSQL),
so several services, and separate `azwa worker` processes, share the load and each deadline
expires exactly once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from workflow.core.events import Event
from workflow.service.api import Engine
from workflow.service.worker import drain

log = logging.getLogger("azwa.serve")


def expire_due(engine: Engine) -> list[Event]:
    """Expire every deadline due now, exactly once, in claimed batches (service/worker.py)."""
    found: list[Event] = []
    drain(engine, name="serve", on_batch=found.extend)
    return found


class DeadlineWorker:
    """Calls `expire_due` every `every` seconds on a background thread until stopped."""

    def __init__(self, engine: Engine, every: float,
                 on_expired: Callable[[list[Event]], None] | None = None) -> None:
        self.engine, self.every, self.on_expired = engine, every, on_expired
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="azwa-deadlines", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def run_once(self) -> list[Event]:
        events = expire_due(self.engine)
        if events and self.on_expired is not None:
            self.on_expired(events)
        return events

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:  # the database is away: the next round tries again
                log.exception("expiring deadlines failed")
            self._stop.wait(self.every)

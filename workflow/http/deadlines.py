"""The deadline worker inside `azwa serve`: a deployed service expires deadlines without cron.

It claims due plans in batches as `azwa worker` does (FOR UPDATE SKIP LOCKED on PostgreSQL),
so several services, and separate `azwa worker` processes, share the load and each deadline
expires exactly once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from workflow.core.events import Event
from workflow.http.background import Background
from workflow.service.api import Engine
from workflow.service.worker import drain

log = logging.getLogger("azwa.serve")


def expire_due(engine: Engine) -> list[Event]:
    """Expire every deadline due now, exactly once, in claimed batches (service/worker.py)."""
    found: list[Event] = []
    drain(engine, name="serve", on_batch=found.extend)
    return found


class DeadlineWorker(Background):
    """Calls `expire_due` every `every` seconds on a background thread until stopped."""

    def __init__(self, engine: Engine, every: float,
                 on_expired: Callable[[list[Event]], None] | None = None) -> None:
        super().__init__("azwa-deadlines", every, log, "expiring deadlines failed")
        self.engine, self.on_expired = engine, on_expired

    def run_once(self) -> list[Event]:
        events = expire_due(self.engine)
        if events and self.on_expired is not None:
            self.on_expired(events)
        return events

    def round(self) -> bool:
        self.run_once()
        return False  # the next round after `every` seconds, whatever this one expired

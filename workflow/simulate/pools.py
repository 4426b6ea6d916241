"""Assessors: a pool per insurer and municipality; an assessing step waits for a free one.

First come, first served. A pool keeps what the summary reports: each wait, the time its
assessors were busy, and its queue length and busy count at every change (for the plots).
An organisation the scenario does not list has no limit.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from workflow.simulate.scenario import Scenario

if TYPE_CHECKING:
    from workflow.simulate.model import Action, Run


@dataclass(slots=True)
class Pool:
    capacity: int
    busy: int = 0
    queue: deque[tuple[float, int, Any, float]] = field(default_factory=deque)
    waits: list[float] = field(default_factory=list)
    busy_time: float = 0.0
    queue_time: float = 0.0
    since: float = 0.0
    trace: list[tuple[float, int, int]] = field(default_factory=list)
    """(moment, busy assessors, plans waiting) after each change."""
    arriving: tuple[float, float] | None = None
    """(busy time, queue time) up to the last arrival: the load while plans come in."""

    def _advance(self, t: float) -> None:
        span = t - self.since
        if span > 0:
            self.busy_time += span * self.busy
            self.queue_time += span * len(self.queue)
            self.since = t

    def _note(self, t: float) -> None:
        self.trace.append((t, self.busy, len(self.queue)))


class Pools:
    ROLES = frozenset({"coordinating_insurer", "second_insurer", "municipality"})

    def __init__(self, scenario: Scenario) -> None:
        self.pools: dict[str, Pool] = {
            org: Pool(n) for org, n in (*scenario.insurers.items(),
                                        *scenario.municipalities.items())}
        self.end = 0.0
        self.arrived = 0.0

    def enqueue(self, run: Run, org: str, index: int, action: Action, t: float,
                service: float) -> None:
        pool = self.pools.get(org)
        if pool is None:  # no limit for an organisation the scenario does not list
            run.push(run.calendar.add(t, service), 1, index, action)
            return
        pool._advance(t)
        if pool.busy < pool.capacity:
            self._start(run, org, pool, index, action, t, t, service)
        else:
            pool.queue.append((t, index, action, service))
        pool._note(t)

    def _start(self, run: Run, org: str, pool: Pool, index: int, action: Action,
               queued: float, t: float, service: float) -> None:
        pool.busy += 1
        pool.waits.append(t - queued)
        run.push(run.calendar.add(t, service), 2, index, (org, action))

    def release(self, run: Run, org: str, t: float) -> None:
        pool = self.pools.get(org)
        if pool is None:
            return
        pool._advance(t)
        pool.busy -= 1
        while pool.queue and pool.busy < pool.capacity:
            queued, index, action, service = pool.queue.popleft()
            plan = run.plans[index].plan
            if plan is not None and run.stale(plan, action):
                run.plans[index].pending.discard(action.key)
                run.schedule(run.plans[index], t)
                continue
            self._start(run, org, pool, index, action, queued, t, service)
        pool._note(t)

    def arrivals_end(self, t: float) -> None:
        """Note the load up to the last arrival (after it the queues only drain)."""
        for pool in self.pools.values():
            pool._advance(t)
            pool.arriving = (pool.busy_time, pool.queue_time)
        self.arrived = t

    def close(self, t: float) -> None:
        for pool in self.pools.values():
            pool._advance(t)
        self.end = t

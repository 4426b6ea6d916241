"""Runs of a scenario, spread over processes; the same seed gives the same results whatever
the number of processes, because run r draws from its own stream `Random(f"{seed}:{r}")`
and results are gathered in run order.

A worker returns what the outputs need, compactly: each plan's timeline, the run's log as
JSON Lines bytes, the deadlines started and missed, the assessor pools' figures.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from workflow.core.engine import ProcessEngine
from workflow.simulate.model import Run, SimPlan
from workflow.simulate.scenario import Scenario

TRACE_POINTS = 400
"""Points kept per pool for the queue and utilisation plot."""

_ENGINES: dict[str, ProcessEngine] = {}


def engine_for(ref: str) -> ProcessEngine:
    """The engine of a definition, built once per process."""
    found = _ENGINES.get(ref)
    if found is None:
        import states

        found = _ENGINES[ref] = ProcessEngine(states.get(ref))
    return found


@dataclass(slots=True)
class RunResult:
    run: int
    rows: list[dict[str, Any]]
    events: list[bytearray]
    """The run's log as JSON Lines, one piece per plan in plan order: written out piece by
    piece (`log` joins them), never copied into one whole first."""
    deadlines: dict[str, list[int]]
    """Deadline kind → [started, missed] over the run's plans."""
    pools: dict[str, dict[str, Any]]
    end: float
    waits: list[float] = field(default_factory=list)

    def log(self) -> bytes:
        """The run's log as one JSON Lines text."""
        return b"".join(self.events)


def base_name(deadline: str) -> str:
    """`kpi:k2` → `kpi`: breach rates are per kind of deadline."""
    return deadline.split(":", 1)[0]


def timeline(run: Run, sp: SimPlan) -> dict[str, Any]:
    plan = sp.plan
    assert plan is not None
    paid: dict[str, int] = {}
    for t, cents in sp.paid:
        year = str(run.day_of(t).year)
        paid[year] = paid.get(year, 0) + cents
    return {
        "plan_id": sp.plan_id,
        "marks": {k: round(v, 6) for k, v in sp.marks.items()},
        "dates": {k: run.day_of(v).isoformat() for k, v in sp.marks.items()},
        "ended": None if sp.ended is None else round(sp.ended, 6),
        "ended_on": None if sp.ended is None else run.day_of(sp.ended).isoformat(),
        "state": plan.state,
        "breaches": list(plan.breaches),
        "missed_aims": list(plan.missed_aims),
        "top_step": sp.top_step,
        "paid_cents": paid,
        "events": sp.logged,
        "refused": sp.refusals,
    }


@contextmanager
def cycles_uncollected() -> Iterator[None]:
    """The cyclic garbage collector paused while a run lasts.

    A run makes next to no reference cycles (13 unreachable objects after 2,000 plans), so
    reference counting frees what it drops; but it keeps every plan and event until it ends,
    and each full collection walked them all again: at 10,000 plans that was about 40% of
    the run's time. Collection resumes (if it was on) when the run is done."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def execute(scenario: Scenario, plans: int, seed: int, run: int,
            keep_events: bool = True) -> RunResult:
    """One run, in whichever process calls it."""
    with cycles_uncollected():
        return _run(scenario, plans, seed, run, keep_events)


def _run(scenario: Scenario, plans: int, seed: int, run: int, keep_events: bool) -> RunResult:
    sim = Run(scenario, engine_for(scenario.definition), seed, run,
              keep_events=keep_events, as_lines=True).simulate(plans)
    deadlines: dict[str, list[int]] = {}
    rows = [timeline(sim, sp) for sp in sim.plans]
    for sp in sim.plans:
        assert sp.plan is not None
        for name in sp.plan.deadlines:
            deadlines.setdefault(base_name(name), [0, 0])[0] += 1
        for name in set(sp.plan.breaches):  # a restarted deadline is missed once per plan
            deadlines.setdefault(base_name(name), [0, 0])[1] += 1
        for name in set(sp.plan.missed_aims):  # an aim missed is not a breach (v2's board)
            deadlines.setdefault(base_name(name), [0, 0])[1] += 1
    pools: dict[str, dict[str, Any]] = {}
    span = max(sim.last_t, 1e-9)
    waits: list[float] = []
    for org, pool in sim.pools.pools.items():
        step = max(1, len(pool.trace) // TRACE_POINTS)
        # the load while plans arrive; after the last arrival the queues only drain
        busy, queued = pool.arriving or (pool.busy_time, pool.queue_time)
        window = max(sim.pools.arrived, 1e-9) if pool.arriving else span
        waits.extend(pool.waits)
        pools[org] = {
            "assessors": pool.capacity, "served": len(pool.waits),
            "wait_mean": sum(pool.waits) / len(pool.waits) if pool.waits else 0.0,
            "service_mean": pool.busy_time / len(pool.waits) if pool.waits else 0.0,
            "arrival_rate": len(pool.waits) / span,
            "utilisation": busy / (pool.capacity * window),
            "queue_mean": queued / window,
            "queue_max": max((q for _, _, q in pool.trace), default=0),
            "trace": [list(p) for p in pool.trace[::step]],
        }
    events = [sp.lines for sp in sim.plans] if keep_events else []
    if sim.sealer is not None:
        sim.sealer.buffers.clear()
    return RunResult(run, rows, events, deadlines, pools, sim.last_t, waits)


def _execute(args: tuple[Scenario, int, int, int, bool]) -> RunResult:
    return execute(*args)


def run_many(scenario: Scenario, plans: int, seed: int, runs: int, jobs: int = 1,
             keep_events: bool = True,
             advance: Callable[[int], None] | None = None) -> list[RunResult]:
    """`runs` runs of `plans` plans each, on `jobs` processes, in run order."""
    work = [(scenario, plans, seed, r, keep_events) for r in range(1, runs + 1)]
    results: list[RunResult] = []
    if jobs <= 1 or runs == 1:
        for item in work:
            results.append(_execute(item))
            if advance is not None:
                advance(1)
        return results
    with ProcessPoolExecutor(max_workers=min(jobs, runs)) as pool:
        for result in pool.map(_execute, work):
            results.append(result)
            if advance is not None:
                advance(1)
    return results

"""Simulation use cases that read recorded plans: calibrate a scenario from the database
or an exported log, and forecast the open plans of a database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import states
from workflow.core.clock import SystemClock
from workflow.core.events import loads
from workflow.service.databases import open_existing
from workflow.simulate.calibrate import Fit, calibrate, to_toml
from workflow.simulate.forecast import forecast as simulate_futures
from workflow.simulate.scenario import Scenario, from_dict


def calibrated_from_db(db: str | None) -> Fit:
    """The fit of every plan in the database."""
    store = open_existing(db, write=False)
    try:
        return calibrate(e.to_dict() for e in store.iter_events())
    finally:
        store.close()


def _lines(path: Path) -> Iterator[dict[str, Any]]:
    with path.open("rb") as handle:
        for raw in handle:
            if not raw.strip():
                continue
            data = loads(raw)
            if isinstance(data, dict) and "plan_id" in data:  # the export's header has none
                yield data


def calibrated_from_log(path: Path) -> Fit:
    """The fit of every plan in an exported log (JSON Lines)."""
    return calibrate(_lines(path))


def scenario_of(fit: Fit) -> Scenario:
    """The calibrated scenario itself, as a planner would read it back from the file."""
    import tomllib

    return from_dict(tomllib.loads(to_toml(fit)))


def forecast(db: str | None, scenario: Scenario | None, *, runs: int = 200, seed: int = 1,
             now: datetime | None = None) -> list[dict[str, Any]]:
    """Per open plan of the database and running deadline: the chance it is missed and the
    expected decision date; without a scenario, one calibrated from the same database."""
    store = open_existing(db, write=False)
    try:
        if scenario is None:
            scenario = scenario_of(calibrate(e.to_dict() for e in store.iter_events()))
        plans = [p for pid in list(store.plan_ids()) if (p := store.load(pid)) is not None
                 and p.state not in states.get(p.definition).finals]
    finally:
        store.close()
    when = now or SystemClock().now()
    return simulate_futures(plans, scenario, when, runs=runs, seed=seed)

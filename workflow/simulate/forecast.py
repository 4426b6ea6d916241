"""Forecast: the futures of plans that are open now, simulated from their live state.

Each run copies the plans as they stand (state, facts, running deadlines), lets the steps
they wait for happen after the scenario's delays, queues assessing steps at each
organisation oldest plan first (the plan's queue position), and plays on until every
deadline running now is met or missed. Over the runs: per plan and deadline the share of
futures in which it was missed, and the mean moment it was met (the expected decision).
Delays restart now: time already waited is not subtracted (exact for exponential delays).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from workflow.core.plan import OPEN, Plan
from workflow.core.timecalc import AMSTERDAM, format_at, parse_iso
from workflow.simulate.model import Run, SimPlan
from workflow.simulate.runner import engine_for
from workflow.simulate.scenario import Scenario

AFTER = 400.0
"""Days simulated past the last running deadline, to see when late decisions come."""


@dataclass(slots=True)
class Outlook:
    plan_id: str
    state: str
    deadline: str
    due: str
    missed: int = 0
    decided: list[float] | None = None

    def row(self, runs: int, origin: datetime) -> dict[str, Any]:
        decided = self.decided or []
        mean = sum(decided) / len(decided) if decided else None
        return {
            "plan_id": self.plan_id, "state": self.state, "deadline": self.deadline,
            "due": self.due, "p_miss": round(self.missed / runs, 4),
            "expected_decision": None if mean is None else
            format_at(origin + timedelta(days=mean))[:10],
            "decided_in": round(len(decided) / runs, 4),
        }


def forecast(plans: list[Plan], scenario: Scenario, now: datetime, runs: int = 200,
             seed: int = 1) -> list[dict[str, Any]]:
    """Per open plan and running deadline: P(miss) and the expected decision date, riskiest
    first."""
    live = [p for p in plans if p.deadlines and any(d.status == OPEN for d in
                                                     p.deadlines.values())]
    live.sort(key=lambda p: (p.last_at or now, p.plan_id))  # queue position: oldest first
    outlooks: dict[tuple[str, str], Outlook] = {}
    for plan in live:
        for name, dl in sorted(plan.deadlines.items()):
            if dl.status == OPEN:
                outlooks[(plan.plan_id, name)] = Outlook(plan.plan_id, plan.state, name,
                                                         dl.due.isoformat(), 0, [])
    if not outlooks:
        return []
    engine = engine_for(scenario.definition)
    origin = now.astimezone(UTC)
    # simulated time counts from midnight of today, so the working calendar lines up
    today = replace(scenario, start=now.astimezone(AMSTERDAM).date())
    for r in range(1, runs + 1):
        sim = Run(today, engine, seed, r, prefix="")
        start = sim.t_of(origin)
        for i, plan in enumerate(live):
            sp = SimPlan(plan.plan_id, start, i, copy.deepcopy(plan))
            sp.escalation_drawn = True  # an escalation is judged by who is in it, not drawn
            sim.plans.append(sp)
        for sp in sim.plans:
            sim.schedule(sp, start)
        last = max(sim.t_of(dl.expires_at) for p in live for dl in p.deadlines.values()
                   if dl.status == OPEN)
        horizon = max(last, start) + AFTER
        sim.loop(until=horizon)
        end = sim.at(horizon)
        for sp in sim.plans:
            assert sp.plan is not None
            decided = _decided(sp, engine.definition.deadlines, origin)
            missed = set(sp.plan.breaches[len(live[sp.index].breaches):])
            for name, dl in sp.plan.deadlines.items():
                outlook = outlooks.get((sp.plan_id, name))
                if outlook is None:
                    continue
                running = live[sp.index].deadlines[name]
                if name in missed or (dl.status == OPEN and dl.started_at == running.started_at
                                      and dl.expires_at <= end):
                    outlook.missed += 1
                if name in decided and outlook.decided is not None:
                    outlook.decided.append(decided[name])
    rows = [o.row(runs, origin) for o in outlooks.values()]
    rows.sort(key=lambda r: (-r["p_miss"], r["due"], r["plan_id"], r["deadline"]))
    return rows


def _decided(sp: SimPlan, specs: Any, origin: datetime) -> dict[str, float]:
    """Per deadline: when an act that meets it happened (days after the origin)."""
    found: dict[str, float] = {}
    for event in sp.events:
        for spec in specs:
            if event.trigger not in spec.met_by:
                continue
            name = spec.name if spec.met_key is None else \
                f"{spec.name}:{event.payload.get(spec.met_key)}"
            if name not in found:
                found[name] = (parse_iso(event.at) - origin).total_seconds() / 86_400
    return found

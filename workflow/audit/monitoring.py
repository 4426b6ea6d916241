"""The A4 §4 monitoring figures: per month or quarter, per region, sector or provider size.

"Een bestuurlijke groep ... monitort ontwikkelingen ... uitgesplitst naar regio, sector, grote
en kleine zorgaanbieders" (A4 §4.a.1), at least monthly (§4.a.2); the BO IZA looks back every
quarter (§4.a.3). One computation serves the command line (`azwa monitor`) and any page.

Every figure comes from replaying each plan's stored events with the engine of its own
definition (workflow.audit.replay), one event at a time, and noting what changed: its state,
its escalation step, a deadline met or expired, a KPI confirmed or partly paid, the funds
agreed, paid and due back. Nothing here knows a rule of the process.

- plans per state and open escalations per step are counted at the end of each period (for
  the period that holds `as_of`, at `as_of`); every other figure counts what happened in it;
- a deadline's compliance counts the runs that ended in the period, met or expired (a
  cancelled one is left out): the share met on time, and the median of the days used, from
  the local day it started to the local day it was met or expired;
- an aim (a deadline of kind `aim`, `transformation@2`'s board meeting) that expires is a
  missed aim, never a breach; a KPI is missed when its deadline expires;
- funds agreed is the change in the total of the contract's KPI amounts, paid the change in
  what `confirm_kpi` and `pay_partially` released, refunded the change in the refund
  `settle` found due (negative when later costs lowered it).

Groups (`by`): the plan's `region`; its `sector` (`transformation@2`'s optional field); its
provider size: `large` when any party is large (a plan a large provider takes part in is not
a small providers' plan), `small` when every party is small, else `unknown`. A value a plan
does not give is `unknown`.
"""

from __future__ import annotations

import bisect
import itertools
import statistics
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import states
from workflow.audit.replay import PlanReplay
from workflow.core.events import Event
from workflow.core.money import to_eur
from workflow.core.plan import CANCELLED, MET, OPEN, Plan
from workflow.core.timecalc import local_date, parse_at
from workflow.store.protocol import Store

PERIODS = ("month", "quarter")
GROUPINGS = ("region", "sector", "size")
ALL, UNKNOWN = "all", "unknown"
AIM = "aim"
KPI_OUTCOMES = ("confirmed", "partly_paid", "missed")
FUNDS = ("agreed", "paid", "refunded")


@dataclass(frozen=True, slots=True)
class Period:
    """A calendar month or quarter in Europe/Amsterdam: from `start` up to `end` (exclusive)."""

    label: str
    start: date
    end: date

    @staticmethod
    def of(day: date, kind: str) -> Period:
        if kind == "month":
            first = day.replace(day=1)
            label = f"{day.year}-{day.month:02d}"
            months = 1
        else:
            quarter = (day.month - 1) // 3
            first = date(day.year, quarter * 3 + 1, 1)
            label = f"{day.year}-Q{quarter + 1}"
            months = 3
        month = first.month - 1 + months
        return Period(label, first, date(first.year + month // 12, month % 12 + 1, 1))


@dataclass(frozen=True, slots=True)
class Closing:
    """A deadline run that ended: met on time, or expired."""

    at: datetime
    deadline: str
    kind: str
    on_time: bool
    days_used: int


@dataclass(slots=True)
class Story:
    """What changed in one plan, and when, as its events replay."""

    plan_id: str
    attrs: dict[str, Any]
    states: list[tuple[datetime, str | None, str]] = field(default_factory=list)
    """(when, from, to); the first is the registration (from None)."""
    steps: list[tuple[datetime, str]] = field(default_factory=list)
    """(when, escalation step after the change)."""
    closings: list[Closing] = field(default_factory=list)
    kpis: list[tuple[datetime, str]] = field(default_factory=list)
    money: list[tuple[datetime, str, int]] = field(default_factory=list)
    """(when, one of FUNDS, change in whole cents)."""
    ladder_start: str = "none"


@dataclass(slots=True)
class DeadlineFigures:
    kind: str
    on_time: int = 0
    late: int = 0
    days: list[int] = field(default_factory=list)

    @property
    def closed(self) -> int:
        return self.on_time + self.late

    @property
    def share_on_time(self) -> float | None:
        return self.on_time / self.closed if self.closed else None

    @property
    def median_days_used(self) -> float | None:
        return float(statistics.median(self.days)) if self.days else None

    def to_dict(self, name: str) -> dict[str, Any]:
        return {"deadline": name, "kind": self.kind, "closed": self.closed,
                "on_time": self.on_time, "share_on_time": self.share_on_time,
                "median_days_used": self.median_days_used}


@dataclass(slots=True)
class Figures:
    """One group in one period."""

    plans: Counter[str] = field(default_factory=Counter)
    entered: Counter[str] = field(default_factory=Counter)
    left: Counter[str] = field(default_factory=Counter)
    deadlines: dict[str, DeadlineFigures] = field(default_factory=dict)
    breaches: int = 0
    missed_aims: int = 0
    escalations: Counter[str] = field(default_factory=Counter)
    kpis: Counter[str] = field(default_factory=Counter)
    funds_cents: Counter[str] = field(default_factory=Counter)

    def close(self, c: Closing) -> None:
        found = self.deadlines.setdefault(c.deadline, DeadlineFigures(c.kind))
        if c.on_time:
            found.on_time += 1
        else:
            found.late += 1
            if c.kind == AIM:
                self.missed_aims += 1
            else:
                self.breaches += 1
            if c.deadline == "kpi":
                self.kpis["missed"] += 1
        found.days.append(c.days_used)

    def to_dict(self) -> dict[str, Any]:
        return {
            "plans": dict(sorted(self.plans.items())),
            "entered": dict(sorted(self.entered.items())),
            "left": dict(sorted(self.left.items())),
            "deadlines": [d.to_dict(n) for n, d in sorted(self.deadlines.items())],
            "breaches": self.breaches,
            "missed_aims": self.missed_aims,
            "escalations": dict(sorted(self.escalations.items())),
            "kpis": {k: self.kpis[k] for k in KPI_OUTCOMES},
            "funds": {f"{k}_eur": to_eur(self.funds_cents[k]) for k in FUNDS},
        }


@dataclass(slots=True)
class Monitoring:
    """The figures of every period from the first registration up to `as_of`, per group."""

    as_of: datetime
    period: str
    by: str | None
    periods: list[Period]
    groups: list[str]
    figures: dict[tuple[int, str], Figures]

    def cell(self, index: int, group: str) -> Figures:
        return self.figures.get((index, group)) or Figures()

    def groups_in(self, index: int) -> list[str]:
        """The groups with a plan registered by the end of the period."""
        return [g for g in self.groups if (index, g) in self.figures]

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "period": self.period,
            "by": self.by,
            "periods": [
                {"period": p.label, "from": p.start.isoformat(),
                 "until": p.end.isoformat(),
                 "groups": [{"group": g, **self.cell(i, g).to_dict()}
                            for g in self.groups_in(i)]}
                for i, p in enumerate(self.periods)
            ],
        }


def provider_size(attrs: dict[str, Any]) -> str:
    """`large` if any party is large, `small` if every party is small, else `unknown`."""
    parties = attrs.get("parties")
    sizes = [p.get("provider_size") for p in parties if isinstance(p, dict)] \
        if isinstance(parties, list) else []
    if "large" in sizes:
        return "large"
    if sizes and all(s == "small" for s in sizes):
        return "small"
    return UNKNOWN


def group_of(attrs: dict[str, Any], by: str | None) -> str:
    """The group a plan falls in (`all` without a grouping)."""
    if by is None:
        return ALL
    if by == "size":
        return provider_size(attrs)
    value = attrs.get(by)
    return " ".join(value.split()) if isinstance(value, str) and value.strip() else UNKNOWN


def _kind(plan: Plan, name: str) -> str:
    """`aim` for a deadline its definition calls an aim, or that the plan records among its
    missed aims (`transformation@2`); else `deadline`."""
    spec = states.get(plan.definition).deadline(name)
    missed = getattr(plan, "missed_aims", None) or ()
    return AIM if getattr(spec, "kind", None) == AIM or name in missed else "deadline"


@dataclass(frozen=True, slots=True)
class _Seen:
    state: str
    escalation: str
    deadlines: dict[tuple[str, str], str]
    kpis: dict[str, str]
    cents: dict[str, int]


def _seen(plan: Plan | None) -> _Seen | None:
    if plan is None:
        return None
    kpis: dict[str, dict[str, Any]] = plan.facts.get("kpis") or {}
    return _Seen(
        plan.state, plan.escalation,
        {(d.name, d.started_at): d.status for d in plan.deadlines.values()},
        {k: str(v.get("status")) for k, v in kpis.items()},
        {"agreed": sum(int(v.get("amount_cents", 0)) for v in kpis.values()),
         "paid": plan.funds.get("paid_cents", 0), "refunded": plan.funds.get("refund_cents", 0)})


def story(events: Iterable[Event], until: datetime) -> Story | None:
    """Replay one plan's events up to `until`; None when none of them registers it by then."""
    replay: PlanReplay | None = None
    found: Story | None = None
    for event in events:
        at = parse_at(event.at)
        if at > until:
            break
        replay = replay or PlanReplay(event.plan_id)
        before = _seen(replay.plan)
        replay.step(event.to_dict(), at)
        plan = replay.plan
        if plan is None:
            continue
        if found is None:
            found = Story(plan.plan_id, plan.attrs,
                          ladder_start=states.get(plan.definition).region.initial)
        _note(found, before, plan, at)
    return found


def _note(s: Story, before: _Seen | None, plan: Plan, at: datetime) -> None:
    after = _seen(plan)
    assert after is not None
    if before is None or before.state != after.state:
        s.states.append((at, before.state if before else None, after.state))
    if before is not None and before.escalation != after.escalation:
        s.steps.append((at, after.escalation))
    was = before.deadlines if before else {}
    for d in plan.deadlines.values():
        # ended in this event: open before (or started and ended in it), now met or passed
        # unmet (`expired`, or however a later definition names a missed aim); not cancelled
        if was.get((d.name, d.started_at), OPEN) == OPEN and d.status not in (OPEN, CANCELLED):
            closed = parse_at(d.closed_at) if d.closed_at else at
            s.closings.append(Closing(
                closed, d.name.split(":", 1)[0], _kind(plan, d.name), d.status == MET,
                (local_date(closed) - local_date(parse_at(d.started_at))).days))
    old_kpis = before.kpis if before else {}
    for kpi, status in after.kpis.items():
        if old_kpis.get(kpi) != status and status in ("confirmed", "partial"):
            s.kpis.append((at, "confirmed" if status == "confirmed" else "partly_paid"))
    for name in FUNDS:
        change = after.cents[name] - (before.cents[name] if before else 0)
        if change:
            s.money.append((at, name, change))


def stories(events: Iterable[Event], until: datetime) -> Iterator[Story]:
    """One Story per plan of a stream of events ordered plan by plan."""
    for _plan_id, plan_events in itertools.groupby(events, key=lambda e: e.plan_id):
        found = story(plan_events, until)
        if found is not None:
            yield found


def monitor(found: Iterable[Story], *, as_of: datetime, period: str = "month",
            by: str | None = None) -> Monitoring:
    """The figures per period and group; no plan gives no period (an empty report)."""
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}, not {period!r}")
    if by is not None and by not in GROUPINGS:
        raise ValueError(f"by must be one of {', '.join(GROUPINGS)}, not {by!r}")
    plans = [s for s in found if s.states]
    result = Monitoring(as_of, period, by, [], [], {})
    if not plans:
        return result
    first = min(local_date(s.states[0][0]) for s in plans)
    last = Period.of(local_date(as_of), period)
    periods = [Period.of(first, period)]
    while periods[-1].end <= last.start:
        periods.append(Period.of(periods[-1].end, period))
    starts = [p.start for p in periods]

    def index(at: datetime) -> int:
        return bisect.bisect_right(starts, local_date(at)) - 1

    groups: set[str] = set()
    for s in plans:
        group = group_of(s.attrs, by)
        groups.add(group)

        def cell(i: int, group: str = group) -> Figures:
            return result.figures.setdefault((i, group), Figures())

        for at, was, now in s.states:
            cell(index(at)).entered[now] += 1
            if was is not None:
                cell(index(at)).left[was] += 1
        for c in s.closings:
            cell(index(c.at)).close(c)
        for at, outcome in s.kpis:
            cell(index(at)).kpis[outcome] += 1
        for at, name, cents in s.money:
            cell(index(at)).funds_cents[name] += cents
        _stocks(s, index(s.states[0][0]), len(periods), index, cell)
    result.periods = periods
    result.groups = sorted(groups, key=lambda g: (g == UNKNOWN, g.casefold(), g))
    return result


def _stocks(s: Story, first: int, count: int, index: Any, cell: Any) -> None:
    """The plan's state and open escalation step at the end of each period from its first."""
    state_at = [index(at) for at, _, _ in s.states]
    step_at = [index(at) for at, _ in s.steps]
    for i in range(first, count):
        state = s.states[bisect.bisect_right(state_at, i) - 1][2]
        cell(i).plans[state] += 1
        n = bisect.bisect_right(step_at, i)
        step = s.steps[n - 1][1] if n else s.ladder_start
        if step != s.ladder_start:
            cell(i).escalations[step] += 1


def from_store(store: Store, *, as_of: datetime, period: str = "month",
               by: str | None = None) -> Monitoring:
    """The figures of every plan a store holds, as of `as_of`."""
    return monitor(stories(store.iter_events(), as_of), as_of=as_of, period=period, by=by)

"""Calibration: a scenario fitted to recorded plans (the database, an exported log).

Each plan's log is run through the engine again; after every event the steps the plan then
waits for are judged as the simulation judges them (workflow.simulate.owed), so a delay is
measured from the moment its step became ready to the event that took it, exactly the delay
the simulation draws. Per trigger and role the delays are fitted (exponential, lognormal, or
fixed when all are equal; empirical below three), the fit judged by the Kolmogorov–Smirnov
statistic; branch probabilities are counted at their decision points, with Wilson
intervals. Delays are in calendar days and include any wait for an assessor.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from workflow.core.engine import Command, ProcessEngine
from workflow.core.errors import Refused
from workflow.core.plan import EXPIRED, Plan
from workflow.core.spec import DEADLINE_EXPIRED, REGISTER, Actor
from workflow.core.timecalc import local_date, parse_iso
from workflow.simulate.behaviour import KPI_TIMED, rejections_and_others
from workflow.simulate.delays import Delay
from workflow.simulate.model import ladder_of
from workflow.simulate.owed import Key, Owed
from workflow.simulate.runner import engine_for
from workflow.simulate.summary import wilson

DAY = 86_400.0
Z = {0.95: 1.96, 0.99: 2.576, 0.999: 3.291}


@dataclass(slots=True)
class DelayFit:
    key: str
    values: list[float]
    delay: Delay
    ks: float
    p_value: float
    mean_ci: tuple[float, float]

    def report(self) -> dict[str, Any]:
        return {"n": len(self.values), "kind": self.delay.kind, **self.delay.to_toml(),
                "mean": round(sum(self.values) / len(self.values), 4),
                "mean_ci": [round(x, 4) for x in self.mean_ci], "ks": round(self.ks, 4),
                "ks_p": round(self.p_value, 4)}


@dataclass(slots=True)
class Count:
    hits: int = 0
    n: int = 0

    def see(self, hit: bool) -> None:
        self.n += 1
        self.hits += hit

    def report(self, level: float) -> dict[str, Any]:
        low, high = wilson(self.hits, self.n, Z[level])
        return {"p": round(self.hits / self.n, 4) if self.n else None, "hits": self.hits,
                "n": self.n, "ci": [round(low, 4), round(high, 4)]}


@dataclass(slots=True)
class Fit:
    level: float = 0.95
    plans: int = 0
    refused: int = 0
    definition: str = "transformation@1"
    first: date | None = None
    last: date | None = None
    samples: dict[str, list[float]] = field(default_factory=dict)
    censored: dict[str, float] = field(default_factory=dict)
    """Per delay: the time steps waited that were never taken (another party took them, or
    the plan moved on): an exponential's mean counts it (right-censored observations)."""
    delays: dict[str, DelayFit] = field(default_factory=dict)
    branches: dict[str, Count] = field(default_factory=dict)
    steps: list[Count] = field(default_factory=lambda: [Count(), Count(), Count()])
    insurers: dict[str, int] = field(default_factory=dict)
    municipalities: dict[str, int] = field(default_factory=dict)

    def branch(self, name: str) -> Count:
        return self.branches.setdefault(name, Count())

    @property
    def per_month(self) -> float:
        if self.first is None or self.last is None or self.plans < 2:
            return float(self.plans)
        months = max((self.last - self.first).days / (365.25 / 12), 1.0)  # a month at least
        return self.plans / months

    def report(self) -> dict[str, Any]:
        return {
            "plans": self.plans, "refused_plans": self.refused, "level": self.level,
            "arrivals_per_month": round(self.per_month, 3),
            "delays": {k: f.report() for k, f in sorted(self.delays.items())},
            "branches": {k: c.report(self.level) for k, c in sorted(self.branches.items())},
            "escalation_steps": [c.report(self.level) for c in self.steps],
        }


class _Walk:
    """One plan's log run through the engine, measuring as it goes."""

    def __init__(self, fit: Fit, owed: Owed, engine: ProcessEngine) -> None:
        self.fit, self.owed, self.engine = fit, owed, engine
        self.since: dict[Key, tuple[float, str, str]] = {}
        self.done: set[Key] = set()
        self.where = ("", "")
        self.esc_since: float | None = None
        self.was_open = False
        self.open_in = engine.definition.region.open_in
        self.ladder = ladder_of(engine.definition)

    def run(self, plan: Plan, events: list[Mapping[str, Any]], origin: datetime) -> None:
        for event in events[1:]:
            trigger = str(event["trigger"])
            at = parse_iso(str(event["at"]))
            t = (at - origin).total_seconds() / DAY
            if trigger == DEADLINE_EXPIRED:
                self.engine.expire(plan, at, [str((event.get("payload") or {}).get("deadline"))])
                continue
            actor = Actor.from_dict(event["actor"])
            payload = dict(event.get("payload") or {})
            self.observe(plan, trigger, actor, payload, t, at)
            self.engine.apply(plan, Command(trigger, actor, payload, at, str(event["at"])))
            key = self._settled(trigger, actor, payload)
            self.update(plan, at, t, escalated=trigger == "escalate", settled=key)
        for name, dl in plan.deadlines.items():
            if name.startswith("kpi:") and dl.status in (EXPIRED, "met"):
                self.fit.branch("kpi_missed").see(dl.status == EXPIRED)

    def _settled(self, trigger: str, actor: Actor, payload: dict[str, Any]) -> Key | None:
        for duty in self.owed.settles(trigger):
            item = payload.get(duty.item_key) if duty.item_key else None
            key = (duty.trigger, actor.org, actor.role, item)
            if key in self.since:
                return key
        return None

    def update(self, plan: Plan, at: datetime, t: float, escalated: bool = False,
               settled: Key | None = None) -> None:
        if self.where != (plan.state, plan.escalation):
            self.where = (plan.state, plan.escalation)
            self.done.clear()
        if settled is not None:
            self.since.pop(settled, None)
            self.done.add(settled)
        for key, (t0, state, esc) in list(self.since.items()):
            duty = self.owed.duties[key[0]]
            if key[0] in self.owed.region_triggers:
                moved = esc != plan.escalation or plan.state not in self.open_in
            else:
                moved = state != plan.state
            if moved or not self.owed.owed_now(
                    plan, duty, Actor(key[2], key[1], None), key[3]) or key in self.done:
                del self.since[key]
                if key not in self.done and not duty.instead and key[0] not in KPI_TIMED:
                    name = f"{key[0]}:{key[2]}"
                    self.fit.censored[name] = self.fit.censored.get(name, 0.0) + t - t0
        for ready in self.owed.ready(plan, at, self.since.keys() | self.done):
            self.since[ready.key] = (t, plan.state, plan.escalation)
        is_open = plan.state in self.engine.definition.region.open_in
        if is_open and (not self.was_open or escalated):
            self.esc_since = t
        if is_open and not self.was_open:
            self.was_open = True
            self.fit.branch("escalation").n += 1

    def observe(self, plan: Plan, trigger: str, actor: Actor, payload: dict[str, Any],
                t: float, at: datetime) -> None:
        fit, state = self.fit, plan.state
        key = self._settled(trigger, actor, payload)
        ladder = trigger in ("escalate", "resolve_escalation")  # timed as the ladder's
        if key is not None and key[0] not in KPI_TIMED and not ladder:
            fit.samples.setdefault(f"{trigger}:{actor.role}", []).append(t - self.since[key][0])
        if ladder and self.esc_since is not None:
            fit.samples.setdefault(f"{trigger}:{actor.role}", []).append(t - self.esc_since)
            step = self.ladder.get(plan.escalation, 0)
            if step == 0 and trigger == "escalate":
                fit.branch("escalation").hits += 1
            elif 1 <= step <= len(fit.steps):
                fit.steps[step - 1].see(trigger == "escalate")
            self.esc_since = None
        if state == "quick_test_submitted" and trigger in ("accept_quick_test_as_complete",
                                                           "request_information"):
            fit.branch("quick_test_incomplete").see(trigger == "request_information")
        elif state == "quick_test_under_review" and trigger in ("approve_quick_test",
                                                                "reject_quick_test"):
            fit.branch("quick_test_rejected").see(trigger == "reject_quick_test")
        elif state == "plan_submitted" and trigger in ("accept_plan_as_complete",
                                                       "request_information"):
            fit.branch("plan_incomplete").see(trigger == "request_information")
        elif trigger in ("approve_plan", "reject_plan", "request_revision"):
            reviews = plan.facts.get("reviews", {}).values()
            if not any(r.get("verdict") == "negative" for r in reviews):
                fit.branch("plan_rejected").see(trigger == "reject_plan")
                fit.branch("revision").see(trigger == "request_revision")
            elif trigger != "approve_plan":
                self._blocked(plan, trigger, at)
        elif trigger == "submit_review":
            fit.branch("negative_verdict").see(payload.get("verdict") == "negative")
        elif trigger in ("decide_go", "decide_no_go"):
            fit.branch("no_go").see(trigger == "decide_no_go")
        elif trigger == "sign_contract":
            kpis = payload.get("kpis") or [{}]
            fit.branch("go_no_go").see(bool(kpis[-1].get("go_no_go")))

    def _blocked(self, plan: Plan, trigger: str, at: datetime) -> None:
        """A decision taken in place of one the definition refuses (a standing negative
        verdict blocks approval under transformation@2): a rejection or a revision, counted
        where the simulation draws between them (`behaviour.decide_instead`)."""
        for refused in self.owed.instead(plan, at):
            if trigger in refused.options:
                rejections, others = rejections_and_others(refused.options)
                if rejections and others:
                    self.fit.branch("blocked_rejected").see(trigger in rejections)
                return


def calibrate(events: Iterable[Mapping[str, Any]], level: float = 0.95) -> Fit:
    """Fit a scenario to the plans of an event stream (plans may interleave)."""
    plans: dict[str, list[Mapping[str, Any]]] = {}
    for event in events:
        plans.setdefault(str(event["plan_id"]), []).append(event)
    fit = Fit(level=level)
    starts = [parse_iso(str(evs[0]["at"])) for evs in plans.values()
              if evs and evs[0]["trigger"] == REGISTER]
    if not starts:
        return fit
    origin = min(starts)
    for plan_events in plans.values():
        plan_events.sort(key=lambda e: int(e["seq"]))
        first = plan_events[0]
        if first["trigger"] != REGISTER:
            fit.refused += 1
            continue
        ref = str(first.get("definition") or fit.definition)
        engine = engine_for(ref)
        fit.definition = ref
        at = parse_iso(str(first["at"]))
        payload = dict(first.get("payload") or {})
        try:
            plan = engine.register(str(first["plan_id"]), Actor.from_dict(first["actor"]),
                                   payload, at, str(first["at"])).plan
            walk = _Walk(fit, Owed(engine), engine)
            fit.branch("social_domain").see(bool(payload.get("social_domain")))
            walk.update(plan, at, (at - origin).total_seconds() / DAY)
            walk.run(plan, plan_events, origin)
        except (Refused, KeyError, ValueError, TypeError):
            fit.refused += 1
            continue
        fit.plans += 1
        day = local_date(at)
        fit.first = day if fit.first is None else min(fit.first, day)
        fit.last = day if fit.last is None else max(fit.last, day)
        for name in (payload.get("coordinating_insurer"), payload.get("second_insurer")):
            if isinstance(name, str):
                fit.insurers[name] = 2
        for muni in payload.get("municipalities") or []:
            fit.municipalities[str(muni.get("org"))] = 1
    for key, values in fit.samples.items():
        fit.delays[key] = fit_delay(key, values, level, fit.censored.get(key, 0.0))
    return fit


def fit_delay(key: str, values: list[float], level: float = 0.95,
              censored: float = 0.0) -> DelayFit:
    """The better of exponential and lognormal by the KS statistic; fixed when all values
    are equal; empirical below three values. `censored`: time waited by steps never taken,
    which an exponential's mean includes (its maximum-likelihood estimate)."""
    import numpy as np
    from scipy import stats

    xs = sorted(max(v, 0.0) for v in values)
    n, mean = len(xs), sum(xs) / len(xs)
    if xs[0] == xs[-1]:
        return DelayFit(key, xs, Delay("fixed", (xs[0],)), 0.0, 1.0, (xs[0], xs[0]))
    if n < 3:
        return DelayFit(key, xs, Delay("empirical", (), tuple(xs)), 0.0, 1.0, (xs[0], xs[-1]))
    candidates = [Delay("exponential", ((sum(xs) + censored) / n,))]
    if xs[0] > 0 and not censored:  # only the exponential's fit here counts censored time
        logs = np.log(xs)
        candidates.append(Delay("lognormal", (float(logs.mean()), float(logs.std(ddof=1)))))
    best: tuple[float, Delay] | None = None
    for delay in candidates:
        cdf = np.array([delay.cdf(x) for x in xs])
        i = np.arange(1, n + 1)
        d = float(max((i / n - cdf).max(), (cdf - (i - 1) / n).max()))
        if best is None or d < best[0]:
            best = (d, delay)
    assert best is not None
    d, delay = best
    p = float(stats.kstwo.sf(d, n))
    alpha = 1 - level
    if delay.kind == "exponential":
        mean = delay.params[0]
        low = 2 * n * mean / stats.chi2.ppf(1 - alpha / 2, 2 * n)
        high = 2 * n * mean / stats.chi2.ppf(alpha / 2, 2 * n)
    else:
        half = float(stats.t.ppf(1 - alpha / 2, n - 1)) * float(np.std(xs, ddof=1)) / math.sqrt(n)
        low, high = mean - half, mean + half
    return DelayFit(key, xs, delay, d, p, (float(low), float(high)))


def to_toml(fit: Fit) -> str:
    """The fitted scenario as TOML a planner can edit."""
    lines = [
        "# Calibrated by `azwa simulate calibrate` from "
        f"{fit.plans} recorded plan(s); edit freely.",
        "# Delays are calendar days and include waits for an assessor, so `assessed` is",
        "# empty; set it (and the assessors below) to model capacity explicitly.",
        f'definition = "{fit.definition}"',
    ]
    if fit.first is not None:
        lines.append(f'start = "{fit.first.isoformat()}"')
    lines += ["assessed = []", "", "[arrivals]", f"per_month = {fit.per_month:.4f}", "",
              "[branches]"]
    for name, count in sorted(fit.branches.items()):
        if count.n:
            lines.append(f"{name} = {count.hits / count.n:.4f}  # {count.hits} of {count.n}")
    if len(fit.insurers) >= 2:
        lines += ["", "[insurers]  # assessors each: not in the log; set them"]
        lines += [f"{_quoted(k)} = {v}" for k, v in sorted(fit.insurers.items())]
    if fit.municipalities:
        lines += ["", "[municipalities]"]
        lines += [f"{_quoted(k)} = {v}" for k, v in sorted(fit.municipalities.items())]
    for key, found in sorted(fit.delays.items()):
        lines += ["", f"[delays.{_quoted(key)}]  # n={len(found.values)}, KS {found.ks:.3f}"]
        for name, value in found.delay.to_toml().items():
            lines.append(f"{name} = {_value(value)}")
    return "\n".join(lines) + "\n"


def _quoted(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _value(value: Any) -> str:
    if isinstance(value, str):
        return _quoted(value)
    if isinstance(value, list):
        return "[" + ", ".join(repr(round(v, 6)) for v in value) + "]"
    return repr(round(float(value), 6))


def report_lines(fit: Fit) -> list[str]:
    """The fit as a planner reads it: per delay its size, kind and KS figure."""
    lines = [f"{fit.plans} plan(s) read ({fit.refused} not usable); "
             f"{fit.per_month:.2f} arrivals a month",
             f"{'delay (trigger:role)':<48} {'n':>5} {'kind':<12} {'mean':>8} {'KS':>6} {'p':>6}"]
    for key, found in sorted(fit.delays.items()):
        mean = sum(found.values) / len(found.values)
        lines.append(f"{key:<48} {len(found.values):>5} {found.delay.kind:<12} {mean:>8.2f} "
                     f"{found.ks:>6.3f} {found.p_value:>6.3f}")
    lines.append(f"{'branch':<48} {'n':>5} {'p':>8}  interval")
    for name, count in sorted(fit.branches.items()):
        r = count.report(fit.level)
        if count.n:
            lines.append(f"{name:<48} {count.n:>5} {r['p']:>8.3f}  {r['ci'][0]:.3f}–"
                         f"{r['ci'][1]:.3f}")
    return lines

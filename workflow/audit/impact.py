"""What a rule change does to stored plans: each history replayed under another version.

Every plan's events are replayed twice through the same `PlanReplay` the auditors use: once
as recorded, once with every command judged by the other definition (deadlines recomputed by
it, so the log's own `deadline_expired` events are left to the new rules). Per plan it lists
where the outcomes part: a command the other version refuses (rule and seed), a deadline
breached now or no longer, another state, escalation step, missed aim, funds or deadline
(status or due day): the comparison `plan migrate` applies (workflow/core/migration.py).

Nothing is written: this is an audit, and the same comparison decides a migration.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby
from typing import Any

import states
from workflow.audit.replay import PlanReplay
from workflow.core.errors import Reason
from workflow.core.events import DEFINITION_MIGRATED, Event
from workflow.core.migration import differences
from workflow.core.spec import DEADLINE_EXPIRED
from workflow.core.timecalc import parse_iso

_COMPARED_APART = ("breaches",)
"""Listed one by one (breached now, no longer breached) rather than as a changed value."""


@dataclass(frozen=True, slots=True)
class Refusal:
    """A recorded command the other version refuses."""

    seq: int
    trigger: str
    rule: str
    seed: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "trigger": self.trigger, "rule": self.rule, "seed": self.seed,
                "reason": self.reason}


@dataclass(slots=True)
class PlanImpact:
    plan_id: str
    definition: str | None
    target: str
    refused: list[Refusal] = field(default_factory=list)
    """The first command the target refuses (later refusals follow from it: counted)."""
    refused_after: int = 0
    breached_now: list[str] = field(default_factory=list)
    no_longer_breached: list[str] = field(default_factory=list)
    changed: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    """Other outcome fields (state, escalation, funds, ...) as (recorded, under target)."""

    @property
    def affected(self) -> bool:
        return bool(self.refused or self.breached_now or self.no_longer_breached
                    or self.changed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "definition": self.definition, "as": self.target,
            "refused": [r.to_dict() for r in self.refused],
            "refused_after": self.refused_after,
            "breached_now": list(self.breached_now),
            "no_longer_breached": list(self.no_longer_breached),
            "changed": {k: {"recorded": a, "as": b} for k, (a, b) in self.changed.items()},
        }

    def first_divergence(self) -> str:
        """One line naming where the histories part first (a migration's refusal)."""
        if self.refused:
            r = self.refused[0]
            return f"seq {r.seq} {r.trigger} would be refused: {r.reason} ({r.rule}, {r.seed})"
        if self.breached_now:
            return f"deadline {self.breached_now[0]} would be breached"
        if self.no_longer_breached:
            return f"deadline {self.no_longer_breached[0]} would no longer be breached"
        key, (a, b) = next(iter(self.changed.items()))
        return f"{key} would be {b!r} instead of {a!r}"


@dataclass(slots=True)
class Impact:
    target: str
    plans: dict[str, PlanImpact] = field(default_factory=dict)

    @property
    def affected(self) -> dict[str, PlanImpact]:
        return {p: i for p, i in self.plans.items() if i.affected}

    @property
    def exit_code(self) -> int:
        return 1 if self.affected else 0

    def to_dict(self) -> dict[str, Any]:
        return {"as": self.target, "plans_checked": len(self.plans),
                "plans_affected": len(self.affected),
                "plans": {p: i.to_dict() for p, i in sorted(self.affected.items())}}


def _as_dict(item: Event | Mapping[str, Any]) -> Mapping[str, Any]:
    return item.to_dict() if isinstance(item, Event) else item


def by_plan(events: Iterable[Event | Mapping[str, Any]], *, grouped: bool = False
            ) -> Iterator[list[Mapping[str, Any]]]:
    """The events grouped per plan, in order of first event. A log may interleave plans, so
    it is read whole first; a store gives them plan by plan (`grouped`), one plan in memory
    at a time."""
    if grouped:
        for _plan_id, items in groupby(map(_as_dict, events), key=lambda e: e["plan_id"]):
            yield list(items)
        return
    plans: dict[str, list[Mapping[str, Any]]] = {}
    for item in events:
        event = _as_dict(item)
        plans.setdefault(str(event["plan_id"]), []).append(event)
    yield from plans.values()


def _last_at(history: list[Mapping[str, Any]]) -> datetime | None:
    return parse_iso(str(history[-1]["at"])) if history else None


def recorded(history: list[Mapping[str, Any]]) -> PlanReplay:
    """The plan as its log says, under the version(s) it ran under."""
    replay = PlanReplay(str(history[0]["plan_id"]))
    for event in history:
        replay.step(event)
    replay.finish(_last_at(history))
    return replay


def _under(event: Mapping[str, Any], ref: str) -> dict[str, Any]:
    data = {k: v for k, v in event.items() if k not in ("hash", "prev_hash")}
    data["definition"] = ref
    return data


def under(history: list[Mapping[str, Any]], target: str) -> tuple[PlanReplay, dict[int, int]]:
    """The same commands judged by `target`: its own deadlines (the log's expiries left
    out), seq renumbered; returns the replay and each new seq's recorded seq."""
    replay = PlanReplay(str(history[0]["plan_id"]))
    seqs: dict[int, int] = {}
    for event in history:
        if event["trigger"] in (DEADLINE_EXPIRED, DEFINITION_MIGRATED):
            continue
        data = _under(event, target)
        data["seq"] = len(seqs) + 1
        seqs[data["seq"]] = int(event["seq"])
        replay.step(data)
    replay.finish(_last_at(history))
    return replay, seqs


def _plain(value: Any) -> Any:
    """A result value with empty parts dropped (a field one version adds, at zero or empty,
    is no difference)."""
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if v not in (0, None, [], {})}
    return [] if value is None else value


def compare(history: list[Mapping[str, Any]], target: str) -> PlanImpact:
    """Where this plan's history parts under `target` from its recorded outcome."""
    states.get(target)
    before = recorded(history)
    after, seqs = under(history, target)
    impact = PlanImpact(before.plan_id, before.definition, target)
    known = {(v.seq, v.rule) for v in before.violations}
    for v in after.violations:
        seq = seqs.get(v.seq, v.seq)
        if (seq, v.rule) in known:
            continue
        if impact.refused:
            impact.refused_after += 1
        else:
            said = v.reason if v.refusal is None else Reason(v.reason, v.refusal)
            impact.refused.append(Refusal(seq, v.trigger, v.rule, v.seed, said))
    a, b = before.result(), after.result()
    was, now = list(a["breaches"]), list(b["breaches"])
    impact.breached_now = [n for n in now if n not in was]
    impact.no_longer_breached = [n for n in was if n not in now]
    for key, pair in sorted(differences(before.plan, after.plan).items()):
        if key not in _COMPARED_APART:
            impact.changed[key] = (_plain(a[key]), _plain(b[key])) if key == "funds" else pair
    return impact


def impact(events: Iterable[Event | Mapping[str, Any]], target: str, *,
           grouped: bool = False) -> Impact:
    """Every plan of a log or a store (`grouped`: its events come plan by plan), compared
    under `target`."""
    states.get(target)
    result = Impact(target)
    for history in by_plan(events, grouped=grouped):
        found = compare(history, target)
        result.plans[found.plan_id] = found
    return result

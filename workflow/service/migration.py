"""Moving a live plan to another version of its definition, only when its whole history
replays clean under that version: every recorded command accepted, and the same state,
escalation step, breaches and funds as recorded. The replay is the engine's own (the
target's `ProcessEngine`), so no rule is restated here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from workflow.core.engine import Command, ProcessEngine
from workflow.core.errors import AZWA, Refused
from workflow.core.events import DEFINITION_MIGRATED, Event
from workflow.core.migration import differences
from workflow.core.plan import Plan
from workflow.core.spec import DEADLINE_EXPIRED, REGISTER, Actor
from workflow.core.text import normal_name
from workflow.core.timecalc import parse_iso

MIGRATOR = "coordinating_insurer"
"""Who moves a plan to another version (azwa's own rule: the seeds know no versions): the
coordinating insurer, who leads the plan's process with the plan makers (A4 §1.2)."""


@dataclass(frozen=True, slots=True)
class Divergence:
    """Where the history parts under the target: the first refused command, or an outcome."""

    seq: int
    what: str

    def __str__(self) -> str:
        return f"seq {self.seq}: {self.what}" if self.seq else self.what


def migrator(plan: Plan, actor: Actor | None) -> Actor:
    """The actor the `definition_migrated` event records: the plan's coordinating insurer,
    by default; any other organisation or role is refused."""
    insurer = str(plan.attrs.get("coordinating_insurer") or "")
    if actor is None:
        return Actor(MIGRATOR, insurer)
    if actor.role != MIGRATOR or normal_name(actor.org or "") != normal_name(insurer):
        raise Refused("migrated_by_the_coordinating_insurer", AZWA,
                      f"Only plan {plan.plan_id}'s coordinating insurer ({insurer}) moves it to "
                      f"another version, not {actor.org or 'an actor without org'} as "
                      f"{actor.role}", plan_id=plan.plan_id, trigger=DEFINITION_MIGRATED)
    return actor


def first_divergence(plan: Plan, history: Sequence[Event], target: ProcessEngine
                     ) -> Divergence | Plan:
    """The plan as `target` derives it from `history` when every command is accepted and
    the outcome equals the stored plan's; else the first difference."""
    replayed: Plan | None = None
    for event in history:
        if event.trigger in (DEADLINE_EXPIRED, DEFINITION_MIGRATED):
            continue
        at, actor = parse_iso(event.at), Actor.from_dict(event.actor)
        try:
            if event.trigger == REGISTER:
                replayed = target.register(plan.plan_id, actor, dict(event.payload), at,
                                           event.at).plan
            elif replayed is not None:
                target.apply(replayed, Command(event.trigger, actor, dict(event.payload), at,
                                               event.at))
        except Refused as refusal:
            return Divergence(event.seq, f"{event.trigger} would be refused: {refusal.reason}")
    if replayed is None:
        return Divergence(0, "the plan has no register_plan event")
    if plan.last_at is not None:
        target.expire(replayed, plan.last_at)
    for name, (a, b) in differences(plan, replayed).items():
        return Divergence(0, f"{name} would be {b!r} instead of {a!r}")
    return replayed

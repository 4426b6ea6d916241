"""Per organisation of a plan: what the process waits for from it (to-dos) and what it may
also do. Pure: a plan, its definition's engine and a moment in, the lists out.

A to-do is a trigger the organisation may fire now (the rules would accept it, given the
payload it needs) that the definition's agenda says the process waits for from it. The rest
of what it may fire is "may also". An organisation without to-dos is told why.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from workflow.core.engine import Command, Permission, ProcessEngine
from workflow.core.errors import Refused
from workflow.core.phrase import Phrase
from workflow.core.plan import EXPIRED, Deadline, Plan
from workflow.core.spec import Actor, Agenda, Definition, Duty
from workflow.core.timecalc import format_at

NO_AGENDA = Agenda(duties=(), optional=frozenset())
RULE = re.compile(r"\[rule (\w+),")
IDLE_REASONS: dict[str, str] = {
    "final_state": "the plan is {state}: a final state, nothing is awaited any more",
    "before_last_event": "{at} lies before the plan's last event ({last}): ask about a later "
                         "moment",
    "waiting_for": "waiting for {others}",
    "waiting_until": "waiting until {what}",
    "nothing_awaited": "the process awaits nothing from this organisation now",
}
"""Why an organisation has nothing to do, by code (`idle_code`); the values (`idle_params`)
fill the English template here and the reader's language at the edge."""
WAITING_FOR = "{org} ({role}): {triggers}"
"""One organisation another waits for, in `waiting_for`'s `others`."""


@dataclass(frozen=True, slots=True)
class Todo:
    """One act the process waits for from one organisation on one plan."""

    plan_id: str
    org: str
    role: str
    trigger: str
    says: str
    payload: dict[str, Any] = field(default_factory=dict)
    """What identifies the item, e.g. `{"kpi": "k2"}`; the rest of the payload is `needs`."""
    deadline: str | None = None
    due: date | None = None
    overdue: bool = False
    instead: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "plan_id": self.plan_id, "org": self.org, "role": self.role,
            "trigger": self.trigger, "says": self.says, "payload": dict(self.payload),
            "deadline": self.deadline, "due": self.due.isoformat() if self.due else None,
            "overdue": self.overdue, "instead": list(self.instead), "needs": list(self.needs),
        }


@dataclass(frozen=True, slots=True)
class Worklist:
    """One organisation in one role on one plan: its to-dos, what it may also do, and when
    it has no to-do, why not."""

    plan_id: str
    actor: Actor
    todos: tuple[Todo, ...]
    may: tuple[str, ...]
    idle_code: str | None = None
    """Why there is no to-do, a key of IDLE_REASONS; None when there are to-dos."""
    idle_params: dict[str, Any] = field(default_factory=dict)

    @property
    def idle(self) -> str | None:
        """Why there is no to-do, in English."""
        return None if self.idle_code is None else idle_reason(self.idle_code, self.idle_params)

    def to_dict(self) -> dict[str, Any]:
        return {
            "org": self.actor.org, "role": self.actor.role,
            "todos": [t.to_dict() for t in self.todos], "may_also": list(self.may),
            "idle": self.idle, "idle_code": self.idle_code, "idle_params": self.idle_params,
        }


def idle_reason(code: str, params: dict[str, Any]) -> str:
    """The English of an idle reason (its template in IDLE_REASONS, its values filled)."""
    values = dict(params)
    if code == "waiting_for":
        values["others"] = "; ".join(
            WAITING_FOR.format(org=o["org"], role=o["role"], triggers=", ".join(o["triggers"]))
            for o in params["others"])
    elif code == "waiting_until":
        values["what"] = "; ".join(params["what"])
    return IDLE_REASONS[code].format(**values)


def order(todos: Iterable[Todo]) -> list[Todo]:
    """Earliest due first (overdue ones are the earliest), undated last."""
    return sorted(todos, key=lambda t: (t.due is None, t.due or date.min, t.plan_id,
                                        t.trigger, str(sorted(t.payload.items()))))


def worklists(process: ProcessEngine, plan: Plan, at: datetime) -> list[Worklist]:
    """Every organisation of the plan with its to-dos, its other options and why it idles."""
    d = process.definition
    agenda = d.agenda or NO_AGENDA
    actors = d.actors(plan) if d.actors is not None else []
    if plan.state in d.finals:
        return [Worklist(plan.plan_id, a, (), (), "final_state", {"state": plan.state})
                for a in actors]
    if plan.last_at is not None and at < plan.last_at:
        when = {"at": format_at(at), "last": format_at(plan.last_at)}
        return [Worklist(plan.plan_id, a, (), (), "before_last_event", dict(when))
                for a in actors]
    guards = {g.name for tr in d.all_transitions() for g in tr.guards}
    found: list[tuple[Actor, list[Todo], list[str], list[str]]] = []
    for actor in actors:
        todos, may, blocked = _judge(process, agenda, guards, plan, actor, at)
        found.append((actor, todos, may, blocked))
    lists: list[Worklist] = []
    for actor, todos, may, blocked in found:
        code, params = (None, {}) if todos else _why_idle(actor, found, blocked)
        lists.append(Worklist(plan.plan_id, actor, tuple(order(todos)), tuple(may), code,
                              params))
    return lists


def owed_by(process: ProcessEngine, plan: Plan, at: datetime, org: str) -> list[Todo]:
    """One organisation's to-dos on this plan, in every role it acts in; judges only its
    own triggers (a work queue across many plans needs no one else's)."""
    d = process.definition
    if plan.state in d.finals or (plan.last_at is not None and at < plan.last_at):
        return []
    agenda = d.agenda or NO_AGENDA
    actors = [a for a in (d.actors(plan) if d.actors is not None else []) if a.org == org]
    return [t for a in actors for t in _judge(process, agenda, set(), plan, a, at)[0]]


def steps(
    process: ProcessEngine, plan: Plan, at: datetime
) -> dict[tuple[str, str], list[Permission]]:
    """Per (role, org) of the plan: every trigger it may fire now (to-dos and may-also), with
    what each payload needs."""
    agenda = process.definition.agenda or NO_AGENDA
    actors = process.definition.actors
    return {
        (a.role, a.org): [p for p in process.allowed(plan, a, at)
                          if p.allowed and (p.trigger, a.role) not in agenda.tolerated]
        for a in (actors(plan) if actors is not None else [])
    }


def _judge(
    process: ProcessEngine, agenda: Agenda, guards: set[str], plan: Plan, actor: Actor,
    at: datetime,
) -> tuple[list[Todo], list[str], list[str]]:
    """This actor's to-dos, its optional triggers, and why the duties it owes are refused."""
    todos: list[Todo] = []
    may: list[str] = []
    blocked: list[str] = []
    for permission in process.allowed(plan, actor, at):
        trigger = permission.trigger
        duty = agenda.duty(trigger)
        if (trigger, actor.role) in agenda.tolerated:
            continue
        owed = _owed(duty, plan, actor)
        if not permission.allowed:
            if owed and _moves_on(process.definition, plan, trigger) and _by_guard(
                    guards, permission.reason):
                blocked.append(Phrase("{trigger}: {reason}", trigger=trigger,
                                      reason=permission.reason))
            continue
        if duty is None or not owed:
            may.append(trigger)
            continue
        made = _todos(process, duty, owed, plan, actor, at, permission.needs)
        todos += made
        if not made:
            may.append(trigger)
    return todos, may, blocked


def _owed(duty: Duty | None, plan: Plan, actor: Actor) -> bool | Sequence[str]:
    if duty is None:
        return False
    return True if duty.owed is None else duty.owed(plan, actor)


def _moves_on(d: Definition, plan: Plan, trigger: str) -> bool:
    """Does this trigger move the plan to another state from here? A refused internal step
    (settle, name a second insurer) was mostly done already; a refused main-line step waits
    for something."""
    return any(tr.trigger == trigger and plan.state in tr.sources and tr.dest is not None
               for tr in d.transitions)


def _by_guard(guards: set[str], reason: str | None) -> bool:
    """A refusal by one of the definition's guards (not by role, state or membership): only
    those say what an owed step is waiting for."""
    found = RULE.search(reason or "")
    return found is not None and found.group(1) in guards


def _todos(
    process: ProcessEngine, duty: Duty, owed: bool | Sequence[str], plan: Plan, actor: Actor,
    at: datetime, needs: tuple[str, ...],
) -> list[Todo]:
    if isinstance(owed, bool):
        deadline = _deadline(process.definition, duty, plan, None)
        return [_todo(plan, actor, duty, {}, deadline, at, needs)]
    made: list[Todo] = []
    for item in owed:
        payload = {duty.item_key or "item": item}
        try:  # judged with the item named: only items the rules would take are to-dos
            process.check(plan, Command(duty.trigger, actor, dict(payload), at))
        except Refused:
            continue
        deadline = _deadline(process.definition, duty, plan, item)
        made.append(_todo(plan, actor, duty, payload, deadline, at, ()))
    return made


def _todo(
    plan: Plan, actor: Actor, duty: Duty, payload: dict[str, Any], deadline: Deadline | None,
    at: datetime, needs: tuple[str, ...],
) -> Todo:
    item = next(iter(payload.values()), "")
    overdue = deadline is not None and (deadline.status == EXPIRED or deadline.expires_at <= at)
    return Todo(
        plan_id=plan.plan_id, org=actor.org, role=actor.role, trigger=duty.trigger,
        says=duty.says.format(item=item), payload=payload,
        deadline=deadline.name if deadline else None, due=deadline.due if deadline else None,
        overdue=overdue, instead=duty.instead, needs=needs,
    )


def _deadline(d: Definition, duty: Duty, plan: Plan, item: str | None) -> Deadline | None:
    """The deadline this to-do meets, else the one it must come before; running or missed."""
    names = [
        f"{spec.name}:{item}" if spec.met_key is not None else spec.name
        for spec in d.deadlines if duty.trigger in spec.met_by
    ]
    if duty.before is not None:
        names.append(duty.before)
    for name in names:
        found = plan.deadlines.get(name)
        if found is not None and (found.is_open or found.status == EXPIRED):
            return found
    return None


def _why_idle(
    actor: Actor, found: list[tuple[Actor, list[Todo], list[str], list[str]]],
    blocked: list[str],
) -> tuple[str, dict[str, Any]]:
    """The code of IDLE_REASONS and its values."""
    others = [
        {"org": a.org, "role": a.role,
         "triggers": list(dict.fromkeys(t.trigger for t in todos))}
        for a, todos, _, _ in found if todos and a != actor
    ]
    if others:
        return "waiting_for", {"others": others}
    stuck = blocked or [
        Phrase("{org} ({role}) may {why}", org=a.org, role=a.role, why=Phrase(why))
        for a, _, _, whys in found if a != actor for why in whys
    ]
    if stuck:
        return "waiting_until", {"what": stuck}
    return "nothing_awaited", {}

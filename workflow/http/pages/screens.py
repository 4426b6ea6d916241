"""What each page shows, read through the service layer (`Engine`) and the audit modules
the command line uses: the to-dos, the plan list and a plan, the monitoring figures of
`workflow.audit.monitoring` (the one computation `azwa monitor` prints), the glossary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import states
from workflow.audit import monitor_text
from workflow.audit.monitoring import Monitoring, from_store
from workflow.cli.render import plan_json
from workflow.core.i18n import TERM_KINDS, reading, term
from workflow.core.payload import PayloadSchema
from workflow.core.spec import Actor, Definition
from workflow.core.text import normal_name
from workflow.core.todo import Todo
from workflow.http.pages.forms import Input, inputs
from workflow.http.views import plan_rows
from workflow.service.api import Engine


def schema_of(definition: str, trigger: str) -> PayloadSchema | None:
    return states.get(definition).payloads.get(trigger)


@dataclass(frozen=True, slots=True)
class Act:
    """An act an organisation can fire on a plan, with its form."""

    plan_id: str
    trigger: str
    fixed: dict[str, Any]
    inputs: tuple[Input, ...]


def act(plan_id: str, definition: str, trigger: str,
        fixed: dict[str, Any] | None = None) -> Act:
    fixed = dict(fixed or {})
    return Act(plan_id, trigger, fixed, inputs(schema_of(definition, trigger), fixed))


def todo_rows(engine: Engine, org: str, now: datetime) -> list[tuple[Todo, Act]]:
    """The organisation's to-dos on every plan: overdue first, then by due day, undated
    last; each with the form of its act."""
    found = engine.todos(org, now)
    defs = {t.plan_id: engine.state(t.plan_id).definition for t in found}
    ordered = sorted(found, key=lambda t: (not t.overdue, t.due is None, t.due or now.date(),
                                           t.plan_id, t.trigger))
    return [(t, act(t.plan_id, defs[t.plan_id], t.trigger, t.payload)) for t in ordered]


def actors_of(engine: Engine, plan_id: str, actor: Actor) -> list[Actor]:
    """The plan's actors of the caller's organisation (the caller as it is when none)."""
    plan = engine.state(plan_id)
    listed = engine.process(plan.definition).definition.actors
    wanted = normal_name(actor.org)
    mine = [a for a in (listed(plan) if listed is not None else [])
            if isinstance(a.org, str) and normal_name(a.org) == wanted]
    return mine or [actor]


def plan_page(engine: Engine, plan_id: str, actor: Actor | None, now: datetime
              ) -> dict[str, Any]:
    """A plan: parties, KPIs and funds, deadlines, history, and what the caller may do."""
    plan = engine.state(plan_id)
    data = plan_json(plan, now, engine.todo(plan_id, now))
    acts: list[Act] = []
    blocked: list[tuple[str, str]] = []
    if actor is not None:
        seen: set[str] = set()
        for who in actors_of(engine, plan_id, actor):
            for p in engine.allowed(plan_id, who, now):
                if p.trigger in seen:
                    continue
                seen.add(p.trigger)
                if p.allowed:
                    acts.append(act(plan_id, plan.definition, p.trigger))
                elif p.reason:
                    blocked.append((p.trigger, p.reason))
    from workflow.audit.report import build

    return {"plan": data, "history": build(engine.history(plan_id), now).timeline,
            "acts": acts,
            "blocked": blocked, "sector": plan.attrs.get("sector"),
            "definition": plan.definition}


FILTERS = ("state", "region", "track", "sector", "overdue")


def plan_list(engine: Engine, wanted: dict[str, str], now: datetime) -> list[dict[str, Any]]:
    """The plans the filters let through (empty filters let everything through)."""
    rows = engine.plans(state=wanted.get("state") or None,
                        region=wanted.get("region") or None,
                        track=wanted.get("track") or None, limit=10000)
    found = plan_rows(rows, now)
    if wanted.get("overdue") in ("yes", "no"):
        found = [r for r in found if r["overdue"] == (wanted["overdue"] == "yes")]
    sector = (wanted.get("sector") or "").strip().casefold()
    if sector:
        found = [r for r in found
                 if str(engine.state(r["plan_id"]).attrs.get("sector") or "").casefold()
                 == sector]
    return found


def choices() -> dict[str, list[str]]:
    """The values the plan filters offer: every state and track of the definitions, the
    sectors and the shipped regions (suggested; any region can be typed)."""
    from states.guards import TRACKS
    from states.settings import REGIONS, SECTORS

    seen: dict[str, None] = {}
    for d in states.all_definitions():
        for s in d.states:
            seen.setdefault(s, None)
    return {"state": list(seen), "track": list(TRACKS), "sector": list(SECTORS),
            "region": sorted(REGIONS)}


def monitoring(engine: Engine, period: str, by: str | None, as_of: datetime
               ) -> tuple[Monitoring, list[tuple[str, list[str], list[tuple[str, list[
                   tuple[str, list[str]]]]]]]]:
    """The A4 §4 figures (`azwa monitor`'s computation) and, per period, its column heads
    and the sections of rows `azwa monitor` prints."""
    found = from_store(engine.store, as_of=as_of, period=period, by=by)
    tables = [(p.label, [monitor_text.group_label(found, g) for g in found.groups_in(i)],
               monitor_text.rows(found, i)) for i, p in enumerate(found.periods)]
    return found, tables


def glossary() -> list[dict[str, str]]:
    """Every identifier of the registered definitions with its Dutch label (from the
    catalogue, as docs/glossary.md) and the seed paragraph that defines it, where one does."""
    seeds: dict[tuple[str, str], str] = {}
    names: dict[tuple[str, str], None] = {}

    def add(kind: str, name: str, seed: str | None = None) -> None:
        names.setdefault((kind, name), None)
        if seed and (kind, name) not in seeds:
            seeds[(kind, name)] = seed

    for d in states.all_definitions():
        _collect(d, add)
    with reading("nl"):
        dutch = {key: term(*key) for key in names}
    return sorted(({"kind": k, "name": n, "dutch": dutch[(k, n)],
                    "seed": seeds.get((k, n), "")} for k, n in names),
                  key=lambda r: (TERM_KINDS.index(r["kind"]), r["dutch"].casefold()))


def _collect(d: Definition, add: Any) -> None:
    for s in d.states:
        add("state", s)
    for s in d.region.states:
        add("escalation", s)
    for r in d.roles:
        add("role", r)
    for tr in (d.registration, *d.transitions, *d.region.transitions):
        add("trigger", tr.trigger, tr.seed)
    for spec in d.deadlines:
        add("deadline", spec.name, spec.seed)

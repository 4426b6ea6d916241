"""What the service answers, as JSON: a plan and the plan list come from
workflow/service/views.py, the same views `azwa plan show --json` and `plan list --json`
print, so the command line and the service never disagree."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import states
from workflow.core.events import Event
from workflow.core.payload import to_json_schema
from workflow.core.permission import Permission
from workflow.core.plan import Plan
from workflow.core.spec import Definition
from workflow.core.todo import Worklist
from workflow.service.views import owed_of, plan_json, plans_json
from workflow.store.protocol import PlanSummary


def answer(plan: Plan, events: Sequence[Event], repeated: bool = False) -> dict[str, Any]:
    """The answer to an accepted command (kept for an Idempotency-Key's retries)."""
    return {"plan_id": plan.plan_id, "seq": plan.seq, "state": plan.state,
            "escalation": plan.escalation, "events": [e.to_dict() for e in events],
            "repeated": repeated}


def answer_of(head: Mapping[str, Any], events: Sequence[Event], repeated: bool = False
              ) -> dict[str, Any]:
    """`answer` from the plan's head (`Fired.head`), the plan as a whole not decoded."""
    return {"plan_id": head["plan_id"], "seq": head["seq"], "state": head["state"],
            "escalation": head["escalation"], "events": [e.to_dict() for e in events],
            "repeated": repeated}


def plan_view(plan: Plan, now: datetime, worklists: list[Worklist]) -> dict[str, Any]:
    return plan_json(plan, now, worklists)


def plan_rows(rows: list[PlanSummary], now: datetime) -> list[dict[str, Any]]:
    return plans_json(rows, now, owed_of(rows))


def permission(p: Permission) -> dict[str, Any]:
    return {"trigger": p.trigger, "allowed": p.allowed, "reason": p.reason,
            "needs": list(p.needs), "fields": list(p.fields), "optional": list(p.optional)}


def definition_view(d: Definition) -> dict[str, Any]:
    """States, triggers (roles, from where to where, seed, payload JSON Schema), deadlines."""
    triggers = [
        {"trigger": tr.trigger, "sources": list(tr.sources), "dest": tr.dest,
         "roles": sorted(tr.roles), "seed": tr.seed, "region": region,
         "payload": to_json_schema(d.payloads[tr.trigger], title=f"{tr.trigger} payload")
         if tr.trigger in d.payloads else None}
        for region, group in ((None, (d.registration, *d.transitions)),
                              (d.region.name, d.region.transitions))
        for tr in group
    ]
    deadlines = [
        {"name": s.name, "seed": s.seed, "started_by": list(s.started_by),
         "met_by": list(s.met_by), "length": str(s.length) if s.length is not None else None,
         "per_item": s.per_item}
        for s in d.deadlines
    ]
    return {"ref": d.ref, "name": d.name, "version": d.version,
            "effective_from": str(d.effective_from), "states": list(d.states),
            "initial": d.initial, "finals": sorted(d.finals),
            "escalation": {"name": d.region.name, "states": list(d.region.states),
                           "initial": d.region.initial},
            "triggers": triggers, "deadlines": deadlines}


def find_definition(ref: str) -> Definition | None:
    try:
        return states.get(ref)
    except (KeyError, ValueError):
        return None

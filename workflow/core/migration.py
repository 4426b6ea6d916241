"""The `definition_migrated` event's payload: which version a plan moves from and to, and
what the new version records differently about the same history.

A plan moves only when its whole history replays under the new version with the same
outcome (state, escalation step, deadlines, breaches, funds); what may still differ is
what the new version keeps on record (new facts it starts with, funds it shows). The event
carries exactly that difference, so the service that writes it and every replay that reads
it give the same plan, without the replay holding the plan's earlier events.
"""

from __future__ import annotations

import copy
from typing import Any

from workflow.core.plan import Plan


def payload_for(plan: Plan, target: Plan, source_ref: str, target_ref: str
                ) -> dict[str, Any]:
    """The event's payload moving `plan` (as stored) to `target` (its history replayed
    under the new version)."""
    payload: dict[str, Any] = {"from": source_ref, "to": target_ref}
    changed = {k: v for k, v in target.facts.items() if plan.facts.get(k, _NONE) != v}
    dropped = sorted(k for k in plan.facts if k not in target.facts)
    if changed:
        payload["facts"] = copy.deepcopy(changed)
    if dropped:
        payload["facts_dropped"] = dropped
    if target.funds != plan.funds:
        payload["funds"] = dict(target.funds)
    return payload


def apply(plan: Plan, payload: dict[str, Any]) -> None:
    """Move the plan as the event says: its version, and what the new version records."""
    plan.definition = str(payload["to"])
    for key in payload.get("facts_dropped", ()):
        plan.facts.pop(key, None)
    plan.facts.update(copy.deepcopy(payload.get("facts", {})))
    if "funds" in payload:
        plan.funds = {str(k): int(v) for k, v in payload["funds"].items()}


_NONE = object()

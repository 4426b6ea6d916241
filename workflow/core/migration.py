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

OUTCOME = ("state", "escalation", "breaches", "missed_aims", "funds", "deadlines")
"""What a history must give alike under two versions for a plan to move between them; the
one comparison both `plan migrate` and `audit impact` apply."""


def _deadlines(plan: Plan) -> dict[str, str]:
    return {n: f"{d.status}, due {d.due.isoformat()}" for n, d in sorted(plan.deadlines.items())}


def _outcome(plan: Plan | None, part: str) -> Any:
    if plan is None:
        return None
    if part == "funds":
        return {k: v for k, v in plan.funds.items() if v}  # a sum kept at zero is no difference
    if part == "deadlines":
        return _deadlines(plan)
    value = getattr(plan, part)
    return list(value) if isinstance(value, list) else value


def differences(recorded: Plan | None, other: Plan | None) -> dict[str, tuple[Any, Any]]:
    """Each part of the outcome (OUTCOME, in that order) that differs, as (recorded, other);
    for the deadlines only those whose status or due day differ (a deadline moved by the
    other version's clock, or one only one version runs)."""
    found: dict[str, tuple[Any, Any]] = {}
    for part in OUTCOME:
        a, b = _outcome(recorded, part), _outcome(other, part)
        if part == "deadlines" and isinstance(a, dict) and isinstance(b, dict):
            names = sorted(n for n in a.keys() | b.keys() if a.get(n) != b.get(n))
            a, b = {n: a[n] for n in names if n in a}, {n: b[n] for n in names if n in b}
        if a != b:
            found[part] = (a, b)
    return found


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

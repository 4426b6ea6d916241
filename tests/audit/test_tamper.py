"""Tampering with an exported log is reported, never silently accepted (DESIGN.md "Event log:
the audit contract"): every field of every event changed or removed, every event deleted,
every two neighbouring events of a plan swapped."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from workflow.audit.bounds import LogFileError

from ..replay.helpers import load, replay_events

LOGS = ("closed_with_breach", "three_plans_interleaved")
FIELDS = ("plan_id", "seq", "at", "trigger", "actor", "payload", "definition", "prev_hash",
          "hash")


def _flip(text: str) -> str:
    return ("1" if text[0] == "0" else "0") + text[1:]


def _later(at: str) -> str:
    return at[:17] + ("01" if at[17:19] != "01" else "02") + at[19:]


def _other_trigger(trigger: str) -> str:
    return "record_monitoring" if trigger != "record_monitoring" else "record_costs"


CHANGES: dict[str, Callable[[Any], Any]] = {
    "plan_id": lambda v: v + "-X",
    "seq": lambda v: v + 1,
    "at": _later,
    "trigger": _other_trigger,
    "actor": lambda v: {**v, "org": v["org"] + " B.V."},
    "payload": lambda v: {**v, "note": "added later"},
    "definition": lambda v: "transformation@2",
    "prev_hash": _flip,
    "hash": _flip,
}


def reported(events: list[dict[str, Any]], line: int) -> str | None:
    """Why the changed log is not accepted as it stands; None if it would be."""
    try:
        result = replay_events(events)
    except LogFileError as error:
        return f"unreadable: {error}" if error.line else None
    broken = [b for b in result.to_dict()["chain_breaks"] if b["line"] >= line]
    violations = [v for r in result.plans.values() for v in r.violations if v.line >= line]
    if broken or violations:
        return f"chain {result.chain}, {len(violations)} violation(s)"
    return None


@pytest.mark.parametrize("name", LOGS)
@pytest.mark.parametrize("field", FIELDS)
def test_changing_any_field_of_any_event_is_reported(name: str, field: str) -> None:
    """DESIGN.md "Event log": the hash covers every field, so changing one field of any event
    breaks the chain at that event (or makes the log unreadable, or a violation)."""
    # Given a recorded log that replays clean
    events = load(name)
    assert replay_events(events).exit_code == 0
    missed: list[int] = []
    for i in range(len(events)):
        # When one field of one event is changed
        changed = copy.deepcopy(events)
        changed[i][field] = CHANGES[field](changed[i][field])
        # Then the replay reports it at or after that event's line
        if reported(changed, i + 1) is None:
            missed.append(i + 1)
    assert missed == []


@pytest.mark.parametrize("name", LOGS)
@pytest.mark.parametrize("field", FIELDS)
def test_removing_any_field_of_any_event_is_reported(name: str, field: str) -> None:
    """DESIGN.md "Event log": an event that lost a field is unreadable (a required field) or
    breaks the chain (payload, definition, the hashes)."""
    # Given a recorded log
    events = load(name)
    missed: list[int] = []
    for i in range(len(events)):
        # When one field of one event is removed
        changed = copy.deepcopy(events)
        del changed[i][field]
        # Then the replay reports it
        if reported(changed, i + 1) is None:
            missed.append(i + 1)
    assert missed == []


def _last_of_plan(events: list[dict[str, Any]]) -> set[int]:
    last: dict[str, int] = {}
    for i, e in enumerate(events):
        last[e["plan_id"]] = i
    return set(last.values())


@pytest.mark.parametrize("name", LOGS)
def test_deleting_any_event_is_reported(name: str) -> None:
    """DESIGN.md "Event log": each event's prev_hash is the hash of the one before, so a lost
    event breaks the chain at the event after it. A plan's last event has no event after it
    in the log: `azwa audit verify` catches that one against the stored plan (test_verify)."""
    # Given a recorded log
    events = load(name)
    missed: list[int] = []
    for i in sorted(set(range(len(events))) - _last_of_plan(events)):
        # When one event is deleted
        changed = events[:i] + events[i + 1:]
        # Then the replay reports it at the event that took its place or later
        if reported(changed, i + 1) is None:
            missed.append(i + 1)
    assert missed == []


@pytest.mark.parametrize("name", LOGS)
def test_swapping_two_events_of_a_plan_is_reported(name: str) -> None:
    """DESIGN.md "Event log": a plan's events come in seq order; two of them swapped are out
    of order (a violation) and break the chain."""
    # Given a recorded log
    events = load(name)
    missed: list[int] = []
    for i in range(len(events)):
        following = [j for j in range(i + 1, len(events))
                     if events[j]["plan_id"] == events[i]["plan_id"]]
        if not following:
            continue
        # When an event and the next one of the same plan change places
        j = following[0]
        changed = list(events)
        changed[i], changed[j] = changed[j], changed[i]
        # Then the replay reports it
        if reported(changed, i + 1) is None:
            missed.append(i + 1)
    assert missed == []


def test_an_untouched_log_is_not_reported() -> None:
    """DESIGN.md "Event log": the allowed case — the recorded logs as they are replay clean,
    so the reports above come from the tampering alone."""
    # Given the recorded logs, When they are replayed, Then nothing is reported
    for name in LOGS:
        assert reported(load(name), 1) is None

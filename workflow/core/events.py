"""The event log record and its per-plan SHA-256 hash chain (DESIGN.md "Event log").

Canonical JSON: keys sorted, separators "," and ":", UTF-8, no ASCII escaping; the hash
covers the whole event except `hash`; the first event of a plan has 64 zeros as `prev_hash`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from workflow.core.plan import GENESIS

EVENT_FIELDS = ("plan_id", "seq", "at", "trigger", "actor", "payload", "definition")


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
"""Built once: `json.dumps` with options builds a new encoder per call, twice the cost."""
_C_ENCODER = getattr(json.encoder, "c_make_encoder", None)
_ITERENCODE = (
    _C_ENCODER(None, _CANONICAL.default, json.encoder.encode_basestring, None, ":", ",",
               True, False, True)
    if _C_ENCODER is not None else None
)
"""CPython's C encoder, made once with the same settings (encode() makes one per call)."""


def canonical_text(data: Mapping[str, Any]) -> str:
    """Keys sorted, separators "," and ":", no ASCII escaping: the text that is hashed."""
    if _ITERENCODE is not None:
        return "".join(_ITERENCODE(data, 0))
    return _CANONICAL.encode(data)


def canonical(data: Mapping[str, Any]) -> bytes:
    return canonical_text(data).encode()


def digest(event: Mapping[str, Any]) -> str:
    """The hash of an event: SHA-256 over its canonical JSON without `hash`."""
    body = {k: v for k, v in event.items() if k != "hash"}
    return hashlib.sha256(canonical(body)).hexdigest()


class Event(NamedTuple):
    """One accepted trigger, appended to the log and never changed."""

    plan_id: str
    seq: int
    at: str
    trigger: str
    actor: dict[str, Any]
    payload: dict[str, Any]
    definition: str
    prev_hash: str
    hash: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "plan_id": self.plan_id,
            "seq": self.seq,
            "at": self.at,
            "trigger": self.trigger,
            "actor": self.actor,
            "payload": self.payload,
            "definition": self.definition,
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Event:
        return cls(*(data[k] for k in (*EVENT_FIELDS, "prev_hash", "hash")))


def seal(
    *,
    plan_id: str,
    seq: int,
    at: str,
    trigger: str,
    actor: dict[str, Any],
    payload: dict[str, Any],
    definition: str,
    prev_hash: str,
) -> Event:
    """Make an event and its hash, chained to the one before."""
    body = {
        "plan_id": plan_id,
        "seq": seq,
        "at": at,
        "trigger": trigger,
        "actor": actor,
        "payload": payload,
        "definition": definition,
        "prev_hash": prev_hash,
    }
    digest_ = hashlib.sha256(canonical_text(body).encode()).hexdigest()
    return Event(plan_id, seq, at, trigger, actor, payload, definition, prev_hash, digest_)


@dataclass(frozen=True, slots=True)
class ChainBreak:
    plan_id: str
    seq: int
    reason: str


def verify_chain(events: Iterable[Mapping[str, Any]]) -> list[ChainBreak]:
    """Check each plan's chain: every hash right, every `prev_hash` the hash before, seq 1..n."""
    last: dict[str, tuple[int, str]] = {}
    breaks: list[ChainBreak] = []
    for event in events:
        plan_id, seq = str(event["plan_id"]), int(event["seq"])
        prev_seq, prev_hash = last.get(plan_id, (0, GENESIS))
        if seq != prev_seq + 1:
            breaks.append(ChainBreak(plan_id, seq, f"seq {seq} follows {prev_seq}"))
        if event.get("prev_hash") != prev_hash:
            breaks.append(ChainBreak(plan_id, seq, "prev_hash is not the hash of the event before"))
        if event.get("hash") != digest(event):
            breaks.append(ChainBreak(plan_id, seq, "hash does not match the event's content"))
        last[plan_id] = (seq, str(event.get("hash")))
    return breaks

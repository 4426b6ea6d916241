"""The event log record and its per-plan SHA-256 hash chain (DESIGN.md "Event log").

Canonical JSON: keys sorted, separators "," and ":", UTF-8, no ASCII escaping; the hash
covers the whole event except `hash`; the first event of a plan has 64 zeros as `prev_hash`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from workflow.core.plan import GENESIS

try:  # the fast encoder; without it every byte comes from the standard library
    import orjson
except ImportError:  # pragma: no cover - orjson is a runtime dependency
    orjson = None  # type: ignore[assignment]

loads: Callable[[str | bytes], Any] = orjson.loads if orjson is not None else json.loads
"""Parse JSON text: orjson's parser gives the same values as json.loads, five times faster."""

EVENT_FIELDS = ("plan_id", "seq", "at", "trigger", "actor", "payload", "definition")
DEFINITION_MIGRATED = "definition_migrated"
"""A plan moved to another version of its definition (`{"from": ref, "to": ref}`); the
event carries the new version, and every later event of the plan runs under it."""


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
"""Built once: `json.dumps` with options builds a new encoder per call, twice the cost."""
_C_ENCODER = getattr(json.encoder, "c_make_encoder", None)
_ITERENCODE = (
    _C_ENCODER(None, _CANONICAL.default, json.encoder.encode_basestring, None, ":", ",",
               True, False, True)
    if _C_ENCODER is not None else None
)
"""CPython's C encoder, made once with the same settings (encode() makes one per call)."""

_INT_MIN, _INT_MAX = -(2**63), 2**64 - 1
"""The integers orjson writes; beyond them it refuses, the standard library does not."""
_SCALARS = frozenset((str, bool, type(None)))
_NO = object()
"""A field an actor lacks (its type is no scalar)."""
_ORJSON_OPTIONS = (
    (orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_SUBCLASS | orjson.OPT_PASSTHROUGH_DATETIME
     | orjson.OPT_PASSTHROUGH_DATACLASS) if orjson is not None else 0
)


def stdlib_text(data: Any) -> str:
    """The reference encoding: `json.dumps(data, sort_keys=True, separators=(",", ":"),
    ensure_ascii=False)` (DESIGN.md "Event log"), with the C encoder made once."""
    if _ITERENCODE is not None:
        return "".join(_ITERENCODE(data, 0))
    return _CANONICAL.encode(data)


def _plain(value: Any) -> bool:
    """True when orjson writes exactly the bytes the reference encoder writes: only exact
    str, bool, None, 64-bit int, and dicts with text keys and lists of those.

    Floats are excluded (orjson writes `1e16` where Python writes `1e+16`), as are subclasses
    (enums), ints beyond 64 bits and types orjson serialises but the reference refuses
    (UUID, datetime, Enum)."""
    kind = type(value)
    if kind is dict:
        for key in value:
            if type(key) is not str:
                return False
        return _plain_items(value.values())
    if kind is list or kind is tuple:
        return _plain_items(value)
    if kind is int:
        return bool(_INT_MIN <= value <= _INT_MAX)
    return kind in _SCALARS


def _plain_items(items: Iterable[Any]) -> bool:
    """Every item plain; scalars judged here, without a call each."""
    for item in items:
        kind = type(item)
        if kind in _SCALARS or (kind is int and _INT_MIN <= item <= _INT_MAX):
            continue
        if kind is int or not _plain(item):
            return False
    return True


def canonical(data: Any) -> bytes:
    """The canonical JSON of `data` as UTF-8 bytes: the bytes that are hashed.

    orjson where its output is provably the reference's (see `_plain`; a property test
    compares both), the reference encoder everywhere else.
    """
    if orjson is not None and _plain(data):
        try:
            return orjson.dumps(data, option=_ORJSON_OPTIONS)
        except orjson.JSONEncodeError:  # text with lone surrogates: let the reference refuse
            pass
    return stdlib_text(data).encode()


_STORE_OPTIONS = (
    (orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS)
    if orjson is not None else 0
)


def compact(data: Any) -> str:
    """Compact JSON for storage, not for hashing: read back, it gives the same values (a
    float round-trips in either spelling), so no check for the reference's bytes is
    needed; what orjson refuses (big ints, datetimes) the standard library writes or
    refuses as before."""
    if orjson is not None:
        try:
            return orjson.dumps(data, option=_STORE_OPTIONS).decode()
        except TypeError:
            pass
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


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
    return sealed(plan_id, seq, at, trigger, actor, payload, definition, prev_hash)


def sealed(
    plan_id: str, seq: int, at: str, trigger: str, actor: dict[str, Any],
    payload: dict[str, Any], definition: str, prev_hash: str,
) -> Event:
    """`seal` with the fields in order, for the engine's hot path (once per event)."""
    digest_ = _sha256(hashed_bytes(plan_id, seq, at, trigger, actor, payload, definition,
                                   prev_hash)).hexdigest()
    # the tuple made directly: Event(...) passes through the named tuple's own __new__
    return _new(Event, (plan_id, seq, at, trigger, actor, payload, definition, prev_hash,
                        digest_))


def hashed_bytes(
    plan_id: str, seq: int, at: str, trigger: str, actor: dict[str, Any],
    payload: dict[str, Any], definition: str, prev_hash: str,
) -> bytes:
    """The canonical JSON of an event without its hash: the bytes its hash covers."""
    body = {  # in sorted order: orjson sorts the keys again, in less time
        "actor": actor,
        "at": at,
        "definition": definition,
        "payload": payload,
        "plan_id": plan_id,
        "prev_hash": prev_hash,
        "seq": seq,
        "trigger": trigger,
    }
    if (orjson is not None and (
            # an actor as `Actor.to_dict` writes it is judged without a loop, any other
            # in full: three fields, each of them text, true/false or null
            (type(actor) is dict and len(actor) == 3
             and type(actor.get("role", _NO)) in _SCALARS
             and type(actor.get("org", _NO)) in _SCALARS
             and type(actor.get("region", _NO)) in _SCALARS) or _plain(actor))
            and _plain(payload) and type(seq) is int
            and _INT_MIN <= seq <= _INT_MAX
            and type(plan_id) is type(at) is type(trigger) is type(definition)
            is type(prev_hash) is str):
        # What canonical(body) gives, without walking the fields known to be text.
        try:
            return orjson.dumps(body, option=_ORJSON_OPTIONS)
        except orjson.JSONEncodeError:  # text with lone surrogates: the reference refuses
            pass
    return stdlib_text(body).encode()


Sealer = Callable[[str, int, str, str, dict[str, Any], dict[str, Any], str, str], Event]
"""What makes an event from its fields (`sealed`): the engine's one way to make them."""


class LineSealer:
    """`sealed`, keeping each event as its line of a JSON Lines log as well, in one buffer
    per plan (`open`): the bytes the hash covers with the hash added as the last field.

    The line is the event's canonical JSON, so a log of these lines reads back to the
    same events; it is made from the bytes encoded for the hash, not encoded again."""

    __slots__ = ("buffers",)

    def __init__(self) -> None:
        self.buffers: dict[str, bytearray] = {}

    def open(self, plan_id: str) -> bytearray:
        """The buffer a plan's lines go into, from its first event on."""
        found = self.buffers[plan_id] = bytearray()
        return found

    def __call__(
        self, plan_id: str, seq: int, at: str, trigger: str, actor: dict[str, Any],
        payload: dict[str, Any], definition: str, prev_hash: str,
    ) -> Event:
        encoded = hashed_bytes(plan_id, seq, at, trigger, actor, payload, definition,
                               prev_hash)
        digest_ = _sha256(encoded).hexdigest()
        line = self.buffers[plan_id]
        line += encoded
        # the closing brace becomes a comma in place: a slice assignment that grows the
        # buffer first copies its bytes into a bytearray of their own
        line[-1] = _COMMA
        line += b'"hash":"'
        line += digest_.encode()
        line += b'"}\n'
        return _new(Event, (plan_id, seq, at, trigger, actor, payload, definition, prev_hash,
                            digest_))


_new = tuple.__new__
_COMMA = ord(",")
_sha256 = hashlib.sha256


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

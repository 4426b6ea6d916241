"""Signed chain heads: what a database insider who recomputes the hash chain cannot forge.

The event hash chain is plain SHA-256: anyone who can write the database can change an event
and recompute every hash after it. So each accepted command also appends a head record
(plan, seq, hash of the plan's last event, its `at`) to the append-only `heads` table, signed
with HMAC-SHA256 under a key the database does not hold (`AZWA_SIGNING_KEY_FILE`, a file
`azwa audit keygen` writes, or `AZWA_SIGNING_KEY` in hex). The signature also covers the
previous head's signature, so a plan's heads form a signed chain of their own. Without a key
the heads are written unsigned (`key_id` empty) and `azwa audit verify` says so.

HMAC (standard library, about a microsecond a command) rather than Ed25519: no new
dependency, and whoever verifies holds the key anyway (the auditor, not the database).

Heads chained per plan cannot show a plan deleted from every table, heads included. So the
registration of each plan (its first event) also appends a row to a signed registry, the
pseudo-plan `REGISTRY` in the same table: seq n is the n-th plan registered, `hash` holds
that plan's id, and each row's signature covers the one before. A plan deleted with all its
rows is still listed there; deleting its registry row breaks the registry's chain.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Field, SQLModel

from workflow.core.events import Event
from workflow.store.signing import (
    KEY_ENV,
    KEY_FILE_ENV,
    Signer,
    SigningKeyError,
    head_message,
    key_from_env,
    new_key,
)
from workflow.store.sqlrun import Runner

__all__ = ["HEADS", "KEY_ENV", "KEY_FILE_ENV", "REGISTRY", "HeadRow", "Signer",
           "SigningKeyError", "head_message", "head_row", "key_from_env", "new_key", "record",
           "register"]


class HeadRow(SQLModel, table=True):
    """One accepted command's chain head; never updated, never deleted."""

    __tablename__ = "heads"
    plan_id: str = Field(primary_key=True)
    seq: int = Field(primary_key=True)
    hash: str
    at: str
    key_id: str
    """Which key signed (a digest of it); empty when unsigned."""
    prev_sig: str
    sig: str


HEADS = HeadRow.__table__  # type: ignore[attr-defined]

PREV_SIG = "SELECT sig FROM heads WHERE plan_id = :plan_id AND seq = :seq"
INSERT_HEAD = (
    "INSERT INTO heads (plan_id, seq, hash, at, key_id, prev_sig, sig) "
    "VALUES (:plan_id, :seq, :hash, :at, :key_id, :prev_sig, :sig)"
)


REGISTRY = ""
"""The pseudo-plan whose heads list every registered plan (no plan id is empty)."""
LAST_REGISTERED = (
    "SELECT seq, sig FROM heads WHERE plan_id = :plan_id ORDER BY seq DESC LIMIT 1"
)
REGISTRATIONS_LOCK = "SELECT pg_advisory_xact_lock(7236942)"
"""PostgreSQL: registrations take turns at the registry's next seq (SQLite's writer lock,
taken by the plan row's insert, already makes them)."""


def record(run: Runner, events: Sequence[Event], signer: Signer, prev_sig: str | None = None
           ) -> str | None:
    """Append the signed head of a saved command (inside its transaction), and for a plan's
    registration its signed row in the registry; the new head's signature.

    `prev_sig` is the plan's last head signature when the caller knows it (read with the
    plan): one statement less per command."""
    if not events:
        return None
    prev = prev_sig if prev_sig is not None else (
        run.one(PREV_SIG, {"plan_id": events[-1].plan_id, "seq": events[0].seq - 1}) or "")
    row = head_row(events, signer, str(prev))
    run.queue(INSERT_HEAD, row)
    if events[0].seq == 1:
        register(run, events[0], signer)
    return str(row["sig"])


def head_row(events: Sequence[Event], signer: Signer, prev_sig: str) -> dict[str, str | int]:
    """The `heads` row of a saved command's events, chained to `prev_sig`."""
    last = events[-1]
    sig = "" if signer.key is None else signer.sign(  # unsigned: no message to build
        head_message(last.plan_id, last.seq, last.hash, last.at, prev_sig))
    return {"plan_id": last.plan_id, "seq": last.seq, "hash": last.hash, "at": last.at,
            "key_id": signer.key_id, "prev_sig": prev_sig, "sig": sig}


def register(run: Runner, first: Event, signer: Signer) -> None:
    """Append the registry row of a newly registered plan (its first event)."""
    if getattr(run, "pyformat", False):  # psycopg: PostgreSQL
        run.one(REGISTRATIONS_LOCK, {})
    found = run.all(LAST_REGISTERED, {"plan_id": REGISTRY})
    seq, prev = (int(found[0][0]) + 1, str(found[0][1])) if found else (1, "")
    sig = signer.sign(head_message(REGISTRY, seq, first.plan_id, first.at, prev))
    run.queue(INSERT_HEAD, {"plan_id": REGISTRY, "seq": seq, "hash": first.plan_id,
                          "at": first.at, "key_id": signer.key_id, "prev_sig": prev,
                          "sig": sig})

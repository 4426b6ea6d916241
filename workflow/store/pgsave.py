"""A command's writes on PostgreSQL in one statement: one round trip, and the plan's row
lock held only while the server runs it.

Sent as statements in a transaction (BEGIN, the version-checked UPDATE, the inserts, then
COMMIT after their results came back), a command took two round trips, and the plan row
stayed locked from the UPDATE until the COMMIT arrived: across the client's own work between
the statements and a whole round trip, longer still when the client lost its core to another
process. Writers on the same plan queued for that lock.

Here the UPDATE and every insert are data-modifying parts of one `WITH` statement, run in
autocommit: one transaction the server begins, runs and commits on its own. The final
`SELECT 1 / count(*) FROM moved` divides by zero (SQLSTATE 22012) when the UPDATE found the
plan at another seq, and the error undoes the whole statement, so nothing is written and the
store raises StaleWrite, as for a refused check before. The main query reads the UPDATE
first, so the row lock comes first and serializes writers of a plan before any insert; after
a lost save the inserts never run. Variable-length rows (events, appended entries,
deadlines) go as one row of parameters each.

Used for a save with a known previous head signature and no outbox hook (SqlStore.save),
and by the deadline workers for each claimed plan inside their batch's transaction (one
statement a plan instead of five: the driver's cost per statement was most of a worker's
CPU); registrations, a plan read without its head and webhook outboxes keep the
statement-by-statement transaction. The texts hold no `:name`, so `sqlrun.to_pyformat`
leaves them as they are.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from workflow.store import sqlrun

STALE = "22012"
"""SQLSTATE of the statement's refusal: the plan was no longer at the expected seq."""

_MOVED = (
    "moved AS (UPDATE plans SET definition = %(definition)s, state = %(state)s, "
    "escalation = %(escalation)s, seq = %(seq)s, updated_at_us = %(updated_at_us)s, "
    "data = %(data)s WHERE plan_id = %(plan_id)s AND seq = %(expected_seq)s RETURNING seq)"
)
_HEAD = (
    "new_head AS (INSERT INTO heads (plan_id, seq, hash, at, key_id, prev_sig, sig) VALUES "
    "(%(plan_id)s, %(h_seq)s, %(h_hash)s, %(h_at)s, %(h_key_id)s, %(h_prev_sig)s, %(h_sig)s))"
)
_COMMAND = (
    "new_command AS (INSERT INTO commands (command_id, plan_id, seq, digest) VALUES "
    "(%(command_id)s, %(plan_id)s, %(seq)s, %(digest)s))"
)
EVENT_FIELDS = ("seq", "at", "at_us", "trigger", "actor", "payload", "definition",
                "prev_hash", "hash")
APPENDED_FIELDS = ("kind", "n", "entry")
DEADLINE_FIELDS = ("name", "due", "started_at", "expires_at_us", "status", "closed_at")
_UPSERT_DEADLINE = (
    " ON CONFLICT (plan_id, name) DO UPDATE SET due = excluded.due, "
    "started_at = excluded.started_at, expires_at_us = excluded.expires_at_us, "
    "status = excluded.status, closed_at = excluded.closed_at"
)


def _values(prefix: str, fields: Sequence[str], count: int, last: str = "") -> str:
    """`count` rows of parameters `{prefix}{n}_{field}`, each led by the plan id."""
    return ", ".join(
        "(%(plan_id)s, " + ", ".join(f"%({prefix}{n}_{field})s" for field in fields) + last + ")"
        for n in range(count))


@functools.lru_cache(maxsize=128)
def statement(*, events: int, appended: int, deadlines: int, command: bool, notify: bool
              ) -> str:
    """The save statement for a command of this shape (how many rows of each; a command
    mostly has one event and a few deadlines, so a handful of texts serve, each prepared
    by the driver once it has run a few times). Rows go as scalar parameters: the driver
    turns a Python list into an array parameter at several times the cost."""
    parts = [
        _MOVED,
        "new_events AS (INSERT INTO events (plan_id, seq, at, at_us, trigger, actor, payload, "
        "definition, prev_hash, hash, command_id) VALUES "
        + _values("e", EVENT_FIELDS, events, ", %(command_id)s") + ")",
        _HEAD,
    ]
    parts += [_COMMAND] if command else []
    if appended:
        parts.append("new_appended AS (INSERT INTO plan_appended (plan_id, kind, n, entry) "
                     "VALUES " + _values("a", APPENDED_FIELDS, appended)
                     + " ON CONFLICT (plan_id, kind, n) DO NOTHING)")
    if deadlines:
        parts.append("new_deadlines AS (INSERT INTO deadlines (plan_id, name, due, started_at, "
                     "expires_at_us, status, closed_at) VALUES "
                     + _values("d", DEADLINE_FIELDS, deadlines) + _UPSERT_DEADLINE + ")")
    wake = ", pg_notify('azwa_deadlines', %(wake)s)" if notify else ""
    return "WITH " + ", ".join(parts) + f" SELECT 1 / count(*){wake} FROM moved"


def flat(rows: Sequence[sqlrun.Params], fields: Sequence[str], prefix: str
         ) -> dict[str, Any]:
    """Rows as the statement's parameters `{prefix}{n}_{field}`."""
    return {f"{prefix}{n}_{field}": row[field]
            for n, row in enumerate(rows) for field in fields}


RELOAD = (sqlrun.LOAD_PLAN, sqlrun.LOAD_COMMAND, sqlrun.COMMAND_EVENTS)
"""What the Engine asks after a lost save, read together in one round trip: the plan as
stored now and whether the command id was used already."""

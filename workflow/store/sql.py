"""The SQL store: SQLite by default, PostgreSQL or any SQLAlchemy URL.

Tables are declared with SQLModel; the hot writes go through SQLAlchemy Core on the same
tables, because the ORM per command is about 20 times slower (MEASURED.md). Instants are
stored as integer microseconds since the epoch (UTC): SQLite drops time-zone offsets, and
integers compare the same everywhere.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import BigInteger, Column, Index, Text, and_, cast, event, func, inspect, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import StaticPool
from sqlmodel import Field, SQLModel, create_engine

from workflow.core.errors import StaleWrite
from workflow.core.events import Event, canonical, compact
from workflow.core.events import loads as _loads
from workflow.core.phrase import Phrase
from workflow.core.plan import APPEND_ONLY, Deadline, Plan, StoredPlan
from workflow.core.timecalc import from_micros, parse_at, to_micros
from workflow.store import heads, pgsave, sqlrun
from workflow.store.protocol import DueDeadline, PlanSummary
from workflow.store.url import CorruptRow, described, resolve_url


class PlanRow(SQLModel, table=True):
    __tablename__ = "plans"
    plan_id: str = Field(primary_key=True)
    definition: str
    title: str
    region: str = Field(index=True)
    track: str
    state: str = Field(index=True)
    escalation: str
    seq: int
    registered_at_us: int = Field(sa_column=Column(BigInteger, nullable=False))
    updated_at_us: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    data: str = Field(sa_column=Column(Text, nullable=False))


class EventRow(SQLModel, table=True):
    __tablename__ = "events"
    plan_id: str = Field(primary_key=True)
    seq: int = Field(primary_key=True)
    at: str
    at_us: int = Field(sa_column=Column(BigInteger, nullable=False))
    trigger: str
    actor: str = Field(sa_column=Column(Text, nullable=False))
    payload: str = Field(sa_column=Column(Text, nullable=False))
    definition: str
    prev_hash: str
    hash: str
    command_id: str | None = Field(default=None, index=True)


class CommandRow(SQLModel, table=True):
    """One row per command id: the key makes applying one command twice impossible."""

    __tablename__ = "commands"
    command_id: str = Field(primary_key=True)
    plan_id: str
    seq: int
    digest: str | None = None
    """SHA-256 of the command's trigger, actor and payload: the same id with another command
    is refused; NULL for commands stored before the column existed."""


class DeadlineRow(SQLModel, table=True):
    __tablename__ = "deadlines"
    __table_args__ = (Index("ix_deadlines_status_expires", "status", "expires_at_us"),)
    plan_id: str = Field(primary_key=True)
    name: str = Field(primary_key=True)
    due: str
    started_at: str
    expires_at_us: int = Field(sa_column=Column(BigInteger, nullable=False))
    status: str
    closed_at: str | None = None


class AppendedRow(SQLModel, table=True):
    """One entry of a plan's escalation history (`kind`), the `n`-th of its list.

    Appended, never rewritten: the plan row holds the rest (`Plan.head`), so a command
    rewrites a row of the same size however long the plan's history grows. Plans stored
    before this table existed keep the lists in their row until their next command.
    """

    __tablename__ = "plan_appended"
    plan_id: str = Field(primary_key=True)
    kind: str = Field(primary_key=True)
    n: int = Field(primary_key=True)
    entry: str = Field(sa_column=Column(Text, nullable=False))


PLANS = PlanRow.__table__  # type: ignore[attr-defined]
EVENTS = EventRow.__table__  # type: ignore[attr-defined]
DEADLINES = DeadlineRow.__table__  # type: ignore[attr-defined]
COMMANDS = CommandRow.__table__  # type: ignore[attr-defined]
APPENDED = AppendedRow.__table__  # type: ignore[attr-defined]
_HELD_LOCK = threading.Lock()
SIGS_KEPT = 10_000
WAKE_WITHIN_US = 3_600_000_000
"""A deadline written open that expires before `wake_before` (the service passes its
clock's now plus an hour; without it, an hour after the command) wakes the workers
(PostgreSQL NOTIFY); later ones they find when they next look."""
T = TypeVar("T")


def make_engine(url: str) -> Engine:
    """An engine on `url`; SQLite waits 30 s for another writer's lock unless the URL's
    `?timeout=` says otherwise."""
    if url.startswith("sqlite"):
        memory = url in ("sqlite://", "sqlite:///:memory:")
        timeout = {} if "timeout" in make_url(url).query else {"timeout": 30}
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, **timeout},
            **({"poolclass": StaticPool} if memory else {}),
        )

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            if not memory:
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()
            dbapi_conn.create_function("azwa_lower", 1, _lower, deterministic=True)

        return engine
    from workflow.store.settings import server_settings

    driver_url, settings = server_settings(make_url(url))
    engine = create_engine(driver_url, pool_size=settings.pool_size,
                           max_overflow=settings.pool_size, pool_pre_ping=True)
    if settings.statement_timeout_ms and engine.dialect.name == "postgresql":
        limit_ms = settings.statement_timeout_ms

        @event.listens_for(engine, "connect")
        def _statement_timeout(dbapi_conn: Any, _record: Any) -> None:
            with dbapi_conn.cursor() as cur:
                cur.execute(f"SET statement_timeout = {int(limit_ms)}")
            dbapi_conn.commit()

    return engine


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _folded(column: Any, dialect: str) -> Any:
    """A text column without surrounding spaces, in lower case: `azwa_lower` (Python's) on
    SQLite, whose own lower() folds ASCII letters only; lower() elsewhere.

    The SQL mirror of workflow.core.text.normal_name for the region and track filters, as
    far as every database can: surrounding spaces and case do not count; inner spaces are
    compared as stored and letters lower-cased, not case-folded (`ß` stays), as PostgreSQL's
    lower() does too. Change both together."""
    lower = func.azwa_lower if dialect == "sqlite" else func.lower
    return lower(func.trim(column))


def _breaches_of(dialect: str) -> Any:
    """The plan JSON's breach list as JSON text, read in SQL where the database can."""
    if dialect == "sqlite":
        return func.json_extract(PLANS.c.data, "$.breaches")
    if dialect == "postgresql":
        return func.jsonb_extract_path_text(cast(PLANS.c.data, JSONB), "breaches")
    return PLANS.c.data


def _breach_list(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    data = json.loads(value) if isinstance(value, str) else value
    if isinstance(data, dict):  # the whole plan, where the database reads no JSON
        data = data.get("breaches", [])
    return tuple(str(name) for name in data)


UNREADABLE = (TypeError, ValueError, KeyError, AttributeError, OverflowError)
"""What decoding a row the engine did not write raises; reads turn it into CorruptRow."""


def _event_from_row(row: Any) -> Event:
    where = ["actor"]  # the column being read, for the error

    def read(name: str) -> Any:
        where[0] = name
        value = _loads(getattr(row, name))
        if type(value) is not dict:
            raise TypeError(f"a JSON {type(value).__name__}, not an object")
        return value

    try:
        actor, payload = read("actor"), read("payload")
        for name in ("at", "trigger", "definition", "prev_hash", "hash"):
            where[0] = name
            if type(getattr(row, name)) is not str:
                raise TypeError("not a text")
    except UNREADABLE as exc:
        raise CorruptRow("events", row.plan_id, f"{where[0]} (seq {row.seq})",
                         described(exc)) from None
    return Event(
        plan_id=row.plan_id, seq=row.seq, at=row.at, trigger=row.trigger,
        actor=actor, payload=payload,
        definition=row.definition, prev_hash=row.prev_hash, hash=row.hash,
    )


class _Row:
    """A DBAPI row read by column name, as SQLAlchemy's rows are."""

    __slots__ = ("__dict__",)

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)


def _plan_from(plan_id: str, data: Any, rows: Sequence[tuple[Any, ...]]) -> Plan:
    """A plan from its row's JSON (or that JSON read) and its `plan_appended` rows (kind,
    entry) in order."""
    try:
        fields = data if isinstance(data, dict) else _loads(data)
    except UNREADABLE as exc:
        raise CorruptRow("plans", plan_id, "data", described(exc)) from None
    if type(fields) is not dict:
        raise CorruptRow("plans", plan_id, "data",
                         f"a JSON {type(fields).__name__}, not an object")
    # A row written before `plan_appended` holds the lists itself.
    apart = [kind for kind in APPEND_ONLY if kind not in fields]
    texts: dict[str, list[str]] = {kind: [] for kind in apart}
    for kind, entry in rows:
        if kind in texts:
            texts[kind].append(entry)
    try:
        fields.update({kind: [_loads(entry) for entry in found]
                       for kind, found in texts.items()})
    except UNREADABLE as exc:
        raise CorruptRow("plan_appended", plan_id, "entry", described(exc)) from None
    try:
        plan = Plan.from_dict(fields)
    except UNREADABLE as exc:
        raise CorruptRow("plans", plan_id, "data", described(exc)) from None
    # A row from before `plan_appended` holds its lists: none stored apart yet, so the
    # next save moves them over.
    plan.stored.entries = tuple(texts.get(kind, []) for kind in APPEND_ONLY)
    return plan


def _deadline_from_row(row: Any) -> Deadline:
    try:
        date.fromisoformat(row.due)
    except UNREADABLE as exc:
        raise CorruptRow("deadlines", row.plan_id, f"due ({row.name})", described(exc)) from None
    try:
        from_micros(row.expires_at_us)
    except UNREADABLE as exc:
        raise CorruptRow("deadlines", row.plan_id, f"expires_at_us ({row.name})",
                         described(exc)) from None
    try:
        return Deadline.from_dict({
            "name": row.name, "started_at": row.started_at, "due": row.due,
            "expires_at_us": row.expires_at_us, "status": row.status,
            "closed_at": row.closed_at,
        })
    except UNREADABLE as exc:
        raise CorruptRow("deadlines", row.plan_id, f"started_at, status or closed_at "
                         f"({row.name})", described(exc)) from None


def _text(data: Any) -> str:
    """An event's actor or payload as stored: its canonical JSON, so the row reads back
    to exactly what was hashed (NaN stays NaN)."""
    return canonical(data).decode()


def _append_entries(run: sqlrun.Runner, plan_id: str, rows: list[dict[str, Any]]) -> None:
    """Append entries a store may hold already (a plan it never read): kept as they are."""
    if run.upsert:
        run.many(sqlrun.APPEND_NEW, rows)
        return
    held = {kind: int(run.one(sqlrun.COUNT_APPENDED, {"plan_id": plan_id, "kind": kind}))
            for kind in APPEND_ONLY}
    run.many(sqlrun.INSERT_APPENDED, [r for r in rows if r["n"] >= held[r["kind"]]])


def _deadline_values(plan_id: str, dl: Deadline) -> dict[str, Any]:
    return {
        "plan_id": plan_id, "name": dl.name, "due": dl.due.isoformat(),
        "started_at": dl.started_at, "expires_at_us": dl.expires_us,
        "status": dl.status, "closed_at": dl.closed_at,
    }


def _summary(row: Any, due: Any, expired: tuple[tuple[str, str], ...] = ()) -> PlanSummary:
    """A plan row and its first open deadline row as a summary; CorruptRow if unreadable."""
    expires = None
    if due is not None:
        try:
            date.fromisoformat(due.due)
        except UNREADABLE as exc:
            raise CorruptRow("deadlines", row.plan_id, f"due ({due.name})",
                             described(exc)) from None
        try:
            expires = from_micros(due.expires_at_us)
        except UNREADABLE as exc:
            raise CorruptRow("deadlines", row.plan_id, f"expires_at_us ({due.name})",
                             described(exc)) from None
    try:
        breaches = _breach_list(row.breaches)
    except UNREADABLE as exc:
        raise CorruptRow("plans", row.plan_id, "data", described(exc)) from None
    for column in ("title", "region", "track", "state", "escalation", "definition"):
        if type(getattr(row, column)) is not str:
            raise CorruptRow("plans", row.plan_id, column, "not a text")
    return PlanSummary(
        plan_id=row.plan_id, title=row.title, region=row.region, track=row.track,
        state=row.state, escalation=row.escalation, definition=row.definition, seq=row.seq,
        next_due=due.due if due is not None else None,
        next_deadline=due.name if due is not None else None,
        next_expires_at=expires, breaches=breaches, expired=expired,
    )


def _moved_on(plan_id: str, expected_seq: int) -> StaleWrite:
    """A save refused because the plan moved on since it was read (either way of saving)."""
    return StaleWrite(Phrase("plan {plan} changed since it was read (expected seq {seq}); "
                             "reload and try again", plan=plan_id, seq=expected_seq))


def _command_found(found: Sequence[Any], rows: Sequence[Sequence[Any]]
                   ) -> tuple[str, str | None, list[Event]]:
    """A command row (plan id, digest) and its event rows, as `SqlStore.command` gives them."""
    plan_id, digest = found
    events = [_event_from_row(_Row(dict(zip(sqlrun.EVENT_COLUMNS, row, strict=True))))
              for row in rows]
    return str(plan_id), None if digest is None else str(digest), events


def _event_rows(events: Sequence[Event], command_id: str | None) -> list[dict[str, Any]]:
    return [
        {
            "plan_id": e.plan_id, "seq": e.seq, "at": e.at,
            "at_us": to_micros(parse_at(e.at)), "trigger": e.trigger,
            "actor": _text(e.actor), "payload": _text(e.payload),
            "definition": e.definition, "prev_hash": e.prev_hash,
            "hash": e.hash, "command_id": command_id,
        }
        for e in events
    ]


def _soonest(rows: Sequence[dict[str, Any]], now_us: int, wake_before: datetime | None
             ) -> str | None:
    """The earliest expiry among open deadline rows due before `wake_before` (else within
    WAKE_WITHIN_US of the command), as the NOTIFY payload; None if none is."""
    wake_us = to_micros(wake_before) if wake_before is not None else now_us + WAKE_WITHIN_US
    soon = [r["expires_at_us"] for r in rows if r["status"] == "open"
            and r["expires_at_us"] <= wake_us]
    return str(min(soon)) if soon else None


class _PlanRows:
    """A plan's row values and its new appended entries, as a save writes them; `stored()`
    records them as stored once the transaction committed."""

    __slots__ = ("appended", "head", "kept", "news", "now_us", "starts", "values")

    def __init__(self, plan: Plan) -> None:
        self.now_us = to_micros(plan.last_at) if plan.last_at else 0
        self.head = compact(plan.head())
        self.values: dict[str, Any] = {
            "plan_id": plan.plan_id, "definition": plan.definition, "state": plan.state,
            "escalation": plan.escalation, "seq": plan.seq, "updated_at_us": self.now_us,
            "data": self.head,
        }
        self.kept = kept = plan.stored.entries
        self.news = news = [
            [compact(entry) for entry in items[len(texts):]] if len(items) >= len(texts)
            else [compact(entry) for entry in items]  # the list was replaced: all again
            for items, texts in zip(plan.appended(), kept, strict=True)
        ]
        self.starts = starts = [len(texts) if len(items) >= len(texts) else 0
                                for items, texts in zip(plan.appended(), kept, strict=True)]
        self.appended = [
            {"plan_id": plan.plan_id, "kind": kind, "n": n, "entry": entry}
            for kind, new, start in zip(APPEND_ONLY, news, starts, strict=True)
            for n, entry in enumerate(new, start=start)
        ]

    def stored(self) -> StoredPlan:
        for texts, new, start in zip(self.kept, self.news, self.starts, strict=True):
            del texts[start:]
            texts.extend(new)
        return StoredPlan(self.head, tuple(tuple(texts) for texts in self.kept))


Judge = Callable[[Plan], tuple[Sequence[Event], Sequence[Deadline]]]
"""What a worker makes of a claimed plan: the events to append and the deadlines changed."""


class Claimed:
    """What one batch of `expire_due` did: plans claimed, events written."""

    __slots__ = ("events", "plans")

    def __init__(self) -> None:
        self.plans = 0
        self.events: list[Event] = []


class SqlStore:
    """Plans, the append-only event log and deadline rows in one SQL database."""

    def __init__(
        self, url: str | None = None, *, create: bool = True, signer: heads.Signer | None = None
    ) -> None:
        self.url = resolve_url(url)
        self.engine = make_engine(self.url)
        self.signer = signer if signer is not None else heads.Signer.from_env()
        self.on_save: Callable[[sqlrun.Runner, Plan, Sequence[Event], str | None], None] | None
        self.on_save = None
        """Called first in each save's transaction (the webhook outbox: store/outbox.py)."""
        self._sigs: OrderedDict[str, tuple[int, str]] = OrderedDict()
        """Per plan, the seq and signature of its last head as this store last read or
        wrote it: the next head chains to it without reading it back."""
        if create:
            self.create_schema()

    def create_schema(self) -> None:
        """The tables at the newest schema version: created and stamped when the database
        is empty, migrated when it is older (workflow/store/migrations)."""
        from workflow.store import schema

        schema.upgrade(self.engine)
        self.__dict__["_head"] = True

    def _remember_sig(self, plan_id: str, seq: int, sig: str | None) -> None:
        if sig is None:
            return
        self._sigs[plan_id] = (seq, sig)
        self._sigs.move_to_end(plan_id)
        while len(self._sigs) > SIGS_KEPT:
            self._sigs.popitem(last=False)

    def _known_sig(self, plan_id: str, seq: int) -> str | None:
        found = self._sigs.get(plan_id)
        return found[1] if found is not None and found[0] == seq else None

    def close(self) -> None:
        held = self.__dict__.get("_held")
        if held is not None:
            held.close()
        self.engine.dispose()

    def idle(self) -> bool:
        """No transaction of this store's holds its connection at this moment (a hint: another
        thread may take it the moment after)."""
        held: sqlrun.Held | None = self.__dict__.get("_held")
        return held is None or not held.lock.locked()

    def _run(self, work: Callable[[sqlrun.Runner], T], *, write: bool = True) -> T:
        """`work` in one transaction on the held connection; once more on a new connection
        if the held one turns out lost before anything was committed (a server restart, an
        idle timeout): what pool_pre_ping did, without a ping per command."""
        for attempt in (1, 2):
            try:
                with sqlrun.transaction(self.engine, write=write,
                                        held=self._connection()) as run:
                    return work(run)
            except sqlrun.Disconnected as lost:
                if attempt == 2:
                    raise (lost.__cause__ or lost) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _connection(self) -> sqlrun.Held:
        """The connection this store's commands run on, held from the first one on."""
        held: sqlrun.Held | None = self.__dict__.get("_held")
        if held is None:
            with _HELD_LOCK:
                held = self.__dict__.get("_held")
                if held is None:
                    held = self.__dict__["_held"] = sqlrun.Held(self.engine)
        return held

    # -- writes --------------------------------------------------------------------------------

    def save(
        self,
        plan: Plan,
        events: Sequence[Event],
        *,
        expected_seq: int | None,
        deadlines: Sequence[Deadline],
        command_id: str | None = None,
        command_digest: str | None = None,
        wake_before: datetime | None = None,
    ) -> StoredPlan:
        if expected_seq is not None and events and self.on_save is None and (
                self._connection().autocommit):
            prev_sig = self._known_sig(plan.plan_id, events[0].seq - 1)
            if prev_sig is not None:
                return self._save_at_once(
                    plan, events, expected_seq=expected_seq, deadlines=deadlines,
                    command_id=command_id, command_digest=command_digest, prev_sig=prev_sig,
                    wake_before=wake_before)
        integrity = self.engine.dialect.loaded_dbapi.IntegrityError
        done: list[Callable[[], StoredPlan]] = []

        def write(run: sqlrun.Runner) -> None:
            done[:] = [self._write(run, plan, events, expected_seq=expected_seq,
                                   deadlines=deadlines, command_id=command_id,
                                   command_digest=command_digest, wake_before=wake_before)]

        try:
            self._run(write)
        except (IntegrityError, integrity) as exc:
            raise StaleWrite(Phrase("plan {plan}: a concurrent write got there first ({reason})",
                                    plan=plan.plan_id, reason=str(exc))) from exc
        return done[0]()

    def _write(
        self,
        run: sqlrun.Runner,
        plan: Plan,
        events: Sequence[Event],
        *,
        expected_seq: int | None,
        deadlines: Sequence[Deadline],
        command_id: str | None = None,
        command_digest: str | None = None,
        prev_sig: str | None = None,
        wake_before: datetime | None = None,
    ) -> Callable[[], StoredPlan]:
        """Queue a command's writes on `run`; what to call once the transaction committed
        (it records what is now stored and returns the plan as stored)."""
        rows = _PlanRows(plan)
        now_us, values, appended = rows.now_us, rows.values, rows.appended
        if self.on_save is not None:
            self.on_save(run, plan, events, command_id)
        if expected_seq is None:
            run.queue(sqlrun.INSERT_PLAN, {
                **values, "title": str(plan.attrs.get("title", "")),
                "region": str(plan.attrs.get("region", "")),
                "track": str(plan.attrs.get("track", "")), "registered_at_us": now_us,
            })
        else:
            run.expect(sqlrun.UPDATE_PLAN, {**values, "expected_seq": expected_seq},
                       lambda: _moved_on(plan.plan_id, expected_seq))
        if appended:
            _append_entries(run, plan.plan_id, appended)
        sig = None
        if events:
            run.many(sqlrun.INSERT_EVENT, _event_rows(events, command_id))
            if prev_sig is None and expected_seq is not None:
                prev_sig = self._known_sig(plan.plan_id, events[0].seq - 1)
            sig = heads.record(run, events, self.signer,
                               "" if expected_seq is None else prev_sig)
        if command_id is not None:
            run.queue(sqlrun.INSERT_COMMAND, {"command_id": command_id, "plan_id": plan.plan_id,
                                              "seq": plan.seq, "digest": command_digest})
        if deadlines:
            dl_rows = [_deadline_values(plan.plan_id, dl) for dl in deadlines]
            sqlrun.upsert_deadlines(run, dl_rows)
            soon = _soonest(dl_rows, now_us, wake_before)
            if soon is not None and self.engine.dialect.name == "postgresql":
                run.queue(sqlrun.NOTIFY_DEADLINE, {"expires_at_us": soon})

        def stored() -> StoredPlan:
            self._remember_sig(plan.plan_id, plan.seq, sig)
            return rows.stored()

        return stored

    def _save_at_once(
        self,
        plan: Plan,
        events: Sequence[Event],
        *,
        expected_seq: int,
        deadlines: Sequence[Deadline],
        command_id: str | None,
        command_digest: str | None,
        prev_sig: str,
        wake_before: datetime | None,
    ) -> StoredPlan:
        """`save` on PostgreSQL in one statement, one round trip (store/pgsave.py)."""
        sql, params, stored = self._at_once(plan, events, expected_seq, deadlines, command_id,
                                            command_digest, prev_sig, wake_before)
        self._run_at_once(sql, params, plan.plan_id, command_id, params["h"])
        return stored()

    def _at_once(
        self, plan: Plan, events: Sequence[Event], expected_seq: int,
        deadlines: Sequence[Deadline], command_id: str | None, command_digest: str | None,
        prev_sig: str, wake_before: datetime | None,
    ) -> tuple[str, dict[str, Any], Callable[[], StoredPlan]]:
        """A command's writes as one statement and its parameters (`h`: the head row,
        which the statement does not use), and what to call once it is committed."""
        rows = _PlanRows(plan)
        head = heads.head_row(events, self.signer, prev_sig)
        dl_rows = [_deadline_values(plan.plan_id, dl) for dl in deadlines]
        soon = _soonest(dl_rows, rows.now_us, wake_before) if dl_rows else None
        sql = pgsave.statement(events=len(events), appended=len(rows.appended),
                               deadlines=len(dl_rows), command=command_id is not None,
                               notify=soon is not None)
        params: dict[str, Any] = {
            **rows.values, "expected_seq": expected_seq, "command_id": command_id,
            "digest": command_digest, "wake": soon, "h": head,
            **{f"h_{name}": value for name, value in head.items()},
            **pgsave.flat(_event_rows(events, command_id), pgsave.EVENT_FIELDS, "e"),
            **pgsave.flat(rows.appended, pgsave.APPENDED_FIELDS, "a"),
            **pgsave.flat(dl_rows, pgsave.DEADLINE_FIELDS, "d"),
        }

        def stored() -> StoredPlan:
            self._remember_sig(plan.plan_id, plan.seq, str(head["sig"]))
            return rows.stored()

        return sql, params, stored

    def _run_at_once(self, sql: str, params: dict[str, Any], plan_id: str,
                     command_id: str | None, head: dict[str, str | int]) -> None:
        """Run a save statement on the held connection (autocommit: it commits on its own).

        Lost, the connection may have taken the statement with it or not: a new one reads
        whether the command's head is stored, and runs the statement once more if not."""
        integrity = self.engine.dialect.loaded_dbapi.IntegrityError
        held = self._connection()
        for attempt in (1, 2):
            with held.lock:
                raw = held.connection()
                conn = raw.dbapi_connection
                try:
                    conn.execute(sql, params)
                    return
                except Exception as exc:
                    if not sqlrun.broken(raw):
                        if isinstance(exc, integrity) or getattr(exc, "sqlstate", None) == (
                                pgsave.STALE):
                            stale = _moved_on(plan_id, params["expected_seq"])
                            try:
                                stale.reread = self._reread(conn, plan_id, command_id)
                            except Exception:  # only saves the caller its own reads
                                if sqlrun.broken(raw):
                                    held.drop()
                            raise stale from None
                        raise
                    held.drop()
                    if attempt == 2:
                        raise
            if self._head_hash(plan_id, int(head["seq"])) == head["hash"]:
                return  # it was committed before the connection went

    def _reread(self, conn: Any, plan_id: str, command_id: str | None
                ) -> tuple[Plan | None, tuple[str, str | None, list[Event]] | None] | None:
        """After a lost save, on its connection and in one round trip: the plan as stored
        now and what the command id was used for (`load` and `command` together)."""
        if not self._at_head():
            return None
        queries = pgsave.RELOAD if command_id is not None else pgsave.RELOAD[:1]
        params = {"plan_id": plan_id, "command_id": command_id}
        with conn.pipeline():
            cursors = [conn.execute(sqlrun.to_pyformat(sql), params) for sql in queries]
        found = [cursor.fetchall() for cursor in cursors]
        plan = None
        if found[0] and found[0][0][0] == 0:
            _, data, sig, _, _ = found[0][0]
            plan = _plan_from(plan_id, data, [(kind, entry)
                                              for _, entry, _, kind, _ in found[0][1:]])
            self._remember_sig(plan_id, plan.seq, "" if sig is None else str(sig))
        if command_id is None or not found[1]:
            return plan, None
        return plan, _command_found(found[1][0], found[2])

    def _head_hash(self, plan_id: str, seq: int) -> str | None:
        def read(run: sqlrun.Runner) -> Any:
            return run.one(sqlrun.HEAD_HASH, {"plan_id": plan_id, "seq": seq})

        found = self._run(read, write=False)
        return None if found is None else str(found)

    def expire_due(self, now: datetime, limit: int, judge: Judge) -> Claimed:
        """Claim up to `limit` plans with a deadline due at or before `now` and write what
        `judge` makes of each, all in one transaction.

        On PostgreSQL the plan rows are locked with FOR UPDATE SKIP LOCKED: workers running
        at once each claim other plans, and a command on a claimed plan waits for the batch
        (then finds the plan moved and is judged again). On SQLite the batch takes the
        database's write lock first, so workers take turns. Killed mid-batch, nothing of it
        is committed and the rows are due again for the next worker."""
        sqlite = self.engine.dialect.name == "sqlite"
        at_once = self.on_save is None and self._connection().autocommit
        claim = sqlrun.CLAIM_DUE_SQLITE if sqlite else sqlrun.CLAIM_DUE
        params = {"now_us": to_micros(now), "limit": limit}
        done: list[Callable[[], StoredPlan]] = []
        claimed = Claimed()

        def work(run: sqlrun.Runner) -> None:
            done.clear()
            claimed.plans, claimed.events = 0, []
            if sqlite:
                run.queue(sqlrun.BEGIN_IMMEDIATE, {})
            rows = run.all(claim, params)
            picked: dict[str, tuple[Any, Any]] = {}
            for plan_id, data, sig in rows:
                picked.setdefault(plan_id, (data, sig))
            ids = list(picked)
            appended = run.together([(sqlrun.LOAD_APPENDED, {"plan_id": i}) for i in ids])
            claimed.plans = len(ids)
            for plan_id, found in zip(ids, appended, strict=True):
                data, sig = picked[plan_id]
                plan = _plan_from(plan_id, data, found)
                read_seq = plan.seq
                events, deadlines = judge(plan)
                if not events:
                    continue
                prev_sig = "" if sig is None else str(sig)
                if at_once:  # one statement a plan instead of five (store/pgsave.py)
                    sql, values, stored = self._at_once(plan, events, read_seq, deadlines,
                                                        None, None, prev_sig, None)
                    run.queue(sql, values)
                    done.append(stored)
                else:
                    done.append(self._write(run, plan, events, expected_seq=read_seq,
                                            deadlines=deadlines, prev_sig=prev_sig))
                claimed.events.extend(events)

        self._run(work)
        for stored in done:
            stored()
        return claimed

    # -- reads ---------------------------------------------------------------------------------

    def load(self, plan_id: str) -> Plan | None:
        def read(run: sqlrun.Runner) -> list[tuple[Any, ...]]:
            return run.all(sqlrun.LOAD_PLAN, {"plan_id": plan_id})

        if not self._at_head():
            return self._load_older(plan_id)
        rows = self._run(read, write=False)
        if not rows or rows[0][0] != 0:
            return None
        _, data, sig, _, _ = rows[0]
        plan = _plan_from(plan_id, data, [(kind, entry) for _, entry, _, kind, _ in rows[1:]])
        self._remember_sig(plan_id, plan.seq, "" if sig is None else str(sig))
        return plan

    def _at_head(self) -> bool:
        """Whether the schema is the newest (else it is only read, as it is); asked once."""
        known: bool | None = self.__dict__.get("_head")
        if known is None:
            from workflow.store import schema

            with self.engine.connect() as conn:  # a table dropped by hand counts too
                known = self.__dict__["_head"] = schema.current(conn) == schema.HEAD and (
                    set(schema.AZWA_TABLES) <= set(inspect(conn).get_table_names()))
        return known

    def _load_older(self, plan_id: str) -> Plan | None:
        """A plan from a database at an older schema, read as it is: it may lack the heads
        and plan_appended tables (rows from before them hold the lists themselves)."""
        def read(run: sqlrun.Runner) -> tuple[Any, list[tuple[Any, ...]]]:
            data = run.one(sqlrun.LOAD_PLAN_DATA, {"plan_id": plan_id})
            if data is None:
                return None, []
            try:
                fields = _loads(data)
            except UNREADABLE as exc:
                raise CorruptRow("plans", plan_id, "data", described(exc)) from None
            apart = type(fields) is dict and any(k not in fields for k in APPEND_ONLY)
            return fields, run.all(sqlrun.LOAD_APPENDED, {"plan_id": plan_id}) if apart else []

        fields, rows = self._run(read, write=False)
        return None if fields is None else _plan_from(plan_id, fields, rows)

    def command(self, command_id: str) -> tuple[str, str | None, list[Event]] | None:
        """A stored command: its plan, its digest (None if stored before digests were) and
        the events it produced; None if the id was never used."""
        def read(run: sqlrun.Runner) -> list[list[tuple[Any, ...]]]:
            params = {"command_id": command_id}
            return run.together([(sqlrun.LOAD_COMMAND, params),
                                 (sqlrun.COMMAND_EVENTS, params)])

        found, rows = self._run(read, write=False)
        return _command_found(found[0], rows) if found else None

    def command_events(self, command_id: str) -> list[Event] | None:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(EVENTS).where(EVENTS.c.command_id == command_id)
                .order_by(EVENTS.c.plan_id, EVENTS.c.seq)
            ).all()
        return [_event_from_row(r) for r in rows] or None

    def events(self, plan_id: str) -> list[Event]:
        return list(self.iter_events(plan_id))

    def iter_events(self, plan_id: str | None = None) -> Iterator[Event]:
        query = select(EVENTS).order_by(EVENTS.c.plan_id, EVENTS.c.seq)
        if plan_id is not None:
            query = query.where(EVENTS.c.plan_id == plan_id)
        with self.engine.connect() as conn:
            for row in conn.execution_options(yield_per=1000).execute(query):
                yield _event_from_row(row)

    def due(self, now: datetime, limit: int | None = None) -> list[DueDeadline]:
        query = (
            select(DEADLINES.c.plan_id, DEADLINES.c.name, DEADLINES.c.expires_at_us)
            .where(and_(DEADLINES.c.status == "open",
                        DEADLINES.c.expires_at_us <= to_micros(now)))
            .order_by(DEADLINES.c.expires_at_us, DEADLINES.c.plan_id, DEADLINES.c.name)
        )
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        found = []
        for r in rows:
            try:
                found.append(DueDeadline(r.plan_id, r.name, from_micros(r.expires_at_us)))
            except UNREADABLE as exc:
                raise CorruptRow("deadlines", r.plan_id, f"expires_at_us ({r.name})",
                                 described(exc)) from None
        return found

    def stored_deadlines(self, plan_id: str) -> list[Deadline]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(DEADLINES).where(DEADLINES.c.plan_id == plan_id)
                .order_by(DEADLINES.c.name)
            ).all()
        return [_deadline_from_row(r) for r in rows]

    def plans(
        self,
        *,
        state: str | None = None,
        region: str | None = None,
        track: str | None = None,
        limit: int = 1000,
    ) -> list[PlanSummary]:
        dialect = self.engine.dialect.name
        breaches = _breaches_of(dialect)
        query = (select(PLANS.c.plan_id, PLANS.c.title, PLANS.c.region, PLANS.c.track,
                        PLANS.c.state, PLANS.c.escalation, PLANS.c.definition, PLANS.c.seq,
                        breaches.label("breaches"))
                 .order_by(PLANS.c.updated_at_us.desc(), PLANS.c.plan_id).limit(limit))
        if state:
            query = query.where(PLANS.c.state == state)
        for column, wanted in ((PLANS.c.region, region), (PLANS.c.track, track)):
            if wanted is not None and wanted.strip():
                query = query.where(_folded(column, dialect) == wanted.strip().lower())
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
            ids = [r.plan_id for r in rows]
            first = (
                select(DEADLINES.c.plan_id, DEADLINES.c.name, DEADLINES.c.due,
                       DEADLINES.c.expires_at_us,
                       func.row_number().over(
                           partition_by=DEADLINES.c.plan_id,
                           order_by=(DEADLINES.c.expires_at_us, DEADLINES.c.name)).label("n"))
                .where(and_(DEADLINES.c.status == "open", DEADLINES.c.plan_id.in_(ids)))
                .subquery()
            )
            due = {d.plan_id: d for d in conn.execute(select(first).where(first.c.n == 1))}
            idle = [i for i in ids if i not in due]
            expired: dict[str, list[tuple[str, str]]] = {}
            for d in conn.execute(
                select(DEADLINES.c.plan_id, DEADLINES.c.name, DEADLINES.c.due)
                .where(and_(DEADLINES.c.status == "expired", DEADLINES.c.plan_id.in_(idle)))
                .order_by(DEADLINES.c.expires_at_us.desc(), DEADLINES.c.name)
            ):
                try:
                    due_day = date.fromisoformat(d.due).isoformat()
                except UNREADABLE as exc:
                    raise CorruptRow("deadlines", d.plan_id, f"due ({d.name})",
                                     described(exc)) from None
                expired.setdefault(d.plan_id, []).append((str(d.name), due_day))
        return [_summary(r, due.get(r.plan_id), tuple(expired.get(r.plan_id, ())))
                for r in rows]

    def plan_ids(self) -> Iterator[str]:
        with self.engine.connect() as conn:
            yield from conn.execute(
                select(PLANS.c.plan_id).order_by(PLANS.c.registered_at_us, PLANS.c.plan_id)
            ).scalars()

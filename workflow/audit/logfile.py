"""An event log file (JSON Lines): read one line at a time, replayed plan by plan as it streams.

The reader checks what a line must hold to be replayed at all: a JSON object with `plan_id`,
`seq`, `at` (ISO-8601 with an offset), `trigger` and `actor` (`role`, `org`); `payload`,
`definition`, `prev_hash` and `hash` may be missing (a log from another system). A line that
cannot be read raises LogFileError naming the line. Nothing is loaded whole: `replay_lines`
keeps one PlanReplay per plan (workflow.audit.replay judges each event) and reads on.
"""

from __future__ import annotations

import itertools
import json
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import IO, Any, NamedTuple

from workflow.audit import bounds
from workflow.audit.bounds import LineReader
from workflow.audit.bounds import LogFileError as LogFileError  # docs/replay.md: read_log's
from workflow.audit.replay import (
    CHAIN_ABSENT,
    CHAIN_BROKEN,
    CHAIN_OK,
    PlanReplay,
    definition_ref,
    triggers_of,
)
from workflow.core.events import loads as fast_loads
from workflow.core.phrase import Phrase, reader_problem
from workflow.core.spec import REGISTER

REQUIRED = ("plan_id", "seq", "at", "trigger", "actor")


class LogLine(NamedTuple):
    """One readable event: where it stands, its fields as read, and its moment parsed (a
    named tuple: made once per line, for half what a frozen dataclass costs)."""

    line: int
    event: dict[str, Any]
    at: datetime


def _fail(line: int, message: str) -> LogFileError:
    return LogFileError(line, message)


_SCAN: Callable[[str, int], tuple[Any, int]] = vars(json.JSONDecoder())["scan_once"]
"""The C scanner behind json.loads, called directly: a line of a log is one object."""


def _loads(number: int, raw: str) -> Any:
    """json.loads, for what the fast path did not take: None for a blank line."""
    try:
        return json.loads(raw)
    except ValueError as exc:
        if not raw or raw.isspace():
            return None
        if isinstance(exc, json.JSONDecodeError):
            raise _fail(number, Phrase("not valid JSON ({problem} at column {column})",
                                       problem=reader_problem(exc.msg),
                                       column=exc.colno)) from None
        raise _fail(number, Phrase("not valid JSON")) from None


@lru_cache(maxsize=4096)
def _utc(text: str) -> datetime:
    """A log's `at` in UTC, remembered: a log's events share moments (a tick, a batch)."""
    return bounds.log_at(0, text).astimezone(UTC)


def _moment(number: int, text: str) -> datetime:
    """A log's `at` (strict ISO-8601, years 1900–2200). Kept in UTC, the zone of the
    expiries and of a plan's last moment, so the engine compares without computing an
    offset (the event keeps its text). A refusal names the line it is on."""
    try:
        return _utc(text)
    except LogFileError as exc:
        raise LogFileError(number, exc.message, exc.source) from None


def parse_line(number: int, raw: bytes | str,
               limits: bounds.Limits | None = None) -> LogLine | None:
    """One line of the log, read within `limits` (else the environment's, AZWA_MAX_*); None
    for a blank line; LogFileError when it cannot be read."""
    limits = bounds.Limits.from_env() if limits is None else limits
    return next(_events(((number, raw),), limits, ""), None)


def _events(numbered: Iterable[tuple[int, bytes | str]], limits: bounds.Limits,
            source: str) -> Iterator[LogLine]:
    """The one fast path, a loop: it runs for every line of a long log. orjson reads the
    bytes and checks UTF-8 at once; it refuses lone surrogates, so the text needs no search
    for them. A line that could nest too deep, or that orjson refuses (or json accepts:
    NaN), takes the careful path."""
    depth = limits.max_depth
    for number, raw in numbered:
        try:
            if isinstance(raw, bytes):
                brackets = raw.count(b"[") + raw.count(b"{")
            else:
                brackets = raw.count("[") + raw.count("{")
            if brackets > depth:
                parsed = _parse_slow(number, raw, limits)
            else:
                try:
                    event = fast_loads(raw)
                except ValueError:
                    parsed = _parse_slow(number, raw, limits)
                else:
                    parsed = _checked(number, event, "", limits)
        except LogFileError as error:
            error.source = source
            raise
        if parsed is not None:
            yield parsed


def _parse_slow(number: int, raw: bytes | str, limits: bounds.Limits) -> LogLine | None:
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _fail(number, Phrase("not UTF-8 text (byte {byte})",
                                       byte=exc.start + 1)) from None
    else:
        text = raw
    bounds.check_text(number, text, limits)
    try:
        event, end = _SCAN(text, 0)
        if end != len(text) and not text[end:].isspace():
            raise ValueError("extra data")
    except (StopIteration, ValueError):
        event = _loads(number, text)
        if event is None:
            return None
    return _checked(number, event, text, limits)


def _checked(number: int, event: Any, text: str, limits: bounds.Limits) -> LogLine:
    if type(event) is not dict:
        raise _fail(number, Phrase("an event is a JSON object, not {kind}",
                                   kind=type(event).__name__))
    try:
        plan_id, seq, at_text = event["plan_id"], event["seq"], event["at"]
        trigger, actor = event["trigger"], event["actor"]
    except KeyError:
        missing = [key for key in REQUIRED if key not in event]
        raise _fail(number, Phrase("missing fields {fields}" if len(missing) > 1
                                   else "missing field {fields}",
                                   fields=", ".join(missing))) from None
    if type(plan_id) is not str or not plan_id or plan_id.isspace():
        raise _fail(number, Phrase("plan_id must be a non-empty text"))
    if type(seq) is not int or seq < 1:
        raise _fail(number, Phrase("seq must be a whole number from 1, not {value}",
                                   value=f"{seq!r:.40}"))
    if type(trigger) is not str or not trigger or trigger.isspace():
        raise _fail(number, Phrase("trigger must be a non-empty text"))
    if type(actor) is not dict:
        raise _fail(number, Phrase("actor must be an object with role and org"))
    role, org = actor.get("role"), actor.get("org")
    if not (type(role) is str and role and not role.isspace()):
        raise _fail(number, Phrase("missing field {fields}", fields="actor.role"))
    if not (type(org) is str and org and not org.isspace()):
        raise _fail(number, Phrase("missing field {fields}", fields="actor.org"))
    payload = event.get("payload")
    if payload is not None and type(payload) is not dict:
        raise _fail(number, Phrase("payload must be an object"))
    if len(event) > 6 or payload is None:  # else the five and the payload are all it holds
        for key in ("definition", "prev_hash", "hash"):
            if key in event and type(event[key]) is not str:
                raise _fail(number, Phrase("{key} must be a text", key=key))
    if type(at_text) is not str:
        raise _fail(number, Phrase("at must be an ISO-8601 timestamp, not {value}",
                                   value=f"{at_text!r:.40}"))
    region = actor.get("region")
    if text or (region is not None and type(region) is not str):  # the fast path read bytes
        bounds.check_event(number, text, event, limits)
    return LogLine(number, event, _moment(number, at_text))


def parse_lines(lines: Iterable[bytes | str], source: str = "",
                limits: bounds.Limits | None = None) -> Iterator[LogLine]:
    """Every readable event of a stream of lines, in order, read within `limits` (else the
    environment's); the export header skipped; stops at the first bad line."""
    rest = iter(lines)
    first = next(rest, None)
    if first is None:
        return
    first, header = bounds.first_line(first)
    numbered: Iterable[tuple[int, bytes | str]] = enumerate(rest, start=2)
    if not header:
        numbered = itertools.chain(((1, first),), numbered)
    yield from _events(numbered, bounds.Limits.from_env() if limits is None else limits,
                       source)


@contextmanager
def opened(path: Path | str) -> Iterator[IO[bytes]]:
    """The log file, or standard input for `-`; LogFileError when it cannot be opened."""
    if str(path) == "-":
        yield sys.stdin.buffer
        return
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below, after the caller is done
    except OSError as exc:
        raise LogFileError(0, Phrase("cannot open the file: {reason}",
                                     reason=exc.strerror or str(exc)), str(path)) from None
    try:
        yield handle
    finally:
        handle.close()


def read_log(path: Path | str, reader: LineReader | None = None) -> Iterator[LogLine]:
    """Stream the events of a log file (or `-`), line by line, within the reader's limits."""
    reader = reader or LineReader()
    with opened(path) as handle:
        try:
            yield from parse_lines(reader.lines(handle), str(path), reader.limits)
        except OSError as exc:
            raise LogFileError(0, Phrase("cannot read the file: {reason}",
                                         reason=exc.strerror or str(exc)), str(path)) from None


# -- replaying a whole log ------------------------------------------------------------------


@dataclass(slots=True)
class LogReplay:
    """A whole log of any number of plans, in any order of plans, replayed as it streams.

    With `keep_plans` False (the command line), a plan that reaches a final state keeps only
    its outcome (`PlanReplay.retire`), so memory grows with the plans still open, not with
    the length of the log.
    """

    plans: dict[str, PlanReplay] = field(default_factory=dict)
    events: int = 0
    keep_plans: bool = True
    _retired: set[str] = field(default_factory=set)

    def feed(self, item: LogLine) -> None:
        """One line of the log; LogFileError when the line cannot be replayed at all."""
        event, line = item.event, item.line
        plan_id, trigger = event["plan_id"], event["trigger"]
        replay = self.plans.get(plan_id)
        if replay is None:
            if trigger != REGISTER:
                raise LogFileError(line, Phrase("plan {plan!r} begins with {name!r}; the first "
                                                "event of a plan must be {register}",
                                                plan=plan_id, name=trigger, register=REGISTER))
            try:
                known = triggers_of(definition_ref(event, item.at))
            except KeyError as exc:
                raise LogFileError(line, str(exc.args[0])) from None
            replay = self.plans[plan_id] = PlanReplay(plan_id)
        else:
            known = replay.triggers or triggers_of(definition_ref(event, item.at))
        if trigger not in known:
            ref = replay.definition or definition_ref(event, item.at)
            raise LogFileError(line, Phrase("unknown trigger {name!r} (not a trigger of {ref})",
                                            name=trigger, ref=ref))
        self.events += 1
        replay.step(event, item.at, line)
        if not self.keep_plans and replay.finished and plan_id not in self._retired:
            replay.retire()
            self._retired.add(plan_id)

    def finish(self, now: datetime | None = None) -> ReplayResult:
        for replay in self.plans.values():
            replay.finish(now)
        return ReplayResult(self.plans, self.events)


@dataclass(slots=True)
class ReplayResult:
    plans: dict[str, PlanReplay]
    events: int

    @property
    def chain(self) -> str:
        found = {r.chain for r in self.plans.values()}
        if CHAIN_BROKEN in found:
            return CHAIN_BROKEN
        return CHAIN_OK if found == {CHAIN_OK} else CHAIN_ABSENT

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.plans.values())

    @property
    def exit_code(self) -> int:
        """0 no violations and the chain not broken, 1 otherwise (2 is the reader's)."""
        return 0 if self.ok else 1

    def to_dict(self) -> dict[str, Any]:
        """`azwa replay --json`: the chain over the whole log and each plan's outcome."""
        return {
            "chain": self.chain,
            "chain_breaks": [
                {"plan_id": r.plan_id, **link.to_dict()}
                for r in self.plans.values() for link in r.links
            ],
            "events": self.events,
            "plans": {pid: r.result() for pid, r in self.plans.items()},
        }


def replay_lines(
    lines: Iterable[LogLine], now: datetime | None = None, *, keep_plans: bool = False
) -> ReplayResult:
    """Replay a stream of read log lines; raises LogFileError for one that cannot be.

    Finished plans keep only their outcome unless `keep_plans` (see LogReplay)."""
    log = LogReplay(keep_plans=keep_plans)
    for item in lines:
        log.feed(item)
    return log.finish(now)

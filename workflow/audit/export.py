"""Write a store's event log out for auditors: JSON Lines, CSV, or XES for process mining.

- JSONL is the audit contract itself: one event a line exactly as stored and hashed, so
  `azwa replay` reads it back to the stored outcome.
- CSV is for spreadsheets: one row an event, the actor split into role, org and region, the
  payload as JSON text.
- XES (IEEE 1849-2016) is for process-mining tools: case = plan, activity = trigger
  (`concept:name`), `time:timestamp`, resource = the actor's organisation (`org:resource`),
  `org:role` = its role.

Every writer streams: events are read from the store plan by plan and written one at a time.

User text cannot take over the file it is written to:
- CSV: a text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a `'`
  in front (OWASP "CSV injection"), so a spreadsheet shows it instead of running it as a
  formula. A cell that is a plain number (`-12.5`) stays a number: a number runs nothing.
- XES: characters XML 1.0 cannot hold (control characters, lone surrogates) are written as
  visible escapes (`\\x01`), so the file always parses.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO
from xml.sax.saxutils import quoteattr

from workflow.audit.bounds import HEADER
from workflow.core.events import Event
from workflow.core.text import visible
from workflow.core.timecalc import parse_at

FORMATS = ("jsonl", "csv", "xes")
CSV_COLUMNS = ("plan_id", "seq", "at", "trigger", "role", "org", "region", "definition",
               "payload", "prev_hash", "hash")
TRACE_ATTRIBUTES = ("title", "region", "track")


@dataclass(frozen=True, slots=True)
class Written:
    """How much an export wrote."""

    plans: int
    events: int


class _Counter:
    def __init__(self) -> None:
        self.plans = 0
        self.events = 0
        self._last: str | None = None

    def see(self, event: Event) -> bool:
        """Count the event; True when it opens a new plan."""
        self.events += 1
        if event.plan_id != self._last:
            self._last = event.plan_id
            self.plans += 1
            return True
        return False

    def written(self) -> Written:
        return Written(self.plans, self.events)


def write_jsonl(events: Iterable[Event], out: IO[str]) -> Written:
    """A header line (the log claims to come from this engine, so replay demands its hash
    chain), then one event a line, exactly the fields that are hashed."""
    count = _Counter()
    out.write(json.dumps(HEADER, separators=(",", ":")) + "\n")
    for event in events:
        count.see(event)
        out.write(json.dumps(event.to_dict(), ensure_ascii=False, separators=(",", ":")))
        out.write("\n")
    return count.written()


_FORMULA = frozenset("=+-@\t\r")
_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?")


def csv_cell(value: object) -> object:
    """A cell a spreadsheet shows as written: formulas neutralised, numbers kept numbers."""
    if isinstance(value, str) and value[:1] in _FORMULA and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def write_csv(events: Iterable[Event], out: IO[str]) -> Written:
    """A header and one row an event; the payload and nothing else as JSON text."""
    count = _Counter()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for event in events:
        count.see(event)
        writer.writerow(csv_cell(cell) for cell in (
            event.plan_id, event.seq, event.at, event.trigger, event.actor.get("role"),
            event.actor.get("org"), event.actor.get("region") or "", event.definition,
            json.dumps(event.payload, ensure_ascii=False, sort_keys=True), event.prev_hash,
            event.hash,
        ))
    return count.written()


XES_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1849-2016" xes.features="nested-attributes" xmlns="http://www.xes-standard.org/">
  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
  <extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
  <extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>
  <extension name="Lifecycle" prefix="lifecycle" uri="http://www.xes-standard.org/lifecycle.xesext"/>
  <global scope="trace">
    <string key="concept:name" value="__INVALID__"/>
  </global>
  <global scope="event">
    <string key="concept:name" value="__INVALID__"/>
    <date key="time:timestamp" value="1970-01-01T00:00:00.000+00:00"/>
    <string key="org:resource" value="__INVALID__"/>
    <string key="org:role" value="__INVALID__"/>
    <string key="lifecycle:transition" value="complete"/>
  </global>
  <classifier name="Activity" keys="concept:name"/>
  <classifier name="Resource" keys="org:resource"/>
  <string key="concept:name" value="azwa event log"/>
"""


def _attr(kind: str, key: str, value: object) -> str:
    key, shown = (quoteattr(visible(str(text), xml=True)) for text in (key, value))
    return f"<{kind} key={key} value={shown}/>"


def _timestamp(at: str) -> str:
    """xs:dateTime with the offset kept (an event's `at` may use any ISO-8601 spelling)."""
    return parse_at(at).isoformat(timespec="milliseconds")


def _xes_event(event: Event) -> str:
    parts = [
        _attr("string", "concept:name", event.trigger),
        _attr("date", "time:timestamp", _timestamp(event.at)),
        _attr("string", "org:resource", event.actor.get("org", "")),
        _attr("string", "org:role", event.actor.get("role", "")),
        _attr("string", "lifecycle:transition", "complete"),
        _attr("int", "azwa:seq", event.seq),
    ]
    if event.actor.get("region"):
        parts.append(_attr("string", "azwa:region", event.actor["region"]))
    if event.payload:
        parts.append(_attr("string", "azwa:payload",
                           json.dumps(event.payload, ensure_ascii=False, sort_keys=True)))
    parts.append(_attr("string", "azwa:hash", event.hash))
    return "    <event>\n" + "".join(f"      {p}\n" for p in parts) + "    </event>\n"


def write_xes(events: Iterable[Event], out: IO[str]) -> Written:
    """An XES log: one trace a plan, one event an event, streamed."""
    count = _Counter()
    out.write(XES_HEAD)
    open_trace = False
    for event in events:
        if count.see(event):
            if open_trace:
                out.write("  </trace>\n")
            out.write("  <trace>\n")
            out.write(f"    {_attr('string', 'concept:name', event.plan_id)}\n")
            out.write(f"    {_attr('string', 'azwa:definition', event.definition)}\n")
            for key in TRACE_ATTRIBUTES:
                value = event.payload.get(key)
                if isinstance(value, str):
                    out.write(f"    {_attr('string', f'azwa:{key}', value)}\n")
            open_trace = True
        out.write(_xes_event(event))
    if open_trace:
        out.write("  </trace>\n")
    out.write("</log>\n")
    return count.written()


WRITERS = {"jsonl": write_jsonl, "csv": write_csv, "xes": write_xes}


def write(fmt: str, events: Iterable[Event], out: IO[str]) -> Written:
    """Export in one of FORMATS."""
    try:
        writer = WRITERS[fmt]
    except KeyError:
        raise ValueError(f"unknown export format {fmt!r} (one of {', '.join(FORMATS)})") from None
    return writer(events, out)

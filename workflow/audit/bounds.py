"""Bounds on a log file: a hostile log is one clear line naming the line, never a traceback.

A log comes from anywhere, so nothing in it is trusted to be small: a line is read at most
`max_line_bytes` at a time (a line from /dev/zero is refused after the limit, not read until
memory runs out), JSON nested deeper than `max_depth` is refused before it is parsed, texts
with lone surrogates (`"\\ud800"`) are refused, and `at` must be a strict ISO-8601 instant in
the years 1900–2200. The limits are settings: AZWA_MAX_LINE_BYTES and AZWA_MAX_DEPTH, defined
once in workflow.core.bounds, where the engine writes under the same limits it reads under.

The first line of a log `azwa export` writes is a header (`{"log": "azwa", ...}`): it says
the log claims to come from this engine, so it must carry its hash chain.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from typing import IO, Any

from workflow.core.bounds import BadInput, check_json, check_year
from workflow.core.bounds import Limits as Limits  # docs/replay.md: LineReader(Limits(...))
from workflow.core.errors import AzwaError
from workflow.core.phrase import Phrase
from workflow.core.timecalc import parse_iso

HEADER = {"log": "azwa", "version": 1, "chain": "sha256"}
"""What `azwa export` writes as the first line of a JSONL log."""
BOM = b"\xef\xbb\xbf"

_BRACKETS = re.compile(rb"[\[\]{}]")
_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"')
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


class LogFileError(AzwaError):
    """A line of a log that cannot be read; `line` is 1-based, 0 for the file itself."""

    def __init__(self, line: int, message: str, source: str = "") -> None:
        self.line = line
        self.message = message
        self.source = source
        super().__init__(self.describe())

    def describe(self) -> str:
        """The error's one line, a `Phrase` (the command line says it in the reader's
        language): `log line 3: not valid JSON`."""
        source = self.source or Phrase("log")
        where = Phrase("{source} line {line}", source=source, line=self.line) if self.line \
            else source
        message = (self.message if isinstance(self.message, Phrase)
                   else " ".join(self.message.split()))
        return Phrase("{where}: {message}", where=where, message=message)


def is_header(raw: bytes | str) -> bool:
    """The first line of an export: an object with `"log": "azwa"` and no event fields."""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    if '"log"' not in text:
        return False
    try:
        data = json.loads(text)
    except ValueError:
        return False
    return type(data) is dict and data.get("log") == "azwa" and "plan_id" not in data


def first_line(raw: bytes | str) -> tuple[bytes | str, bool]:
    """A log's first line without its UTF-8 byte-order mark, and whether it is the header:
    the one place a header is recognised (LineReader notes it, parse_lines skips it)."""
    if type(raw) is bytes:
        raw = raw.removeprefix(BOM)
    return raw, is_header(raw)


class LineReader:
    """Reads a log's lines within the limits and notes whether it carries the export header."""

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits.from_env()
        self.header: bool = False

    def lines(self, handle: IO[bytes]) -> Iterator[bytes]:
        """Each line, at most the limit long (LogFileError beyond)."""
        limit = self.limits.max_line_bytes
        number = 0
        while True:
            raw = handle.readline(limit + 1)
            if not raw:
                return
            number += 1
            if len(raw) > limit and not raw.endswith(b"\n"):
                raise LogFileError(number, Phrase("the line is longer than {limit} bytes "
                                                  "(AZWA_MAX_LINE_BYTES)", limit=limit))
            if number == 1:
                self.header = first_line(raw)[1]
            yield raw


def check_text(number: int, text: str, limits: Limits) -> None:
    """Before parsing: no nesting deeper than the limit (counted only when it could be)."""
    if text.count("[") + text.count("{") <= limits.max_depth:
        return
    data = text.encode("utf-8", "surrogatepass")
    depth = deepest = 0
    for match in _BRACKETS.finditer(_STRINGS.sub(b"", data)):
        if match.group() in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
            if deepest > limits.max_depth:
                raise LogFileError(number, Phrase("JSON nested deeper than {depth} levels "
                                                  "(AZWA_MAX_DEPTH)", depth=limits.max_depth))
        else:
            depth -= 1


def check_event(number: int, text: str, event: dict[str, Any], limits: Limits) -> None:
    """After parsing: texts valid Unicode (searched only when an escape could hide a lone
    surrogate), the actor's region a text. (Numbers, NaN included, are the amount rules'.)"""
    region = event["actor"].get("region")
    if region is not None and type(region) is not str:
        raise LogFileError(number, Phrase("{name} must be a text, not {kind}",
                                          name="actor.region", kind=type(region).__name__))
    if "\\u" in text and _SURROGATE_ESCAPE.search(text):
        try:
            check_json(event, "event", limits.max_depth)
        except BadInput as exc:
            raise LogFileError(number, exc.args[0]) from None


def log_at(number: int, text: str) -> datetime:
    """A log's `at`: strict ISO-8601 with an offset, in the years 1900–2200."""
    try:
        return check_year(parse_iso(text))
    except ValueError as exc:
        raise LogFileError(number, Phrase("bad timestamp in at: {problem}",
                                          problem=exc.args[0] if exc.args else str(exc))) from None

"""Bounds on what enters the engine: one clear line naming the field, never a traceback.

A command's actor, payload and time come from callers the engine does not control (an API
client, a log from another system). What cannot be stored, hashed or compared the same way
everywhere is refused here, before any rule looks at it: values that are not JSON, nesting
deeper than a limit, texts with lone surrogates (they cannot be written as UTF-8) or NUL
characters (PostgreSQL cannot store them), ids longer than a name, events that would not fit
in a line of the log the auditors read back, and instants outside the years a plan can live
in.

The limits the engine writes under are the limits the log reader reads under (one
definition, here): what the engine accepts, `azwa export` writes and `azwa replay` reads.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from workflow.core.actor import Actor
from workflow.core.errors import AzwaError
from workflow.core.phrase import Phrase
from workflow.core.timecalc import parse_at

MAX_DEPTH = 64
"""Deepest nesting of objects and lists in an event (a payload needs four or five);
setting AZWA_MAX_DEPTH."""
MAX_LINE_BYTES = 1 << 20
"""The longest line of a JSONL log, in bytes; setting AZWA_MAX_LINE_BYTES. Every event the
engine stores must fit in one, so what it writes its own auditors can read back."""
MAX_ID_CHARS = 200
"""The longest plan id, command id, organisation, role, region or filter, in characters.
They are names people type and read on one line of output: the longest real organisation
names are well under 150 characters, and 200 keeps every id far below the line limit."""
MAX_INT_DIGITS = 4300
"""The longest whole number the standard library converts to text (sys.int_info), which
the canonical encoding of an event relies on."""
YEAR_MIN, YEAR_MAX = 1900, 2200
"""The years an instant may fall in; beyond them calendar arithmetic can overflow."""
EVENT_OVERHEAD = 512
"""Bytes of an exported event besides its plan id, trigger, actor and payload: seq, at,
definition, prev_hash, hash, the keys and the punctuation (about 300), with room to spare."""


class BadInput(AzwaError, ValueError):
    """Input the engine cannot take at all; the message names the field. It is a `Phrase`
    (`args[0]`), said in the reader's language where it is shown (`say(exc.args[0])`)."""


def setting(env: Mapping[str, str], name: str, default: int) -> int:
    """A whole-number setting of at least 1, written in digits (no sign), else `default`
    when unset; BadInput naming it."""
    value = env.get(name)
    if not value:
        return default
    try:
        if value.lstrip().startswith("+"):
            raise ValueError(value)
        number = int(value)
    except ValueError:
        raise BadInput(Phrase("{name} must be a whole number, not {value!r}", name=name,
                              value=value[:20])) from None
    if number < 1:
        raise BadInput(Phrase("{name} must be at least 1", name=name))
    return number


@dataclass(frozen=True, slots=True)
class Limits:
    """The size limits of an event and a log line: the engine writes under them, the log
    reader reads under them."""

    max_line_bytes: int = MAX_LINE_BYTES
    max_depth: int = MAX_DEPTH

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Limits:
        """The settings AZWA_MAX_LINE_BYTES and AZWA_MAX_DEPTH, else the defaults."""
        env = os.environ if env is None else env
        return cls(setting(env, "AZWA_MAX_LINE_BYTES", MAX_LINE_BYTES),
                   setting(env, "AZWA_MAX_DEPTH", MAX_DEPTH))


def check_year(at: datetime, name: str = "at") -> datetime:
    if not YEAR_MIN <= at.year <= YEAR_MAX:
        raise BadInput(Phrase("{name}: the year {year} is outside {low}–{high}", name=name,
                              year=at.year, low=YEAR_MIN, high=YEAR_MAX))
    return at


def instant(text: str, name: str) -> datetime:
    """An instant a user typed: ISO-8601 with an offset (`parse_at`), in the years
    1900–2200; BadInput naming `name` (the argument or option) otherwise."""
    try:
        value = parse_at(text)
    except ValueError as exc:
        raise BadInput(Phrase("{name}: {problem}", name=name, problem=exc.args[0])) from None
    return check_year(value, name)


def _short(where: str) -> str:
    return where if len(where) <= 60 else where[:57] + "..."


def check_name(value: Any, name: str, max_chars: int = MAX_ID_CHARS) -> str:
    """An id, organisation, role, region or filter: a text of at most `max_chars`
    characters, valid Unicode, without NUL."""
    if type(value) is not str:
        raise BadInput(Phrase("{name} must be a text, not {kind}", name=name,
                              kind=type(value).__name__))
    if len(value) > max_chars:
        raise BadInput(Phrase("{name}: {count:,} characters, more than the {limit} an id or "
                              "name may have", name=name, count=len(value), limit=max_chars))
    if (problem := _text_problem(value, stored=True)) is not None:
        raise BadInput(Phrase("{name}: {problem}", name=name, problem=problem))
    return value


def check_optional_name(value: Any, name: str) -> str | None:
    return None if value is None else check_name(value, name)


@dataclass(slots=True)
class Size:
    """What a walk over a JSON value learned about its encoded size: an upper bound in
    bytes, and its longest text (to name the field when it is too large)."""

    bound: int = 0
    longest: str = ""
    longest_chars: int = 0


Where = str | tuple[Any, str | int]
"""Where a value lies in a payload: the payload's name, or (where its parent lies, its key or
index). Rendered as `payload.parties[1].org` only for a message: paths are not built for
values that pass, which is nearly all of them."""


def _path(where: Where) -> str:
    parts: list[str] = []
    while isinstance(where, tuple):
        where, key = where
        parts.append(f"[{key}]" if type(key) is int else f".{key}")
    return where + "".join(reversed(parts))


def _text_problem(value: str, stored: bool) -> Phrase | None:
    """Why a text cannot be taken: a lone surrogate cannot be written as UTF-8; a NUL
    cannot be stored (PostgreSQL refuses it in a text, so SQLite must too, or a plan would
    move between stores differently)."""
    if stored and "\x00" in value:
        return Phrase("a text with a NUL character (\\x00)")
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return Phrase("a text with a lone surrogate (not valid Unicode)")
    return None


def _walk(value: Any, name: str, max_depth: int, stored: bool) -> Size:
    bound, longest, longest_chars = 0, None, 0
    stack: list[tuple[Any, Where, int]] = [(value, name, 1)]
    while stack:
        item, where, depth = stack.pop()
        kind = type(item)
        if kind is str:
            if (problem := _text_problem(item, stored)) is not None:
                raise BadInput(Phrase("{name}: {problem}", name=_short(_path(where)),
                                      problem=problem))
            bound += 6 * len(item) + 3  # a character is at most "\u001f" or 4 bytes
            if len(item) > longest_chars:
                longest, longest_chars = where, len(item)
        elif kind is dict or kind is list:
            if depth > max_depth:
                raise BadInput(Phrase("{name}: nested deeper than {depth} levels",
                                      name=_short(_path(where)), depth=max_depth))
            bound += 2 + len(item)
            if kind is dict:
                for key, inner in item.items():
                    if type(key) is not str:
                        raise BadInput(Phrase("{name}: a key that is not a text ({key})",
                                              name=_short(_path(where)), key=f"{key!r:.40}"))
                    if (problem := _text_problem(key, stored)) is not None:
                        raise BadInput(Phrase("{name}: {problem}",
                                              name=_short(_path(where)) + ".<key>",
                                              problem=problem))
                    bound += 6 * len(key) + 3
                    stack.append((inner, (where, key), depth + 1))
            else:
                stack.extend((inner, (where, i), depth + 1) for i, inner in enumerate(item))
        elif kind is int:
            digits = item.bit_length() * 0.30103 + 2
            if stored and digits > MAX_INT_DIGITS:
                raise BadInput(Phrase("{name}: a whole number of more than {digits} digits",
                                      name=_short(_path(where)), digits=MAX_INT_DIGITS))
            bound += int(digits) + 1
        elif item is not None and kind not in (bool, float):
            raise BadInput(Phrase("{name}: a {kind} is not a JSON value",
                                  name=_short(_path(where)), kind=kind.__name__))
        else:
            bound += 25
    return Size(bound, "" if longest is None else _path(longest), longest_chars)


def check_json(value: Any, name: str, max_depth: int = MAX_DEPTH) -> None:
    """A JSON value of plain types, at most `max_depth` deep, every text valid Unicode
    (numbers, NaN and infinity included, are judged by the rules of the amount fields)."""
    _walk(value, name, max_depth, stored=False)


def check_payload(value: Any, name: str, limits: Limits) -> tuple[dict[str, Any], Size]:
    """A JSON object the engine will store (a mapping of texts to JSON values) as a plain
    dict, within `limits` (no NUL in any text, no whole number too long to write), with what
    it learned of the encoded size (for `check_event_size`)."""
    if not isinstance(value, Mapping):
        raise BadInput(Phrase("{name} must be an object (a mapping), not {kind}", name=name,
                              kind=type(value).__name__))
    data = dict(value)
    return data, _walk(data, name, limits.max_depth, stored=True)


def check_event_size(name: str, payload: dict[str, Any], size: Size, limits: Limits,
                     *texts: str) -> None:
    """The event holding `payload` (and the texts of its plan id, trigger and actor) fits
    in one log line: what the engine stores, `azwa export` writes and `azwa replay` reads.

    The walk's upper bound settles nearly every command; only a payload near the limit is
    encoded to count its bytes exactly."""
    limit = limits.max_line_bytes
    rest = EVENT_OVERHEAD + sum(6 * len(t) + 3 for t in texts)
    if size.bound + rest <= limit:
        return
    encoded = json.dumps([payload, *texts], ensure_ascii=False, separators=(",", ":"))
    total = len(encoded.encode("utf-8")) + EVENT_OVERHEAD
    if total <= limit:
        return
    where = name
    if size.longest_chars * 2 > limit:
        where = f"{size.longest} ({size.longest_chars:,} characters)"
    raise BadInput(Phrase("{name}: too large: the event would take {total:,} bytes, more "
                          "than a log line holds ({limit:,} bytes, AZWA_MAX_LINE_BYTES)",
                          name=_short(where), total=total, limit=limit))


def check_actor(value: Any) -> Actor:
    """An actor from a caller: `role` and `org` texts, `region` a text or absent; each at
    most MAX_ID_CHARS characters, valid Unicode, without NUL."""
    if isinstance(value, Actor):
        data: Mapping[str, Any] = value.to_dict()
    elif isinstance(value, Mapping):
        data = value
    else:
        raise BadInput(Phrase("actor must be an object with role and org, not {kind}",
                              kind=type(value).__name__))
    for key in ("role", "org"):
        check_name(data.get(key), f"actor.{key}")
    check_optional_name(data.get("region"), "actor.region")
    return value if isinstance(value, Actor) else Actor(data["role"], data["org"],
                                                        data.get("region"))

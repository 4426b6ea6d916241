"""Bounds on what enters the engine: one clear line naming the field, never a traceback.

A command's actor, payload and time come from callers the engine does not control (an API
client, a log from another system). What cannot be stored, hashed or compared the same way
everywhere is refused here, before any rule looks at it: values that are not JSON, nesting
deeper than a limit, texts with lone surrogates (they cannot be written as UTF-8), and
instants outside the years a plan can live in.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from workflow.core.actor import Actor
from workflow.core.errors import AzwaError

MAX_DEPTH = 64
"""Deepest nesting of objects and lists in an event (a payload needs four or five)."""
YEAR_MIN, YEAR_MAX = 1900, 2200
"""The years an instant may fall in; beyond them calendar arithmetic can overflow."""


class BadInput(AzwaError, ValueError):
    """Input the engine cannot take at all; the message names the field."""


def check_year(at: datetime, name: str = "at") -> datetime:
    if not YEAR_MIN <= at.year <= YEAR_MAX:
        raise BadInput(f"{name}: the year {at.year} is outside {YEAR_MIN}–{YEAR_MAX}")
    return at


def _short(where: str) -> str:
    return where if len(where) <= 60 else where[:57] + "..."


def check_text(value: str, where: str) -> str:
    """A text that can be written as UTF-8 (no lone surrogate)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise BadInput(f"{_short(where)}: a text with a lone surrogate (not valid "
                       f"Unicode)") from None
    return value


_text = check_text


def check_json(value: Any, name: str, max_depth: int = MAX_DEPTH) -> None:
    """A JSON value of plain types, at most `max_depth` deep, every text valid Unicode
    (numbers, NaN and infinity included, are judged by the rules of the amount fields)."""
    stack: list[tuple[Any, str, int]] = [(value, name, 1)]
    while stack:
        item, where, depth = stack.pop()
        kind = type(item)
        if kind is str:
            _text(item, where)
        elif kind is dict or kind is list:
            if depth > max_depth:
                raise BadInput(f"{_short(where)}: nested deeper than {max_depth} levels")
            if kind is dict:
                for key, inner in item.items():
                    if type(key) is not str:
                        raise BadInput(f"{_short(where)}: a key that is not a text ({key!r:.40})")
                    _text(key, f"{where}.<key>")
                    stack.append((inner, f"{where}.{key}", depth + 1))
            else:
                stack.extend((inner, f"{where}[{i}]", depth + 1) for i, inner in enumerate(item))
        elif item is not None and kind not in (bool, int, float):
            raise BadInput(f"{_short(where)}: a {kind.__name__} is not a JSON value")


def check_object(value: Any, name: str, max_depth: int = MAX_DEPTH) -> dict[str, Any]:
    """A JSON object (a mapping of texts to JSON values), as a plain dict."""
    if not isinstance(value, Mapping):
        raise BadInput(f"{name} must be an object (a mapping), not {type(value).__name__}")
    data = dict(value)
    check_json(data, name, max_depth)
    return data


def check_actor(value: Any) -> Actor:
    """An actor from a caller: `role` and `org` texts, `region` a text or absent."""
    if isinstance(value, Actor):
        data: Mapping[str, Any] = value.to_dict()
    elif isinstance(value, Mapping):
        data = value
    else:
        raise BadInput(f"actor must be an object with role and org, not {type(value).__name__}")
    for key in ("role", "org"):
        item = data.get(key)
        if type(item) is not str:
            raise BadInput(f"actor.{key} must be a text, not {type(item).__name__}")
        _text(item, f"actor.{key}")
    region = data.get("region")
    if region is not None:
        if type(region) is not str:
            raise BadInput(f"actor.region must be a text, not {type(region).__name__}")
        _text(region, "actor.region")
    return value if isinstance(value, Actor) else Actor(data["role"], data["org"], region)

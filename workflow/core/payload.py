"""Declared payloads: what each trigger carries, typed, and checked before any guard runs.

A schema is plain data (frozen dataclasses), so one declaration serves the engine (which
refuses a malformed payload naming the field), `allowed()` (which names the fields), the
reference page (a table per trigger) and other systems (`to_json_schema`, JSON Schema draft
2020-12). Types say what a value is; whether it says enough (a reason that is not blank, a
KPI that is open) stays with the guards, which cite their own paragraphs.

Checking is two passes. Each schema is compiled once, on first use, into a predicate
that answers only "valid or not" (a few dict lookups and isinstance checks for the common
payload); only a payload it refuses goes through the careful pass, one loop over the declared
fields in which each type names its own problems with their paths.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from workflow.core.money import amount_reason, max_amount_eur
from workflow.core.phrase import Phrase

"""The largest amount of euros any payload may carry: a thousand billion, far above any fund,
and low enough that every amount in cents is exact as a float and as a JSON number (2**53)."""

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

Problem = tuple[str, str]
"""A field path (`kpis[2].amount_eur`) and what is wrong with its value."""

Check = Callable[[object, str, list[Problem]], None]
Valid = Callable[[object], bool]
"""True exactly when the matching `check` would find no problem."""
_MISSING = object()

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DECIMAL = re.compile(r"(0|[1-9][0-9]*)(\.[0-9]{1,2})?")
_DECIMAL_JSON = r"^(0|[1-9][0-9]*)(\.[0-9]{1,2})?$"


def kind_of(value: object) -> str:
    """How a JSON value reads to a person: `text 'x'`, `a number`, `a list`, ..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return Phrase("the number {value!r}", value=value)
    if isinstance(value, str):
        return Phrase("the text {value!r}", value=value[:40])
    if isinstance(value, list):
        return Phrase("a list")
    if isinstance(value, dict):
        return Phrase("an object")
    return type(value).__name__


# -- the types ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Text:
    """A string. Whether it is long enough is a guard's question, not the schema's."""

    def check(self, value: object, path: str, out: list[Problem]) -> None:
        if not isinstance(value, str):
            out.append((path, Phrase("must be text, got {got}", got=kind_of(value))))

    def describe(self) -> str:
        return "text"

    def json(self) -> dict[str, Any]:
        return {"type": "string"}


@dataclass(frozen=True, slots=True)
class Bool:
    """true or false; never 0/1 or "yes"."""

    def check(self, value: object, path: str, out: list[Problem]) -> None:
        if not isinstance(value, bool):
            out.append((path, Phrase("must be true or false, got {got}",
                                      got=kind_of(value))))

    def describe(self) -> str:
        return "true/false"

    def json(self) -> dict[str, Any]:
        return {"type": "boolean"}


@dataclass(frozen=True, slots=True)
class Date:
    """A calendar day written YYYY-MM-DD (a due date, a new deadline)."""

    def check(self, value: object, path: str, out: list[Problem]) -> None:
        if isinstance(value, str) and _DATE.fullmatch(value):
            try:
                date.fromisoformat(value)
                return
            except ValueError:
                pass
        out.append((path, Phrase("must be a date YYYY-MM-DD, got {got}",
                                  got=kind_of(value))))

    def describe(self) -> str:
        return "date YYYY-MM-DD"

    def json(self) -> dict[str, Any]:
        return {"type": "string", "format": "date", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}


def money_problem(value: object) -> str | None:
    """Why a value is no amount of euros, or None (the rules of `workflow.core.money`).

    The common cases are judged first in a few comparisons; only a refused value goes on to
    the money module to find the words for why.
    """
    bound = max_amount_eur()
    if isinstance(value, float):
        # NaN fails every comparison and Infinity the bound; round(x * 100) / 100 is x
        # exactly when x is the float nearest to a whole number of cents (x * 100 < 2**53).
        if 0.0 <= value <= bound and round(value * 100) / 100 == value:
            return None
    elif isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= bound:
        return None
    return amount_reason(value)


@dataclass(frozen=True, slots=True)
class Money:
    """Euros, exact to the cent (see `money_problem`)."""

    def check(self, value: object, path: str, out: list[Problem]) -> None:
        problem = money_problem(value)
        if problem is not None:
            out.append((path, problem))

    def describe(self) -> str:
        return "money: euros, at most 2 decimals"

    def json(self) -> dict[str, Any]:
        # A JSON number cannot say "at most 2 decimals" exactly (multipleOf 0.01 fails on
        # 1234.56 in binary floating point); azwa itself refuses a third decimal.
        return {"anyOf": [
            {"type": "number", "minimum": 0, "maximum": max_amount_eur()},
            {"type": "string", "pattern": _DECIMAL_JSON},
        ], "description": "euros, at most 2 decimals"}


@dataclass(frozen=True, slots=True)
class Number:
    """A finite number (fte, a count)."""

    def check(self, value: object, path: str, out: list[Problem]) -> None:
        if isinstance(value, bool) or not isinstance(value, int | float) or (
            isinstance(value, float) and not math.isfinite(value)
        ):
            out.append((path, Phrase("must be a number, got {got}", got=kind_of(value))))

    def describe(self) -> str:
        return "number"

    def json(self) -> dict[str, Any]:
        return {"type": "number"}


@dataclass(frozen=True, slots=True)
class Enum:
    """One of a fixed list of texts."""

    values: tuple[str, ...]

    def check(self, value: object, path: str, out: list[Problem]) -> None:
        if not isinstance(value, str) or value not in self.values:
            out.append((path, Phrase("must be one of {values}, got {got}",
                                      values=", ".join(self.values), got=kind_of(value))))

    def describe(self) -> str:
        return "one of " + ", ".join(f"`{v}`" for v in self.values)

    def json(self) -> dict[str, Any]:
        return {"type": "string", "enum": list(self.values)}


@dataclass(frozen=True, slots=True)
class ListOf:
    """A list whose every item has one type."""

    item: FieldType

    def check(self, value: object, path: str, out: list[Problem]) -> None:
        if not isinstance(value, list):
            out.append((path, Phrase("must be a list, got {got}", got=kind_of(value))))
            return
        check = self.item.check
        for i, item in enumerate(value):
            check(item, f"{path}[{i}]", out)

    def describe(self) -> str:
        inner = "objects" if isinstance(self.item, Object) else self.item.describe()
        return f"list of {inner}"

    def json(self) -> dict[str, Any]:
        return {"type": "array", "items": self.item.json()}


@dataclass(frozen=True, slots=True)
class Field:
    """One key of a payload or of an object inside it."""

    name: str
    type: FieldType
    description: str
    required: bool = True
    nullable: bool = False
    """null is accepted in place of a value (the second insurer, not known yet)."""


@dataclass(frozen=True, slots=True)
class Object:
    """An object with declared fields; other keys are refused unless `open`.

    An open object is checked elsewhere as a whole document (the modelplan has its own
    reader and basiseisen, MP), so the payload schema only says that it is an object.
    """

    fields: tuple[Field, ...] = ()
    open: bool = False
    index: Mapping[str, Field] = field(init=False, repr=False, compare=False)
    _steps: tuple[tuple[str, Check, bool, bool], ...] = field(
        init=False, repr=False, compare=False)
    valid_fields: Callable[[dict[str, Any]], bool] = field(
        init=False, repr=False, compare=False)
    """The compiled check of a dict's fields: True when `check_fields` finds nothing."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", {f.name: f for f in self.fields})
        # Built once with the schema, so a check looks up nothing but the payload's keys.
        object.__setattr__(self, "_steps", tuple(
            (f.name, f.type.check, f.required, f.nullable) for f in self.fields))
        object.__setattr__(self, "valid_fields", self._compile_on_first_use)

    def _compile_on_first_use(self, value: dict[str, Any]) -> bool:
        """Compile on the first payload, not at import: a process checks few triggers."""
        compiled = _compile_fields(self)
        object.__setattr__(self, "valid_fields", compiled)
        return compiled(value)

    def check(self, value: object, path: str, out: list[Problem]) -> None:
        if not isinstance(value, dict):
            out.append((path, Phrase("must be an object, got {got}", got=kind_of(value))))
            return
        self.check_fields(value, path + ".", out)

    def check_fields(self, value: dict[str, Any], prefix: str, out: list[Problem]) -> None:
        """Unknown keys first, in the payload's order; then each declared field in turn."""
        index = self.index
        if not self.open and not value.keys() <= index.keys():
            takes = ", ".join(index) or Phrase("no fields")
            for key in value:
                if key not in index:
                    out.append((f"{prefix}{key}",
                                Phrase("is not a field here (it takes {takes})", takes=takes)))
        for name, check, required, nullable in self._steps:
            item = value.get(name, _MISSING)
            if item is _MISSING:
                if required:
                    out.append((prefix + name, Phrase("is required and missing")))
            elif item is not None or not nullable:
                check(item, prefix + name, out)

    def describe(self) -> str:
        return "object" if not self.open else "object (checked as a whole document)"

    def json(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "object", "properties": {
            f.name: _field_json(f) for f in self.fields
        }}
        required = [f.name for f in self.fields if f.required]
        if required:
            schema["required"] = required
        schema["additionalProperties"] = self.open
        return schema


FieldType = Text | Bool | Date | Money | Number | Enum | ListOf | Object


# -- the compiled checks: valid or not, nothing named ---------------------------------------


def _is_date(value: object) -> bool:
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            date.fromisoformat(value)
            return True
        except ValueError:
            return False
    return False


def _is_number(value: object) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, int) and not isinstance(value, bool)


def _is_money(value: object) -> bool:
    return money_problem(value) is None


def _valid(kind: FieldType) -> Valid:
    """The predicate of one type; agrees with `kind.check` on every value (a test compares
    them)."""
    if isinstance(kind, Text):
        return lambda value: isinstance(value, str)
    if isinstance(kind, Bool):
        return lambda value: isinstance(value, bool)
    if isinstance(kind, Date):
        return _is_date
    if isinstance(kind, Money):
        return _is_money
    if isinstance(kind, Number):
        return _is_number
    if isinstance(kind, Enum):
        values = frozenset(kind.values)
        return lambda value: isinstance(value, str) and value in values
    if isinstance(kind, ListOf):
        item = _valid(kind.item)
        return lambda value: isinstance(value, list) and all(map(item, value))
    inner = _compile_fields(kind)
    return lambda value: isinstance(value, dict) and inner(value)


def _compile_fields(obj: Object) -> Callable[[dict[str, Any]], bool]:
    """`check_fields` as a predicate, written out as one function per object (as dataclasses
    write `__init__`): per field a lookup and, for text and true/false, an isinstance
    inline; every other type calls its own predicate. No loop, no tuple per field."""
    namespace: dict[str, Any] = {"_MISSING": _MISSING, "_keys": frozenset(obj.index)}
    body = ["def valid(value):"]
    if not obj.open:
        body.append("    if not value.keys() <= _keys: return False")
    body.append("    get = value.get")
    for i, f in enumerate(obj.fields):
        if isinstance(f.type, Text | Bool):
            test = f"isinstance(x, {'str' if isinstance(f.type, Text) else 'bool'})"
        else:
            namespace[f"check{i}"] = _valid(f.type)
            test = f"check{i}(x)"
        present = "" if f.required else "x is not _MISSING and "
        given = "x is not None and " if f.nullable else ""
        missing = "x is _MISSING or " if f.required else ""
        body.append(f"    x = get({f.name!r}, _MISSING)")
        if f.required and f.nullable:
            body.append(f"    if {missing}({given}not {test}): return False")
        else:
            body.append(f"    if {missing}{present}{given}not {test}: return False")
    body.append("    return True")
    exec("\n".join(body), namespace)  # our own text; field names enter only as repr()
    valid: Callable[[dict[str, Any]], bool] = namespace["valid"]
    return valid

TEXT, BOOL, DATE, MONEY, NUMBER = Text(), Bool(), Date(), Money(), Number()


def _field_json(f: Field) -> dict[str, Any]:
    schema = f.type.json()
    if f.nullable:
        schema = {"anyOf": [schema, {"type": "null"}]}
    said = schema.pop("description", None)  # the type's own note goes after the field's
    return {**schema, "description": f"{f.description} ({said})" if said else f.description}


@dataclass(frozen=True, slots=True)
class PayloadSchema:
    """What one trigger's payload holds: its fields and what the trigger is for."""

    description: str
    fields: tuple[Field, ...] = ()
    body: Object = field(init=False, repr=False, compare=False)
    required: tuple[str, ...] = field(init=False, repr=False, compare=False)
    optional: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "body", Object(self.fields))
        object.__setattr__(self, "required", tuple(f.name for f in self.fields if f.required))
        object.__setattr__(self, "optional",
                           tuple(f.name for f in self.fields if not f.required))


def problems(schema: PayloadSchema, payload: object) -> list[Problem]:
    """Every way the payload falls short of its schema; empty when it matches.

    The payload is only read, never changed or normalised: what is stored and hashed is what
    the caller sent.
    """
    found: list[Problem] = []
    if not isinstance(payload, dict):
        found.append(("payload", Phrase("must be an object of fields, got {got}",
                                        got=kind_of(payload))))
    elif not schema.body.valid_fields(payload):  # the careful pass names what is wrong
        schema.body.check_fields(payload, "", found)
    return found


def rows(schema: PayloadSchema) -> Iterator[tuple[str, Field]]:
    """Every field with its path, nested ones after their parent (`kpis[].amount_eur`)."""

    def walk(fields: tuple[Field, ...], prefix: str) -> Iterator[tuple[str, Field]]:
        for f in fields:
            path = prefix + f.name
            yield path, f
            inner: FieldType = f.type
            while isinstance(inner, ListOf):
                path, inner = path + "[]", inner.item
            if isinstance(inner, Object):
                yield from walk(inner.fields, path + ".")

    return walk(schema.fields, "")


def to_json_schema(schema: PayloadSchema, title: str | None = None) -> dict[str, Any]:
    """The payload as JSON Schema (draft 2020-12), for systems that build payloads.

    Stricter checks azwa adds on top: a date must exist on the calendar, a float amount
    has at most 2 decimals, a decimal-string amount is at most the largest amount
    (AZWA_MAX_AMOUNT_EUR).
    """
    out: dict[str, Any] = {"$schema": JSON_SCHEMA_DIALECT}
    if title is not None:
        out["title"] = title
    out["description"] = schema.description
    out.update(schema.body.json())
    return out

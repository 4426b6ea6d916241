"""A form per act, generated from its trigger's payload schema (the JSON Schema `azwa
definition schema` exports), and the payload read back from the submitted form.

Text, dates, amounts, choices and yes/no become inputs; a list of texts a text area (one
item a line); an object its own group of fields; a list of objects a text area holding JSON.
What the form cannot express is passed on as typed, so the engine's own payload check
refuses it with its rule, never a second check here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from workflow.core.i18n import _, catalogue, current
from workflow.core.payload import PayloadSchema, to_json_schema

PREFIX = "f."
"""Form inputs of the payload are named `f.<path>`, apart from the form's own."""


@dataclass(frozen=True, slots=True)
class Input:
    """One input of an act's form."""

    path: str
    name: str
    widget: str
    """text, date, money, choice, yesno, lines, json or group."""
    required: bool
    description: str
    choices: tuple[str, ...] = ()
    nullable: bool = False
    children: tuple[Input, ...] = field(default=())

    @property
    def html_name(self) -> str:
        return PREFIX + self.path

    @property
    def html_id(self) -> str:
        return self.path.replace(".", "-")

    @property
    def label(self) -> str:
        """The field's name as people read it: its Dutch label (message context `field`)
        in Dutch, the identifier in words in English."""
        if current() == "en":
            return self.name.replace("_", " ")
        return catalogue(current()).pgettext("field", self.name)

    @property
    def hint(self) -> str:
        hints = {"date": _("a day, YYYY-MM-DD"), "money": _("euros, at most 2 decimals"),
                 "lines": _("one item a line"), "json": _("as JSON")}
        found = hints.get(self.widget, "")
        if not self.description:
            return found
        said = _(self.description)  # the schema's own words, translated (field_descriptions)
        return f"{said} ({found})" if found and found not in said else said


def field_descriptions() -> list[str]:
    """Every description a form shows: of each payload field and each field of an object
    in it, as the JSON Schema words it (its Dutch is in the catalogue)."""
    import states

    found: dict[str, None] = {}

    def walk(items: tuple[Input, ...]) -> None:
        for i in items:
            if i.description:
                found.setdefault(i.description, None)
            walk(i.children)

    for d in states.all_definitions():
        for schema in d.payloads.values():
            walk(inputs(schema))
    return list(found)


def _widget(schema: Mapping[str, Any]) -> tuple[str, tuple[str, ...], bool]:
    """The widget of a JSON Schema property, its choices, and whether null is allowed."""
    options = schema.get("anyOf")
    if isinstance(options, list):
        kinds = [o for o in options if o.get("type") != "null"]
        nullable = len(kinds) < len(options)
        if any(o.get("type") == "number" for o in kinds):
            return "money", (), nullable
        if len(kinds) == 1:
            widget, choices, _n = _widget(kinds[0])
            return widget, choices, nullable
    kind = schema.get("type")
    if "enum" in schema:
        return "choice", tuple(str(v) for v in schema["enum"]), False
    if kind == "boolean":
        return "yesno", (), False
    if kind == "string" and schema.get("format") == "date":
        return "date", (), False
    if kind == "array":
        item = schema.get("items", {})
        return ("lines", (), False) if item.get("type") == "string" and "enum" not in item \
            else ("json", (), False)
    if kind == "object":
        return ("group", (), False) if schema.get("properties") else ("json", (), False)
    return "text", (), False


def _inputs(schema: Mapping[str, Any], prefix: str, skip: set[str]) -> tuple[Input, ...]:
    required = set(schema.get("required", ()))
    found = []
    for name, prop in (schema.get("properties") or {}).items():
        path = prefix + name
        if path in skip:
            continue
        widget, choices, nullable = _widget(prop)
        children = _inputs(prop, path + ".", skip) if widget == "group" else ()
        found.append(Input(path, name, widget, name in required,
                           str(prop.get("description", "")), choices, nullable, children))
    return tuple(found)


def inputs(schema: PayloadSchema | None, fixed: Mapping[str, Any] | None = None
           ) -> tuple[Input, ...]:
    """The inputs of an act's form; `fixed` fields (what names the item, e.g. the KPI of a
    to-do) are sent as they are, not asked for."""
    if schema is None:
        return ()
    return _inputs(to_json_schema(schema), "", set(fixed or {}))


def _value(widget: str, text: str, nullable: bool) -> Any:
    """A submitted text as the payload's value; None for an empty one (left out)."""
    text = text.strip() if widget not in ("lines", "json") else text
    if not text.strip():
        return None
    if widget == "yesno":
        return {"true": True, "false": False}.get(text, text)
    if widget == "lines":
        return [line.strip() for line in text.splitlines() if line.strip()]
    if widget == "json":
        try:
            return json.loads(text)
        except ValueError:
            return text  # the engine refuses it as no list or object, naming the field
    return text


def payload(schema: PayloadSchema | None, form: Mapping[str, str],
            fixed: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The payload a submitted form gives: its non-empty fields, typed by their widget."""
    out: dict[str, Any] = dict(fixed or {})

    def fill(found: tuple[Input, ...], into: dict[str, Any]) -> None:
        for i in found:
            if i.widget == "group":
                inner: dict[str, Any] = {}
                fill(i.children, inner)
                if inner:
                    into[i.name] = inner
                continue
            value = _value(i.widget, form.get(i.html_name, ""), i.nullable)
            if value is not None:
                into[i.name] = value
            elif i.nullable and i.html_name in form and i.required:
                into[i.name] = None

    fill(inputs(schema, fixed), out)
    return out


def fixed_of(form: Mapping[str, str]) -> dict[str, str]:
    """The fixed fields a form carried (`x.<name>` hidden inputs)."""
    return {k[2:]: v for k, v in form.items() if k.startswith("x.") and len(k) > 2}

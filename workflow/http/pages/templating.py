"""The Jinja2 environment of the pages: autoescaped HTML, the catalogue's `_` and `term`,
and the Dutch formats of amounts, days and shares as filters."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from workflow.cli import render
from workflow.core import formats
from workflow.core.i18n import _, current, term
from workflow.core.money import from_eur
from workflow.core.refusal_text import say
from workflow.core.timecalc import parse_at

TEMPLATES = Path(__file__).parent / "templates"


def _day(value: Any) -> str:
    if isinstance(value, datetime):
        return formats.moment(value)
    if isinstance(value, date):
        return formats.day(value)
    if isinstance(value, str) and value:
        try:
            return formats.day(date.fromisoformat(value)) if len(value) == 10 \
                else formats.moment(parse_at(value))
        except ValueError:
            return value
    return ""


def _eur(value: Any) -> str:
    """An amount in euros (as `to_eur` gives it) in the reader's format."""
    if value is None:
        return ""
    return formats.amount(int(from_eur(value).scaleb(2)))


def _trigger(name: str) -> str:
    """A trigger as people read it; in Dutch with the identifier beside it."""
    label = term("trigger", name)
    return name if label == name else f"{label} ({name})"


@cache
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(),
                      trim_blocks=True, lstrip_blocks=True)
    env.globals.update({"_": _, "term": term, "lang": current, "says": render.says, "say": say,
                        "command_id": lambda: uuid.uuid4().hex,
                        "idle_text": render.idle_text, "trigger_label": _trigger})
    env.filters.update({"day": _day, "eur": _eur, "share": formats.share,
                        "number": formats.number})
    return env


def page(name: str, **context: Any) -> str:
    return environment().get_template(name).render(**context)

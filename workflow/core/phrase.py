"""Text that remembers how it was made, so it can be said in another language at the edge.

The engine and the payload checks compose their refusals in English (what logs, tests and
scripts read). A `Phrase` *is* that English string, and beside it keeps its template and
values: the command line and the web service translate the template by its message id and
fill in the values (`workflow.core.refusal_text`), instead of taking composed English apart.
The core itself holds no language state: it only says what it said, and how.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

JOINERS = {"and": ", ", "or": " or ", "list": ", "}
"""How `Terms` join their names in English (the Dutch joiners are in the catalogue)."""

JSON_PROBLEMS = frozenset({
    "Expecting value", "Extra data", "Expecting property name enclosed in double quotes",
    "Expecting ',' delimiter", "Expecting ':' delimiter", "Unterminated string starting at",
    "Invalid control character at", "Invalid \\escape", "Illegal trailing comma before end "
    "of object", "Illegal trailing comma before end of array",
})
"""What Python's JSON reader says of a text that is no JSON, as far as the catalogue has it."""
YAML_PROBLEMS = frozenset({
    "mapping values are not allowed here", "could not find expected ':'",
    "found unexpected end of stream", "found unknown escape character",
    "expected <block end>, but found '-'", "expected <block end>, but found '<scalar>'",
    "expected <block end>, but found '<block mapping start>'",
})
"""What PyYAML says of a text that is no YAML, as far as the catalogue has it."""


def reader_problem(text: str) -> str:
    """A JSON or YAML reader's message: a Phrase when the catalogue can say it (so it is
    said in the reader's language), else the text as given."""
    return Phrase(text) if text in JSON_PROBLEMS or text in YAML_PROBLEMS else text


class Terms:
    """Identifiers of one kind in a phrase (`roles`, `states`): in English joined as they
    always were (`a or b`), in Dutch each read as its label and joined in Dutch."""

    __slots__ = ("joiner", "kind", "names")

    def __init__(self, kind: str, names: Iterable[str], joiner: str = "list") -> None:
        self.kind, self.names, self.joiner = kind, tuple(names), joiner

    def __str__(self) -> str:
        return JOINERS[self.joiner].join(self.names)

    def __repr__(self) -> str:
        return f"Terms({self.kind!r}, {self.names!r}, {self.joiner!r})"


class Euros:
    """An amount in a phrase: in English the text it was always printed as (`text`), in the
    reader's language from its `cents` (`€ 1.475.000` in Dutch)."""

    __slots__ = ("cents", "text")

    def __init__(self, cents: int, text: str) -> None:
        self.cents, self.text = cents, text

    def __str__(self) -> str:
        return self.text

    def __format__(self, spec: str) -> str:
        return format(self.text, spec)

    def __repr__(self) -> str:
        return f"Euros({self.cents!r}, {self.text!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Euros, (self.cents, self.text))


class Figure:
    """A number with decimals in a phrase (`1.5` fte): in English the text it was always
    printed as, in Dutch the same digits with a decimal comma (`1,5`)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return self.text

    def __format__(self, spec: str) -> str:
        return format(self.text, spec)

    def __repr__(self) -> str:
        return f"Figure({self.text!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Figure, (self.text,))


class Phrase(str):
    """An English text (`str`, equal to what was always printed) with its `template` and
    `params`. A value may itself be a Phrase, a `Terms`, or data (an organisation, a date).
    Without values the template is the text itself, braces and all."""

    template: str
    params: Mapping[str, Any]

    def __new__(cls, template: str, /, **params: Any) -> Phrase:
        made = super().__new__(cls, template.format(**params) if params else template)
        made.template, made.params = template, params
        return made

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuilt, (self.template, dict(self.params)))


def _rebuilt(template: str, params: dict[str, Any]) -> Phrase:
    return Phrase(template, **params)


class Listed(tuple[str, ...]):
    """Texts listed one after another (`a; b`), each said in the reader's language."""

    def __str__(self) -> str:
        return "; ".join(self)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


def listed(texts: Iterable[str]) -> str:
    """The texts as one, `a; b` in English, each of them said in the reader's language."""
    items = Listed(texts)
    return Phrase("{items}", items=items) if items else ""


def joined(first: str, rest: str, template: str = "{first}: {rest}") -> str:
    """`first: rest` keeping `first`'s structure (a rule's text and its explanation)."""
    return Phrase(template, first=first, rest=rest) if rest else first

"""Refusals in the reader's language, said at the edge (command line, web service).

A refusal's texts are `Phrase`s where the engine, the payload checks and the guards made
them: the template is the message id, the values fill it, identifiers among them (a state, a
role, a trigger) read as their terms. What is no Phrase is translated as a whole when the
catalogue has it (a fixed sentence) and else shown as it was given. Rule names and seed
paragraphs are never translated: they are what a user looks up.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from workflow.core import formats
from workflow.core.errors import Reason, Refused
from workflow.core.i18n import _, current, term
from workflow.core.phrase import Euros, Figure, Listed, Phrase, Terms
from workflow.core.text import visible

TERM_PARAMS = {"state": "state", "trigger": "trigger", "role": "role",
               "escalation": "escalation", "track": "track", "deadline": "deadline"}
"""A value under one of these names is an identifier, read as its term."""
_JOINERS = {"and": ", ", "or": " or ", "list": ", "}


def say(text: str) -> str:
    """A refusal's text (or any Phrase) in the current language."""
    if current() == "en":
        return str(text)
    if isinstance(text, Reason):
        return reason(text.refusal)
    if isinstance(text, Phrase):
        if not text.params:  # a literal text: its braces are no placeholders
            return _(text.template)
        return _(text.template).format(**{k: _value(k, v) for k, v in text.params.items()})
    return _(text)


def _value(name: str, value: Any) -> Any:
    if isinstance(value, date):
        return formats.day(value)
    if isinstance(value, Phrase):
        return say(value)
    if isinstance(value, Euros):
        return formats.amount(value.cents)
    if isinstance(value, Figure):
        return value.text.replace(".", ",") if current() == "nl" else value.text
    if isinstance(value, Listed):
        return "; ".join(say(item) if isinstance(item, Phrase) else item for item in value)
    if isinstance(value, Terms):
        return _(_JOINERS[value.joiner]).join(term(value.kind, n) for n in value.names)
    if name in TERM_PARAMS and isinstance(value, str):
        return term(TERM_PARAMS[name], value)
    return value


def problem_texts(refusal: Refused) -> list[str]:
    """Every failing rule's text, as `problems` lists them, in the current language."""
    return [say(text) for _rule, _seed, text in refusal.problems]


def reason(refusal: Refused) -> str:
    """`Refused.reason` in the current language: the first rule's text with its rule and
    seed paragraph, the others after it."""
    if current() == "en":
        return refusal.reason
    cite = _("{text} [rule {rule}, {seed}]")
    rule, seed, first_text = refusal.problems[0]
    first = cite.format(text=say(first_text), rule=rule, seed=seed)
    more = refusal.problems[1:]
    if not more:
        return visible(first)
    rest = "; ".join(
        say(text) if (r, s) == (rule, seed) else cite.format(text=say(text), rule=r, seed=s)
        for r, s, text in more)
    return visible(_("{first} (+{count} more: {rest})").format(first=first, count=len(more),
                                                             rest=rest))


def refusal_json(refusal: Refused) -> dict[str, Any]:
    """`Refused.to_dict()` with each problem's text in the current language beside the
    English (`text`); rule names, seeds and the English `message` stay as they are."""
    found = refusal.to_dict()
    for problem, text in zip(found["problems"], problem_texts(refusal), strict=True):
        problem["text"] = text
    found["text"] = reason(refusal)
    return found

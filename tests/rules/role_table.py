"""The shape of a hand-written role table (who may fire a trigger in a situation) and the
verdict on one role's attempt: shared by the tables of transformation@1 and @2."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from workflow.core.errors import Refused

from .builders import Run


@dataclass(frozen=True)
class Row:
    trigger: str
    situation: str
    roles: frozenset[str]
    """Who may fire it here, per the design."""
    build: Callable[[], Run]
    payload: dict[str, Any]
    source: str
    """Where the design says so."""
    conditional: dict[str, str]
    """Roles that may fire it only under a further rule: role -> the rule refusing it here."""


def row(trigger: str, situation: str, roles: set[str], build: Callable[[], Run],
        payload: dict[str, Any] | None = None, *, source: str,
        conditional: dict[str, str] | None = None) -> Row:
    return Row(trigger, situation, frozenset(roles), build, payload or {}, source,
               conditional or {})


REASON = {"reason": "Besproken in het overleg"}
ISSUE = {"issue": "Geen overeenstemming over personeel"}


def assert_verdict(r: Row, role: str, refusal: Refused | None) -> None:
    """A role the row does not list is refused by role_may_fire; a listed one is accepted,
    or refused only by the further rule the row names for it."""
    if role in r.conditional:
        assert refusal is not None and refusal.rule == r.conditional[role], refusal
    elif role in r.roles:
        assert refusal is None, f"{role} may {r.trigger} ({r.source}) but got: {refusal}"
    else:
        assert refusal is not None, f"{role} fired {r.trigger}; only {sorted(r.roles)} may"
        assert refusal.rule == "role_may_fire", refusal.reason

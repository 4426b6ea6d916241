"""The answer to "may this actor fire this trigger now": what the service and the CLI show."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Permission:
    """May this actor fire this trigger now; if not, why; if so, what the payload needs.

    `needs` are the sentences of the rules the payload must still satisfy; `fields` the
    payload's required field names and `optional` its optional ones (as declared in the
    definition's payload schemas), so a form or a script can be built from the answer.
    """

    trigger: str
    allowed: bool
    reason: str | None = None
    needs: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()

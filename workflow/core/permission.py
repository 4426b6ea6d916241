"""The answer to "may this actor fire this trigger now": what the service and the CLI show."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Permission:
    """May this actor fire this trigger now; if not, why; if so, what the payload needs."""

    trigger: str
    allowed: bool
    reason: str | None = None
    needs: tuple[str, ...] = ()

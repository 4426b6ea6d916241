"""Who fires a trigger: the one type the rules, the plan and the log all speak of."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SYSTEM_ROLE = "system"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who fires a trigger: a role, the organisation acting in it, and its region."""

    role: str
    org: str
    region: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"role": self.role, "org": self.org, "region": self.region}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Actor:
        return cls(role=str(data["role"]), org=str(data["org"]), region=data.get("region"))


_SHARED: dict[tuple[str, str, str | None], Actor] = {}
SHARED_MAX = 4096
"""Actors `shared` keeps at most; past it the table starts afresh."""


def shared(role: str, org: str, region: str | None = None) -> Actor:
    """`Actor(role, org, region)`, made once and handed out again: an actor is frozen, so
    one object serves every plan it acts on. A frozen dataclass sets each field through
    `object.__setattr__` (0.4 µs an actor), a look-up costs a tenth of that; the lists of a
    plan's actors are made for every step a simulation or a worklist judges."""
    key = (role, org, region)
    try:
        return _SHARED[key]
    except KeyError:
        pass
    except TypeError:  # an organisation that is no text (a malformed payload): not kept
        return Actor(role, org, region)
    if len(_SHARED) >= SHARED_MAX:
        _SHARED.clear()
    found = _SHARED[key] = Actor(role, org, region)
    return found

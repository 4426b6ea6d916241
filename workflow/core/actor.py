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

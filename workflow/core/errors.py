"""The errors the engine raises; every refusal names its rule and seed paragraph."""

from __future__ import annotations

from typing import Any


class AzwaError(Exception):
    """Base of every error the engine raises on purpose."""


class Refused(AzwaError):
    """A command the rules forbid. Nothing was changed and nothing was stored."""

    def __init__(
        self,
        rule: str,
        seed: str,
        message: str,
        *,
        trigger: str | None = None,
        plan_id: str | None = None,
        details: tuple[str, ...] = (),
    ) -> None:
        self.rule = rule
        self.seed = seed
        self.message = message
        self.trigger = trigger
        self.plan_id = plan_id
        self.details = details
        super().__init__(self.reason)

    @property
    def reason(self) -> str:
        """One line a case worker can read: what is wrong, which rule, which paragraph."""
        text = self.message
        if self.details:
            text += ": " + "; ".join(self.details)
        return f"{text} [rule {self.rule}, {self.seed}]"

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "seed": self.seed,
            "message": self.message,
            "details": list(self.details),
            "trigger": self.trigger,
            "plan_id": self.plan_id,
        }


class UnknownPlan(AzwaError):
    """No plan with this id is stored."""


class StaleWrite(AzwaError):
    """Another writer changed the plan since it was read; the command was not applied."""


class DefinitionError(AzwaError):
    """A process definition fails its load-time checks."""

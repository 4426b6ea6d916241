"""The errors the engine raises; every refusal names its rule and seed paragraph.

Most rules cite a paragraph of the seed documents (`A4 §1.5.1`, `MP BE4`). A few are rules of
azwa itself (time moves forward, a log's seq follows on): they cite `azwa`, and `AZWA_RULES`
says what each one means, for the reference page where users look them up.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workflow.core.phrase import joined
from workflow.core.text import visible

AZWA = "azwa"
"""The seed of azwa's own rules: see "Rules of azwa itself" in docs/reference.md."""

AZWA_RULES: Mapping[str, str] = {
    "known_trigger": "A command names a trigger of the plan's definition; `deadline_expired` "
    "is recorded by the system alone.",
    "final_state_is_final": "Nothing happens to a plan after it reached a final state.",
    "time_moves_forward": "An event's moment may not lie before the plan's last event.",
    "command_id_names_one_command": "A command id, given so that a retry applies once, "
    "belongs to one plan.",
    "registered_first": "A log's plan starts with an accepted `register_plan`.",
    "known_definition": "A log names a definition version azwa knows, or one is in force on "
    "the date of its `register_plan`.",
    "same_definition": "Every event of a plan names the definition the plan was registered "
    "under.",
    "seq_in_order": "A plan's events come in rising seq, none repeated.",
    "seq_follows_on": "A plan's seq numbers follow on without a gap.",
    "payload_matches_schema": "A payload holds the fields its trigger declares, each of its "
    "type, and nothing else (see \"Payloads\"); it cites the trigger's own paragraph.",
    "migrates_a_live_plan_to_another_version": "Only a plan not yet in a final state moves, "
    "and only to a version other than its own.",
    "history_replays_clean": "A plan moves to another version only when its whole history "
    "replays under it with every command accepted and the same outcome.",
    "migrated_from_current": "A `definition_migrated` event moves a plan from the version it "
    "runs under to the version the event carries.",
    "migrated_by_the_coordinating_insurer": "Only the plan's coordinating insurer moves it to "
    "another version (the actor recorded by default).",
}
"""azwa's own rules and what each says; refusals by them cite `AZWA` (but
payload_matches_schema, which cites the trigger's paragraph)."""

Problem = tuple[str, str, str]


class Reason(str):
    """A refusal's one line in English (`Refused.reason`) that keeps its refusal, so where
    it is quoted (a to-do's "waiting until ...") it can be said in the reader's language."""

    refusal: Refused

    def __new__(cls, text: str, refusal: Refused) -> Reason:
        made = super().__new__(cls, text)
        made.refusal = refusal
        return made

    def __reduce__(self) -> tuple[Any, ...]:
        return (str, (str(self),))
"""One failing rule: (rule, seed, message)."""


class AzwaError(Exception):
    """Base of every error the engine raises on purpose."""


class Refused(AzwaError):
    """A command the rules forbid. Nothing was changed and nothing was stored.

    `rule`, `seed`, `message` and `details` are the first failing rule; `problems` holds
    every failing rule, the first included, so a case worker can mend all in one round.
    """

    def __init__(
        self,
        rule: str,
        seed: str,
        message: str,
        *,
        trigger: str | None = None,
        plan_id: str | None = None,
        details: tuple[str, ...] = (),
        problems: tuple[Problem, ...] = (),
    ) -> None:
        self.rule = rule
        self.seed = seed
        self.message = message
        self.trigger = trigger
        self.plan_id = plan_id
        self.details = details
        self.problems = problems or ((rule, seed, _with_details(message, details)),)
        super().__init__(self.reason)

    @property
    def reason(self) -> str:
        """One line a case worker can read: what is wrong, which rule, which paragraph;
        further failing rules after it, as `(+2 more: ...)`. A user's text quoted in it (an
        org, a payload key) shows its control characters as escapes, so it stays one line."""
        first = f"{_with_details(self.message, self.details)} [rule {self.rule}, {self.seed}]"
        more = self.problems[1:]
        if not more:
            return Reason(visible(first), self)
        rest = "; ".join(
            text if (rule, seed) == (self.rule, self.seed) else f"{text} [rule {rule}, {seed}]"
            for rule, seed, text in more
        )
        return Reason(visible(f"{first} (+{len(more)} more: {rest})"), self)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "seed": self.seed,
            "message": self.message,
            "details": list(self.details),
            "trigger": self.trigger,
            "plan_id": self.plan_id,
            "problems": [{"rule": r, "seed": s, "message": m} for r, s, m in self.problems],
        }


def _with_details(message: str, details: tuple[str, ...]) -> str:
    return joined(message, "; ".join(details))


class UnknownPlan(AzwaError):
    """No plan with this id is stored."""


class StaleWrite(AzwaError):
    """Another writer changed the plan since it was read; the command was not applied.

    A store that reads what the caller asks next in the same round trip as it finds the
    save lost (the SQL store on PostgreSQL) sets `reread`: the plan as stored now (None if
    gone) and what `Store.command` says of the command id (None: never used); else None."""

    reread: tuple[Any, Any] | None = None
    """(Plan | None, what `Store.command` gives): typed loosely, as the core's errors
    import nothing of the plan or its events."""


class DefinitionError(AzwaError):
    """A process definition fails its load-time checks."""

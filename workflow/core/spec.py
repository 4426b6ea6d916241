"""The vocabulary process definitions are written in.

Everything here is a frozen dataclass so a definition is plain data: the engine, the replay
and the simulation read the same objects and none of them can change the rules at run time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from workflow.core.actor import SYSTEM_ROLE as SYSTEM_ROLE
from workflow.core.actor import Actor as Actor
from workflow.core.payload import PayloadSchema
from workflow.core.timecalc import Length as Length

if TYPE_CHECKING:
    from workflow.core.context import Context
    from workflow.core.plan import Plan

Predicate = Callable[["Context"], bool]
Explain = Callable[["Context"], str]
Effect = Callable[["Plan", "Context"], None]
Membership = Callable[["Plan", "Actor"], bool]
Representative = Callable[["Plan", str], "Actor | None"]

REGISTER = "register_plan"
DEADLINE_EXPIRED = "deadline_expired"


SYSTEM_ACTOR = Actor(role=SYSTEM_ROLE, org="azwa", region=None)


@dataclass(frozen=True, slots=True)
class Guard:
    """A named rule a command must satisfy, with the seed paragraph it comes from.

    `check` answers whether the rule holds; `message` tells a case worker what is wrong;
    `explain`, when given, adds the specifics (which parties have not committed, which
    basiseisen are empty). `only_for` limits the rule to some roles (a plan maker may take
    an escalation to step 4 only after the board meeting deadline passed).
    """

    name: str
    seed: str
    message: str
    check: Predicate
    explain: Explain | None = None
    only_for: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class Transition:
    """One trigger from some states to a destination (None: stay, an internal transition)."""

    trigger: str
    sources: tuple[str, ...]
    dest: str | None
    roles: frozenset[str]
    seed: str
    guards: tuple[Guard, ...] = ()
    effect: Effect | None = None
    any_org: bool = False
    """True where the actor need not already belong to the plan (a municipality joining)."""


@dataclass(frozen=True, slots=True)
class DeadlineSpec:
    """A deadline: which trigger starts it, how long it runs, which triggers meet it.

    `length` None means the due date comes from the payload (`per_item`, e.g. one deadline
    `kpi:<id>` for each KPI of a contract, due on the KPI's own date).
    """

    name: str
    seed: str
    started_by: tuple[str, ...]
    met_by: tuple[str, ...]
    length: Length | None = None
    started_into: str | None = None
    """Start only when the starting trigger lands in this state (escalation step 3)."""
    per_item: str | None = None
    """Payload list whose items each get a deadline `<name>:<id>` (sign_contract's kpis)."""
    item_key: str = "id"
    item_due: str = "due"
    met_key: str | None = None
    """Payload field naming which item a meeting trigger meets (confirm_kpi's `kpi`)."""


@dataclass(frozen=True, slots=True)
class Region:
    """A state machine of its own beside the main lifecycle (the escalation ladder).

    Kept as a second flat machine: nested states cost six times the speed (MEASURED.md).
    """

    name: str
    states: tuple[str, ...]
    initial: str
    transitions: tuple[Transition, ...]
    open_in: frozenset[str]
    """Main-lifecycle states in which this region's triggers may fire."""
    open_seed: str


@dataclass(frozen=True, slots=True)
class Definition:
    """A whole process: main lifecycle, a parallel region, deadlines and roles."""

    name: str
    version: int
    effective_from: str
    """ISO date from which new plans are registered under this version."""
    roles: Mapping[str, str]
    """Role name to what the role is (for help texts and the reference docs)."""
    states: tuple[str, ...]
    initial: str
    finals: frozenset[str]
    transitions: tuple[Transition, ...]
    deadlines: tuple[DeadlineSpec, ...]
    region: Region
    membership: Mapping[str, Membership]
    """Per role: does this actor belong to the plan in that role."""
    membership_seed: Mapping[str, str]
    """Per role: the paragraph that says who acts in that role on a plan."""
    registration: Transition
    """`register_plan`: creates the plan in `initial` (its sources are empty)."""
    representative: Representative | None = None
    """Who acts for a role on a plan, to tell each role what it may do next."""
    payloads: Mapping[str, PayloadSchema] = field(default_factory=dict)
    """Per trigger: the fields its payload holds (none declared: any payload is read)."""

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.version}"

    def all_transitions(self) -> tuple[Transition, ...]:
        return (self.registration, *self.transitions, *self.region.transitions)

    def triggers(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for t in self.all_transitions():
            seen.setdefault(t.trigger, None)
        return tuple(seen)

    def deadline(self, name: str) -> DeadlineSpec | None:
        """The spec of a deadline, `kpi:<id>` resolving to its family `kpi`."""
        family = name.split(":", 1)[0]
        for spec in self.deadlines:
            if spec.name == family:
                return spec
        return None

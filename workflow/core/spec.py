"""The vocabulary process definitions are written in.

Everything here is a frozen dataclass so a definition is plain data: the engine, the replay
and the simulation read the same objects and none of them can change the rules at run time.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from workflow.core.actor import SYSTEM_ROLE as SYSTEM_ROLE
from workflow.core.actor import Actor as Actor
from workflow.core.actor import shared as shared
from workflow.core.payload import PayloadSchema
from workflow.core.timecalc import Length as Length

if TYPE_CHECKING:
    from workflow.core.context import Context
    from workflow.core.plan import Plan

Predicate = Callable[["Context"], bool]
Explain = Callable[["Context"], str]
Effect = Callable[["Plan", "Context"], None]
Membership = Callable[["Plan", "Actor"], bool]
Owed = Callable[["Plan", "Actor"], "bool | Sequence[str]"]


class ActorsOf(Protocol):
    """Every organisation acting on a plan, one Actor per role it acts in there, each a
    member of the plan in that role (its `membership` holds); given `roles`, only those
    acting in one of them (in the same order): a caller that asks about a few roles does
    not have the others found."""

    def __call__(self, plan: Plan, roles: Collection[str] | None = None) -> list[Actor]: ...


REGISTER = "register_plan"
DEADLINE_EXPIRED = "deadline_expired"
DEADLINE, AIM = "deadline", "aim"
"""Deadline kinds: a `deadline` that passes unmet is a breach; an `aim` ("het streven is")
that passes unmet is a missed aim, recorded apart and never a breach."""


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
    kind: str = DEADLINE
    """`deadline` (unmet: a breach) or `aim` (unmet: a missed aim, never a breach)."""
    anchor_by: tuple[str, ...] = ()
    """Triggers whose latest moment the clock runs from instead of the starting trigger's
    own (the receipt of the document that turned out complete); none: the start's moment."""
    restart: bool = True
    """False: a starting trigger fired again leaves the deadline as it is (a decision stays
    due from the first complete document)."""


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
class Duty:
    """A trigger the process waits for: a to-do for whoever may fire it now and owes it.

    `owed` says whether this actor owes it on this plan (None: whoever may fire it owes it);
    it may instead return item ids (the open KPIs), one to-do each, named in the payload
    under `item_key`: a duty whose `owed` names items has an `item_key`, one without is owed
    as a whole (true or false). `instead` lists the triggers that settle the same to-do another way
    (reject instead of approve). `says` is the line a case worker reads; `{item}` is filled in.
    Its due date is that of the deadline the trigger meets, else of the deadline `before`
    names (a review is due before the plan decision).
    """

    trigger: str
    says: str
    owed: Owed | None = None
    instead: tuple[str, ...] = ()
    item_key: str | None = None
    before: str | None = None


@dataclass(frozen=True, slots=True)
class Agenda:
    """Which triggers are to-dos and which are merely allowed: data, so a new version of a
    definition can change what it waits for without touching the service."""

    duties: tuple[Duty, ...]
    optional: frozenset[str]
    """Triggers that are allowed but never awaited (escalate, withdraw, extend_deadline)."""
    tolerated: frozenset[tuple[str, str]] = frozenset()
    """(trigger, role) pairs accepted so that old logs replay unchanged, but never offered."""

    def duty(self, trigger: str) -> Duty | None:
        return next((d for d in self.duties if d.trigger == trigger), None)


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
    actors: ActorsOf | None = None
    """Every organisation acting on a plan, one Actor per role it acts in there, so each
    is told what it may and must do next."""
    agenda: Agenda | None = None
    """What the process waits for (to-dos) apart from what is merely allowed."""
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

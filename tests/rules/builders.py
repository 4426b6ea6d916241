"""Drive a plan through the real engine to any state of transformation@1, for the rule tests.

`plan_in("joint_review")` registers a plan and fires, through `ProcessEngine`, exactly the
triggers a case worker would fire to get there: nothing is written into a plan by hand. A
`Run` keeps the plan, the moment of its last command and every command fired, so the same
plan can be played again through the service (`into_service`).

`Run.refuse` fires a command that must be refused and checks the promise every refusal
makes: the named rule and seed paragraph, the plan exactly as it was, no event out.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

import states
from workflow.core.engine import Command, ProcessEngine
from workflow.core.errors import Refused
from workflow.core.events import Event
from workflow.core.plan import Plan
from workflow.core.spec import REGISTER, SYSTEM_ACTOR, Actor
from workflow.service.api import Engine

DEFINITION = states.DEFAULT
ENGINE = ProcessEngine(DEFINITION)
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
STEP = timedelta(hours=1)
"""Commands of a built plan follow each other an hour apart."""


def local(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    """A wall-clock moment in Amsterdam (the offset follows summer and winter time)."""
    return datetime(year, month, day, hour, minute, tzinfo=AMSTERDAM)


T0 = local(2027, 1, 11)

# -- the actors of the sample plan ----------------------------------------------------------------

MAKER = Actor("plan_maker", "Huisartsen Twente", "Twente")
HOSPITAL = Actor("plan_maker", "ZGT", "Twente")
INSURER = Actor("coordinating_insurer", "Menzis")
SECOND = Actor("second_insurer", "Zilveren Kruis")
ENSCHEDE = Actor("municipality", "Gemeente Enschede", "Twente")
HENGELO = Actor("municipality", "Gemeente Hengelo", "Twente")
"""A municipality not listed at registration: it takes part only after joining."""
COORDINATOR = Actor("regional_coordinator", "Regiocoördinator Achterhoek", "Achterhoek")
NZA = Actor("nza", "NZa")
BOARD = Actor("governance_board", "Bestuurlijke groep IZA")
AUDITOR = Actor("auditor", "Auditdienst")
SYSTEM = SYSTEM_ACTOR
OUTSIDER_INSURER = Actor("coordinating_insurer", "VGZ")
"""An insurer that is not this plan's coordinating insurer."""

MEMBER: dict[str, Actor] = {
    "plan_maker": MAKER,
    "coordinating_insurer": INSURER,
    "second_insurer": SECOND,
    "municipality": ENSCHEDE,
    "regional_coordinator": COORDINATOR,
    "nza": NZA,
    "governance_board": BOARD,
    "system": SYSTEM,
    "auditor": AUDITOR,
}
"""For each role, an actor that belongs to the sample plan in that role (the regional
coordinator once assigned)."""

# -- payloads -------------------------------------------------------------------------------------

COORDINATOR_ASSIGNMENT = {"org": COORDINATOR.org, "region": COORDINATOR.region}

IMPACT: dict[str, Any] = {
    "impact": {
        "criteria": ["care_use", "staff_deployment"],
        "transition_goals": "Minder verwijzingen naar de tweede lijn; zorg dichtbij huis.",
        "regional_plan": "Past in het regioplan Twente: wijkteams en huisartsen werken samen.",
    },
    "kpis": ["plan delivered", "80% of patients seen in the neighbourhood team"],
}

CONTRACT: dict[str, Any] = {
    "kpis": [
        {"id": "k1", "description": "Deliver the transformation plan (paid retroactively)",
         "amount_eur": 50000, "due": "2027-06-30", "go_no_go": False},
        {"id": "k2", "description": "80% of patients seen by the neighbourhood team",
         "amount_eur": 200000, "due": "2028-02-29", "go_no_go": True},
    ]
}

_EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


def modelplan_example() -> dict[str, Any]:
    """The complete example modelplan of the docs (breakthrough track, MP)."""
    text = (_EXAMPLES / "modelplan_example.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def registration(**overrides: Any) -> dict[str, Any]:
    """A complete `register_plan` payload; keyword arguments replace its fields."""
    payload: dict[str, Any] = {
        "title": "Samen sterker in de wijk",
        "region": "Twente",
        "track": "transformation",
        "social_domain": False,
        "domain_transcending": False,
        "parties": [
            {"org": MAKER.org, "role": "plan_maker"},
            {"org": HOSPITAL.org, "role": "plan_maker"},
        ],
        "coordinating_insurer": INSURER.org,
        "second_insurer": SECOND.org,
        "municipalities": [{"org": ENSCHEDE.org, "region": "Twente"}],
    }
    payload.update(overrides)
    return payload


# -- a plan being driven --------------------------------------------------------------------------


@dataclass
class Run:
    """One plan driven through the engine, with the moment of its last command."""

    plan: Plan
    at: datetime
    events: list[Event] = field(default_factory=list)
    commands: list[tuple[str, Actor, dict[str, Any], datetime]] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)
    engine: ProcessEngine = ENGINE
    """The definition's engine the plan runs under (transformation@1 unless built for @2)."""

    def next_at(self, at: datetime | None) -> datetime:
        return at if at is not None else self.at + STEP

    def fire(
        self, trigger: str, actor: Actor, payload: Mapping[str, Any] | None = None,
        *, at: datetime | None = None,
    ) -> list[Event]:
        """Fire a trigger that must be accepted; returns the events it produced."""
        when = self.next_at(at)
        body = copy.deepcopy(dict(payload or {}))
        outcome = self.engine.apply(self.plan, Command(trigger, actor, body, when))
        self.commands.append((trigger, actor, body, when))
        self.at = max(self.at, when)
        self.events += outcome.events
        return outcome.events

    def refuse(
        self, trigger: str, actor: Actor, payload: Mapping[str, Any] | None = None,
        *, rule: str, seed: str | None = None, at: datetime | None = None,
    ) -> Refused:
        """Fire a trigger that must be refused by `rule` (and `seed`): nothing may change."""
        refusal = self.attempt(trigger, actor, payload, at=at)
        assert refusal is not None, f"{trigger} by {actor.role} was accepted"
        assert refusal.rule == rule, refusal.reason
        if seed is not None:
            assert refusal.seed == seed, refusal.reason
        return refusal

    def attempt(
        self, trigger: str, actor: Actor, payload: Mapping[str, Any] | None = None,
        *, at: datetime | None = None,
    ) -> Refused | None:
        """Fire a trigger; on refusal return it after checking that nothing changed."""
        when = self.next_at(at)
        before = copy.deepcopy(self.plan.to_dict())
        body = copy.deepcopy(dict(payload or {}))
        try:
            outcome = self.engine.apply(self.plan, Command(trigger, actor, body, when))
        except Refused as refusal:
            assert self.plan.to_dict() == before, "a refused command changed the plan"
            return refusal
        self.commands.append((trigger, actor, body, when))
        self.at = max(self.at, when)
        self.events += outcome.events
        return None

    def expire(self, now: datetime) -> list[Event]:
        """Let time run to `now`: every deadline due by then expires (what `tick` does)."""
        events = self.engine.expire(self.plan, now)
        self.events += events
        return events

    def clone(self) -> Run:
        plan = Plan.from_dict(copy.deepcopy(self.plan.to_dict()))
        return Run(plan, self.at, list(self.events), list(self.commands), dict(self.options),
                   self.engine)

    @property
    def state(self) -> str:
        return self.plan.state

    @property
    def escalation(self) -> str:
        return self.plan.escalation

    @property
    def triggers(self) -> list[str]:
        return [e.trigger for e in self.events]


def register(
    *, at: datetime = T0, actor: Actor = MAKER, plan_id: str = "TW-2027-001",
    engine: ProcessEngine = ENGINE, **attrs: Any
) -> Run:
    """Register the sample plan; keyword arguments replace registration fields."""
    payload = registration(**attrs)
    outcome = engine.register(plan_id, actor, copy.deepcopy(payload), at)
    run = Run(outcome.plan, at, list(outcome.events), engine=engine)
    run.commands.append((REGISTER, actor, payload, at))
    return run


# -- the steps from registration to each state -----------------------------------------------------


def municipality_actors(run: Run) -> list[Actor]:
    """The municipalities taking part in the plan: listed at registration or joined since
    (with a care office that joined, under transformation@2, in its own role)."""
    listed = [Actor("municipality", m["org"], m["region"])
              for m in run.plan.attrs.get("municipalities", [])]
    joined = [Actor(m.get("kind", "municipality"), m["org"], m["region"])
              for m in run.plan.facts.get("joined", [])]
    return listed + [a for a in joined if a.org not in {m.org for m in listed}]


def committing_actors(run: Run) -> list[Actor]:
    """Every party whose commitment approval needs (A4 §1.b.1), as the acting actor: the plan
    makers and the participating municipalities, not the insurers (their approval is it)."""
    makers = [Actor("plan_maker", p["org"], run.plan.attrs["region"])
              for p in run.plan.attrs["parties"]]
    return [*makers, *municipality_actors(run)]


REVIEW_PARTS = (
    "coordinating_review", "second_review", "municipality_review", "coordinator_review",
    "social_domain_approval", "commitments", "joint_feedback",
)


def complete_joint_review(run: Run, *, skip: Iterable[str] = ()) -> Run:
    """Do in `joint_review` what approval needs (A4 §1.b, §1.3), leaving out `skip`.

    The regional coordinator is assigned or waived per the run's `coordinator` option.
    """
    skipped = set(skip)
    unknown = {s for s in skipped - set(REVIEW_PARTS) if not s.startswith("commitment:")}
    assert not unknown, f"unknown review parts {unknown}"
    social = bool(run.plan.attrs["social_domain"])
    coordinator = run.options.get("coordinator")
    if coordinator == "assigned" and run.plan.facts.get("regional_coordinator") is None:
        run.fire("assign_regional_coordinator", ENSCHEDE, COORDINATOR_ASSIGNMENT)
    elif coordinator == "waived" and not run.plan.facts.get("coordinator_waived"):
        run.fire("waive_regional_coordinator", ENSCHEDE)
    if "coordinating_review" not in skipped:
        run.fire("submit_review", INSURER, {"verdict": "positive"})
    if "second_review" not in skipped:
        run.fire("submit_review", SECOND, {"verdict": "positive"})
    if social and "municipality_review" not in skipped:
        run.fire("submit_review", ENSCHEDE, {"verdict": "conditional"})
    if coordinator == "assigned" and "coordinator_review" not in skipped:
        run.fire("submit_review", COORDINATOR, {"verdict": "positive"})
    if social and "social_domain_approval" not in skipped:
        run.fire("approve_social_domain_parts", ENSCHEDE)
    if "commitments" not in skipped:
        for actor in committing_actors(run):
            if "commitment:" + actor.org not in skipped:
                run.fire("record_commitment", actor)
    both_reviews = not skipped & {"coordinating_review", "second_review"}
    if both_reviews and "joint_feedback" not in skipped:
        run.fire("share_joint_feedback", INSURER)
    return run


def _plan_content(run: Run) -> dict[str, Any]:
    content = run.options.get("content")
    if content is not None:
        return dict(content)
    if run.plan.attrs["track"] == "breakthrough":
        return {"modelplan": modelplan_example()}
    return IMPACT


def _settle_kpis(run: Run) -> None:
    for kid, kpi in run.plan.facts["kpis"].items():
        if kpi["go_no_go"]:
            run.fire("decide_go", INSURER, {"kpi": kid})
        run.fire("confirm_kpi", INSURER, {"kpi": kid})


def _lapse(run: Run) -> None:
    expires = run.plan.deadlines["plan_submission"].expires_at
    run.fire("close_lapsed", INSURER, at=expires + STEP)


def _no_go(run: Run) -> None:
    kid = next(k for k, v in run.plan.facts["kpis"].items() if v["go_no_go"])
    run.fire("decide_no_go", INSURER, {"kpi": kid})


Step = Callable[[Run], object]

STEPS: dict[str, Step] = {
    "start_meeting": lambda r: r.fire("hold_start_meeting", INSURER),
    "character": lambda r: r.fire("agree_character", INSURER, {"character": "innovation"}),
    "quick_test": lambda r: r.fire("submit_quick_test", MAKER),
    "quick_test_information": lambda r: r.fire(
        "request_information", INSURER, {"missing": ["begroting per jaar"]}),
    "quick_test_complete": lambda r: r.fire("accept_quick_test_as_complete", INSURER),
    "quick_test_approved": lambda r: r.fire("approve_quick_test", INSURER),
    "quick_test_rejected": lambda r: r.fire(
        "reject_quick_test", INSURER, {"reason": "Geen regionale impact"}),
    "plan": lambda r: r.fire("submit_plan", MAKER, _plan_content(r)),
    "plan_information": lambda r: r.fire(
        "request_information", INSURER, {"missing": ["KPI-onderbouwing"]}),
    "plan_complete": lambda r: r.fire("accept_plan_as_complete", INSURER),
    "review": complete_joint_review,
    "plan_approved": lambda r: r.fire("approve_plan", INSURER),
    "contract": lambda r: r.fire("sign_contract", INSURER, r.options.get("contract", CONTRACT)),
    "payment_decision": lambda r: r.fire("issue_payment_decision", NZA),
    "kpis_settled": _settle_kpis,
    "costs": lambda r: r.fire(
        "record_costs", MAKER, {"amount_eur": r.options.get("costs", 180000), "period": "2027"}),
    "monitoring": lambda r: r.fire("record_monitoring", INSURER, {"summary": "Op koers"}),
    "implementation_complete": lambda r: r.fire("complete_implementation", INSURER),
    "judgement": lambda r: r.fire("give_lawfulness_judgement", NZA),
    "withdraw": lambda r: r.fire("withdraw", MAKER, {"reason": "Partijen stoppen"}),
    "lapse": _lapse,
    "no_go": _no_go,
}

_MAIN = (
    ("quick_test_submitted", ("character", "quick_test")),
    ("quick_test_under_review", ("quick_test_complete",)),
    ("plan_in_preparation", ("quick_test_approved",)),
    ("plan_submitted", ("plan",)),
    ("joint_review", ("plan_complete",)),
    ("approved", ("review", "plan_approved")),
    ("contracted", ("contract",)),
    ("in_implementation", ("payment_decision",)),
    ("accountability", ("kpis_settled", "costs", "monitoring", "implementation_complete")),
    ("closed", ("judgement",)),
)


def route(state: str) -> tuple[str, ...]:
    """The names of the steps that take a registered plan to `state`."""
    branches = {
        "intent": ("intent", ()),
        "start_meeting_held": ("intent", ("start_meeting",)),
        "quick_test_incomplete": ("quick_test_submitted", ("quick_test_information",)),
        "plan_incomplete": ("plan_submitted", ("plan_information",)),
        "rejected": ("quick_test_under_review", ("quick_test_rejected",)),
        "withdrawn": ("intent", ("withdraw",)),
        "lapsed": ("plan_in_preparation", ("lapse",)),
        "terminated": ("in_implementation", ("no_go",)),
    }
    if state in branches:
        base, extra = branches[state]
        return (*route(base), *extra) if base != state else extra
    steps: list[str] = []
    for reached, names in _MAIN:
        steps += names
        if reached == state:
            return tuple(steps)
    raise ValueError(f"no route to {state!r}")


def plan_in(
    state: str,
    *,
    at: datetime = T0,
    start_meeting: bool = False,
    coordinator: str | None = None,
    contract: Mapping[str, Any] | None = None,
    content: Mapping[str, Any] | None = None,
    join: Iterable[Actor] = (),
    costs: float | None = None,
    engine: ProcessEngine = ENGINE,
    steps: Mapping[str, Step] | None = None,
    **attrs: Any,
) -> Run:
    """A plan brought to `state` by the triggers a case worker would fire.

    `attrs` replace registration fields (track, social_domain, municipalities, ...);
    `start_meeting` holds the optional start meeting first; `coordinator` is "assigned",
    "waived" or None (neither) in the joint review; `join` municipalities join as financiers
    right after registration; `contract`, `content` and `costs` replace the sample payloads.
    """
    run = register(at=at, engine=engine, **attrs)
    run.options.update({"coordinator": coordinator})
    if contract is not None:
        run.options["contract"] = contract
    if content is not None:
        run.options["content"] = content
    if costs is not None:
        run.options["costs"] = costs
    for actor in join:  # transformation@2 names the kind of financier joining
        run.fire("join_as_financier", actor,
                 {"kind": actor.role} if engine.definition.version >= 2 else {})
    names = route(state)
    if start_meeting and "start_meeting" not in names and state != "intent":
        names = ("start_meeting", *names)
    for name in names:
        (steps or STEPS)[name](run)
    assert run.plan.state == state, f"built {run.plan.state}, wanted {state}"
    return run


def escalated_to(
    step: str, *, state: str = "plan_in_preparation", build: Callable[..., Run] | None = None,
    **options: Any,
) -> Run:
    """A plan in `state` whose escalation climbed, one step at a time, to `step` (A4 §1.4)."""
    run = (build or plan_in)(state, **options)
    ladder = ("bilateral", "convened", "board_level", "governance")
    for rung in ladder[: ladder.index(step) + 1]:
        if rung == "bilateral":
            run.fire("escalate", MAKER, {"issue": "Geen overeenstemming over de inzet van "
                                                  "personeel", "contact": "J. de Vries"})
        else:
            run.fire("escalate", INSURER, {"issue": f"Niet opgelost; naar {rung}"})
    assert run.plan.escalation == step
    return run


def into_service(engine: Engine, run: Run) -> str:
    """Play a built plan's commands, with their own moments, through the service."""
    plan_id = run.plan.plan_id
    for trigger, actor, payload, at in run.commands:
        if trigger == REGISTER:
            engine.register(plan_id, actor, payload, at=at)
        else:
            engine.fire(plan_id, trigger, actor, payload, at=at)
    return plan_id


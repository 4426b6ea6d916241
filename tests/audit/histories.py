"""Random plan histories through the service, for the round-trip and tamper tests.

A walk registers a few plans and then, step after step, lets time pass (sometimes running the
deadline clock with `tick`) and fires one command that the rules allow at that moment, chosen
at random among a table of moves with valid payloads. The engine's own `check` picks out the
allowed moves, so the walk never needs a copy of the rules and reaches every part of the
process, breaches and escalations included.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from workflow.core.clock import FakeClock
from workflow.core.engine import Command
from workflow.core.errors import Refused
from workflow.core.spec import Actor
from workflow.core.timecalc import local_date, parse_at
from workflow.service import demo
from workflow.service.api import Engine

MAKER, HOSPITAL, INSURER = demo.MAKER, demo.HOSPITAL, demo.INSURER
SECOND, ENSCHEDE, NZA = demo.SECOND, demo.ENSCHEDE, demo.NZA
HENGELO = Actor("municipality", "Gemeente Hengelo", "Twente")
COORDINATOR = Actor("regional_coordinator", "Regiocoördinator Achterhoek", "Achterhoek")
BOARD = Actor("governance_board", "Bestuurlijke groep IZA")
START = "2027-01-04T09:00:00+01:00"

Payload = Callable[[datetime, random.Random], dict[str, Any]]


def fixed(data: dict[str, Any] | None = None) -> Payload:
    return lambda at, rng: copy.deepcopy(data or {})


def contract(at: datetime, rng: random.Random) -> dict[str, Any]:
    """Two KPIs due some weeks ahead; sometimes on the same day, listed in either order."""
    first = local_date(at) + timedelta(days=rng.randint(5, 90))
    second = first if rng.random() < 0.3 else first + timedelta(days=rng.randint(1, 200))
    kpis = [
        {"id": "k1", "description": "Deliver the plan", "amount_eur": 50000,
         "due": first.isoformat(), "go_no_go": False},
        {"id": "k2", "description": "Patients seen at home", "amount_eur": 120000,
         "due": second.isoformat(), "go_no_go": True},
    ]
    if rng.random() < 0.5:
        kpis.reverse()
    return {"kpis": kpis}


def extension(name: str) -> Payload:
    def make(at: datetime, rng: random.Random) -> dict[str, Any]:
        until = local_date(at) + timedelta(days=rng.randint(10, 120))
        return {"deadline": name, "until": until.isoformat(), "reason": "Agreed with parties"}
    return make


def partial(kpi: str) -> Payload:
    return lambda at, rng: {"kpi": kpi, "amount_eur": rng.choice([1000, 25000, 50000]),
                            "reason": "Efforts delivered", "efforts_delivered": True}


def costs(at: datetime, rng: random.Random) -> dict[str, Any]:
    return {"amount_eur": rng.choice([0, 10000, 80000, 200000]), "period": str(at.year)}


@dataclass(frozen=True, slots=True)
class Move:
    trigger: str
    actor: Actor
    payload: Payload
    weight: float = 1.0


ISSUE = {"issue": "Parties disagree on staffing"}
MOVES: tuple[Move, ...] = (
    Move("join_as_financier", HENGELO, fixed()),
    Move("name_second_insurer", INSURER, fixed({"org": SECOND.org}), 0.3),
    Move("agree_character", INSURER, fixed({"character": "innovation"}), 2),
    Move("hold_start_meeting", INSURER, fixed(), 2),
    Move("submit_quick_test", MAKER, fixed(), 3),
    Move("request_information", INSURER, fixed({"missing": ["begroting"]})),
    Move("resubmit_quick_test", MAKER, fixed(), 3),
    Move("accept_quick_test_as_complete", INSURER, fixed(), 3),
    Move("approve_quick_test", INSURER, fixed(), 3),
    Move("reject_quick_test", INSURER, fixed({"reason": "Out of scope"}), 0.1),
    Move("submit_plan", MAKER, fixed(demo.IMPACT), 3),
    Move("resubmit_plan", MAKER, fixed(demo.IMPACT), 3),
    Move("accept_plan_as_complete", INSURER, fixed(), 3),
    Move("submit_review", INSURER, fixed({"verdict": "positive"}), 2),
    Move("submit_review", SECOND, fixed({"verdict": "positive"}), 2),
    Move("submit_review", ENSCHEDE, fixed({"verdict": "conditional"}), 2),
    Move("submit_review", HENGELO, fixed({"verdict": "positive"}), 2),
    Move("submit_review", COORDINATOR, fixed({"verdict": "positive"}), 2),
    Move("assign_regional_coordinator", ENSCHEDE,
         fixed({"org": COORDINATOR.org, "region": COORDINATOR.region})),
    Move("waive_regional_coordinator", HENGELO, fixed()),
    Move("approve_social_domain_parts", ENSCHEDE, fixed(), 2),
    Move("decline_social_domain_parts", HENGELO, fixed({"reason": "Budget unclear"}), 0.2),
    *(Move("record_commitment", who, fixed(), 2)
      for who in (MAKER, HOSPITAL, INSURER, SECOND, ENSCHEDE, HENGELO)),
    Move("share_joint_feedback", INSURER, fixed(), 2),
    Move("approve_plan", INSURER, fixed(), 4),
    Move("reject_plan", INSURER, fixed({"reason": "Not convincing"}), 0.1),
    Move("request_revision", INSURER, fixed({"reason": "Sharpen the KPIs"}), 0.3),
    Move("sign_contract", INSURER, contract, 4),
    Move("issue_payment_decision", NZA, fixed(), 4),
    Move("confirm_kpi", INSURER, fixed({"kpi": "k1"}), 2),
    Move("confirm_kpi", INSURER, fixed({"kpi": "k2"}), 2),
    Move("pay_partially", INSURER, partial("k1")),
    Move("pay_partially", INSURER, partial("k2")),
    Move("decide_go", INSURER, fixed({"kpi": "k2"})),
    Move("decide_no_go", INSURER, fixed({"kpi": "k2"}), 0.1),
    Move("record_costs", MAKER, costs),
    Move("record_monitoring", INSURER, fixed({"summary": "On track"})),
    Move("complete_implementation", INSURER, fixed(), 4),
    Move("settle", INSURER, fixed(), 2),
    Move("give_lawfulness_judgement", NZA, fixed(), 4),
    Move("withdraw", MAKER, fixed({"reason": "Coalition ended"}), 0.05),
    Move("close_lapsed", INSURER, fixed(), 2),
    Move("extend_deadline", INSURER, extension("plan_decision"), 0.3),
    Move("extend_deadline", INSURER, extension("quick_test_decision"), 0.3),
    Move("escalate", MAKER, fixed({**ISSUE, "contact": "J. de Vries"}), 0.5),
    Move("escalate", INSURER, fixed(ISSUE), 0.5),
    Move("escalate", BOARD, fixed(ISSUE), 0.3),
    Move("hold_board_meeting", INSURER, fixed(), 0.5),
    Move("request_flying_brigade", BOARD, fixed(), 0.3),
    Move("resolve_escalation", INSURER, fixed(), 0.5),
    Move("resolve_escalation", BOARD, fixed(), 0.3),
)

REGISTRATIONS = (
    demo.REGISTRATION,
    {**demo.REGISTRATION, "social_domain": False, "domain_transcending": False,
     "municipalities": []},
    {**demo.REGISTRATION, "social_domain": False, "municipalities": []},
)


def _order(rng: random.Random, done: set[tuple[str, str, str]], state: str) -> list[Move]:
    """The moves in a random order that favours the heavier ones and those not yet made in
    this state (a second review by the same insurer moves nothing on)."""
    def key(m: Move) -> float:
        weight = m.weight / (20 if (m.trigger, m.actor.org, state) in done else 1)
        return float(rng.random() ** (1 / weight))
    return sorted(MOVES, key=key, reverse=True)


def walk(engine: Engine, seed: int, plans: int, steps: int, start: str = START) -> list[str]:
    """Register `plans` plans and take `steps` steps among them; returns the plan ids."""
    rng = random.Random(seed)
    at = parse_at(start)
    ids: list[str] = []
    for n in range(plans):
        plan_id = f"RW-{seed % 10_000:04d}-{n}"
        engine.register(plan_id, MAKER, copy.deepcopy(rng.choice(REGISTRATIONS)), at=at)
        ids.append(plan_id)
        at += timedelta(hours=rng.randint(1, 30))
    done: dict[str, set[tuple[str, str, str]]] = {plan_id: set() for plan_id in ids}
    for _ in range(steps):
        at += timedelta(days=rng.choice([0, 0, 1, 2, 5, 10, 30, 60]), hours=rng.randint(0, 12),
                        minutes=rng.randint(1, 59))
        if rng.random() < 0.15:
            engine.tick(at)
        plan_id = rng.choice(ids)
        plan = engine.state(plan_id)
        process = engine.process(plan.definition)
        for move in _order(rng, done[plan_id], plan.state):
            cmd = Command(move.trigger, move.actor, move.payload(at, rng), at)
            try:
                process.check(plan, cmd)
            except Refused:
                continue
            engine.fire(plan_id, cmd.trigger, cmd.actor, cmd.payload, at=at)
            done[plan_id].add((move.trigger, move.actor.org, plan.state))
            break
    return ids


def random_database(url: str, seed: int, plans: int = 3, steps: int = 120) -> list[str]:
    """A database full of random histories; returns the plan ids."""
    engine = Engine(url, FakeClock(START))
    return walk(engine, seed, plans, steps)

"""A definition's actors asked for some roles only (`Definition.actors(plan, roles)`, as the
simulation's readiness check asks) are exactly those of all its actors in those roles, in the
same order, for plans in every state either version reaches; and each is a member of the
plan in its role, which the readiness check does not ask again."""

from __future__ import annotations

from dataclasses import replace
from itertools import combinations
from pathlib import Path

import pytest

import states
from tests.rules.builders import HENGELO, escalated_to, plan_in
from tests.rules.v2.builders import plan_in_v2
from workflow.core.plan import Plan
from workflow.core.spec import Actor
from workflow.simulate.model import Run
from workflow.simulate.runner import engine_for
from workflow.simulate.scenario import load

CARE = Actor("care_office", "Zorgkantoor Twente", "Twente")
SCENARIO = Path(__file__).resolve().parents[2] / "docs" / "scenarios" / "quick-tests-2024.toml"


def _plans(ref: str) -> list[Plan]:
    """Plans stopped part way through a simulated run stand in many states and escalation
    steps; and plans the simulation does not make: joined financiers, an assigned
    coordinator, several parties, the escalation ladder's top."""
    definition = states.get(ref)
    scenario = load(SCENARIO)
    scenario = replace(scenario, definition=ref,
                       branches={**scenario.branches, "escalation": 0.6})
    plans = []
    for until in (20.0, 120.0, 400.0, 900.0):
        run = Run(scenario, engine_for(ref), 4, 1).simulate(80, until=until)
        plans += [sp.plan for sp in run.plans if sp.plan is not None]
    build = plan_in if ref == "transformation@1" else plan_in_v2
    joined = [HENGELO] if ref == "transformation@1" else [HENGELO, CARE]
    plans += [build("joint_review", coordinator="assigned", join=joined).plan,
              escalated_to(definition.region.states[-1], build=build).plan]
    several = build("joint_review", coordinator="assigned", join=joined).plan
    several.attrs["parties"] = [*several.attrs["parties"], {"org": "Zorggroep Oost"},
                                several.attrs["parties"][0]]
    plans.append(several)
    assert len({(p.state, p.escalation) for p in plans}) >= 10
    return plans


@pytest.mark.parametrize("ref", ["transformation@1", "transformation@2"])
def test_every_actor_listed_is_a_member_of_the_plan_in_its_role(ref: str) -> None:
    definition = states.get(ref)
    assert definition.actors is not None
    listed = 0
    for plan in _plans(ref):
        for actor in definition.actors(plan):
            assert definition.membership[actor.role](plan, actor), (plan.plan_id, actor)
            listed += 1
    assert listed > 500
    outsider = Actor("municipality", "Gemeente Nergens", None)  # the check can refuse
    assert not definition.membership["municipality"](_plans(ref)[-1], outsider)


@pytest.mark.parametrize("ref", ["transformation@1", "transformation@2"])
def test_actors_of_some_roles_are_all_actors_in_those_roles(ref: str) -> None:
    definition = states.get(ref)
    assert definition.actors is not None
    plans = _plans(ref)
    roles = sorted(definition.roles)
    asked = [(role,) for role in roles] + list(combinations(roles, 2)) + [tuple(roles), ()]
    for plan in plans:
        every = definition.actors(plan)
        for some in asked:
            assert definition.actors(plan, some) == [a for a in every if a.role in some]
            assert definition.actors(plan, frozenset(some)) == \
                [a for a in every if a.role in some]

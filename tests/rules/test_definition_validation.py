"""A definition is checked when it loads (STYLE.md: unreachable states, trap states, unknown
names raise at once), so a broken process never reaches a plan."""

from __future__ import annotations

import dataclasses

import pytest

import states
from workflow.core.errors import DefinitionError
from workflow.core.spec import DeadlineSpec, Definition, Length, Transition
from workflow.core.validate import validate

GOOD = states.DEFAULT


def _transition(trigger: str, sources: tuple[str, ...], dest: str | None,
                roles: frozenset[str] = frozenset({"coordinating_insurer"})) -> Transition:
    return Transition(trigger=trigger, sources=sources, dest=dest, roles=roles, seed="test")


def _with(**changes: object) -> Definition:
    return dataclasses.replace(GOOD, **changes)  # type: ignore[arg-type]


def test_validate__the_default_definition_is_valid() -> None:
    """STYLE.md "Layout": states/ holds definitions validated at load time.

    Given transformation@1 as registered, when it is validated, then no problem is found and
    it is the definition the registry serves.
    """
    validate(GOOD)
    assert states.get("transformation@1") is GOOD


def test_validate__refused_for_an_unreachable_state() -> None:
    """Load-time check: every state is reachable from the initial state.

    Given the definition with an extra final state no transition leads to, when validated,
    then DefinitionError names the unreachable state.
    """
    broken = _with(states=(*GOOD.states, "archived"), finals=GOOD.finals | {"archived"})
    with pytest.raises(DefinitionError, match="'archived' is unreachable"):
        validate(broken)


def test_validate__refused_for_a_dead_end() -> None:
    """Load-time check: from every non-final state some final state can be reached.

    Given the definition with a state 'on_hold' entered from joint_review and never left,
    when validated, then DefinitionError says no final state can be reached from it.
    """
    park = _transition("put_on_hold", ("joint_review",), "on_hold")
    broken = _with(states=(*GOOD.states, "on_hold"), transitions=(*GOOD.transitions, park))
    with pytest.raises(DefinitionError, match="no final state can be reached from 'on_hold'"):
        validate(broken)


def test_validate__refused_for_a_final_state_with_a_way_out() -> None:
    """Load-time check: nothing leaves a final state (DESIGN.md "Main lifecycle").

    Given the definition with a trigger from rejected back to joint_review, when validated,
    then DefinitionError names the final state with outgoing transitions.
    """
    reopen = _transition("reopen", ("rejected",), "joint_review")
    broken = _with(transitions=(*GOOD.transitions, reopen))
    with pytest.raises(DefinitionError, match="final state 'rejected' has outgoing"):
        validate(broken)


def test_validate__refused_for_a_deadline_naming_an_unknown_trigger() -> None:
    """Load-time check: a deadline is started and met by triggers of the definition.

    Given the definition with a deadline met by 'approve_quickly', which no transition has,
    when validated, then DefinitionError names the deadline and the trigger.
    """
    odd = DeadlineSpec("quick_answer", "test", ("accept_quick_test_as_complete",),
                       ("approve_quickly",), Length(weeks=1))
    broken = _with(deadlines=(*GOOD.deadlines, odd))
    with pytest.raises(DefinitionError,
                       match="deadline 'quick_answer' names unknown trigger 'approve_quickly'"):
        validate(broken)


def test_validate__refused_for_an_unknown_role() -> None:
    """Load-time check: every role that may fire a trigger is a role of the definition
    (DESIGN.md "Who acts").

    Given the definition with a trigger that a 'mayor' may fire, when validated, then
    DefinitionError names the unknown role.
    """
    note = _transition("add_note", ("joint_review",), None, frozenset({"mayor"}))
    broken = _with(transitions=(*GOOD.transitions, note))
    with pytest.raises(DefinitionError, match="add_note: unknown role 'mayor'"):
        validate(broken)


def test_validate__refused_for_a_trigger_the_system_role_may_fire() -> None:
    """Load-time check: the system role only expires deadlines (DESIGN.md "Who acts").

    Given the definition with a trigger the system role may fire, when validated, then
    DefinitionError says so.
    """
    auto = _transition("auto_approve", ("joint_review",), "approved", frozenset({"system"}))
    broken = _with(transitions=(*GOOD.transitions, auto))
    with pytest.raises(DefinitionError, match="auto_approve: the system role only expires"):
        validate(broken)


def test_validate__reports_every_problem_at_once() -> None:
    """Load-time check: the error lists every problem, not only the first.

    Given a definition with both an unreachable state and an unknown role, when validated,
    then the one DefinitionError names both.
    """
    note = _transition("add_note", ("joint_review",), None, frozenset({"mayor"}))
    broken = _with(states=(*GOOD.states, "archived"), finals=GOOD.finals | {"archived"},
                   transitions=(*GOOD.transitions, note))
    with pytest.raises(DefinitionError) as info:
        validate(broken)
    assert "'archived' is unreachable" in str(info.value)
    assert "unknown role 'mayor'" in str(info.value)


def test_register__a_broken_definition_fails_when_it_loads() -> None:
    """Load-time check through the registry (states.register validates first).

    Given a definition with an unreachable state under a new version number, when it is
    registered, then DefinitionError is raised and the registry does not serve it.
    """
    broken = _with(version=99, states=(*GOOD.states, "archived"),
                   finals=GOOD.finals | {"archived"})
    with pytest.raises(DefinitionError):
        states.register(broken)
    with pytest.raises(KeyError):
        states.get("transformation@99")

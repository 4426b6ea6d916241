"""The engine's transition table is what the `transitions` machines do, for every state and
trigger: the machines stay the one definition, the table only remembers their answers."""

from __future__ import annotations

import pytest
from transitions import MachineError

import states
from workflow.core.engine import ProcessEngine
from workflow.core.spec import Definition


def fired(engine: ProcessEngine) -> dict[tuple[str, str], str | None]:
    """Every (state, trigger) of both machines, fired for real: where it lands, or None
    where the machine refuses the trigger."""
    answers: dict[tuple[str, str], str | None] = {}
    for machine in engine.machines:
        model = machine.models[0]
        for state in machine.states:
            for trigger in machine.events:
                machine.set_state(state, model=model)
                try:
                    getattr(model, trigger)()
                except MachineError:
                    answers[(state, trigger)] = None
                else:
                    answers[(state, trigger)] = model.state
    return answers


@pytest.mark.parametrize("definition", states.all_definitions(), ids=lambda d: d.ref)
def test_the_table_equals_firing_the_machines(definition: Definition) -> None:
    engine = ProcessEngine(definition)
    answers = fired(engine)
    assert {key: dest for key, dest in answers.items() if dest is not None} == engine.table
    assert any(dest is None for dest in answers.values())  # the machines do refuse some


@pytest.mark.parametrize("definition", states.all_definitions(), ids=lambda d: d.ref)
def test_an_internal_transition_stays_and_a_real_one_moves(definition: Definition) -> None:
    engine = ProcessEngine(definition)
    for tr in (*definition.transitions, *definition.region.transitions):
        for source in tr.sources:
            assert engine.table[(source, tr.trigger)] == (tr.dest or source)

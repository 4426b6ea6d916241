"""Readiness asks a step's guards in the order that refused last (`Owed.ready` moves a
refusing guard to the front): a guard only reads, so the order changes how long a check
takes and never what is ready. A run whose guard lists start reversed, or shuffled, makes
the same log as one that starts in the definition's order."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import pytest

from workflow.simulate.model import Run
from workflow.simulate.runner import engine_for
from workflow.simulate.scenario import load

SCENARIO = Path(__file__).resolve().parents[2] / "docs" / "scenarios" / "quick-tests-2024.toml"


def _log(ref: str, reorder: str | None) -> bytes:
    scenario = load(SCENARIO)
    scenario = replace(scenario, definition=ref,
                       branches={**scenario.branches, "escalation": 0.5})
    run = Run(scenario, engine_for(ref), 11, 1, as_lines=True)
    rng = random.Random(5)
    moved = 0
    for table in (run.owed._main, run.owed._region):
        for steps in table.values():
            for step in steps:
                if reorder == "reversed":
                    step.checks.reverse()
                elif reorder == "shuffled":
                    rng.shuffle(step.checks)
                moved += len(step.checks) > 1
    assert reorder is None or moved > 5  # the order had something to change
    run.simulate(120)
    return b"".join(sp.lines for sp in run.plans)


@pytest.mark.parametrize("ref", ["transformation@1", "transformation@2"])
def test_the_order_guards_are_asked_in_changes_nothing(ref: str) -> None:
    expected = _log(ref, None)
    assert expected.count(b"\n") > 2000
    assert _log(ref, "reversed") == expected
    assert _log(ref, "shuffled") == expected

"""(b) In-memory apply against a bare `transitions` trigger on a machine of the same shape.

Both run the demo's whole lifecycle (registration to `closed`, with a deadline expiry and an
escalation) plan after plan. The engine checks role, membership and guards, sets and meets
deadlines and seals each event into the hash chain; the bare machine (the same states and
transitions, flat, one proxy model, state set per event) only changes state. A plain dict
table `(state, trigger) -> destination` is the floor.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from transitions import Machine

import states
from tests.bench.common import best_of, paired
from workflow.core.engine import Command, ProcessEngine
from workflow.service import demo


def scenario() -> list[tuple[demo.Step, Any]]:
    return list(demo.moments())


def engine_work(plans: int) -> Callable[[], int]:
    engine = ProcessEngine(states.DEFAULT)
    steps = scenario()
    counter = iter(range(10**9))

    def work() -> int:
        ops = 0
        for _ in range(plans):
            pid = f"P{next(counter)}"
            plan = None
            for step, at in steps:
                if step.actor is None:
                    assert plan is not None
                    ops += len(engine.expire(plan, at))
                elif plan is None:
                    plan = engine.register(pid, step.actor, step.payload, at).plan
                    ops += 1
                else:
                    engine.apply(plan, Command(step.trigger, step.actor, step.payload, at))
                    ops += 1
        return ops

    return work


def bare_works(plans: int) -> tuple[Callable[[], int], Callable[[], int]]:
    """The same trigger sequence on bare machines, and on a dict table."""
    d = states.DEFAULT

    class Model:
        state: str

    main_model, region_model = Model(), Model()
    main = Machine(model=main_model, states=list(d.states), initial=d.initial,
                   auto_transitions=False)
    region = Machine(model=region_model, states=list(d.region.states),
                     initial=d.region.initial, auto_transitions=False)
    table: dict[tuple[str, str], str | None] = {}
    for machine, transitions in ((main, d.transitions), (region, d.region.transitions)):
        for t in transitions:
            machine.add_transition(t.trigger, list(t.sources), t.dest)
            for src in t.sources:
                table[(src, t.trigger)] = t.dest
    region_triggers = {t.trigger for t in d.region.transitions}
    sequence: list[tuple[str, str, str]] = []  # (machine, state before, trigger)
    state, ladder = d.initial, d.region.initial
    for step, _at in scenario():
        if step.actor is None or step.trigger == "register_plan":
            continue
        if step.trigger in region_triggers:
            sequence.append(("region", ladder, step.trigger))
            ladder = table[(ladder, step.trigger)] or ladder
        else:
            sequence.append(("main", state, step.trigger))
            state = table[(state, step.trigger)] or state
    per_plan = len(sequence) + 2  # registration and the deadline expiry, as the engine counts

    def bare() -> int:
        for _ in range(plans):
            for which, before, trigger in sequence:
                if which == "main":
                    main.set_state(before, model=main_model)
                    getattr(main_model, "trigger")(trigger)  # noqa: B009 - bound by the machine
                else:
                    region.set_state(before, model=region_model)
                    getattr(region_model, "trigger")(trigger)  # noqa: B009
        return plans * per_plan

    def dict_table() -> int:
        for _ in range(plans):
            for _which, before, trigger in sequence:
                _ = table[(before, trigger)]
        return plans * per_plan

    return bare, dict_table


def main(plans: int = 300, runs: int = 7) -> str:
    bare_work, table_work = bare_works(plans)
    eng, bare, ratio = paired(runs, engine_work(plans), bare_work)
    table = best_of(3, table_work)
    verdict = "meets" if ratio <= 3 else "misses"
    return "\n".join([
        "## (b) In-memory apply vs a bare `transitions` trigger",
        "",
        f"{plans} plans through the demo lifecycle ({len(scenario())} steps each), in memory;"
        f" {runs} alternating runs, medians (the ratio is the median of paired ratios).",
        "",
        "| path | events/s | vs bare trigger |",
        "|---|---|---|",
        f"| `ProcessEngine.apply` (role, membership, guards, deadlines, sealed event) "
        f"| {eng:,.0f} | {ratio:.2f}× slower |",
        f"| bare flat `transitions` trigger, state set per event | {bare:,.0f} | 1× |",
        f"| plain dict table `(state, trigger) -> dest` | {table:,.0f} | "
        f"{table / bare:.0f}× faster |",
        "",
        f"Engine apply is **{ratio:.2f}×** a bare trigger (target ≤ 3×: {verdict}).",
        "",
    ])


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--plans", type=int, default=300)
    print(main(parser.parse_args().plans))

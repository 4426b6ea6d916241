"""(b) In-memory apply against a bare `transitions` trigger, the same commands on both sides.

Both sides run the demo's lifecycle (registration to `closed`) plan after plan and are
credited one operation per command: the registration and each trigger. The bare side is what
the library alone does for those commands: a model set to the initial state for the
registration, then for each trigger its state set (one proxy model, as MEASURED.md
recommends) and the trigger fired, internal transitions (no state change) included. The
engine resolves the same commands through its table and on top checks role, membership,
payload schema and guards, expires the deadline that falls due (inside the next command, as
live: no separate tick), starts and meets deadlines and seals each event into the hash
chain. A plain dict table `(state, trigger) -> dest` is the floor.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import datetime

from transitions import Machine

import states
from tests.bench.common import best_of, paired
from workflow.core.engine import Command, ProcessEngine
from workflow.service import demo

TARGET = 1.5


def scenario() -> list[tuple[demo.Step, datetime]]:
    """The demo's commands; its clock tick is left to the next command, as live."""
    return [(step, at) for step, at in demo.moments() if step.actor is not None]


def engine_work(plans: int) -> Callable[[], int]:
    engine = ProcessEngine(states.DEFAULT)
    first, *rest = scenario()
    commands = [Command(step.trigger, step.actor, step.payload, at)
                for step, at in rest if step.actor is not None]
    register, at0 = first
    assert register.actor is not None and register.trigger == "register_plan"
    counter = iter(range(10**9))

    def work() -> int:
        for _ in range(plans):
            plan = engine.register(f"P{next(counter)}", register.actor, register.payload,
                                   at0).plan
            for cmd in commands:
                engine.apply(plan, cmd)
        return plans * (1 + len(commands))

    return work


def bare_works(plans: int) -> tuple[Callable[[], int], Callable[[], int], int]:
    """The same commands on bare machines and on a dict table; the number of internal
    transitions among them."""
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
    sequence: list[tuple[bool, str, str]] = []  # (escalation region?, state before, trigger)
    state, ladder = d.initial, d.region.initial
    for step, _at in scenario()[1:]:
        if step.trigger in region_triggers:
            sequence.append((True, ladder, step.trigger))
            ladder = table[(ladder, step.trigger)] or ladder
        else:
            sequence.append((False, state, step.trigger))
            state = table[(state, step.trigger)] or state
    internal = sum(1 for inr, before, trig in sequence if table[(before, trig)] is None)
    per_plan = 1 + len(sequence)

    def bare() -> int:
        for _ in range(plans):
            main.set_state(d.initial, model=main_model)  # the registration
            for in_region, before, trigger in sequence:
                if in_region:
                    region.set_state(before, model=region_model)
                    getattr(region_model, "trigger")(trigger)  # noqa: B009 - bound by the machine
                else:
                    main.set_state(before, model=main_model)
                    getattr(main_model, "trigger")(trigger)  # noqa: B009
        return plans * per_plan

    def dict_table() -> int:
        for _ in range(plans):
            for _in_region, before, trigger in sequence:
                _ = table[(before, trigger)]
        return plans * per_plan

    return bare, dict_table, internal


def main(plans: int = 300, runs: int = 11) -> str:
    bare_work, table_work, internal = bare_works(plans)
    bare, eng, speed = paired(runs, bare_work, engine_work(plans))
    ratio = 1 / speed  # time per command, engine over bare (median of paired ratios)
    table = best_of(3, table_work)
    verdict = "meets" if ratio <= TARGET else "misses"
    per_plan = len(scenario())
    return "\n".join([
        "## (b) In-memory apply vs a bare `transitions` trigger",
        "",
        f"{plans} plans through the demo lifecycle, {per_plan} commands each (the "
        f"registration and {per_plan - 1} triggers, {internal} of them internal "
        "transitions), in memory; both sides credited one operation per command. The bare "
        "side sets a model's state and fires the trigger on a flat `transitions.Machine` of "
        "the definition's states and transitions (the registration: the initial state set). "
        "The engine does the same commands and everything the rules ask for: role, "
        "membership, the payload checked against its schema, the guards, the deadline "
        "expiry that falls due (one more event), "
        "deadlines started and met, each event sealed into the hash chain. "
        f"{runs} alternating runs; medians (the ratio is the median of paired ratios).",
        "",
        "| path | commands/s | time per command vs bare trigger |",
        "|---|---|---|",
        f"| `ProcessEngine.register` / `apply` (table, payload, rules, deadlines, sealed "
        "event) "
        f"| {eng:,.0f} | {ratio:.2f}× |",
        f"| bare flat `transitions` trigger, state set per command | {bare:,.0f} | 1× |",
        f"| plain dict table `(state, trigger) -> dest` | {table:,.0f} | "
        f"{bare / table:.2f}× |",
        "",
        f"Engine apply is **{ratio:.2f}×** a bare trigger (target ≤ {TARGET}×: {verdict}).",
        "",
    ])


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--plans", type=int, default=300)
    print(main(parser.parse_args().plans))

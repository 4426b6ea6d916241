"""Replay throughput and memory: `python bench/bench_replay.py [--events N]`.

Writes a log of N events (the demo scenario of `workflow.service.demo`, many plans, 50 of them
interleaved at a time, hash-chained as the service writes them) to a temporary file and
replays it with `azwa replay`'s code path: streamed from the file, every event checked by the
engine and every hash verified. The same run times a bare `transitions` trigger per event on
flat machines of the same shape (the definition's states and transitions, no guards, no
callbacks), and measures peak memory with tracemalloc for N/10 and N events.

Prints a Markdown section (`## Replay`) for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import json
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

from transitions import Machine

import states
from workflow.audit.logfile import read_log, replay_lines
from workflow.core.engine import Command, ProcessEngine
from workflow.core.events import Event
from workflow.core.plan import Plan
from workflow.core.spec import Definition
from workflow.core.timecalc import parse_at
from workflow.service import demo
from workflow.service.logs import configure

BATCH = 50
"""Plans whose events interleave in the log."""
TARGET = 4.0


def _events_of_batch(engine: ProcessEngine, first: int, size: int) -> Iterator[tuple[Event,
                                                                                     str, str]]:
    """Events of `size` demo plans played side by side, each with the plan's state and
    escalation step before it."""
    plans: dict[str, Plan] = {}
    ids = [f"TW-{n:07d}" for n in range(first, first + size)]
    for step, at in demo.moments():
        for plan_id in ids:
            state, escalation = "", ""
            if step.trigger == "register_plan":
                assert step.actor is not None
                outcome = engine.register(plan_id, step.actor, dict(step.payload), at)
                plans[plan_id] = outcome.plan
                events = outcome.events
            else:
                plan = plans[plan_id]
                state, escalation = plan.state, plan.escalation
                if step.actor is None:
                    events = engine.expire(plan, at)
                else:
                    events = engine.apply(plan, Command(step.trigger, step.actor,
                                                        dict(step.payload), at)).events
            for event in events:
                yield event, state, escalation


def write_log(path: Path, count: int) -> tuple[int, list[tuple[bool, str, str]]]:
    """A log of about `count` events; returns the plan count and, per event the bare machine
    knows, (escalation region?, state before, trigger)."""
    definition = states.DEFAULT
    engine = ProcessEngine(definition)
    region = {t.trigger for t in definition.region.transitions}
    main = {t.trigger for t in definition.transitions}
    machine_steps: list[tuple[bool, str, str]] = []
    written, plans = 0, 0
    with path.open("w", encoding="utf-8") as out:
        while written < count:
            for event, state, escalation in _events_of_batch(engine, plans, BATCH):
                if written >= count:
                    break
                out.write(json.dumps(event.to_dict(), ensure_ascii=False,
                                     separators=(",", ":")) + "\n")
                written += 1
                if event.trigger in region:
                    machine_steps.append((True, escalation, event.trigger))
                elif event.trigger in main:
                    machine_steps.append((False, state, event.trigger))
            plans += BATCH
    return plans, machine_steps


def write_long_log(path: Path, count: int, plans: int = 100) -> None:
    """`plans` plans carried to implementation, then reporting costs and monitoring in turn
    until the log holds `count` events: a log that grows longer, not wider."""
    engine = ProcessEngine(states.DEFAULT)
    live: dict[str, Plan] = {}
    written = 0
    with path.open("w", encoding="utf-8") as out:

        def emit(events: list[Event]) -> None:
            nonlocal written
            for event in events:
                out.write(json.dumps(event.to_dict(), ensure_ascii=False,
                                     separators=(",", ":")) + "\n")
                written += 1

        at = demo.START
        for step, moment in demo.moments():
            if step.trigger == "confirm_kpi":
                break
            at = moment.isoformat()
            for n in range(plans):
                plan_id = f"LL-{n:05d}"
                if step.trigger == "register_plan":
                    assert step.actor is not None
                    outcome = engine.register(plan_id, step.actor, dict(step.payload), moment)
                    live[plan_id] = outcome.plan
                    emit(outcome.events)
                elif step.actor is None:
                    emit(engine.expire(live[plan_id], moment))
                else:
                    emit(engine.apply(live[plan_id], Command(
                        step.trigger, step.actor, dict(step.payload), moment)).events)
        moment = parse_at(at)
        reports = (
            Command("record_costs", demo.MAKER, {"amount_eur": 1000, "period": "month"}, moment),
            Command("record_monitoring", demo.INSURER, {"summary": "on track"}, moment),
        )
        turn = 0
        while written < count:
            moment += timedelta(minutes=1)
            for plan in live.values():
                if written >= count:
                    break
                cmd = reports[turn % 2]
                emit(engine.apply(plan, Command(cmd.trigger, cmd.actor, dict(cmd.payload),
                                                moment)).events)
            turn += 1


class _Model:
    state: str


def bare_rate(definition: Definition, steps: list[tuple[bool, str, str]]) -> float:
    """Events/s of a bare flat `transitions` trigger per event, one proxy model per machine,
    its state set before each trigger (the way the engine uses it, MEASURED.md)."""
    models, machines = (_Model(), _Model()), []
    for model, states_, initial, transitions in (
        (models[0], definition.states, definition.initial, definition.transitions),
        (models[1], definition.region.states, definition.region.initial,
         definition.region.transitions),
    ):
        machine = Machine(model=model, states=list(states_), initial=initial,
                          auto_transitions=False)
        for tr in transitions:
            machine.add_transition(tr.trigger, list(tr.sources), tr.dest)
        machines.append(machine)

    def run() -> float:
        start = time.perf_counter()
        for in_region, state, trigger in steps:
            index = 1 if in_region else 0
            machines[index].set_state(state, model=models[index])
            getattr(models[index], trigger)()
        return time.perf_counter() - start

    return len(steps) / statistics.median(run() for _ in range(3))


def replay_rate(path: Path, events: int, runs: int = 3) -> float:
    def run() -> float:
        gc.collect()
        start = time.perf_counter()
        result = replay_lines(read_log(path))
        elapsed = time.perf_counter() - start
        assert result.events == events and result.ok and result.chain == "ok", "replay failed"
        return elapsed

    return events / statistics.median(run() for _ in range(runs))


def peak_memory(work: Callable[[], Any]) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _mib(value: float) -> str:
    return f"{value / 2**20:.1f} MiB"


def main(events: int = 100_000) -> str:
    """The Markdown section for docs/benchmarks.md."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        report(events)
    return out.getvalue()


def report(events: int) -> None:
    configure(json=True, level="ERROR")
    count = max(events, 100)
    small = max(count // 10, 10)
    with tempfile.TemporaryDirectory() as tmp:
        big_log, small_log = Path(tmp) / "big.jsonl", Path(tmp) / "small.jsonl"
        long_log, short_log = Path(tmp) / "long.jsonl", Path(tmp) / "short.jsonl"
        plans, steps = write_log(big_log, count)
        small_plans, _ = write_log(small_log, small)
        write_long_log(long_log, count)
        write_long_log(short_log, small)
        replay = replay_rate(big_log, count)
        bare = bare_rate(states.DEFAULT, steps)
        memory_small = peak_memory(lambda: replay_lines(read_log(small_log)))
        memory_big = peak_memory(lambda: replay_lines(read_log(big_log)))
        memory_short = peak_memory(lambda: replay_lines(read_log(short_log)))
        memory_long = peak_memory(lambda: replay_lines(read_log(long_log)))
    ratio = bare / replay
    per_plan = (memory_big - memory_small) / max(plans - small_plans, 1)
    print("## Replay\n")
    print(f"`azwa replay` of a {count:,}-event log: {plans:,} plans of the demo scenario, "
          f"{BATCH} interleaved at a time, hash chain checked on every event, read as a "
          "stream. The bare trigger is a flat `transitions.Machine` of the same states and "
          "transitions (no guards, no callbacks), its state set before each trigger, timed "
          "in the same run.\n")
    print("| measure | value |")
    print("|---|---|")
    print(f"| replay, events/s | {replay:,.0f} |")
    print(f"| bare `transitions` trigger, events/s | {bare:,.0f} |")
    verdict = "within" if ratio <= TARGET else "above"
    print(f"| replay time per event / bare trigger | {ratio:.1f}× ({verdict} the "
          f"{TARGET:.0f}× target) |")
    print(f"| peak memory, {small:,} events of 100 plans in implementation | "
          f"{_mib(memory_short)} |")
    print(f"| peak memory, {count:,} events of the same 100 plans | {_mib(memory_long)} |")
    print(f"| peak memory, {small:,} events, {small_plans:,} demo plans | "
          f"{_mib(memory_small)} |")
    print(f"| peak memory, {count:,} events, {plans:,} demo plans | {_mib(memory_big)} |")
    print(f"| memory kept per finished plan | {per_plan / 1024:.1f} KiB |")
    print("\nPeak memory is measured with tracemalloc. The log is read line by line, so memory "
          "does not grow with the length of the log (first two rows); it grows with the "
          "number of plans, each kept as its outcome once it reaches a final state (last "
          "row).")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000, help="events in the log")
    print(main(parser.parse_args().events))

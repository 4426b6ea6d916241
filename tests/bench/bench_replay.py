"""Replay throughput and memory: `python -m tests.bench.bench_replay [--events N]`.

Writes a log of N events (the demo scenario of `workflow.service.demo`, many plans, 50 of them
interleaved at a time, hash-chained as the service writes them) and a foreign copy of it: the
log another system would have written, without `hash`, `prev_hash` and `definition` and
without the `deadline_expired` events the engine computes itself. `azwa replay` is run on the
foreign log as a user runs it (a new process, start-up and text output included) and timed
against a bare `transitions` loop over the same lines in the same run: per line a flat
machine of the definition's states and transitions (no guards, no callbacks) has its state
set and the trigger fired; a registration sets the initial state. The hashed log is replayed
in-process too (every hash checked), and peak memory is measured with tracemalloc.

Prints a Markdown section (`## Replay`) for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import json
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

from transitions import Machine

import states
from tests.bench.bench_startup import compile_sources
from workflow.audit.logfile import read_log, replay_lines
from workflow.core.engine import Command, ProcessEngine
from workflow.core.events import Event
from workflow.core.plan import Plan
from workflow.core.spec import Definition
from workflow.core.timecalc import local_date, parse_at
from workflow.service import demo
from workflow.service.logs import configure

BATCH = 50
"""Plans whose events interleave in the log."""
TARGET = 2.0
FOREIGN_DROPS = ("hash", "prev_hash", "definition")
RUNS = 5
VERSION_RUNS = 8


def _events_of_batch(engine: ProcessEngine, first: int, size: int) -> Iterator[tuple[Event,
                                                                                     str, str]]:
    """Events of `size` demo plans played side by side, each with the plan's state and
    escalation step before it."""
    plans: dict[str, Plan] = {}
    ids = [f"TW-{n:07d}" for n in range(first, first + size)]
    steps = demo.for_definition(engine.definition.ref, demo.STEPS)
    for step, at in demo.moments(steps=steps):
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


def in_force() -> Definition:
    """The version the demo's plans register under (its dates, the in-force setting)."""
    return states.in_force(states.DEFAULT.name, local_date(parse_at(demo.START)).isoformat())


def write_log(path: Path, count: int, definition: Definition | None = None
              ) -> tuple[int, list[tuple[bool, str, str]]]:
    """A log of about `count` events under `definition` (default: the one in force for the
    demo's dates); returns the plan count and, per event the bare machine knows,
    (escalation region?, state before, trigger)."""
    definition = definition or in_force()
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
    engine = ProcessEngine(in_force())
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
        steps = demo.for_definition(engine.definition.ref, demo.STEPS)
        for step, moment in demo.moments(steps=steps):
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


def write_foreign(source: Path, target: Path) -> int:
    """The log as another system writes it, numbered by that system; the number of lines."""
    lines = 0
    seqs: dict[str, int] = {}
    with source.open(encoding="utf-8") as inp, target.open("w", encoding="utf-8") as out:
        for raw in inp:
            event = json.loads(raw)
            if event["trigger"] == "deadline_expired":
                continue
            for key in FOREIGN_DROPS:
                event.pop(key, None)
            event["seq"] = seqs[event["plan_id"]] = seqs.get(event["plan_id"], 0) + 1
            out.write(json.dumps(event, ensure_ascii=False, separators=(",", ":")) + "\n")
            lines += 1
    return lines


def bare_loop(definition: Definition, steps: list[tuple[bool, str, str]], registrations: int
              ) -> Callable[[], float]:
    """Seconds for a bare flat `transitions` loop over the foreign log's lines: one proxy
    model per machine, its state set before each trigger (the way MEASURED.md measures
    the library), the initial state set for each registration."""
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
        for _ in range(registrations):
            machines[0].set_state(definition.initial, model=models[0])
        for in_region, state, trigger in steps:
            index = 1 if in_region else 0
            machines[index].set_state(state, model=models[index])
            getattr(models[index], trigger)()
        return time.perf_counter() - start

    return run


def azwa_replay(path: Path) -> Callable[[], float]:
    """Seconds for `azwa replay LOG` in a new process, text output to a pipe, exit 0."""
    azwa = Path(sys.executable).parent / "azwa"

    def run() -> float:
        start = time.perf_counter()
        done = subprocess.run([str(azwa), "replay", str(path)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, check=False)
        elapsed = time.perf_counter() - start
        assert done.returncode == 0, done.stderr.decode()
        return elapsed

    return run


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
        foreign_log = Path(tmp) / "foreign.jsonl"
        plans, steps = write_log(big_log, count * 21 // 20)  # the expiries dropped below
        foreign = write_foreign(big_log, foreign_log)
        small_plans, _ = write_log(small_log, small)
        write_long_log(long_log, count)
        write_long_log(short_log, small)
        one_line = Path(tmp) / "one.jsonl"
        with foreign_log.open(encoding="utf-8") as inp:
            one_line.write_text(inp.readline(), encoding="utf-8")
        compile_sources()
        bare_run = bare_loop(in_force(), steps, foreign - len(steps))
        e2e_run, start_run = azwa_replay(foreign_log), azwa_replay(one_line)
        e2e_runs, bare_runs, start_runs, ratios, net = [], [], [], [], []
        for _ in range(RUNS):
            e2e_runs.append(e2e_run())
            bare_runs.append(bare_run())
            start_runs.append(start_run())
            ratios.append(e2e_runs[-1] / bare_runs[-1])
            net.append((e2e_runs[-1] - start_runs[-1]) / bare_runs[-1])
        ratio, net_ratio = statistics.median(ratios), statistics.median(net)
        hashed = sum(1 for _ in big_log.open(encoding="utf-8"))
        replay = replay_rate(big_log, hashed)
        memory_small = peak_memory(lambda: replay_lines(read_log(small_log)))
        memory_big = peak_memory(lambda: replay_lines(read_log(big_log)))
        memory_short = peak_memory(lambda: replay_lines(read_log(short_log)))
        memory_long = peak_memory(lambda: replay_lines(read_log(long_log)))
    e2e, bare = statistics.median(e2e_runs), statistics.median(bare_runs)
    start = statistics.median(start_runs)
    per_plan = (memory_big - memory_small) / max(plans - small_plans, 1)
    print("## Replay\n")
    print(f"`azwa replay` of a foreign {foreign:,}-line log: {plans:,} plans of the demo "
          f"scenario, {BATCH} interleaved at a time, written as another system would (no "
          "`hash`, `prev_hash`, `definition`, no `deadline_expired` lines: the engine "
          "computes those). Timed end to end as a user runs it: a new process, start-up, "
          "every event judged by the rules, the text report to a pipe. The baseline is a "
          "bare `transitions` loop over the same lines in the same run (a flat "
          "`transitions.Machine` of the definition's states and transitions, no guards, no "
          "callbacks, its state set before each trigger; a registration sets the initial "
          f"state), without start-up. {RUNS} alternating runs, medians; the ratio is the median "
          "of the paired ratios. The sources are compiled to bytecode first, as an installed "
          "package is.\n")
    print("| measure | value |")
    print("|---|---|")
    print(f"| `azwa replay` end to end, seconds (lines/s) | {e2e:.2f} ({foreign / e2e:,.0f}) |")
    print(f"| bare `transitions` loop, seconds (lines/s) | {bare:.2f} ({foreign / bare:,.0f}) |")
    verdict = "within" if ratio <= TARGET else "above"
    print(f"| `azwa replay` end to end / bare loop | **{ratio:.2f}×** ({verdict} the "
          f"{TARGET:.0f}× target) |")
    print(f"| start-up: `azwa replay` of a one-line log, seconds | {start:.2f} |")
    print(f"| end to end less start-up / bare loop | {net_ratio:.2f}× |")
    print(f"| in-process replay of the hashed log ({hashed:,} events, every hash checked), "
          f"events/s | {replay:,.0f} |")
    print(f"| peak memory, {small:,} events of 100 plans in implementation | "
          f"{_mib(memory_short)} |")
    print(f"| peak memory, {count:,} events of the same 100 plans | {_mib(memory_long)} |")
    print(f"| peak memory, {small:,} events, {small_plans:,} demo plans | "
          f"{_mib(memory_small)} |")
    print(f"| peak memory, {hashed:,} events, {plans:,} demo plans | {_mib(memory_big)} |")
    print(f"| memory kept per finished plan | {per_plan / 1024:.1f} KiB |")
    by_version(count // 2)
    print("\nPeak memory is measured with tracemalloc. The log is read line by line, so memory "
          "does not grow with the length of the log (first two rows); it grows with the "
          "number of plans, each kept as its outcome once it reaches a final state (last "
          "row).")


_FRESH_RATE = """
import sys, time
from pathlib import Path
from workflow.audit.logfile import read_log, replay_lines
path, events = Path(sys.argv[1]), int(sys.argv[2])
start = time.perf_counter()
result = replay_lines(read_log(path))
elapsed = time.perf_counter() - start
assert result.ok and result.events == events and result.chain == "ok", "replay failed"
print(events / elapsed)
"""


def fresh_rate(path: Path, events: int) -> float:
    """Events per second of one in-process replay of `path`, in a new process (as a user
    runs `azwa replay`), its start-up not counted: the rate does not depend on what the
    benchmarks before it left in this process's heap."""
    done = subprocess.run([sys.executable, "-c", _FRESH_RATE, str(path), str(events)],
                          check=True, capture_output=True, text=True)
    return float(done.stdout)


def by_version(events: int) -> None:
    """In-process replay of the same demo scenario logged under each version (hashed, every
    hash checked), each run in a new process, paired runs in alternating order:
    transformation@2 against transformation@1."""
    v1, v2 = states.get("transformation@1"), states.get("transformation@2")
    with tempfile.TemporaryDirectory() as tmp:
        logs = {d.ref: Path(tmp) / f"{d.version}.jsonl" for d in (v1, v2)}
        for d in (v1, v2):
            write_log(logs[d.ref], events, d)
        counts = {ref: sum(1 for _ in path.open(encoding="utf-8")) for ref, path in logs.items()}
        rates: dict[str, list[float]] = {v1.ref: [], v2.ref: []}
        ratios = []
        for run in range(VERSION_RUNS):
            order = (v1, v2) if run % 2 == 0 else (v2, v1)
            for d in order:
                rates[d.ref].append(fresh_rate(logs[d.ref], counts[d.ref]))
            ratios.append(rates[v2.ref][-1] / rates[v1.ref][-1])
    rate1, rate2 = (statistics.median(rates[d.ref]) for d in (v1, v2))
    ratio = statistics.median(ratios)
    verdict = "within" if ratio >= 0.9 else "outside"
    print(f"\n### Replay by version\n\nThe demo scenario logged under each version (about "
          f"{events:,} events, hashed), replayed in-process with every hash checked, each "
          f"replay in a new process as `azwa replay` runs (its start-up not counted), "
          f"{VERSION_RUNS} pairs, the order alternating from pair to pair; medians, the ratio "
          "being the median of the paired rate ratios.\n")
    print("| definition | events/s |")
    print("|---|---|")
    print(f"| `{v1.ref}` | {rate1:,.0f} |")
    print(f"| `{v2.ref}` | {rate2:,.0f} |")
    print(f"| @2 / @1 | **{ratio:.2f}×** ({verdict} 10% of @1) |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000, help="events in the log")
    print(main(parser.parse_args().events))

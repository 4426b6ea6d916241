"""Scale-out on PostgreSQL: writer processes, deadline workers, kills.

- Commands/s with 1, 2, 4 and 8 writer processes on plans of their own, as ratios to one
  process; then 8 writers sharing 50 plans, with how often a command lost the race and was
  judged again (the retry rate).
- The load check at full size: 8 processes fire 20,000 commands at 500 plans: every
  acknowledged command in the log once, every plan's seq 1..n, stored plan = replay,
  `azwa audit verify` clean.
- Expiries/s with 1 and with 4 worker processes over the same 50,000 due deadlines (each
  expired exactly once, none left due).
- A writer killed with SIGKILL 10 times at random moments during load: every acknowledged
  command in the log, `azwa audit verify` clean.

Every process uses the real clock and its own connection; the plans are set up in bulk
(tests/store/load.py). The machine has 2 cores shared with other work: what limits the
writers is CPU (each command's rules, hashing and encoding, and the server's own work on
the same cores), and the figures are noisy.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import time
from pathlib import Path
from typing import Any

from tests.bench.common import scratch_dir
from tests.pg import copy_schema, fresh_schema, unavailable
from tests.store import load
from workflow import Engine, FakeClock, SystemClock
from workflow.service.logs import configure
from workflow.service.worker import drain
from workflow.store.schema import AZWA_TABLES
from workflow.store.sql import SqlStore

FAR = "2035-01-01T00:00:00+01:00"


def _writer(url: str, plan_ids: list[str], commands: int, name: str, ready: Any,
            results: Any) -> None:
    configure(json=True, level="CRITICAL")
    engine = Engine(url, SystemClock())
    for pid in plan_ids:  # the working copies a running service holds
        engine._keep(engine.state(pid))
    ready.wait()
    rng = random.Random(name)  # each writer its own order: they meet where chance has it
    for k in range(commands):
        pid = rng.choice(plan_ids)
        engine.fire(pid, "record_costs", load.MAKER, {"amount_eur": 1 + k,
                                                      "period": f"{name}-{k}"},
                    command_id=f"{name}-{k}")
    results.put((name, commands, engine.lost_races, engine.stale_copies))
    engine.store.close()  # type: ignore[attr-defined]


def _timed_writers(url: str, plan_sets: list[list[str]], commands: int, tag: str
                   ) -> tuple[float, int, int, int]:
    """(seconds, commands, lost races, stale copies) of writers started together, one per
    plan set."""
    ready = load.FORK.Barrier(len(plan_sets) + 1)
    results = load.FORK.Queue()
    procs = [load.FORK.Process(target=_writer, args=(url, plans, commands, f"{tag}{n}",
                                                     ready, results))
             for n, plans in enumerate(plan_sets)]
    for proc in procs:
        proc.start()
    ready.wait()
    began = time.perf_counter()
    done = [results.get(timeout=600) for _ in procs]
    elapsed = time.perf_counter() - began
    for proc in procs:
        proc.join(60)
    return elapsed, sum(d[1] for d in done), sum(d[2] for d in done), sum(d[3] for d in done)


def _rate(url: str, plan_sets: list[list[str]], commands: int, tag: str, repeats: int
          ) -> tuple[float, int, float, float]:
    """Median commands/s of `repeats` runs; commands a run, lost-race and stale shares."""
    runs = [_timed_writers(url, plan_sets, commands, f"{tag}r{r}-") for r in range(repeats)]
    rates = sorted(done / elapsed for elapsed, done, _, _ in runs)
    done = sum(r[1] for r in runs)
    return (rates[len(rates) // 2], runs[0][1], sum(r[2] for r in runs) / done,
            sum(r[3] for r in runs) / done)


def writers_section(commands: int, plans_each: int, repeats: int = 3) -> list[str]:
    rows, base = [], None
    with fresh_schema("writers") as (url, _):
        counts = (1, 2, 4, 8)
        ids = [f"W{n:04d}" for n in range(max(counts) * plans_each)]
        load.bulk_plans(url, ids, until="record_costs", start=load.recent_start())
        _timed_writers(url, [ids[:plans_each]], commands, "warm-")  # caches, prepared SQL
        shared = ids[:50]
        for count, sets, kind in [
            *((n, [ids[k * plans_each:(k + 1) * plans_each] for k in range(n)],
               f"own {plans_each} plans each") for n in counts),
            *((n, [shared] * n, "all share 50 plans") for n in (1, 8)),
        ]:
            rate, done, lost, stale = _rate(url, sets, commands, f"{kind[:3]}{count}-",
                                            repeats)
            base = base or rate
            rows.append(f"| {count} | {kind} | {done:,} | {rate:,.0f} | {rate / base:.2f}× | "
                        f"{lost:.1%} | {stale:.1%} |")
        sound = load.assert_sound(url, ids)
    return [
        "### Writers",
        "",
        f"Each row: the median of {repeats} runs, every writer process firing {commands} "
        "commands (`record_costs`, real clock, a command id each) at random plans of its "
        "set, all started together once each had read its plans.",
        "",
        "| writer processes | plans | commands a run | commands/s | vs 1 process | lost races | "
        "stale copies |",
        "|---|---|---|---|---|---|---|",
        *rows,
        "",
        f"After all runs every plan's log was checked ({sound:,} events): seq 1..n, the "
        "chain holds, the stored plan equals its replay. Lost races: the share of commands "
        "whose save, on a plan read afresh, lost to another writer, and which were judged "
        "again (the retry rate). Stale copies: the share whose Engine's working copy of the "
        "plan had gone stale (found at the save, then judged on a fresh read); an Engine "
        "that finds most copies stale reads plans afresh instead. No command was refused "
        "or told it was stale.",
        "",
    ]


def load_section(processes: int, commands: int, plans: int, folder: Path) -> list[str]:
    with fresh_schema("load") as (url, _):
        ids = [f"L{n:04d}" for n in range(plans)]
        load.bulk_plans(url, ids, until="record_costs", start=load.recent_start())
        before = load.assert_sound(url, ids)
        for path in folder.glob("*.acks"):
            path.unlink()
        began = time.perf_counter()
        writers = load.start_writers(url, ids, processes, commands // processes, folder)
        for proc in writers:
            proc.join(3600)
        elapsed = time.perf_counter() - began
        codes = [p.exitcode for p in writers]
        acks = load.acknowledged(folder)
        logged = load.logged_commands(url)
        lost = [c for c in acks if logged[c] != 1]
        events = load.assert_sound(url, ids)
        verified = load.audit_verify(url)
    return [
        "### Load check",
        "",
        f"{processes} processes fired {len(acks):,} commands at {plans} plans in "
        f"{elapsed:.1f} s ({len(acks) / elapsed:,.0f}/s, process start-up included); exit "
        f"codes {sorted(set(codes))}. Acknowledged but not in the log once: {len(lost)}. "
        f"Events {before:,} → {events:,} (+{events - before:,}), every plan's seq 1..n and "
        f"stored plan = replay; `azwa audit verify` exit {verified.returncode}.",
        "",
    ]


def _work(url: str) -> None:
    configure(json=True, level="CRITICAL")
    engine = Engine.open(url, FakeClock(FAR))
    drain(engine)
    engine.store.close()  # type: ignore[attr-defined]


def _timed_workers(url: str, count: int) -> float:
    procs = [load.FORK.Process(target=_work, args=(url,)) for _ in range(count)]
    began = time.perf_counter()
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(3600)
    return time.perf_counter() - began


def workers_section(deadlines: int) -> list[str]:
    rows, base = [], None
    with fresh_schema("due") as (url, schema):
        ids = [f"D{n:05d}" for n in range(deadlines)]
        began = time.perf_counter()
        load.bulk_plans(url, ids, until="accept_quick_test_as_complete",
                        start=load.recent_start(), ticks=False, per_transaction=500)
        setup = time.perf_counter() - began
        for count in (1, 4):
            with fresh_schema("due_copy") as (copy_url, copy):
                SqlStore(copy_url).close()
                copy_schema(schema, copy, AZWA_TABLES)
                elapsed = _timed_workers(copy_url, count)
                expired = load.expiries(copy_url)
                store = SqlStore(copy_url, create=False)
                left = len(store.due(FakeClock(FAR).now()))
                store.close()
                once = sum(1 for n in expired.values() if n == 1)
                twice = sum(1 for n in expired.values() if n > 1)
                rate = len(ids) / elapsed
                base = base or rate
                rows.append(f"| {count} | {elapsed:.1f} | {rate:,.0f} | {rate / base:.2f}× | "
                            f"{once:,} | {twice} | {left} |")
    return [
        "### Deadline workers",
        "",
        f"{deadlines:,} plans with a passed quick-test decision deadline (set up in "
        f"{setup:.0f} s), copied afresh for each run; worker processes drain them in "
        "batches of 200 (FOR UPDATE SKIP LOCKED), process start-up included.",
        "",
        "| worker processes | seconds | expiries/s | vs 1 worker | expired once | more than "
        "once | left due |",
        "|---|---|---|---|---|---|---|",
        *rows,
        "",
    ]


def kill_section(kills: int, folder: Path) -> list[str]:
    rng = random.Random(10)
    with fresh_schema("kill") as (url, _):
        ids = [f"K{n:03d}" for n in range(50)]
        load.bulk_plans(url, ids, until="record_costs", start=load.recent_start())
        for path in folder.glob("*.acks"):
            path.unlink()
        steady = load.start_writers(url, ids, 3, 1500, folder, prefix="steady")
        for n in range(kills):
            [proc] = load.start_writers(url, ids, 1, 100_000, folder, prefix=f"kill{n}-")
            time.sleep(rng.uniform(0.2, 1.5))
            os.kill(proc.pid, signal.SIGKILL)  # type: ignore[arg-type]
            proc.join(30)
        for proc in steady:
            proc.join(3600)
        acks = load.acknowledged(folder)
        logged = load.logged_commands(url)
        missing = [c for c in acks if logged[c] != 1]
        load.assert_sound(url, ids)
        verified = load.audit_verify(url)
    return [
        "### Kill test",
        "",
        f"A writer killed with SIGKILL {kills} times at random moments while 3 others kept "
        f"firing: {len(acks):,} acknowledged commands, {len(missing)} of them not in the "
        f"log exactly once; every plan sound; `azwa audit verify` exit {verified.returncode}.",
        "",
    ]


def main(commands: int = 500, plans_each: int = 20, deadlines: int = 50_000,
         load_commands: int = 20_000, load_plans: int = 500, kills: int = 10) -> str:
    reason = unavailable()
    if reason:
        return f"## PostgreSQL: scale-out\n\nSkipped: {reason}.\n"
    configure(json=True, level="ERROR")
    folder = scratch_dir() / "acks"
    folder.mkdir(exist_ok=True)
    parts = ["## PostgreSQL: scale-out", "",
             "Measured on a shared 2-core machine, server and clients on the same cores: "
             "noisy, and the ratios are bounded by the cores, not by locking.", ""]
    parts += writers_section(commands, plans_each)
    parts += load_section(8, load_commands, load_plans, folder)
    parts += workers_section(deadlines)
    parts += kill_section(kills, folder)
    return "\n".join(parts)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--commands", type=int, default=500, help="per writer process")
    parser.add_argument("--plans-each", type=int, default=20)
    parser.add_argument("--deadlines", type=int, default=50_000)
    parser.add_argument("--load-commands", type=int, default=20_000)
    parser.add_argument("--load-plans", type=int, default=500)
    parser.add_argument("--kills", type=int, default=10)
    args = parser.parse_args()
    print(main(args.commands, args.plans_each, args.deadlines, args.load_commands,
               args.load_plans, args.kills))


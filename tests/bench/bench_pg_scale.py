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
(tests/store/load.py). The machine has 2 cores shared with other work, and the figures are
noisy; so each section also reads, from /proc, the CPU the clients and their server
backends used, and the time a commit waits for its WAL flush, and says from those what
bounds the ratios on these cores. AZWA_BENCH_SMALL=1 runs it at a smaller size to try a
change out (the default is the full size).
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


def _cpu_seconds(pid: int) -> float:
    """User plus system CPU a process has used so far (/proc; 0 where there is none)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _machine_busy() -> tuple[float, float]:
    """(busy, all) CPU seconds of the whole machine so far, every core and process."""
    ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = ticks[3] + ticks[4]
    hz = os.sysconf("SC_CLK_TCK")
    return (sum(ticks[:8]) - idle) / hz, sum(ticks[:8]) / hz


def _backend_pid(engine: Engine) -> int:
    """The server process serving the Engine's held connection."""
    store = engine.store
    assert isinstance(store, SqlStore)
    return int(store._connection().connection().dbapi_connection.info.backend_pid)


def _writer(url: str, plan_ids: list[str], commands: int, name: str, ready: Any,
            results: Any, copies: bool) -> None:
    """`copies`: the Engine holds a working copy of each plan, as a running service does;
    else it reads each plan afresh for every command, as a process that holds none does."""
    configure(json=True, level="CRITICAL")
    engine = Engine(url, SystemClock(), cache_size=1024 if copies else 0)
    for pid in plan_ids if copies else ():
        engine._keep(engine.state(pid))
    backend = _backend_pid(engine)
    ready.wait()
    client, server = time.process_time(), _cpu_seconds(backend)
    rng = random.Random(name)  # each writer its own order: they meet where chance has it
    for k in range(commands):
        pid = rng.choice(plan_ids)
        engine.fire(pid, "record_costs", load.MAKER, {"amount_eur": 1 + k,
                                                      "period": f"{name}-{k}"},
                    command_id=f"{name}-{k}")
    results.put((name, commands, engine.lost_races, engine.stale_copies,
                 time.process_time() - client, _cpu_seconds(backend) - server))
    engine.store.close()  # type: ignore[attr-defined]


class Run:
    """One run of writers started together: wall seconds, commands, retries, and the CPU
    seconds their own processes (client) and their server backends (server) used, beside
    what the whole machine did meanwhile (other work on it included)."""

    def __init__(self, elapsed: float, done: list[tuple[Any, ...]], busy: float) -> None:
        self.elapsed, self.busy = elapsed, busy
        self.commands = sum(d[1] for d in done)
        self.lost, self.stale = sum(d[2] for d in done), sum(d[3] for d in done)
        self.client, self.server = sum(d[4] for d in done), sum(d[5] for d in done)


def _timed_writers(url: str, plan_sets: list[list[str]], commands: int, tag: str,
                   copies: bool = True) -> Run:
    """Writers started together, one per plan set."""
    ready = load.FORK.Barrier(len(plan_sets) + 1)
    results = load.FORK.Queue()
    procs = [load.FORK.Process(target=_writer, args=(url, plans, commands, f"{tag}{n}",
                                                     ready, results, copies))
             for n, plans in enumerate(plan_sets)]
    for proc in procs:
        proc.start()
    ready.wait()
    began, (busy, _) = time.perf_counter(), _machine_busy()
    done = [results.get(timeout=600) for _ in procs]
    elapsed, (busy_after, _) = time.perf_counter() - began, _machine_busy()
    for proc in procs:
        proc.join(60)
    return Run(elapsed, done, busy_after - busy)


def _runs(url: str, plan_sets: list[list[str]], commands: int, tag: str, repeats: int,
          copies: bool = True) -> list[Run]:
    """`repeats` runs of the same writers, one after another."""
    return [_timed_writers(url, plan_sets, commands, f"{tag}r{r}-", copies)
            for r in range(repeats)]


def wal_flush_ms(schema: str, commits: int = 200) -> tuple[float, float]:
    """Milliseconds a one-row commit takes on the server with and without waiting for its
    WAL flush (synchronous_commit on, then off for this session only)."""
    import psycopg

    from tests.pg import DSN

    taken = []
    with psycopg.connect(DSN, autocommit=True) as conn:
        conn.execute(f'CREATE TABLE "{schema}".wal_probe (n integer)')
        for setting in ("on", "off"):
            conn.execute(f"SET synchronous_commit = {setting}")
            began = time.perf_counter()
            for n in range(commits):
                conn.execute(f'INSERT INTO "{schema}".wal_probe VALUES (%s)', (n,))
            taken.append((time.perf_counter() - began) / commits * 1000)
        conn.execute(f'DROP TABLE "{schema}".wal_probe')
    return taken[0], taken[1]


def writers_section(commands: int, plans_each: int, repeats: int = 3) -> list[str]:
    rows, cpu_rows, base = [], [], None
    cpu: dict[tuple[int, str, bool], tuple[float, float, Run]] = {}
    with fresh_schema("writers") as (url, schema):
        counts = (1, 2, 4, 8)
        ids = [f"W{n:04d}" for n in range(max(counts) * plans_each)]
        load.bulk_plans(url, ids, until="record_costs", start=load.recent_start())
        _timed_writers(url, [ids[:plans_each]], commands, "warm-")  # caches, prepared SQL
        shared = ids[:50]
        def own(n: int) -> list[list[str]]:
            return [ids[k * plans_each:(k + 1) * plans_each] for k in range(n)]

        def add(count: int, kind: str, copies: bool, runs: list[Run]) -> None:
            """A row of each table for these runs (the median run's rate, the rest over all)."""
            nonlocal base
            middle = sorted(runs, key=lambda run: run.commands / run.elapsed)[len(runs) // 2]
            rate = middle.commands / middle.elapsed
            base = base or rate
            done = sum(r.commands for r in runs)
            lost, stale = sum(r.lost for r in runs) / done, sum(r.stale for r in runs) / done
            held = "held" if copies else "read afresh"
            rows.append(f"| {count} | {kind} | {held} | {middle.commands:,} | {rate:,.0f} | "
                        f"{rate / base:.2f}× | {lost:.1%} | {stale:.1%} |")
            client = sum(r.client for r in runs) / done * 1e6
            server = sum(r.server for r in runs) / done * 1e6
            cpu[count, kind[:3], copies] = client, server, middle
            cores = (middle.client + middle.server) / middle.elapsed
            cpu_rows.append(
                f"| {count} | {kind} | {held} | {client:,.0f} | {server:,.0f} | {cores:.2f} | "
                f"{middle.busy / middle.elapsed:.2f} | {2e6 / (client + server):,.0f} |")

        mine, theirs = f"own {plans_each} plans each", "all share 50 plans"
        for count, sets, kind, copies in [
            *((n, own(n), mine, True) for n in counts),
            *((n, [shared] * n, theirs, True) for n in (1, 8)),
            (1, own(1), mine, False),
        ]:
            add(count, kind, copies, _runs(url, sets, commands,
                                          f"{kind[:3]}{count}{'c' if copies else 'r'}-",
                                          repeats, copies))
        # Sharing on equal footing, in alternating pairs (own plans, then shared) so that
        # drift in the machine's load falls on both sides alike; their runs make the rows.
        pairs = [(_timed_writers(url, own(8), commands, f"po{r}-", False),
                  _timed_writers(url, [shared] * 8, commands, f"ps{r}-", False))
                 for r in range(PAIRS)]
        add(8, mine, False, [a for a, _ in pairs])
        add(8, theirs, False, [b for _, b in pairs])
        sound = load.assert_sound(url, ids)
        flush_on, flush_off = wal_flush_ms(schema)
    return [
        "### Writers",
        "",
        f"Each row: the median of {repeats} runs ({PAIRS} for the two rows of 8 writers "
        f"reading afresh, run in alternating pairs), every writer process firing {commands} "
        "commands (`record_costs`, real clock, a command id each) at random plans of its "
        "set, all started together once each had read its plans.",
        "",
        "| writer processes | plans | working copies | commands a run | commands/s | "
        "vs 1 process | lost races | stale copies |",
        "|---|---|---|---|---|---|---|---|",
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
        "CPU a command cost, in µs: the writer processes' own (client: the rules, hashing, "
        "encoding, the driver) and their server backends' (server: parsing, planning and "
        "running the statement, WAL), read from /proc over the timed part; cores busy: "
        "client plus server CPU over the wall time, beside what the whole machine used "
        "meanwhile (other work on it included). The ceiling is what 2 cores could do at "
        "that CPU per command if nothing else ran and nobody waited.",
        "",
        "| writer processes | plans | working copies | client µs | server µs | "
        "cores busy (writers) | cores busy (machine) | ceiling commands/s |",
        "|---|---|---|---|---|---|---|---|",
        *cpu_rows,
        "",
        *_writers_limit(cpu, flush_on, flush_off, pairs),
        "",
    ]


def _writers_limit(cpu: dict[tuple[int, str, bool], tuple[float, float, Run]], flush_on: float,
                   flush_off: float, pairs: list[tuple[Run, Run]]) -> list[str]:
    """What the figures say limits the writers, from this run's own measurements."""
    one_client, one_server, one = cpu[1, "own", True]
    eight_client, eight_server, eight = cpu[8, "own", True]
    one_wall = one.elapsed / one.commands * 1e6
    one_cpu = one_client + one_server
    busy = (one.client + one.server) / one.elapsed
    ceiling = 2e6 / (eight_client + eight_server) / (one.commands / one.elapsed)
    return [
        f"What limits it: one writer spends {one_wall:,.0f} µs of wall time a command, of "
        f"which {one_client:,.0f} µs CPU in its own process and {one_server:,.0f} µs in its "
        f"server backend; the rest is waiting: the round trip and the commit's WAL flush "
        f"({flush_on:.2f} ms a one-row commit here with the flush, {flush_off:.2f} ms "
        f"without). One writer keeps {busy:.2f} of the 2 cores busy. With 8, "
        f"a command costs {eight_client:,.0f} + {eight_server:,.0f} µs CPU"
        + (" (more than alone: switching between 16 processes on 2 cores, and the server's "
           "shared buffers and WAL under contention)"
           if eight_client + eight_server > 1.1 * one_cpu else "")
        + " and the writers keep "
        f"{(eight.client + eight.server) / eight.elapsed:.2f} cores busy: at that cost the "
        f"2 cores allow at most {ceiling:.2f}× one writer's rate, whatever the locking. "
        f"Client CPU is about {eight_client / (eight_client + eight_server):.0%} of it. "
        + ("3× needs one writer to keep at most 2/3 of a core busy at the same CPU a "
           "command: here it keeps more, so more writers than cores mostly queue for the "
           "CPU, and only more cores (or a server on its own machine, which takes the "
           "server's share off the clients' cores) would reach it."
           if busy > 2 / 3 else
           "Here one writer keeps less than 2/3 of a core busy, so the cores leave room "
           "for 3×: its wait (mostly the commit's WAL flush, which the server does for "
           "several writers at once) overlaps with the others' work."),
        "",
        _shared_cost(cpu, pairs),
    ]


PAIRS = 5
"""Alternating pairs of runs (8 writers on own plans, then 8 on shared ones, both reading
every plan afresh) behind the sharing ratio."""


def _shared_cost(cpu: dict[tuple[int, str, bool], tuple[float, float, Run]],
                 pairs: list[tuple[Run, Run]]) -> str:
    """What sharing plans costs 8 writers, beside the same 8 on plans of their own: with
    every plan read afresh on both sides (the median of paired ratios), and with working
    copies held."""
    own_client, own_server, own = cpu[8, "own", True]
    client, server, shared = cpu[8, "all", True]
    rate = (shared.commands / shared.elapsed) / (own.commands / own.elapsed)
    extra = (client + server) / (own_client + own_server)

    def total(runs: list[Run]) -> Run:
        return Run(sum(r.elapsed for r in runs), [
            ("", r.commands, r.lost, r.stale, r.client, r.server) for r in runs], 0.0)

    own_read, shared_read = total([a for a, _ in pairs]), total([b for _, b in pairs])
    ratios = sorted((b.commands / b.elapsed) / (a.commands / a.elapsed) for a, b in pairs)
    read_rate = ratios[len(ratios) // 2]
    lost = shared_read.lost / shared_read.commands
    own_read_client, own_read_server = (own_read.client / own_read.commands * 1e6,
                                        own_read.server / own_read.commands * 1e6)
    read_client, read_server = (shared_read.client / shared_read.commands * 1e6,
                                shared_read.server / shared_read.commands * 1e6)

    def busy(run: Run) -> float:
        return (run.client + run.server) / run.elapsed

    return (
        f"Sharing, on equal footing (every command reads its plan afresh on both sides, as "
        f"a process holding no working copies does), in {len(pairs)} alternating pairs of "
        f"runs: 8 writers on 50 shared plans do {read_rate:.2f}× the commands/s of 8 on "
        f"plans of their own (the median of the paired ratios; from "
        f"{ratios[0]:.2f}× to {ratios[-1]:.2f}×), with {lost:.1%} of "
        f"commands losing the race and judged again. Counting a lost race as one command "
        f"more, the retries alone would leave {1 / (1 + lost):.2f}×"
        + (": sharing lost no more than its retries cost (a lost race costs the refused "
           "statement, a read of the plan and the command id, then the rules and the save "
           "once more; a command that wins the race at once costs its read and save only). "
           if read_rate >= 1 / (1 + lost) else
           "; but a lost race costs more than one command: the refused statement, a read of "
           "the plan and the command id (a round trip of its own), then the rules and the "
           "save once more. ")
        + f"A command "
        f"cost {read_client:,.0f} + {read_server:,.0f} µs CPU against "
        f"{own_read_client:,.0f} + {own_read_server:,.0f} "
        f"({(read_client + read_server) / (own_read_client + own_read_server):.2f}×), the "
        f"writers keeping {busy(shared_read):.2f} cores busy against "
        f"{busy(own_read):.2f} on their own plans"
        + (": the difference is CPU, not waiting for locks.\n\n"
           if busy(shared_read) >= 0.9 * busy(own_read) else
           ": the rest of the difference is waiting (locks, back-off pauses after a lost "
           "race).\n\n")
        + f"With working copies held: 8 writers on shared plans do {rate:.2f}× the commands/s "
        f"of 8 on plans of their own, and a command costs {client:,.0f} + {server:,.0f} µs "
        f"CPU against {own_client:,.0f} + {own_server:,.0f} ({extra:.2f}×). A copy saves "
        f"the read only while nobody else writes the plan: on shared plans a writer's copy "
        f"is nearly always stale (the 7 others wrote it since), so once its Engine sees "
        f"that it reads the plan afresh before each command (a second round trip and a "
        f"plan to decode, which held copies of its own plans never need). That is the "
        f"gain of holding copies lost, not a cost of sharing: the row above compares like "
        f"with like. The plan row is locked only while the server runs a save, so writers "
        f"of one plan queue for each other that long only"
        + (", not waiting for locks." if (shared.client + shared.server) / shared.elapsed
           >= 0.9 * (own.client + own.server) / own.elapsed else
           f"; the writers kept {(shared.client + shared.server) / shared.elapsed:.2f} cores "
           f"busy against {(own.client + own.server) / own.elapsed:.2f} on their own "
           f"plans, the rest of the gap is waiting (locks, back-off pauses after a lost "
           f"race).")
    )


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


def _work(url: str, results: Any) -> None:
    configure(json=True, level="CRITICAL")
    client = time.process_time()
    engine = Engine.open(url, FakeClock(FAR))
    backend = _backend_pid(engine)
    server = _cpu_seconds(backend)
    drain(engine)
    results.put((time.process_time() - client, _cpu_seconds(backend) - server))
    engine.store.close()  # type: ignore[attr-defined]


def _timed_workers(url: str, count: int) -> tuple[float, float, float, float]:
    """(seconds, client CPU, server CPU, machine busy seconds) of `count` workers draining."""
    results = load.FORK.Queue()
    procs = [load.FORK.Process(target=_work, args=(url, results)) for _ in range(count)]
    began, (busy, _) = time.perf_counter(), _machine_busy()
    for proc in procs:
        proc.start()
    done = [results.get(timeout=3600) for _ in procs]
    for proc in procs:
        proc.join(3600)
    elapsed, (busy_after, _) = time.perf_counter() - began, _machine_busy()
    return (elapsed, sum(d[0] for d in done), sum(d[1] for d in done), busy_after - busy)


def _analyze(schema: str) -> None:
    """Statistics for a schema's tables, as autovacuum keeps them on a live database: a
    table just filled has none, and the planner, guessing a handful of due deadlines,
    then sorts every due row per claim (about 200 ms a claim at 8,000 due rows, against
    1.4 ms walking the index) until autovacuum gets round to it."""
    import psycopg

    from tests.pg import DSN

    with psycopg.connect(DSN, autocommit=True) as conn:
        for table in AZWA_TABLES:
            conn.execute(f'ANALYZE "{schema}".{table}')


def workers_section(deadlines: int) -> list[str]:
    rows, base = [], None
    spent: dict[int, tuple[float, float, float, float]] = {}
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
                _analyze(copy)
                elapsed, client, server, busy = _timed_workers(copy_url, count)
                spent[count] = (elapsed, client / deadlines * 1e6, server / deadlines * 1e6,
                                busy / elapsed)
                expired = load.expiries(copy_url)
                store = SqlStore(copy_url, create=False)
                left = len(store.due(FakeClock(FAR).now()))
                store.close()
                once = sum(1 for n in expired.values() if n == 1)
                twice = sum(1 for n in expired.values() if n > 1)
                rate = len(ids) / elapsed
                base = base or rate
                rows.append(f"| {count} | {elapsed:.1f} | {rate:,.0f} | {rate / base:.2f}× | "
                            f"{once:,} | {twice} | {left} | {spent[count][1]:,.0f} | "
                            f"{spent[count][2]:,.0f} | {spent[count][3]:.2f} |")
    return [
        "### Deadline workers",
        "",
        f"{deadlines:,} plans with a passed quick-test decision deadline (set up in "
        f"{setup:.0f} s), copied afresh for each run and analysed (ANALYZE, as autovacuum "
        "keeps a live database); worker processes drain them in "
        "batches of 200 (FOR UPDATE SKIP LOCKED), process start-up included.",
        "",
        "| worker processes | seconds | expiries/s | vs 1 worker | expired once | more than "
        "once | left due | client µs | server µs | cores busy (machine) |",
        "|---|---|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        *_workers_limit(spent, deadlines),
        "",
    ]


def _workers_limit(spent: dict[int, tuple[float, float, float, float]], deadlines: int
                   ) -> list[str]:
    """What the figures say limits the workers, from this run's own measurements."""
    elapsed, client, server, _ = spent[1]
    elapsed4, client4, server4, busy4 = spent[4]
    one = (client + server) * deadlines / 1e6 / elapsed
    fits = 2 / one * (client + server) / (client4 + server4)
    return [
        f"CPU an expiry cost, in µs: the workers' own processes (client: claiming, judging "
        f"each plan with the rules, hashing, encoding; process start-up included) and "
        f"their server backends (server). One worker keeps {one:.2f} of the 2 cores busy "
        f"({client:,.0f} + {server:,.0f} µs an expiry): it waits little for the server (a "
        f"batch of 200 plans is claimed, judged and written in four round trips and one "
        f"commit, the server writing one plan while the worker judges the next). Four "
        f"cost {client4:,.0f} + {server4:,.0f} µs an expiry ({client4 / client - 1:+.0%} "
        f"client, {server4 / server - 1:+.0%} server: four process start-ups, switching "
        f"between 8 processes, and each claim walks past the rows other workers hold "
        f"(SKIP LOCKED) and the index entries of deadlines just expired), so at most "
        f"{fits:.2f}× one worker fits in 2 cores; they did {elapsed / elapsed4:.2f}×, the "
        f"machine {busy4:.2f} cores busy"
        + (" (other work on it took the rest)." if fits > 1.2 * elapsed / elapsed4 else ".")
        + " More workers than cores only share the same two.",
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


SMALL = {"commands": 200, "deadlines": 5_000, "load_commands": 4_000, "kills": 3}
"""AZWA_BENCH_SMALL=1: sizes for trying a change out (minutes, not the full half hour);
the figures in docs/benchmarks.md are at the full size, the default."""


def main(commands: int = 500, plans_each: int = 20, deadlines: int = 50_000,
         load_commands: int = 20_000, load_plans: int = 500, kills: int = 10) -> str:
    if os.environ.get("AZWA_BENCH_SMALL"):
        commands, deadlines = SMALL["commands"], SMALL["deadlines"]
        load_commands, kills = SMALL["load_commands"], SMALL["kills"]
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


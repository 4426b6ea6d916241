"""(c) `tick` over 100,000 open deadlines of which 1,000 are due, against 1,000 in all.

The due ones must be found by the (status, expires_at_us) index, not by a scan: the time
of the large case should stay near the small one, and the query plan names the index.
"""

from __future__ import annotations

import argparse
import sqlite3
import time
from datetime import timedelta
from pathlib import Path

from tests.bench.common import fresh_sqlite, scratch_dir
from workflow import Engine, FakeClock
from workflow.core.timecalc import parse_at, to_micros
from workflow.service import demo

DUE_AT = parse_at("2027-01-12T09:00:00+01:00")


def build(path: Path, due: int, filler: int) -> Engine:
    """`due` plans under review whose 4-week decision deadline has passed, and `filler` open
    deadline rows due long after (written in bulk, as a busy database would hold them)."""
    engine = Engine(fresh_sqlite(path), FakeClock(demo.START))
    steps = [s for s in demo.moments() if s[0].trigger != "tick"][:7]
    for i in range(due):
        pid = f"D{i:05d}"
        for step, at in steps:
            if step.trigger == "register_plan":
                engine.register(pid, step.actor, step.payload, at=at)
            else:
                engine.fire(pid, step.trigger, step.actor, step.payload, at=at)
    far = to_micros(DUE_AT + timedelta(days=3650))
    with sqlite3.connect(path) as con:
        con.executemany(
            "INSERT INTO deadlines VALUES (?, ?, ?, ?, ?, 'open', NULL)",
            ((f"F{i:06d}", "plan_submission", "2036-12-31", demo.START, far + i)
             for i in range(filler)),
        )
    return engine


def timed_tick(engine: Engine, now: str) -> tuple[float, int]:
    began = time.perf_counter()
    expired = engine.tick(now)
    return time.perf_counter() - began, len(expired)


def query_plan(path: Path) -> str:
    with sqlite3.connect(path) as con:
        rows = con.execute(
            "EXPLAIN QUERY PLAN SELECT plan_id, name, expires_at_us FROM deadlines "
            "WHERE status = 'open' AND expires_at_us <= ? ORDER BY expires_at_us",
            (to_micros(DUE_AT),)).fetchall()
    return "; ".join(str(r[-1]) for r in rows)


def main(due: int = 1000, filler: int = 99_000) -> str:
    now = "2027-06-01T00:00:00+02:00"
    small_path, large_path = scratch_dir() / "tick-small.db", scratch_dir() / "tick-large.db"
    small, large = build(small_path, due, 0), build(large_path, due, filler)
    small_s, small_n = timed_tick(small, now)
    large_s, large_n = timed_tick(large, now)
    again_s, again_n = timed_tick(large, now)
    ratio = large_s / small_s
    return "\n".join([
        "## (c) tick: find and expire the due deadlines",
        "",
        f"{due:,} plans whose quick-test decision deadline has passed; the large case adds "
        f"{filler:,} open deadline rows due years later ({due + filler:,} open in all).",
        "",
        "| case | open deadlines | expired | seconds | per expiry |",
        "|---|---|---|---|---|",
        f"| small | {due:,} | {small_n:,} | {small_s:.3f} | {small_s / small_n * 1e3:.2f} ms |",
        f"| large | {due + filler:,} | {large_n:,} | {large_s:.3f} | "
        f"{large_s / large_n * 1e3:.2f} ms |",
        f"| large, second tick | {due + filler - large_n:,} | {again_n} | {again_s:.4f} | — |",
        "",
        f"Large / small: **{ratio:.2f}×** for 100× the open deadlines; the second tick "
        "expires nothing (each deadline once).",
        "",
        f"SQLite's plan for the due query: `{query_plan(large_path)}`.",
        "",
    ])


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--due", type=int, default=1000)
    parser.add_argument("--filler", type=int, default=99_000)
    args = parser.parse_args()
    print(main(args.due, args.filler))

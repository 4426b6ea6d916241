"""Shared set-up for the benchmarks: fresh files, plans brought to a state, timing."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

from workflow import Engine, FakeClock
from workflow.core.timecalc import parse_at
from workflow.service import demo
from workflow.service.logs import configure

configure(json=True, level="ERROR")

ESCALATION_CYCLE = (
    (demo.MAKER, "escalate", {"issue": "staffing", "contact": "J. de Vries"}),
    (demo.INSURER, "escalate", {"issue": "no solution bilaterally"}),
    (demo.INSURER, "escalate", {"issue": "no solution with all parties"}),
    (demo.INSURER, "hold_board_meeting", {}),
    (demo.INSURER, "resolve_escalation", {}),
)
"""Repeatable commands that change state, start and meet a deadline (board_meeting)."""


def fresh_sqlite(path: Path) -> str:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def to_preparation(engine: Engine, plan_id: str) -> datetime:
    """Play the demo up to `approve_quick_test`; returns the moment after it."""
    return demo.play(engine, plan_id, before="escalate") + timedelta(days=1)


def plans_in_preparation(url: str, count: int) -> tuple[Engine, list[str], datetime]:
    engine = Engine(url, FakeClock(demo.START))
    ids = [f"B{i:05d}" for i in range(count)]
    start = parse_at(demo.START)
    for pid in ids:
        start = to_preparation(engine, pid)
    return engine, ids, start


def best_of(runs: int, work: Callable[[], int]) -> float:
    """Operations per second: the median of `runs` timed runs of `work` (which returns ops)."""
    rates = []
    for _ in range(runs):
        began = time.perf_counter()
        ops = work()
        rates.append(ops / (time.perf_counter() - began))
    return statistics.median(rates)


def paired(runs: int, first: Callable[[], int], second: Callable[[], int]
           ) -> tuple[float, float, float]:
    """Alternate two timed works; median rates and the median of the per-pair ratios
    (second's rate over first's), which a busy machine disturbs least."""
    a_rates, b_rates, ratios = [], [], []
    for _ in range(runs):
        a = best_of(1, first)
        b = best_of(1, second)
        a_rates.append(a)
        b_rates.append(b)
        ratios.append(b / a)
    return statistics.median(a_rates), statistics.median(b_rates), statistics.median(ratios)


def moments(start: datetime, count: int) -> Iterator[datetime]:
    for k in range(count):
        yield start + timedelta(minutes=k)


def scratch_dir() -> Path:
    path = Path(os.environ.get("AZWA_BENCH_DIR", "/tmp/azwa-bench"))
    path.mkdir(parents=True, exist_ok=True)
    return path

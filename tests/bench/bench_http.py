"""(f) Commands over HTTP (`azwa serve` on loopback, 16 concurrent clients) against the same
commands through the Python API in one process; p50 and p99 latency over HTTP.

Both start from copies of one SQLite file with the same plans in preparation, and fire the
same escalation cycles with the same moments: the Python API one command after another, the
HTTP clients each on plans of their own (so no command waits for another plan's writer), one
keep-alive connection per client. The clients (the standard library's `http.client`, a thread
each) run in this process on the same cores as the server, so the HTTP figure includes their
share of the machine. The server's own CPU time per command (user and system, read from
/proc on Linux) says what limits it: one process, whose Python runs on one core at a time.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from tests.bench.common import (
    ESCALATION_CYCLE,
    fresh_sqlite,
    moments,
    plans_in_preparation,
    scratch_dir,
)
from workflow import Engine
from workflow.http.settings import token_hash

TARGET = 3.0
CLIENTS = 16
TOKENS = {"plan_maker": "bench-token-maker-000000", "coordinating_insurer":
          "bench-token-insurer-0000000"}

Command = tuple[str, str, dict[str, Any], dict[str, Any], str]
"""plan id, trigger, actor, payload, at."""


def commands(ids: list[str], start: datetime, cycles: int) -> list[list[Command]]:
    """Per plan, its commands in order."""
    per_plan = []
    for pid in ids:
        when = moments(start, cycles * len(ESCALATION_CYCLE))
        per_plan.append([(pid, trigger, actor.to_dict(), payload, next(when).isoformat())
                         for _ in range(cycles) for actor, trigger, payload in ESCALATION_CYCLE])
    return per_plan


def through_api(url: str, work: list[list[Command]]) -> float:
    engine = Engine(url)
    flat = [c for plan in work for c in plan]
    began = time.perf_counter()
    for pid, trigger, actor, payload, at in flat:
        engine.fire(pid, trigger, actor, payload, at=at)
    rate = len(flat) / (time.perf_counter() - began)
    engine.store.close()  # type: ignore[attr-defined]
    return rate


def _config(path: Path, url: str) -> Path:
    from workflow.service import demo

    actors = {"plan_maker": demo.MAKER, "coordinating_insurer": demo.INSURER}
    lines = ["[server]", f'db = "{url}"', "tick_seconds = 0", ""]
    for role, token in TOKENS.items():
        actor = actors[role]
        lines += ["[[tokens]]", f'hash = "{token_hash(token)}"', f'role = "{role}"',
                  f'org = "{actor.org}"'] + ([f'region = "{actor.region}"']
                                             if actor.region else []) + [""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cpu_seconds(pid: int) -> float | None:
    """User and system CPU time of a process so far (Linux); None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def through_http(url: str, work: list[list[Command]], config: Path
                 ) -> tuple[float, list[float], float | None]:
    port = _port()
    azwa = str(Path(sys.executable).with_name("azwa"))
    server = subprocess.Popen([azwa, "serve", "--config", str(_config(config, url)),
                               "--port", str(port)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        _wait(port)
        lanes: list[list[Command]] = [[] for _ in range(CLIENTS)]
        for n, plan in enumerate(work):
            lanes[n % CLIENTS].extend(plan)
        latencies: list[float] = []
        failures: list[str] = []
        lock = threading.Lock()

        def client(lane: list[Command]) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            mine = []
            for pid, trigger, actor, payload, at in lane:
                body = json.dumps({"trigger": trigger, "payload": payload, "at": at})
                began = time.perf_counter()
                conn.request("POST", f"/plans/{pid}/commands", body, {
                    "Authorization": f"Bearer {TOKENS[actor['role']]}",
                    "Content-Type": "application/json"})
                answer = conn.getresponse()
                answer.read()
                mine.append(time.perf_counter() - began)
                if answer.status != 200:
                    with lock:
                        failures.append(f"{pid} {trigger}: {answer.status}")
            conn.close()
            with lock:
                latencies.extend(mine)

        threads = [threading.Thread(target=client, args=(lane,)) for lane in lanes]
        cpu_before = _cpu_seconds(server.pid)
        began = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - began
        cpu_after = _cpu_seconds(server.pid)
        if failures:
            raise RuntimeError(f"{len(failures)} commands refused over HTTP: {failures[:3]}")
        cpu = (None if cpu_before is None or cpu_after is None
               else (cpu_after - cpu_before) / len(latencies))
        return len(latencies) / elapsed, latencies, cpu
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()


def _wait(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("azwa serve did not start")


def _copy(source: Path, target: Path) -> str:
    url = fresh_sqlite(target)
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{source}{suffix}").exists():
            shutil.copy(f"{source}{suffix}", f"{target}{suffix}")
    return url


def main(plans: int = 64, cycles: int = 4, rounds: int = 5) -> str:
    base = scratch_dir() / "http-base.db"
    engine, ids, start = plans_in_preparation(fresh_sqlite(base), plans)
    engine.store.close()  # type: ignore[attr-defined]
    work = commands(ids, start, cycles)
    api_rates, http_rates, ratios, p50s, p99s = [], [], [], [], []
    cpus: list[float] = []
    for n in range(rounds):
        api = through_api(_copy(base, scratch_dir() / f"http-api-{n}.db"), work)
        over, latencies, cpu = through_http(_copy(base, scratch_dir() / f"http-srv-{n}.db"), work,
                                       scratch_dir() / "http-bench.toml")
        latencies.sort()
        api_rates.append(api)
        http_rates.append(over)
        ratios.append(api / over)
        p50s.append(latencies[len(latencies) // 2] * 1000)
        p99s.append(latencies[int(len(latencies) * 0.99)] * 1000)
        cpus += [] if cpu is None else [cpu * 1e6]
    ratio = statistics.median(ratios)
    verdict = "meets" if ratio <= TARGET else "misses"
    count = plans * cycles * len(ESCALATION_CYCLE)
    return "\n".join([
        "## Commands over HTTP vs the Python API",
        "",
        f"{count:,} commands ({plans} plans × {cycles} escalation cycles) per side and round, "
        f"{rounds} rounds, each side on its own copy of the same SQLite file. HTTP: `azwa serve` "
        f"(uvicorn with httptools and uvloop, one process) on loopback, {CLIENTS} concurrent "
        "clients (`http.client`, a thread each) with a keep-alive connection each, every "
        "plan's commands on one client in order. Python API: `Engine.fire` one after another "
        "in one process. The clients share the machine's cores with the server. Server CPU: "
        "the server process's user and system time per command over HTTP; the API side's is "
        "about one over its rate. Medians over the rounds.",
        "",
        "| Python API commands/s | HTTP commands/s | API / HTTP | HTTP p50 | HTTP p99 "
        "| server CPU per command |",
        "|---|---|---|---|---|---|",
        f"| {statistics.median(api_rates):,.0f} | {statistics.median(http_rates):,.0f} "
        f"| {ratio:.2f}× | {statistics.median(p50s):.1f} ms | {statistics.median(p99s):.1f} ms "
        f"| {f'{statistics.median(cpus):,.0f} µs' if cpus else 'n/a'} |",
        "",
        f"Target: HTTP at most {TARGET:.0f}× slower than the Python API: **{verdict}** "
        f"({ratio:.2f}×).",
        "",
    ])


if __name__ == "__main__":
    print(main(*(int(a) for a in sys.argv[1:])))

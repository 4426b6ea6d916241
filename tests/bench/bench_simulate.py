"""(f) Simulation: plans per second through the real engine, against a bare SimPy model of
the same stages and delays without the engine; and 10,000 plans through `azwa simulate`
with --jobs 2.

Targets (issue 10): the engine-driven simulation within 5× of the bare SimPy model; 10,000
plans in under 30 s with `--jobs 2`. The bare model draws from the same scenario (delays on
the same working calendar, branches, assessors per insurer and municipality) and takes the
same acts, but has no rules, no guards, no deadlines and no event log.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import simpy

from tests.bench.common import scratch_dir
from workflow.simulate.calendar import working_time
from workflow.simulate.runner import execute
from workflow.simulate.scenario import Scenario, load

SCENARIO = Path(__file__).resolve().parents[2] / "docs" / "scenarios" / "quick-tests-2024.toml"
RUNS = 5
"""Paired runs of the engine and the twin; medians."""


def bare_simpy(scenario: Scenario, plans: int, seed: int) -> int:
    """The stages of transformation@1 as plain SimPy processes: returns events simulated.

    The same acts as the simulation takes (each review, commitment and social-domain
    approval of the joint review, a negative verdict's revision, a go/no-go decision), each
    delayed in working days on the scenario's working calendar; not the escalation ladder
    (about one act in a hundred) nor the deadlines, which are the engine's work."""
    rng = random.Random(seed)
    env = simpy.Environment()
    calendar = working_time(scenario.start, scenario.calendar)
    pools = {org: simpy.Resource(env, n) for org, n in
             (*scenario.insurers.items(), *scenario.municipalities.items())}
    insurers, b = list(scenario.insurers), scenario.branches
    assessed = set(scenario.assessed)
    count = [0]

    def wait(trigger: str, role: str) -> Any:
        count[0] += 1
        now = env.now
        return env.timeout(calendar.add(now, scenario.delay(trigger, role).sample(rng)) - now)

    def act(trigger: str, role: str, org: str) -> Any:
        if trigger in assessed and org in pools:
            with pools[org].request() as req:
                yield req
                yield wait(trigger, role)
        else:
            yield wait(trigger, role)

    def plan(ci: str, si: str, muni: str | None) -> Any:
        count[0] += 1  # registration
        yield from act("agree_character", "coordinating_insurer", ci)
        yield from act("submit_quick_test", "plan_maker", "")
        while rng.random() < b["quick_test_incomplete"]:
            yield from act("request_information", "coordinating_insurer", ci)
            yield from act("resubmit_quick_test", "plan_maker", "")
        yield from act("accept_quick_test_as_complete", "coordinating_insurer", ci)
        if rng.random() < b["quick_test_rejected"]:
            yield from act("reject_quick_test", "coordinating_insurer", ci)
            return
        yield from act("approve_quick_test", "coordinating_insurer", ci)
        while True:
            yield from act("submit_plan", "plan_maker", "")
            while rng.random() < b["plan_incomplete"]:
                yield from act("request_information", "coordinating_insurer", ci)
                yield from act("resubmit_plan", "plan_maker", "")
            yield from act("accept_plan_as_complete", "coordinating_insurer", ci)
            parallel = [("submit_review", "coordinating_insurer", ci),
                        ("submit_review", "second_insurer", si),
                        ("record_commitment", "plan_maker", "")]
            if muni:
                parallel += [("submit_review", "municipality", muni),
                             ("record_commitment", "municipality", muni),
                             ("approve_social_domain_parts", "municipality", muni)]
            yield env.all_of([env.process(act(*step)) for step in parallel])
            negative = any(rng.random() < b["negative_verdict"]
                           for trigger, _, _ in parallel if trigger == "submit_review")
            yield from act("share_joint_feedback", "coordinating_insurer", ci)
            if negative:
                yield from act("request_revision", "coordinating_insurer", ci)
                continue
            u = rng.random()
            if u < b["plan_rejected"]:
                yield from act("reject_plan", "coordinating_insurer", ci)
                return
            if u < b["plan_rejected"] + b["revision"]:
                yield from act("request_revision", "coordinating_insurer", ci)
                continue
            yield from act("approve_plan", "coordinating_insurer", ci)
            break
        yield from act("sign_contract", "coordinating_insurer", ci)
        yield from act("issue_payment_decision", "nza", "")
        for months in scenario.contract.months[:scenario.contract.kpis]:
            count[0] += 1
            yield env.timeout(months * 30.4)
        if rng.random() < b["go_no_go"]:
            yield from act("decide_go", "coordinating_insurer", ci)
        yield from act("complete_implementation", "coordinating_insurer", ci)
        yield from act("record_costs", "plan_maker", "")
        yield from act("record_monitoring", "plan_maker", "")
        yield from act("settle", "coordinating_insurer", ci)
        yield from act("give_lawfulness_judgement", "nza", "")

    def arrivals() -> Any:
        rate = scenario.arrivals.per_month * 12 / 365.25
        for _ in range(plans):
            yield env.timeout(rng.expovariate(rate))
            ci = rng.choices(insurers, weights=list(scenario.insurers.values()))[0]
            si = rng.choice([i for i in insurers if i != ci])
            social = rng.random() < b["social_domain"]
            muni = rng.choice(list(scenario.municipalities)) if social else None
            env.process(plan(ci, si, muni))

    env.process(arrivals())
    env.run()
    return count[0]


def timed(work: Any) -> tuple[float, Any]:
    began = time.perf_counter()
    result = work()
    return time.perf_counter() - began, result


def main(plans: int = 10_000) -> str:
    scenario = load(SCENARIO)
    engine_runs, simpy_runs, ratios = [], [], []
    for _ in range(RUNS):
        gc.collect()
        engine_s, result = timed(lambda: execute(scenario, plans, 1, 1, keep_events=True))
        events = sum(piece.count(b"\n") for piece in result.events)
        del result  # the twin runs without the engine's run kept in memory
        gc.collect()
        simpy_s, simpy_events = timed(lambda: bare_simpy(scenario, plans, 1))
        engine_runs.append(engine_s)
        simpy_runs.append(simpy_s)
        ratios.append(engine_s / simpy_s)
    engine_s, simpy_s = statistics.median(engine_runs), statistics.median(simpy_runs)
    ratio = statistics.median(ratios)
    out = scratch_dir() / "bench-simulate"
    command = [str(Path(sys.executable).with_name("azwa")), "simulate", str(SCENARIO),
               "--plans", str(plans // 2), "--runs", "2", "--jobs", "2", "--no-plots",
               "--out", str(out), "--force"]
    cli_s, done = timed(lambda: subprocess.run(command, capture_output=True, check=False))
    cli_ok = done.returncode == 0
    return "\n".join([
        "## Simulation: the real engine against a bare SimPy model",
        "",
        f"{plans:,} plans of docs/scenarios/quick-tests-2024.toml (working calendar, "
        "assessor queues), one process each.",
        "",
        "| model | seconds | plans/s | steps |",
        "|---|---|---|---|",
        f"| workflow.simulate (engine, guards, deadlines, hashed log) | {engine_s:.2f} | "
        f"{plans / engine_s:,.0f} | {events:,} events |",
        f"| bare SimPy, same stages and delays | {simpy_s:.2f} | {plans / simpy_s:,.0f} | "
        f"{simpy_events:,} timeouts |",
        "",
        f"Engine / SimPy: **{ratio:.2f}×** (target within 5×).",
        "",
        f"Method: both in one process, one after the other, {RUNS} pairs, timed by the wall "
        "clock, each from a collected heap (the engine's run is let go before the twin "
        "runs); medians, the ratio the median of the paired ratios. The "
        "engine side is `workflow.simulate.runner.execute` as `azwa simulate` runs it: every "
        "act through `ProcessEngine` (roles, guards, deadlines, the SHA-256 chain), the "
        "cyclic garbage collector paused for the run, the log written as JSON Lines bytes "
        "(each line the bytes its hash covers, with the hash). "
        "The SimPy twin takes the same acts a plan goes through (each review, commitment "
        "and social-domain approval of the joint review, a negative verdict's revision, a "
        "go/no-go decision; not the escalation ladder, about 1% of acts) with the same "
        "delays in working days: its steps match the engine's events less the expired "
        "deadlines, which only the engine has.",
        "",
        f"`azwa simulate --plans {plans // 2} --runs 2 --jobs 2` (all outputs but plots, "
        f"{plans:,} plans): **{cli_s:.1f} s** (target under 30 s)"
        + ("" if cli_ok else f" — FAILED: {done.stderr.decode()[-300:]}") + ".",
        "",
    ])


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--plans", type=int, default=10_000)
    args = parser.parse_args()
    print(main(args.plans))

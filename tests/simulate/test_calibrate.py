"""Calibrate → simulate → calibrate: the fit recovers the scenario it was simulated from,
each parameter within its confidence interval; `azwa simulate calibrate` writes a scenario
that loads and reports each fit."""

from __future__ import annotations

from pathlib import Path

import orjson
from typer.testing import CliRunner

from workflow.cli.main import app
from workflow.service.forecast import calibrated_from_log, scenario_of
from workflow.simulate.calibrate import calibrate
from workflow.simulate.runner import execute
from workflow.simulate.scenario import from_dict

RUNNER = CliRunner()
TRUE = from_dict({
    "assessed": [],
    "delays": {"default": {"kind": "exponential", "mean": 4},
               "submit_plan": {"kind": "exponential", "mean": 20},
               "approve_plan": {"kind": "exponential", "mean": 10}},
    "branches": {"escalation": 0.3, "revision": 0.2, "quick_test_incomplete": 0.3},
})


def events_of(plans: int, seed: int) -> list[dict[str, object]]:
    result = execute(TRUE, plans, seed, 1)
    return [orjson.loads(line) for line in result.log().splitlines()]


def test_a_calibrated_scenario_recovers_the_one_simulated() -> None:
    # some forty parameters are checked at once: at 99% each, one would miss by chance in
    # a third of the seeds, so each interval is a 99.9% one
    fit = calibrate(events_of(400, seed=3), level=0.999)
    report = fit.report()
    missed = []
    for key, found in report["delays"].items():
        trigger, role = key.split(":")
        true = TRUE.delay(trigger, role).mean
        if found["n"] >= 10 and not found["mean_ci"][0] <= true <= found["mean_ci"][1]:
            missed.append((key, true, found["mean_ci"]))
    assert missed == []
    assert report["delays"]["submit_plan:plan_maker"]["n"] > 300
    for name, found in report["branches"].items():
        if name in TRUE.branches and found["n"]:
            low, high = found["ci"]
            assert low <= TRUE.branches[name] <= high, (name, found)
    for i, found in enumerate(report["escalation_steps"]):
        if found["n"]:
            assert found["ci"][0] <= TRUE.escalation_steps[i] <= found["ci"][1]
    # a scenario with other parameters is told apart
    assert not 0.99 <= report["branches"]["quick_test_incomplete"]["p"] / 0.2 <= 1.01


def test_the_calibrated_file_simulates_again(tmp_path: Path) -> None:
    log = tmp_path / "events.jsonl"
    log.write_bytes(execute(TRUE, 150, 4, 1).log())
    out = tmp_path / "fitted.toml"
    result = RUNNER.invoke(app, ["simulate", "calibrate", "--log", str(log), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "submit_plan:plan_maker" in result.output and "KS" in result.output
    again = scenario_of(calibrated_from_log(log))
    assert again.delay("submit_plan", "plan_maker").kind in ("exponential", "lognormal")
    rerun = RUNNER.invoke(app, ["simulate", str(out), "--plans", "10", "--no-plots",
                                "--out", str(tmp_path / "sim")])
    assert rerun.exit_code == 0, rerun.output
    refused = RUNNER.invoke(app, ["simulate", "calibrate", "--log", str(log), "-o", str(out)])
    assert refused.exit_code == 2 and "exists; add --force" in refused.output


def test_calibrating_the_demo_database(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    assert RUNNER.invoke(app, ["demo", "--db", str(db)]).exit_code == 0
    result = RUNNER.invoke(app, ["simulate", "calibrate", "--db", str(db), "-o",
                                 str(tmp_path / "demo.toml"), "--json"])
    assert result.exit_code == 0, result.output
    assert '"plans": 2' in result.output


def test_the_choice_after_a_refused_approval_is_recovered() -> None:
    """Under transformation@2 a standing negative verdict refuses approval; the insurer then
    rejects with probability `blocked_rejected`, else asks for a revision. Calibration
    counts that choice where the simulation draws it, and only there."""
    blocked = from_dict({
        "definition": "transformation@2", "assessed": [],
        "delays": {"default": {"kind": "exponential", "mean": 4}},
        "branches": {"negative_verdict": 0.35, "blocked_rejected": 0.4},
    })
    events = [orjson.loads(line) for line in execute(blocked, 400, 5, 1).log().splitlines()]
    report = calibrate(events, level=0.999).report()
    found = report["branches"]["blocked_rejected"]
    assert found["n"] >= 60, found
    assert found["ci"][0] <= 0.4 <= found["ci"][1], found
    assert not found["ci"][0] <= 0.1 <= found["ci"][1], found  # another value is told apart
    # under transformation@1 approval is never refused: nothing is counted
    v1 = calibrate(events_of(150, seed=4)).report()
    assert v1["branches"].get("blocked_rejected", {"n": 0})["n"] == 0

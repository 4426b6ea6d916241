"""`azwa simulate SCENARIO.toml`: its log replays cleanly, a seed gives the same bytes for
any number of processes, another seed other bytes, and outputs are never overwritten
without --force."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tests.simulate.scenarios import write
from workflow.cli.main import app
from workflow.simulate.runner import execute
from workflow.simulate.scenario import load

RUNNER = CliRunner()


def simulate(scenario: Path, out: Path, *args: str) -> None:
    result = RUNNER.invoke(app, ["simulate", str(scenario), "--plans", "40", "--out", str(out),
                                 "--no-plots", *args])
    assert result.exit_code == 0, result.output


def test_every_simulated_log_replays_with_zero_violations(tmp_path: Path) -> None:
    scenario = write(tmp_path)
    simulate(scenario, tmp_path / "out", "--runs", "2", "--seed", "3")
    replayed = RUNNER.invoke(app, ["replay", str(tmp_path / "out" / "events.jsonl"), "--json"])
    assert replayed.exit_code == 0, replayed.output
    data = json.loads(replayed.output)
    assert len(data["plans"]) == 80
    assert [p for p in data["plans"].values() if p["violations"]] == []
    assert {p["chain"] for p in data["plans"].values()} == {"ok"}
    states = {p["state"] for p in data["plans"].values()}
    assert "closed" in states  # plans go the whole way, through contract and KPIs
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["outcomes"] == {s: sum(1 for p in data["plans"].values() if p["state"] == s)
                                   for s in summary["outcomes"]}


def test_the_engine_accepts_every_act_the_simulation_takes() -> None:
    """The readiness judgement (workflow.simulate.owed) and the engine agree: no act the
    simulation decides on is refused, in the busiest example scenario."""
    scenario = load(Path(__file__).resolve().parents[2] / "docs" / "scenarios" /
                    "quick-tests-2024.toml")
    result = execute(scenario, 300, seed=2, run=1)
    assert sum(row["refused"] for row in result.rows) == 0
    assert {row["state"] for row in result.rows} >= {"closed", "rejected"}


def test_same_seed_same_bytes_for_any_jobs_and_other_seeds_differ(tmp_path: Path) -> None:
    scenario = write(tmp_path)
    simulate(scenario, tmp_path / "one", "--runs", "3", "--seed", "5", "--jobs", "1")
    simulate(scenario, tmp_path / "two", "--runs", "3", "--seed", "5", "--jobs", "2")
    simulate(scenario, tmp_path / "other", "--runs", "3", "--seed", "6", "--jobs", "2")
    for name in ("summary.md", "summary.json", "timelines.csv", "events.jsonl"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()
        assert (tmp_path / "one" / name).read_bytes() != (tmp_path / "other" / name).read_bytes()


def test_outputs_are_replaced_only_with_force(tmp_path: Path) -> None:
    scenario = write(tmp_path)
    out = tmp_path / "out"
    simulate(scenario, out)
    before = (out / "events.jsonl").read_bytes()
    again = RUNNER.invoke(app, ["simulate", str(scenario), "--plans", "5", "--out", str(out),
                                "--no-plots", "--seed", "9"])
    assert again.exit_code == 2
    assert "exists; add --force" in again.output
    assert (out / "events.jsonl").read_bytes() == before
    simulate(scenario, out, "--seed", "9", "--force")
    assert (out / "events.jsonl").read_bytes() != before


def test_plots_and_the_assessor_sweep(tmp_path: Path) -> None:
    scenario = write(tmp_path)
    out = tmp_path / "out"
    result = RUNNER.invoke(app, ["simulate", str(scenario), "--plans", "20", "--out", str(out),
                                 "--sweep", "assessors=1..3"])
    assert result.exit_code == 0, result.output
    for name in ("lead_times.png", "gantt.png", "queues.png", "sweep.png"):
        assert (out / name).read_bytes().startswith(b"\x89PNG"), name
    sweep = json.loads((out / "sweep.json").read_text())
    assert sorted(sweep) == ["1", "2", "3"]
    bad = RUNNER.invoke(app, ["simulate", str(scenario), "--out", str(tmp_path / "x"),
                              "--sweep", "assessors=5..2"])
    assert bad.exit_code == 2 and "assessors=LOW..HIGH" in bad.output


def test_the_first_path_an_empty_scenario_and_default_options(
        tmp_path: Path, monkeypatch: object) -> None:
    """Every key has a default and the outputs go to ./simulation."""
    monkeypatch.chdir(tmp_path)  # type: ignore[attr-defined]
    (tmp_path / "empty.toml").write_text("", encoding="utf-8")
    result = RUNNER.invoke(app, ["simulate", "empty.toml", "--plans", "15"])
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "simulation" / "summary.json").read_text())
    assert summary["scenario"]["definition"] == "transformation@1"
    assert sum(summary["outcomes"].values()) == 15
    assert (tmp_path / "simulation" / "gantt.png").exists()


def test_arrivals_on_fixed_days(tmp_path: Path) -> None:
    """A list of dates: one plan registers on each, and no more than listed."""
    scenario = write(tmp_path, 'start = "2025-01-06"\n[arrivals]\nper_month = 0\n'
                     'dates = ["2025-01-06", "2025-02-03", "2025-03-03"]\n')
    out = tmp_path / "out"
    simulate(scenario, out)
    rows = (out / "timelines.csv").read_text().splitlines()[1:]
    assert [r.split(",")[2] for r in rows] == ["2025-01-06", "2025-02-03", "2025-03-03"]
    assert json.loads((out / "summary.json").read_text())["scenario"]["plans_per_run"] == 3

"""Forecast on a database whose plans are then played to the end: the predicted chances of
missing each running deadline are calibrated (a reliability table is printed) and their
Brier score beats always predicting the base rate."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from workflow.cli.main import app
from workflow.core.clock import FakeClock
from workflow.service.api import Engine
from workflow.service.databases import create_or_upgrade
from workflow.simulate.model import Run
from workflow.simulate.runner import engine_for
from workflow.simulate.scenario import from_dict

RUNNER = CliRunner()
SCENARIO = """\
start = "2025-01-06"
[arrivals]
per_month = 40
[insurers]
"Zilveren Kruis" = 4
VGZ = 3
[delays.default]
kind = "exponential"
mean = 3
[delays.approve_quick_test]
kind = "exponential"
mean = 15
[delays.approve_plan]
kind = "exponential"
mean = 25
"""
CUT = 150.0  # days after the start: the moment of the forecast


def stored(run: Run, db: str) -> None:
    """The plans as they stand at the cut, through the service into a real SQLite file."""
    engine = Engine(store=create_or_upgrade(db), clock=FakeClock("2025-01-06T00:00:00+01:00"))
    try:
        for sp in run.plans:
            for e in sp.events:
                if e.trigger == "deadline_expired":
                    continue
                if e.trigger == "register_plan":
                    engine.register(e.plan_id, e.actor, e.payload, at=e.at)
                else:
                    engine.fire(e.plan_id, e.trigger, e.actor, e.payload, at=e.at)
    finally:
        engine.store.close()


def test_forecast_beats_the_base_rate(tmp_path: Path) -> None:
    scenario_file = tmp_path / "scenario.toml"
    scenario_file.write_text(SCENARIO, encoding="utf-8")
    import tomllib

    scenario = from_dict(tomllib.loads(SCENARIO))
    run = Run(scenario, engine_for(scenario.definition), seed=11, run=1)
    run.simulate(300, until=CUT)
    db = str(tmp_path / "live.db")
    stored(run, db)
    before = {sp.plan_id: list(sp.plan.breaches) for sp in run.plans if sp.plan is not None}
    now = run.at(CUT).isoformat()
    result = RUNNER.invoke(app, ["forecast", "--db", db, "--scenario", str(scenario_file),
                                 "--runs", "60", "--at", now, "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)["forecast"]
    assert [r["p_miss"] for r in rows] == sorted((r["p_miss"] for r in rows), reverse=True)
    overdue = [r for r in rows if r["due"] < now[:10]]
    assert all(r["p_miss"] == 1 for r in overdue), [r for r in overdue if r["p_miss"] < 1]
    rows = [r for r in rows if r["due"] >= now[:10]]  # judged on what is still open
    assert len(rows) >= 30
    run.loop()  # the same plans, played to the end
    truth = {sp.plan_id: sp.plan.breaches for sp in run.plans if sp.plan is not None}
    pairs = []
    for r in rows:
        missed = r["deadline"] in truth[r["plan_id"]][len(before.get(r["plan_id"], [])):]
        pairs.append((r["p_miss"], 1.0 if missed else 0.0))
    base = sum(o for _, o in pairs) / len(pairs)
    brier = sum((p - o) ** 2 for p, o in pairs) / len(pairs)
    brier_base = sum((base - o) ** 2 for _, o in pairs) / len(pairs)
    print(f"\n{len(pairs)} running deadlines; base rate {base:.3f}; Brier {brier:.4f} vs "
          f"{brier_base:.4f} for the base rate")
    print("predicted   n   mean p   observed")
    for low in (0.0, 0.2, 0.4, 0.6, 0.8):
        inside = [(p, o) for p, o in pairs if low <= p < low + 0.2 or (low == 0.8 and p == 1)]
        if inside:
            print(f"{low:.1f}–{low + 0.2:.1f}  {len(inside):>3}   "
                  f"{sum(p for p, _ in inside) / len(inside):.3f}    "
                  f"{sum(o for _, o in inside) / len(inside):.3f}")
    assert 0 < base < 1
    assert brier < brier_base
    table = RUNNER.invoke(app, ["forecast", "--db", db, "--scenario", str(scenario_file),
                                "--runs", "5", "--at", now])
    assert table.exit_code == 0, table.output
    assert "P(miss)" in table.output


def test_forecast_without_a_scenario_calibrates_from_the_database(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    assert RUNNER.invoke(app, ["demo", "--db", str(db)]).exit_code == 0
    result = RUNNER.invoke(app, ["forecast", "--db", str(db), "--runs", "5", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"forecast": []}  # the demo's plans are closed

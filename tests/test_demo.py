"""`make run`'s main job: the demo takes both sample plans to `closed` on an SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from workflow.cli.main import app


def test_demo_closes_both_plans_with_a_breach_and_an_escalation(tmp_path: Path) -> None:
    """The transformation plan ends closed with the quick-test breach (A4 §1.5.1), an
    escalation to step 2 and back (A4 §1.4), and a refund (A4 §3.a.4); the breakthrough plan,
    carrying a modelplan that meets every basiseis (MP), ends closed too."""
    db = tmp_path / "demo.db"
    result = CliRunner().invoke(app, ["demo", "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    plan = data["plan"]
    assert plan["state"] == "closed"
    assert plan["breaches"] == ["quick_test_decision"]
    assert [h["to"] for h in plan["escalation_history"]] == ["bilateral", "convened", "none"]
    assert plan["funds"]["refund_eur"] == 20000.0
    assert data["breakthrough"]["state"] == "closed"
    assert data["breakthrough"]["track"] == "breakthrough"
    assert db.exists()


def test_demo_runs_twice_on_the_same_database(tmp_path: Path) -> None:
    """A second demo on a URL that already holds the plans takes fresh plan ids."""
    url = f"sqlite:///{tmp_path}/again.db"
    runner = CliRunner()
    assert runner.invoke(app, ["demo", "--db", url]).exit_code == 0
    second = runner.invoke(app, ["demo", "--db", url])
    assert second.exit_code == 0, second.output
    assert "TW-2027-001-2" in second.output

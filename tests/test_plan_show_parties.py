"""`azwa plan show` names the parties and the KPI milestones with amounts, due days, status."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from workflow import Engine, FakeClock
from workflow.cli.main import app
from workflow.service import demo


def _shown(tmp_path: Path, *args: str) -> str:
    db = tmp_path / "show.db"
    if not db.exists():
        engine = Engine(f"sqlite:///{db}", FakeClock(demo.START))
        demo.play(engine, "TW", until="confirm_kpi")
        engine.store.close()  # type: ignore[attr-defined]
    result = CliRunner().invoke(app, ["plan", "show", "TW", "--db", str(db),
                                      "--at", "2027-08-01T09:00:00+02:00", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_parties_per_role(tmp_path: Path) -> None:
    """Both plan makers, both insurers, the municipality, and the waived regional
    coordinator (A4 §1.b.3); a plan maker's provider size `unknown` when the registration
    does not give it (A4 §4.a.1)."""
    data = json.loads(_shown(tmp_path, "--json"))
    assert data["parties"] == [
        {"role": "plan_maker", "org": "Huisartsen Twente", "provider_size": "unknown"},
        {"role": "plan_maker", "org": "ZGT", "provider_size": "unknown"},
        {"role": "coordinating_insurer", "org": "Menzis"},
        {"role": "second_insurer", "org": "Zilveren Kruis"},
        {"role": "municipality", "org": "Gemeente Enschede"},
        {"role": "regional_coordinator", "org": None, "note": "waived"},
    ]


def test_kpis_with_amounts_due_days_and_status(tmp_path: Path) -> None:
    """The contract's milestones: k1 confirmed and paid, k2 open with its days left."""
    data = json.loads(_shown(tmp_path, "--json"))
    kpis = {k["kpi"]: k for k in data["kpis"]}
    assert kpis["k1"]["status"] == "confirmed"
    assert kpis["k1"]["amount_eur"] == kpis["k1"]["paid_eur"] == 50000
    assert kpis["k2"]["status"] == "open" and kpis["k2"]["due"] == "2028-02-29"
    assert kpis["k2"]["days_left"] == 212
    text = _shown(tmp_path)
    assert "Parties" in text and "ZGT" in text and "waived" in text
    line = next(line for line in text.splitlines() if "│ k2 " in line)
    assert "€200,000.00" in line and "2028-02-29" in line and "212" in line and "open" in line


def test_before_the_contract_no_kpis(tmp_path: Path) -> None:
    db = tmp_path / "early.db"
    engine = Engine(f"sqlite:///{db}", FakeClock(demo.START))
    demo.play(engine, "TW", until="hold_start_meeting")
    engine.store.close()  # type: ignore[attr-defined]
    result = CliRunner().invoke(app, ["plan", "show", "TW", "--db", str(db), "--at",
                                      "2027-02-01T09:00:00+01:00"])
    assert result.exit_code == 0, result.output
    assert "KPIs: none agreed yet" in result.stdout

"""Simulating plans under transformation@2 with the shipped settings: every simulated act
is one the definition accepts, so the written log replays with no violation."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from tests.defaults.user import azwa


def test_v2_plans_simulate_to_their_end_and_replay_clean(tmp_path: Path) -> None:
    """A scenario of @2 plans: the second insurer reviews each quick test, KPIs are reported
    with evidence before they are paid, the funds are settled on terms and the NZa gives
    its verdict; plans close, and `azwa replay` of events.jsonl finds zero violations."""
    scenario = tmp_path / "v2.toml"
    scenario.write_text('definition = "transformation@2"\n', encoding="utf-8")
    out = tmp_path / "out"
    ran, replayed = azwa([
        ["simulate", "run", str(scenario), "--plans", "30", "--out", str(out), "--no-plots",
         "--json"],
        ["replay", str(out / "events.jsonl"), "--json"],
    ], cwd=tmp_path, AZWA_LANG="en")
    assert ran["code"] == 0, ran["stderr"]
    summary = json.loads(ran["stdout"])
    assert summary["scenario"]["definition"] == "transformation@2"
    assert replayed["code"] == 0, replayed["stdout"][-2000:]
    plans = json.loads(replayed["stdout"])["plans"]
    assert len(plans) == 30
    assert {p["definition"] for p in plans.values()} == {"transformation@2"}
    assert sum(len(p["violations"]) for p in plans.values()) == 0
    states = Counter(p["state"] for p in plans.values())
    assert states["closed"] >= 10, states
    assert summary["outcomes"].get("closed") == states["closed"]
    closed = [p for p in plans.values() if p["state"] == "closed"]
    assert all(p["funds"]["paid_eur"] and p["funds"]["refund_eur"] for p in closed)
    lines = (out / "events.jsonl").read_text(encoding="utf-8").splitlines()[1:]  # after the header
    events = [json.loads(line) for line in lines]
    fired = Counter(e["trigger"] for e in events)
    assert fired["report_kpi"] >= fired["confirm_kpi"] > 0
    assert fired["settle"] == fired["give_lawfulness_judgement"] == states["closed"]
    reviews = [e for e in events if e["trigger"] == "submit_review"
               and e["actor"]["role"] == "second_insurer"]
    assert len({e["plan_id"] for e in reviews}) == 30  # every quick test's second review

"""Simulating plans under transformation@2 with the shipped settings: every simulated act
is one the definition accepts, so the written log replays with no violation."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import states
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


def test_v2_summary_keeps_missed_aims_apart_and_uses_the_v2_ladder(tmp_path: Path) -> None:
    """DESIGN-v2 "Escalation": the ladder ends at `board_level`, and a missed board-meeting
    aim is never a breach. The summary's escalation steps are @2's three, and its share of
    plans with a missed aim and with a breach agree with what `azwa replay` finds in the
    same simulated log."""
    scenario = tmp_path / "v2.toml"
    scenario.write_text('definition = "transformation@2"\n[branches]\nescalation = 0.9\n'
                        '[delays.hold_board_meeting]\nkind = "fixed"\ndays = 30\n'
                        '[delays.resolve_escalation]\nkind = "fixed"\ndays = 40\n',
                        encoding="utf-8")
    out = tmp_path / "out"
    ran, replayed = azwa([
        ["simulate", "run", str(scenario), "--plans", "40", "--out", str(out), "--no-plots",
         "--json"],
        ["replay", str(out / "events.jsonl"), "--json"],
    ], cwd=tmp_path, AZWA_LANG="en")
    assert ran["code"] == 0, ran["stderr"]
    summary = json.loads(ran["stdout"])
    assert list(summary["escalation_reached"]) == ["bilateral", "convened", "board_level"]
    plans = json.loads(replayed["stdout"])["plans"].values()
    with_aim = sum(1 for p in plans if p["missed_aims"])
    with_breach = sum(1 for p in plans if p["breaches"])
    assert with_aim > 0  # a board meeting 30 days after board level misses the 2-week aim
    assert summary["missed_aims"]["missed"] == with_aim
    assert "board_meeting" in summary["missed_aim_rate"]
    assert "board_meeting" not in summary["breach_rate"]
    assert summary["plans_with_breach"]["missed"] == with_breach
    assert "board_meeting" not in {b for p in plans for b in p["breaches"]}


FINALS = states.get("transformation@2").finals


def _blocked_run(tmp_path: Path, name: str, branches: str) -> tuple[Counter[str], Counter[str]]:
    """@2 plans whose reviewers mostly give a negative verdict: the plans' final states
    (from `azwa replay`, which must find no violation) and how each blocked decision went
    (the coordinating insurer's act right after a negative verdict's round)."""
    scenario = tmp_path / f"{name}.toml"
    scenario.write_text('definition = "transformation@2"\n[branches]\nnegative_verdict = 0.7\n'
                        + branches, encoding="utf-8")
    out = tmp_path / name
    ran, replayed = azwa([
        ["simulate", "run", str(scenario), "--plans", "40", "--seed", "4", "--out", str(out),
         "--no-plots", "--json"],
        ["replay", str(out / "events.jsonl"), "--json"],
    ], cwd=tmp_path, AZWA_LANG="en")
    assert ran["code"] == 0, ran["stderr"]
    assert replayed["code"] == 0, replayed["stdout"][-2000:]
    plans = json.loads(replayed["stdout"])["plans"]
    assert sum(len(p["violations"]) for p in plans.values()) == 0
    lines = (out / "events.jsonl").read_text(encoding="utf-8").splitlines()[1:]
    negative: set[str] = set()
    blocked: Counter[str] = Counter()
    for e in map(json.loads, lines):
        if e["trigger"] == "submit_review" and e["payload"].get("verdict") == "negative":
            negative.add(e["plan_id"])
        elif e["trigger"] == "submit_plan":  # a new round: the quick test's verdicts are past
            negative.discard(e["plan_id"])
        elif e["trigger"] in ("approve_plan", "request_revision", "reject_plan"):
            if e["plan_id"] in negative:
                blocked[e["trigger"]] += 1
            negative.discard(e["plan_id"])
    states = Counter(p["state"] for p in plans.values())
    assert json.loads(ran["stdout"])["outcomes"] == dict(states)
    return states, blocked


def test_v2_a_negative_verdict_ends_in_revision_or_rejection_and_every_plan_ends(
    tmp_path: Path,
) -> None:
    """DESIGN-v2 "a negative verdict blocks approval": the coordinating insurer then requests
    a revision or rejects the plan (`branches.blocked_rejected`, 0.2 by default); a revised
    plan is reviewed afresh, so it may be approved next round. No plan stays in review:
    every one reaches a final state, and the log replays with zero violations."""
    states, blocked = _blocked_run(tmp_path, "default", "")
    assert set(states) <= FINALS, states
    assert states["closed"] > 0  # approved after a revision, or without a negative verdict
    assert blocked["approve_plan"] == 0  # never approved over a standing negative verdict
    assert blocked["request_revision"] > blocked["reject_plan"] > 0, blocked


def test_v2_blocked_rejected_decides_which_way_a_blocked_decision_goes(tmp_path: Path) -> None:
    """`blocked_rejected = 1`: every blocked decision is a rejection; 0: always a revision."""
    _, rejecting = _blocked_run(tmp_path, "rejecting", "blocked_rejected = 1\nrevision = 0\n")
    assert rejecting["reject_plan"] > 0 and rejecting["request_revision"] == 0, rejecting
    states, revising = _blocked_run(tmp_path, "revising",
                                    "blocked_rejected = 0\nplan_rejected = 0\n")
    assert revising["request_revision"] > 0 and revising["reject_plan"] == 0, revising
    assert set(states) <= FINALS, states

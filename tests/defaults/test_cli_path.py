"""The command line as a user runs it today: no `--at` (the real clock), no setting; the plan
follows transformation@2, the version in force for plans registered from 2026-01-01."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.defaults.user import ROOT, azwa

EXAMPLES = ROOT / "docs" / "examples"
MAKER = ["--as", "plan_maker", "--org", "Huisartsen Twente"]
HOSPITAL = ["--as", "plan_maker", "--org", "ZGT"]
MENZIS = ["--as", "coordinating_insurer", "--org", "Menzis"]
SECOND = ["--as", "second_insurer", "--org", "Zilveren Kruis"]
ENSCHEDE = ["--as", "municipality", "--org", "Gemeente Enschede", "--region", "Twente"]
NZA = ["--as", "nza", "--org", "NZa"]


def fire(trigger: str, actor: list[str], payload: dict[str, Any] | None = None) -> list[str]:
    extra = ["--payload", json.dumps(payload)] if payload is not None else []
    return ["plan", "fire", "TW-1", trigger, *actor, *extra]


TO_CONTRACT = [
    ["init"],
    ["plan", "register", "TW-1", *MAKER, "--payload", f"@{EXAMPLES / 'registration.json'}"],
    fire("hold_start_meeting", MENZIS),
    fire("agree_character", MENZIS, {"character": "innovation"}),
    fire("submit_quick_test", MAKER),
    fire("accept_quick_test_as_complete", MENZIS),
    fire("approve_quick_test", MENZIS),  # refused: the second insurer reviews first
    fire("submit_review", SECOND, {"verdict": "positive"}),
    fire("approve_quick_test", MENZIS),
    fire("submit_plan", MAKER, json.loads((EXAMPLES / "plan.json").read_text())),
    fire("accept_plan_as_complete", MENZIS),
    fire("submit_review", MENZIS, {"verdict": "positive"}),
    fire("submit_review", SECOND, {"verdict": "positive"}),
    fire("submit_review", ENSCHEDE, {"verdict": "conditional"}),  # refused: no conditions
    fire("submit_review", ENSCHEDE, {"verdict": "conditional", "conditions": "Wijkteams"}),
    fire("waive_regional_coordinator", ENSCHEDE),
    fire("approve_social_domain_parts", ENSCHEDE),
    fire("share_joint_feedback", MENZIS),
    fire("record_commitment", MAKER),
    fire("record_commitment", HOSPITAL),
    fire("record_commitment", ENSCHEDE),
    fire("approve_plan", MENZIS),
    fire("sign_contract", MENZIS, json.loads((EXAMPLES / "contract.json").read_text())),
    fire("issue_payment_decision", NZA),
    fire("confirm_kpi", MENZIS, {"kpi": "k1"}),  # refused: no evidence reported yet
    fire("report_kpi", MAKER, {"kpi": "k1", "evidence": "Transformatieplan (bijlage 1)"}),
    fire("confirm_kpi", MENZIS, {"kpi": "k1"}),
]
READS = ("show json", "show", "list", "todo json", "todo", "tick", "export", "replay json",
         "replay", "verify", "monitor", "monitor by sector", "diagram", "diagram today",
         "forecast")
REFUSED = {6: "has_second_insurer_quick_test_review", 13: "conditions",
           24: "has_kpi_evidence"}


@pytest.fixture(scope="module")
def user(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One user's session: the plan to its contract, then every reading command."""
    home = tmp_path_factory.mktemp("user")
    log, diagram = home / "log.jsonl", home / "plan.md"
    reads = [
        ["plan", "show", "TW-1", "--json"],
        ["plan", "show", "TW-1"],
        ["plan", "list", "--json"],
        ["todo", "--org", "Huisartsen Twente", "--json"],
        ["todo", "--org", "Huisartsen Twente"],
        ["tick"],
        ["export", "-o", str(log)],
        ["replay", str(log), "--json"],
        ["replay", str(log)],
        ["audit", "verify", "--log", str(log), "--json"],
        ["monitor", "--json"],
        ["monitor", "--by", "sector"],
        ["diagram", "--plan", "TW-1", "-o", str(diagram)],
        ["diagram"],
        ["forecast", "--runs", "20", "--json"],
    ]
    assert len(reads) == len(READS)
    done = azwa(TO_CONTRACT + reads, cwd=home, AZWA_DATABASE_URL=f"sqlite:///{home}/azwa.db",
                AZWA_LANG="en")
    return {"fired": done[:len(TO_CONTRACT)],
            "read": dict(zip(READS, done[len(TO_CONTRACT):], strict=True)),
            "diagram": diagram}


def test_fired_to_contract_under_v2_with_the_rules_of_v2(user: dict[str, Any]) -> None:
    """Every command is accepted, except the three that @2's rules refuse, each naming its
    rule; with the real clock no deadline of the plan has passed."""
    for i, result in enumerate(user["fired"]):
        if i in REFUSED:
            assert result["code"] == 1 and REFUSED[i] in result["stderr"] + result["stdout"]
        else:
            assert result["code"] == 0, (result["argv"], result["stderr"])


def test_plan_show_names_v2_and_its_fields(user: dict[str, Any]) -> None:
    """`plan show`: @2, the contract's state, no breach nor missed aim, sector and sizes
    unknown (the registration gives neither), the deadline of KPI k2 open."""
    data = json.loads(user["read"]["show json"]["stdout"])
    assert data["definition"] == "transformation@2"
    assert data["state"] == "in_implementation"
    assert data["breaches"] == [] and data["missed_aims"] == []
    assert data["sector"] == "unknown"
    assert {p.get("provider_size") for p in data["parties"] if p["role"] == "plan_maker"} == {
        "unknown"}
    assert [d["name"] for d in data["open_deadlines"]] == ["kpi:k2"]
    assert data["funds"]["paid_eur"] == 50000 and data["funds"]["reclaim_eur"] == 0
    assert data["settlement"] is None and data["lawfulness"] is None
    listed = json.loads(user["read"]["list"]["stdout"])
    assert [(p["plan_id"], p["definition"]) for p in listed] == [("TW-1", "transformation@2")]


def test_todo_and_tick_with_the_real_clock(user: dict[str, Any]) -> None:
    """The plan maker's to-do is @2's KPI report (with evidence); `tick` now expires
    nothing (KPI k2 is due 2028-02-29)."""
    todos = json.loads(user["read"]["todo json"]["stdout"])["todos"]
    assert any(t["trigger"] == "report_kpi" and t["plan_id"] == "TW-1" for t in todos), todos
    assert user["read"]["tick"]["code"] == 0
    assert "0 deadline(s) expired" in user["read"]["tick"]["stdout"]


def test_the_exported_log_replays_and_verifies(user: dict[str, Any]) -> None:
    """The exported log replays under @2 with no violation and a sound chain, and the
    database matches it event by event."""
    assert user["read"]["export"]["code"] == 0
    replay = user["read"]["replay json"]
    data = json.loads(replay["stdout"])
    plan = data["plans"]["TW-1"]
    assert replay["code"] == 0 and data["chain"] == "ok"
    assert plan["definition"] == "transformation@2" and plan["violations"] == []
    assert plan["state"] == "in_implementation" and plan["missed_aims"] == []
    verified = user["read"]["verify"]
    assert verified["code"] == 0, verified["stdout"] + verified["stderr"]


def test_replay_text_lists_missed_aims_for_v2(user: dict[str, Any]) -> None:
    """`replay` in text: the @2 plan's box has its missed aims apart from its breaches."""
    text = user["read"]["replay"]["stdout"]
    assert "│ missed aims │ none" in text and "│ breaches    │ none" in text
    assert "reclaim € 0.00" in text


def test_monitor_and_diagram(user: dict[str, Any]) -> None:
    """The monitoring counts the plan in this month (the real clock's); by sector it is
    `unknown`; the diagram marks its state; without a plan it draws @2, the version a plan
    registered today follows."""
    monitor = user["read"]["monitor"]
    assert monitor["code"] == 0, monitor["stderr"]
    now = json.loads(monitor["stdout"])["periods"][-1]["groups"]
    assert [(g["group"], g["plans"]) for g in now] == [("all", {"in_implementation": 1})]
    by_sector = user["read"]["monitor by sector"]
    assert by_sector["code"] == 0 and "unknown" in by_sector["stdout"]
    assert user["read"]["diagram"]["code"] == 0
    marked = user["diagram"].read_text(encoding="utf-8")
    assert 'title: "transformation@2' in marked and "Class in_implementation s_active" in marked
    today = user["read"]["diagram today"]["stdout"]
    assert 'title: "transformation@2' in today and "Class in_implementation s_active" not in today


def test_forecast_on_a_v2_database(user: dict[str, Any]) -> None:
    """The forecast, calibrated from the same database, simulates the @2 plan's future:
    its one running deadline (KPI k2) with a chance of missing it and a decision day."""
    found = user["read"]["forecast"]
    assert found["code"] == 0, found["stderr"]
    rows = json.loads(found["stdout"])["forecast"]
    assert [(r["plan_id"], r["state"], r["deadline"]) for r in rows] == [
        ("TW-1", "in_implementation", "kpi:k2")]
    assert 0 <= rows[0]["p_miss"] <= 1 and rows[0]["expected_decision"] <= "2028-03-31"

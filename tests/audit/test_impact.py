"""Rule-change impact: the recorded histories under transformation@1 judged by
transformation@2. DESIGN-v2 "One joint assessment": the quick test is decided by the
coordinating insurer only after the second insurer's `submit_review` (A4 §1.3.2); none of
the @1 histories has that review, so each plan's first command @2 refuses is its quick-test
decision, and the rest of its history follows from it."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tests.definitions import v1_database
from workflow.audit.impact import impact
from workflow.cli.main import app
from workflow.service import demo
from workflow.service.api import Engine

LOGS = Path(__file__).parent.parent / "replay" / "logs"
CLEAN = ("closed_with_breach", "escalation_ladder", "lapsed", "open_deadline",
         "three_plans_interleaved")
RULE = "has_second_insurer_quick_test_review"


def _first_refusals(events: list[dict[str, object]]) -> dict[str, tuple[int, str, str]]:
    found = impact(events, "transformation@2")
    return {p: (i.refused[0].seq, i.refused[0].trigger, i.refused[0].rule)
            for p, i in found.affected.items() if i.refused}


def test_recorded_logs_first_command_judged_differently_by_v2() -> None:
    """Each recorded log: the exact plans and the first command @2 refuses."""
    got = {}
    for name in CLEAN:
        events = [json.loads(line) for line in (LOGS / f"{name}.jsonl").open()]
        got[name] = _first_refusals(events)
    assert got == {
        "closed_with_breach": {"TW-2027-001": (9, "approve_quick_test", RULE)},
        "escalation_ladder": {"ES-2027-003": (5, "approve_quick_test", RULE)},
        "lapsed": {"LP-2027-002": (5, "approve_quick_test", RULE)},
        # DESIGN-v2 "Payloads": join_as_financier takes {"kind": ...}; the @1 log sends {}.
        "open_deadline": {"OP-2027-007": (2, "join_as_financier", "payload_matches_schema")},
        "three_plans_interleaved": {"RJ-2027-004": (5, "reject_quick_test", RULE),
                                    "RV-2027-005": (5, "approve_quick_test", RULE),
                                    "BT-2027-006": (5, "approve_quick_test", RULE)},
    }


QT = ("quick_test_under_review",)
EXPECTED = {
    # plan: (first refused (seq, trigger, rule, seed), breached now, no longer breached,
    #        state recorded → under @2)
    "BT-2027-006": ((5, "approve_quick_test", RULE, "A4 §1.3.2"), ["quick_test_decision"], [],
                    None),
    "ES-2027-003": ((5, "approve_quick_test", RULE, "A4 §1.3.2"), ["quick_test_decision"],
                    ["board_meeting", "kpi:plan", "kpi:reach"], ("terminated", *QT)),
    "LP-2027-002": ((5, "approve_quick_test", RULE, "A4 §1.3.2"), ["quick_test_decision"],
                    ["plan_submission"], ("lapsed", *QT)),
    "OP-2027-007": ((2, "join_as_financier", "payload_matches_schema", "A4 §1.a.1"), [], [],
                    ("joint_review", "intent")),
    "RJ-2027-004": ((5, "reject_quick_test", RULE, "A4 §1.3.2"), [], [], ("rejected", *QT)),
    "RV-2027-005": ((5, "approve_quick_test", RULE, "A4 §1.3.2"), ["quick_test_decision"], [],
                    ("rejected", *QT)),
    "TW-2025-001": ((9, "approve_quick_test", RULE, "A4 §1.3.2"), [], [],
                    ("in_implementation", *QT)),
    "TW-2027-001": ((9, "approve_quick_test", RULE, "A4 §1.3.2"), [], [], ("closed", *QT)),
}
"""Judged by hand against DESIGN-v2: every quick test of @1 was decided without the second
insurer's review, so @2 refuses that decision and the plan stays under review (its later
commands refused in turn; deadlines it never reaches are no longer breached, the quick-test
decision is breached where the log runs past its four weeks: BT, ES, LP, RV; the demo plans
TW had breached it under @1 already). OP's financier joined with `{}`, which @2's payload
refuses (`kind` is required), so its domain-transcending plan never leaves intent and its
escalation never opens."""

QUICK_TEST_DUE = {
    # plan: quick_test_decision as recorded under @1 → under @2
    "BT-2027-006": ("met, due 2027-04-05", "expired, due 2027-04-04"),
    "ES-2027-003": ("met, due 2027-02-07", "expired, due 2027-02-06"),
    "LP-2027-002": ("met, due 2027-03-07", "expired, due 2027-03-06"),
    "OP-2027-007": ("met, due 2027-06-06", None),
    "RJ-2027-004": ("met, due 2027-04-03", "open, due 2027-04-02"),
    "RV-2027-005": ("met, due 2027-04-04", "expired, due 2027-04-03"),
    "TW-2025-001": ("expired, due 2025-03-07", "expired, due 2025-03-05"),
    "TW-2027-001": ("expired, due 2027-03-12", "expired, due 2027-03-10"),
}
"""Judged by hand against DESIGN-v2 "Clocks start when the complete document is received"
(A4 §1.5.1): @1 counted the four weeks from `accept_quick_test_as_complete`, @2 from the
`submit_quick_test`/`resubmit_quick_test` it accepts. Each of these quick tests was accepted
one day (BT, ES, LP, RJ, RV) or two days (the demo plans TW: from the resubmission) after it
was received, so under @2 the decision is due that much earlier; it is met nowhere under @2
(the decision is refused, see EXPECTED), so it expires where the log runs past the day and
stays open for RJ, whose log ends on 26 March. OP never leaves intent under @2, so its
quick-test clock never starts. The deadlines of later steps that @2 never reaches are listed
on the recorded side only."""


def test_audit_impact_on_a_database_of_v1_plans(sqlite_url: str) -> None:
    """Acceptance: `azwa audit impact --to transformation@2 --db` on the plans of the
    recorded logs and the demo's steps before 2026, all registered under @1, lists exactly
    these plans and commands; exit 1."""
    engine = v1_database.build(sqlite_url)
    assert {engine.state(p).definition for p in EXPECTED} == {"transformation@1"}
    out = CliRunner().invoke(app, ["audit", "impact", "--to", "transformation@2", "--db",
                                   sqlite_url, "--json"])
    assert out.exit_code == 1, out.output
    data = json.loads(out.output)
    assert data["plans_checked"] == len(EXPECTED)
    got = {}
    for plan_id, found in data["plans"].items():
        first = found["refused"][0]
        state = found["changed"].get("state")
        got[plan_id] = ((first["seq"], first["trigger"], first["rule"], first["seed"]),
                        found["breached_now"], found["no_longer_breached"],
                        (state["recorded"], state["as"]) if state else None)
    assert got == EXPECTED
    due = {p: (f["changed"]["deadlines"]["recorded"].get("quick_test_decision"),
               f["changed"]["deadlines"]["as"].get("quick_test_decision"))
           for p, f in data["plans"].items()}
    assert due == QUICK_TEST_DUE
    text = CliRunner().invoke(app, ["audit", "impact", "--to", "transformation@2", "--db",
                                    sqlite_url])
    assert "8 plan(s) replayed as transformation@2: 8 affected" in text.output
    assert "seq 2 join_as_financier: refused" in text.output


def test_same_version_affects_nothing() -> None:
    """Judged by the version it ran under, no plan is affected: exit 0."""
    out = CliRunner().invoke(app, ["replay", str(LOGS / "lapsed.jsonl"), "--as",
                                   "transformation@1"])
    assert out.exit_code == 0 and "0 affected" in out.output


def test_migration_refused_with_first_divergence_and_allowed_to_same_rules(
        sqlite_url: str) -> None:
    """A live @1 plan cannot move to @2 (its quick test was decided without the second
    insurer's review): refused naming seq 9, nothing written."""
    engine = Engine(sqlite_url)
    demo.play(engine, start="2025-01-06T09:00:00+01:00", before="decide_go")
    seq = engine.state(demo.PLAN_ID).seq
    out = CliRunner().invoke(app, ["plan", "migrate", demo.PLAN_ID, "--to",
                                   "transformation@2", "--db", sqlite_url])
    assert out.exit_code == 1 and "seq 9: approve_quick_test would be refused" in out.output
    assert engine.state(demo.PLAN_ID).seq == seq

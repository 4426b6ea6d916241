"""DESIGN-v2.md: transformation@2 is in force for plans registered on or after 2026-01-01 (a
setting); a plan stays on the version it was registered under. Replay names each plan's
version and lists missed aims and the amount to reclaim (DESIGN-v2.md "Replay output")."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import states
from workflow.service.api import Engine
from workflow.service.demo import PLAN_ID, for_definition, play

from ...replay.helpers import LOGS, azwa
from ..builders import INSURER, MAKER, NZA, escalated_to, local, registration
from .builders import plan_in_v2, settle_payload

REGISTER_TWO = """
import json, sys
from workflow.service.api import Engine
from tests.rules.builders import MAKER, registration
engine = Engine(sys.argv[1])
out = {}
for plan_id, at in (("OLD", "2025-12-31T23:59:00+01:00"), ("NEW", "2026-01-01T00:00:00+01:00")):
    out[plan_id] = engine.register(plan_id, MAKER, registration(), at=at).plan.definition
print("RESULT " + json.dumps(out))
"""
ROOT = Path(__file__).resolve().parents[3]


def _result(stdout: str) -> Any:
    """The line the script printed (the service logs its commands on the same stream)."""
    return json.loads(next(line for line in stdout.splitlines()
                           if line.startswith("RESULT "))[7:])


def _default_settings() -> dict[str, str]:
    """The environment of a user who set nothing (the suite moves @2's date for @1's tests)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AZWA_")}
    return {**env, "PYTHONPATH": str(ROOT)}


def test_in_force__the_version_of_the_registration_date() -> None:
    """DESIGN-v2.md: a plan registered before the in-force date runs under @1, one registered
    on or after it under @2 (states.in_force reads each definition's effective_from)."""
    v2_from = states.get("transformation@2").effective_from
    assert states.in_force("transformation", "2025-12-31").ref == "transformation@1"
    assert states.in_force("transformation", v2_from).ref == "transformation@2"


def test_in_force__default_setting_registers_from_2026_under_v2(tmp_path: Path) -> None:
    """DESIGN-v2.md: with the default setting, @2 is in force from 2026-01-01.

    Given no setting, when plans are registered through the service one minute before and at
    midnight of 1 January 2026 (Amsterdam), then the first runs under @1 and the second @2.
    """
    done = subprocess.run([sys.executable, "-c", REGISTER_TWO, f"sqlite:///{tmp_path}/a.db"],
                          env=_default_settings(), capture_output=True, text=True, cwd=ROOT,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert _result(done.stdout) == {"OLD": "transformation@1", "NEW": "transformation@2"}


def test_in_force__the_setting_moves_the_date(tmp_path: Path) -> None:
    """DESIGN-v2.md: the in-force date is a setting (AZWA_TRANSFORMATION_V2_FROM).

    Given the setting 2030-01-01, when the same plans are registered, then both run under @1;
    a date that is no date is refused at start with the setting's name.
    """
    env = {**_default_settings(), "AZWA_TRANSFORMATION_V2_FROM": "2030-01-01"}
    done = subprocess.run([sys.executable, "-c", REGISTER_TWO, f"sqlite:///{tmp_path}/b.db"],
                          env=env, capture_output=True, text=True, cwd=ROOT, check=False)
    assert _result(done.stdout) == {"OLD": "transformation@1", "NEW": "transformation@1"}
    env["AZWA_TRANSFORMATION_V2_FROM"] = "volgend jaar"
    bad = subprocess.run([sys.executable, "-c", "import states"], env=env, cwd=ROOT,
                         capture_output=True, text=True, check=False)
    assert bad.returncode != 0 and "AZWA_TRANSFORMATION_V2_FROM" in bad.stderr


def test_demo__with_default_settings_closes_both_plans_under_v2(tmp_path: Path) -> None:
    """`make run`'s demo (dated 2027) runs under @2 with the default setting and still reaches
    its ends: both plans closed, the quick-test breach and the escalation to step 2 and back.
    """
    done = subprocess.run([sys.executable, "-c", "from workflow.cli.main import app; app()",
                           "demo", "--db", str(tmp_path / "demo.db"), "--json"],
                          env=_default_settings(), capture_output=True, text=True, cwd=ROOT,
                          check=False)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    plan = data["plan"]
    assert (plan["definition"], plan["state"]) == ("transformation@2", "closed")
    assert plan["breaches"] == ["quick_test_decision"]
    assert [h["to"] for h in plan["escalation_history"]] == ["bilateral", "convened", "none"]
    assert plan["funds"]["refund_eur"] == 20000
    assert data["breakthrough"]["state"] == "closed"


def test_a_plan_stays_on_its_version(sqlite_url: str) -> None:
    """DESIGN-v2.md: a plan stays on the version it was registered under.

    Given a plan registered under @1 and a service that registers new plans under @2, when
    the @1 plan is driven further, then it keeps @1's rules (its escalation may still climb to
    v1's governance step) while a new plan is registered under @2.
    """
    old = escalated_to("governance")
    engine = Engine(sqlite_url, definition=states.get("transformation@1"))
    play(engine, "OLD", before="escalate")
    newer = Engine(sqlite_url, definition=states.get("transformation@2"))
    fired = newer.fire("OLD", "withdraw", MAKER, {"reason": "Stoppen"},
                       at="2027-12-01T09:00:00+01:00")
    assert fired.plan.definition == "transformation@1" and fired.plan.state == "withdrawn"
    assert newer.register("NEW", MAKER, registration(), at=local(2027, 12, 2)).plan.definition \
        == "transformation@2"
    assert old.escalation == "governance"


def _v2_log(tmp_path: Path) -> dict[str, Any]:
    """A database of @2 plans through the service, exported and replayed."""
    url = f"sqlite:///{tmp_path}/v2.db"
    engine = Engine(url, definition=states.get("transformation@2"))
    play(engine, PLAN_ID)
    aim = escalated_to("board_level", build=plan_in_v2)
    unlawful = plan_in_v2("accountability", plan_id="UNLAWFUL")
    unlawful.fire("settle", INSURER, settle_payload(unlawful))
    unlawful.fire("give_lawfulness_judgement", NZA, {"verdict": "unlawful", "reason": "Nee"})
    late = plan_in_v2("intent", plan_id="LATE")
    late.fire("agree_character", INSURER, {"character": "innovation"})
    late.fire("submit_quick_test", MAKER, at=local(2027, 2, 1))
    late.fire("accept_quick_test_as_complete", INSURER, at=local(2027, 3, 10))
    for run, plan_id in ((aim, "AIM"), (unlawful, "UNLAWFUL"), (late, "LATE")):
        for trigger, actor, payload, at in run.commands:
            if trigger == "register_plan":
                engine.register(plan_id, actor, payload, at=at)
            else:
                engine.fire(plan_id, trigger, actor, payload, at=at)
    engine.tick(local(2027, 9, 1))
    out = tmp_path / "v2.jsonl"
    assert azwa("export", "--db", url, "--format", "jsonl", "-o", out).exit_code == 0
    result = azwa("replay", out, "--json")
    assert result.exit_code == 0, result.stdout
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_replay__v2_plans_name_their_version_missed_aims_and_reclaim(tmp_path: Path) -> None:
    """DESIGN-v2.md "Replay output": per plan `definition`, `missed_aims` and funds
    `reclaim_eur`; a quick test accepted after its deadline replays clean with the expiry the
    acceptance recorded.

    Given @2 plans stored by the service (the demo, a missed board-meeting aim, an unlawful
    verdict, a late acceptance), when their export is replayed, then each replays clean with
    those fields as the service stored them.
    """
    plans = _v2_log(tmp_path)["plans"]
    assert {p["definition"] for p in plans.values()} == {"transformation@2"}
    assert all(p["violations"] == [] for p in plans.values())
    assert plans["AIM"]["missed_aims"] == ["board_meeting"]
    assert "board_meeting" not in plans["AIM"]["breaches"]
    assert plans["UNLAWFUL"]["funds"]["reclaim_eur"] == 180000
    assert plans[PLAN_ID]["funds"]["reclaim_eur"] == 0
    assert plans["LATE"]["breaches"] == ["quick_test_decision"]


def test_replay__v1_plans_have_no_missed_aims() -> None:
    """DESIGN-v2.md "Replay output", for @1: `missed_aims` is empty and `definition` names
    transformation@1 (the recorded escalation log breached board_meeting under v1's rule)."""
    result = azwa("replay", LOGS / "escalation_ladder.jsonl", "--json")
    plans = json.loads(result.stdout)["plans"]
    assert all(p["missed_aims"] == [] and p["definition"] == "transformation@1"
               for p in plans.values())
    assert any("board_meeting" in p["breaches"] for p in plans.values())


def test_demo_steps__unchanged_under_v1() -> None:
    """The demo's steps under @1 are exactly the scenario as written (for plans registered
    before the in-force date), so logs made from them stay @1 logs."""
    from workflow.service.demo import STEPS

    assert for_definition("transformation@1", STEPS) == STEPS
    assert len(for_definition("transformation@2", STEPS)) == len(STEPS) + 3

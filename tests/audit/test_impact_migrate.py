"""`azwa plan migrate` / `Engine.migrate`: a live plan moves to another version only when its
whole history replays clean under it; the `definition_migrated` event is in the hash chain,
and replay and verify run the rest of the plan under the new version."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from workflow.audit.replay import rebuild
from workflow.audit.verify import verify
from workflow.cli.main import app
from workflow.core.errors import Refused
from workflow.service import demo
from workflow.service.api import Engine

START = "2025-03-03T09:00:00+01:00"


def _early_plan(db_url: str) -> Engine:
    """A plan registered under @1 in 2025 that has only met its start meeting: nothing in
    its history that transformation@2 judges differently."""
    engine = Engine(db_url)
    engine.register("EA-2025-001", demo.MAKER, {**demo.REGISTRATION, "domain_transcending":
                                                False}, at=START)
    engine.fire("EA-2025-001", "hold_start_meeting", demo.INSURER,
                at="2025-03-10T09:00:00+01:00")
    return engine


def test_a_clean_history_moves_to_v2_and_runs_under_it(db_url: str) -> None:
    """Given a live @1 plan whose history @2 accepts, when migrated, then one
    definition_migrated event is chained, the plan runs under @2 (its own rules: the
    character is still agreed as before), and verify and replay agree with the store."""
    engine = _early_plan(db_url)
    fired = engine.migrate("EA-2025-001", "transformation@2", demo.INSURER,
                           at="2025-03-11T09:00:00+01:00")
    [event] = fired.events
    # What @2 records apart from @1 for the same history (DESIGN-v2): the quick-test
    # reviews kept apart, the municipalities' waivers, commitments to an amendment, and the
    # amount to reclaim shown with the funds.
    assert (event.trigger, event.payload, event.definition) == (
        "definition_migrated", {
            "from": "transformation@1", "to": "transformation@2",
            "facts": {"quick_test_reviews": {}, "coordinator_waivers": [],
                      "amendment_commitments": {}},
            "funds": {"paid_cents": 0, "costs_cents": 0, "refund_cents": 0,
                      "reclaim_cents": 0}},
        "transformation@2")
    assert engine.state("EA-2025-001").definition == "transformation@2"
    # The quick test now runs as @2 has it: decided after the second insurer's review.
    for day, trigger, actor, payload in (
            (12, "agree_character", demo.INSURER, {"character": "scaling"}),
            (13, "submit_quick_test", demo.MAKER, {}),
            (14, "accept_quick_test_as_complete", demo.INSURER, {}),
            (15, "submit_review", demo.SECOND, {"verdict": "positive"}),
            (16, "approve_quick_test", demo.INSURER, {})):
        engine.fire("EA-2025-001", trigger, actor, payload, at=f"2025-03-{day}T09:00:00+01:00")
    assert engine.state("EA-2025-001").state == "plan_in_preparation"
    history = engine.history("EA-2025-001")
    assert [e.definition for e in history] == ["transformation@1"] * 2 + [
        "transformation@2"] * 6
    assert rebuild(history).to_dict() == engine.state("EA-2025-001").to_dict()
    assert verify(engine.store).ok


def test_dry_run_stores_nothing_and_a_final_plan_is_not_migrated(db_url: str) -> None:
    engine = _early_plan(db_url)
    seq = engine.state("EA-2025-001").seq
    assert engine.migrate("EA-2025-001", "transformation@2", demo.INSURER,
                          dry_run=True).events == []
    assert engine.state("EA-2025-001").seq == seq
    engine.fire("EA-2025-001", "withdraw", demo.MAKER, at="2025-03-12T09:00:00+01:00")
    with pytest.raises(Refused, match="withdrawn under transformation@1"):
        engine.migrate("EA-2025-001", "transformation@2", demo.INSURER)


def test_a_diverging_history_is_refused_naming_the_first_divergence(db_url: str) -> None:
    """The demo before 2026 decided its quick test without the second insurer's review:
    refused at seq 9, nothing written (A4 §1.3.2 under @2)."""
    engine = Engine(db_url)
    demo.play(engine, start="2025-01-06T09:00:00+01:00", before="decide_go")
    seq = engine.state(demo.PLAN_ID).seq
    with pytest.raises(Refused, match="seq 9: approve_quick_test would be refused") as caught:
        engine.migrate(demo.PLAN_ID, "transformation@2", demo.INSURER)
    assert caught.value.rule == "history_replays_clean"
    assert engine.state(demo.PLAN_ID).seq == seq
    assert engine.state(demo.PLAN_ID).definition == "transformation@1"


def test_cli_migrate_and_replay_of_the_export(sqlite_url: str, tmp_path: Path) -> None:
    """On the command line, with --dry-run first; the exported log replays clean."""
    _early_plan(sqlite_url)
    runner = CliRunner()
    base = ["plan", "migrate", "EA-2025-001", "--to", "transformation@2", "--db", sqlite_url,
            "--actor", json.dumps(demo.INSURER.to_dict())]
    dry = runner.invoke(app, [*base, "--dry-run"])
    assert dry.exit_code == 0 and "can move to transformation@2" in dry.output
    done = runner.invoke(app, [*base, "--json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["events"][0]["trigger"] == "definition_migrated"
    log = tmp_path / "log.jsonl"
    assert runner.invoke(app, ["export", "--db", sqlite_url, "-o", str(log)]).exit_code == 0
    replayed = runner.invoke(app, ["replay", str(log), "--json"])
    assert replayed.exit_code == 0, replayed.output
    plan = json.loads(replayed.output)["plans"]["EA-2025-001"]
    assert plan["definition"] == "transformation@2" and plan["violations"] == []
    again = runner.invoke(app, base)
    assert again.exit_code == 1 and "nothing to migrate" in again.output

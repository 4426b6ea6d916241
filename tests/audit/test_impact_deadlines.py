"""`azwa audit impact` and `azwa plan migrate` judge a history by one comparison
(workflow/core/migration.py): a deadline whose due day differs under the other version is a
difference for both. DESIGN-v2 "Clocks start when the complete document is received"
(A4 §1.5.1: "binnen 4 weken na ontvangst van een complete aanvraag"): under @2
`quick_test_decision` runs from the submission that turned out complete, under @1 from its
acceptance."""

from __future__ import annotations

import json

import pytest
from click.testing import Result
from typer.testing import CliRunner

from tests.definitions import v1_database
from workflow.audit.impact import impact
from workflow.cli.main import app
from workflow.core.errors import Refused
from workflow.service import demo
from workflow.service.api import Engine

PLAN = "QT-2025-001"


def _quick_test_accepted(db_url: str, accepted: str) -> Engine:
    """A @1 plan (2025) whose quick test was submitted on 11 March and accepted as complete
    at `accepted`; nothing decided yet."""
    engine = Engine(db_url)
    engine.register(PLAN, demo.MAKER, {**demo.REGISTRATION, "domain_transcending": False},
                    at="2025-03-03T09:00:00+01:00")
    for at, trigger, actor, payload in (
            ("2025-03-10T09:00:00+01:00", "hold_start_meeting", demo.INSURER, {}),
            ("2025-03-10T10:00:00+01:00", "agree_character", demo.INSURER,
             {"character": "scaling"}),
            ("2025-03-11T09:00:00+01:00", "submit_quick_test", demo.MAKER, {}),
            (accepted, "accept_quick_test_as_complete", demo.INSURER, {})):
        engine.fire(PLAN, trigger, actor, payload, at=at)
    return engine


def _impact(db_url: str) -> Result:
    return CliRunner().invoke(app, ["audit", "impact", "--to", "transformation@2", "--db",
                                    db_url, "--json"])


def test_a_moved_due_day_is_listed_by_impact_and_refused_by_migrate(sqlite_url: str) -> None:
    """Given a @1 plan whose quick test was accepted five days after it was received, when
    judged by @2, then impact lists it (exit 1) with quick_test_decision due 8 April instead
    of 13 April, and plan migrate --dry-run refuses it naming the same deadline."""
    engine = _quick_test_accepted(sqlite_url, "2025-03-16T09:00:00+01:00")
    out = _impact(sqlite_url)
    assert out.exit_code == 1, out.output
    found = json.loads(out.output)["plans"][PLAN]
    assert found["refused"] == [] and found["breached_now"] == []
    assert found["changed"] == {"deadlines": {
        "recorded": {"quick_test_decision": "open, due 2025-04-13"},
        "as": {"quick_test_decision": "open, due 2025-04-08"}}}
    with pytest.raises(Refused, match=r"deadlines would be .*quick_test_decision.*2025-04-08"):
        engine.migrate(PLAN, "transformation@2", demo.INSURER, dry_run=True)


def test_the_same_due_day_is_no_difference_for_either(sqlite_url: str) -> None:
    """Given a @1 plan whose quick test was accepted the day it was received, when judged by
    @2, then impact lists nothing (exit 0) and plan migrate --dry-run accepts it."""
    engine = _quick_test_accepted(sqlite_url, "2025-03-11T15:00:00+01:00")
    out = _impact(sqlite_url)
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["plans_affected"] == 0
    assert engine.migrate(PLAN, "transformation@2", demo.INSURER, dry_run=True).events == []


def test_impact_and_migrate_agree_on_every_live_plan(sqlite_url: str) -> None:
    """Given the database of @1 plans (the recorded logs and the demo before 2026), when each
    live plan is judged by @2, then impact lists exactly the plans a migration refuses."""
    engine = v1_database.build(sqlite_url)
    judged = impact(engine.store.iter_events(), "transformation@2", grouped=True)
    live = [p for p in judged.plans if engine.state(p).state not in
            ("closed", "terminated", "rejected", "withdrawn", "lapsed")]
    assert live
    for plan_id in live:
        try:
            engine.migrate(plan_id, "transformation@2", demo.INSURER, dry_run=True)
            movable = True
        except Refused:
            movable = False
        assert movable is not judged.plans[plan_id].affected, plan_id

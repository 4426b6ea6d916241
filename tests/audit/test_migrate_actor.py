"""Who moves a plan to another version: azwa's own rule (the seeds know no versions) is
that the plan's coordinating insurer does, and `plan migrate` records that insurer when no
--actor is given (docs/versions.md "Moving a plan"). The recorded actor is an organisation,
so the exported log replays clean."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from workflow.cli.main import app
from workflow.core.errors import Refused
from workflow.service import demo
from workflow.service.api import Engine

from .test_impact_migrate import _early_plan

PLAN = "EA-2025-001"


def _migrate(db_url: str, *extra: str) -> Result:
    return CliRunner().invoke(app, ["plan", "migrate", PLAN, "--to", "transformation@2",
                                    "--db", db_url, *extra])


@pytest.mark.parametrize("actor", [
    {"role": "plan_maker", "org": "Huisartsen Twente"},
    {"role": "coordinating_insurer", "org": "VGZ"},
    {"role": "nza", "org": "VGZ"},
    {"role": "coordinating_insurer", "org": ""},
])
def test_another_actor_is_refused_in_one_line(sqlite_url: str, actor: dict[str, str]) -> None:
    """Given a live @1 plan whose coordinating insurer is Menzis, when anyone else (another
    role, another insurer, no organisation) migrates it, then it is refused with one line
    naming the rule and `azwa`, exit 1, and nothing is written."""
    engine = _early_plan(sqlite_url)
    seq = engine.state(PLAN).seq
    out = _migrate(sqlite_url, "--actor", json.dumps(actor))
    assert out.exit_code == 1, out.output
    message = out.output.strip()
    assert "\n" not in message and "coordinating insurer (Menzis)" in message
    with pytest.raises(Refused) as caught:
        engine.migrate(PLAN, "transformation@2", actor, dry_run=True)
    assert (caught.value.rule, caught.value.seed) == ("migrated_by_the_coordinating_insurer",
                                                      "azwa")
    assert engine.state(PLAN).seq == seq


def test_default_actor_is_the_coordinating_insurer_and_the_export_replays(
        sqlite_url: str, tmp_path: Path) -> None:
    """Given a live @1 plan, when it is migrated without --actor, then the event records
    its coordinating insurer (Menzis), and the exported log replays without violations and
    verifies; the insurer named in another spelling is accepted too."""
    _early_plan(sqlite_url)
    out = _migrate(sqlite_url, "--json")
    assert out.exit_code == 0, out.output
    event = json.loads(out.output)["events"][0]
    assert event["actor"]["role"] == "coordinating_insurer"
    assert event["actor"]["org"] == demo.INSURER.org
    runner = CliRunner()
    log = tmp_path / "log.jsonl"
    assert runner.invoke(app, ["export", "--db", sqlite_url, "-o", str(log)]).exit_code == 0
    replayed = runner.invoke(app, ["replay", str(log), "--json"])
    assert replayed.exit_code == 0, replayed.output
    plan = json.loads(replayed.output)["plans"][PLAN]
    assert plan["definition"] == "transformation@2" and plan["violations"] == []

    other = Engine(f"sqlite:///{tmp_path}/other.db")
    other.register(PLAN, demo.MAKER, {**demo.REGISTRATION, "domain_transcending": False},
                   at="2025-03-03T09:00:00+01:00")
    fired = other.migrate(PLAN, "transformation@2",
                          {"role": "coordinating_insurer", "org": " menzis "},
                          at="2025-03-04T09:00:00+01:00")
    assert fired.events[0].definition == "transformation@2"

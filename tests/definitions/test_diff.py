"""`azwa definition diff`: what changed from @1 to @2, in Markdown and JSON, ordered."""

from __future__ import annotations

import json

from typer.testing import CliRunner

import states
from workflow.audit.definition_diff import diff
from workflow.cli.main import app


def test_v1_to_v2_names_the_rules_design_v2_changes() -> None:
    """DESIGN-v2: the quick test is decided after the second insurer's review, the
    board_meeting deadline is an aim, and `settle` gains payload fields."""
    result = diff(states.get("transformation@1"), states.get("transformation@2"))
    names = {(c.section, c.name, c.change) for c in result.changes}
    assert ("deadlines", "board_meeting.kind", "changed") in names
    # Other financiers: a care office (A4 §1.a.1); the ladder's step 4 is gone (A4 §1.4).
    assert ("roles", "care_office", "added") in names
    assert ("roles", "governance_board → resolve_escalation", "removed") in names
    assert ("states", "escalation:governance", "removed") in names
    assert ("states", "settlement_due", "added") in names
    assert ("triggers", "decide_no_go", "changed") in names
    assert any(s == "payloads" and n.startswith("settle.") and c == "added"
               for s, n, c in names)
    assert diff(states.get("transformation@1"), states.get("transformation@1")).changes == ()
    keys = [(c.section, c.name) for c in result.changes]
    assert keys == sorted(keys, key=lambda k: (
        ("states", "triggers", "roles", "guards", "deadlines", "payloads").index(k[0]), k[1]))


def test_cli_markdown_and_json() -> None:
    md = CliRunner().invoke(app, ["definition", "diff", "transformation@1", "transformation@2"])
    assert md.exit_code == 0 and md.output.startswith("# transformation@1 → transformation@2")
    js = CliRunner().invoke(app, ["definition", "diff", "transformation@1", "transformation@2",
                                  "--format", "json"])
    assert json.loads(js.output)["to"] == "transformation@2"

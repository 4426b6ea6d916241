"""`azwa audit report` of a transformation@2 plan: a missed aim is shown apart from a breach
(DESIGN-v2.md "Escalation": the board_meeting deadline has kind `aim`; its expiry is recorded
as a missed aim, never as a breach, and reports show the two apart)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import states
from workflow.service.api import Engine

from ..replay.helpers import azwa
from ..rules.builders import INSURER, MAKER, Run, into_service
from ..rules.v2.builders import plan_in_v2


def _rows(text: str, heading: str) -> list[list[str]]:
    start = text.index(f"## {heading}")
    end = text.find("\n## ", start + 1)
    lines = [r for r in text[start:end if end > 0 else None].splitlines() if r.startswith("| ")]
    return [[c.strip() for c in re.split(r"(?<!\\)\|", r)[1:-1]] for r in lines[1:]]


def _escalated_to_board_level(*, late: bool) -> Run:
    """A @2 plan in preparation escalated to board level; the board meets after 20 days (the
    two-week aim missed) or after 5 (the aim met); plan_submission is left to expire."""
    run = plan_in_v2("plan_in_preparation")
    run.fire("escalate", MAKER, {"issue": "Geen reactie", "contact": "Directie"})
    run.fire("escalate", INSURER, {"issue": "Geen reactie"})
    run.fire("escalate", INSURER, {"issue": "Geen reactie"})
    run.fire("hold_board_meeting", INSURER, at=run.at + timedelta(days=20 if late else 5))
    return run


def test_a_missed_aim_reads_aim_missed_not_breached(sqlite_url: str, tmp_path: Path) -> None:
    """Given a @2 plan whose board_meeting aim expired before the board met, when its audit
    report is written, then the deadline table and the timeline show board_meeting as
    "aim missed" (never "breached"), the summary lists it under missed aims, not breaches,
    and the picture's legend tells the marks apart."""
    run = _escalated_to_board_level(late=True)
    engine = Engine(sqlite_url, definition=states.get("transformation@2"))
    plan_id = into_service(engine, run)
    assert engine.state(plan_id).missed_aims == ["board_meeting"]
    out = tmp_path / "aim.md"
    result = azwa("audit", "report", plan_id, "--db", sqlite_url, "-o", out)
    assert result.exit_code == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    compliance = {r[0]: r for r in _rows(text, "Deadline compliance")}
    assert compliance["board_meeting"][5].startswith("aim missed")
    timeline = [r[6] for r in _rows(text, "Timeline")]
    assert any("board_meeting: aim missed" in cell for cell in timeline)
    assert not any("board_meeting: breached" in cell for cell in timeline)
    assert "breached" not in compliance["board_meeting"][5]
    assert "missed aims" in text and "board_meeting" in text.split("missed aims", 1)[1][:80]
    svg = (tmp_path / "aim.timeline.svg").read_text(encoding="utf-8")
    assert "aim missed" in svg


def test_a_met_aim_and_a_breach_read_as_before(sqlite_url: str) -> None:
    """Given a @2 plan whose board met within the two weeks, and whose plan_submission
    expired unmet, when its report is printed, then board_meeting reads "met" and the
    expired deadline (kind `deadline`) still reads "breached"."""
    run = _escalated_to_board_level(late=False)
    engine = Engine(sqlite_url, definition=states.get("transformation@2"))
    plan_id = into_service(engine, run)
    engine.tick(run.plan.deadlines["plan_submission"].expires_at)
    assert engine.state(plan_id).breaches == ["plan_submission"]
    result = azwa("audit", "report", plan_id, "--db", sqlite_url)
    assert result.exit_code == 0, result.stderr
    compliance = {r[0]: r for r in _rows(result.stdout, "Deadline compliance")}
    assert compliance["board_meeting"][5] == "met"
    assert compliance["plan_submission"][5].startswith("breached")
    assert "missed aims" not in result.stdout

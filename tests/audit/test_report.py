"""`azwa audit report PLAN`: timeline, deadline compliance, escalations, KPI payments and the
four conditions of the lawfulness judgement (A4 §3.a.5), with a timeline picture."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from workflow.audit import report as audit_report
from workflow.core.clock import FakeClock
from workflow.core.timecalc import parse_at
from workflow.service import demo
from workflow.service.api import Engine

from ..replay.helpers import azwa

DEMO = demo.PLAN_ID


@pytest.fixture
def stored(sqlite_url: str) -> Engine:
    engine = Engine(sqlite_url, FakeClock(demo.START))
    demo.run(engine)
    return engine


def _section(text: str, heading: str) -> str:
    start = text.index(f"## {heading}")
    end = text.find("\n## ", start + 1)
    return text[start:end if end > 0 else None]


def _rows(section: str) -> list[list[str]]:
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    return [[c.strip() for c in re.split(r"(?<!\\)\|", r)[1:-1]] for r in rows[1:]]


def test_markdown_report_of_a_closed_plan(stored: Engine, sqlite_url: str,
                                          tmp_path: Path) -> None:
    """A4 §1.5, §1.4, §1.7, §3.a.5: the report of the demo plan lists every event, the days
    used of the days allowed per deadline (the breached quick-test decision done late), the
    escalation steps, the KPI payments and the four conditions, all ticked."""
    # Given the demo plan, closed
    out = tmp_path / "report.md"
    # When its report is written as Markdown
    result = azwa("audit", "report", DEMO, "--db", sqlite_url, "-o", out)
    # Then it holds each part, and the picture beside it
    assert result.exit_code == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    picture = tmp_path / "report.timeline.svg"
    assert "![timeline of TW-2027-001](report.timeline.svg)" in text
    assert picture.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    timeline = _rows(_section(text, "Timeline"))
    assert len(timeline) == len(stored.history(DEMO)) == 35
    assert timeline[6][2] == "accept_quick_test_as_complete"
    assert timeline[6][6] == "quick_test_decision: due 2027-03-12 (28 days left)"
    assert timeline[7][2:4] == ["deadline_expired", "azwa (system)"]
    compliance = {r[0]: r for r in _rows(_section(text, "Deadline compliance"))}
    assert compliance["quick_test_decision"][3:6] == [
        "31", "28", "breached, done late 2027-03-15 09:00"]
    assert compliance["plan_submission"][3:6] == ["57", "122", "met"]
    escalations = _rows(_section(text, "Escalation history"))
    assert [(r[2], r[3]) for r in escalations] == [
        ("none", "bilateral"), ("bilateral", "convened"), ("convened", "none")]
    kpis = {r[0]: r for r in _rows(_section(text, "KPI payments"))}
    assert kpis["k2"][4:7] == ["partial", "€ 150,000.00", "go"]
    conditions = _rows(_section(text, "Lawfulness judgement"))
    assert len(conditions) == 4
    assert all(r[1] == "✔ ticked" and r[2] == "A4 §3.a.5" for r in conditions)


def test_missing_conditions_are_marked(sqlite_url: str) -> None:
    """A4 §3.a.5: for a plan still in implementation, the conditions not yet met (costs and
    KPI evidence, monitoring) are marked missing, the others ticked."""
    # Given a plan just contracted and paid, nothing recorded since
    engine = Engine(sqlite_url, FakeClock(demo.START))
    demo.play(engine, "TW-2027-002", before="confirm_kpi")
    # When its report is printed
    result = azwa("audit", "report", "TW-2027-002", "--db", sqlite_url)
    # Then two conditions are ticked and two are missing, with what is missing
    assert result.exit_code == 0
    rows = {r[0]: r for r in _rows(_section(result.stdout, "Lawfulness judgement"))}
    assert rows["A payment decision (betaalbeschikking) of the NZa"][1] == "✔ ticked"
    assert rows["Approved plan and a signed agreement with KPIs"][1] == "✔ ticked"
    costs = rows["Cost registration and evidence of the achieved KPIs"]
    assert costs[1] == "✘ missing" and "open KPIs ['k1', 'k2']" in costs[3]
    assert rows["Monitoring and adjustment took place"][1] == "✘ missing"


def test_html_report_embeds_the_picture(stored: Engine, sqlite_url: str, tmp_path: Path) -> None:
    """A4 §3.a.5: the HTML report is one self-contained page with the timeline inline."""
    # Given the demo plan, When its report is written as HTML
    out = tmp_path / "report.html"
    result = azwa("audit", "report", DEMO, "--db", sqlite_url, "--format", "html", "-o", out)
    # Then the page holds the picture and the tables
    assert result.exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert page.count("<svg") == 1
    assert "<h2>Deadline compliance</h2>" in page and 'class="ticked"' in page
    assert not list(tmp_path.glob("*.svg"))


def test_png_picture(stored: Engine, sqlite_url: str, tmp_path: Path) -> None:
    """A4 §1.5: --picture with a .png name writes a PNG timeline."""
    # Given the demo plan, When the picture is asked as PNG
    picture = tmp_path / "timeline.png"
    result = azwa("audit", "report", DEMO, "--db", sqlite_url, "--picture", picture)
    # Then a PNG file is written and linked from the report
    assert result.exit_code == 0
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "timeline.png" in result.stdout


def test_open_deadlines_as_of_a_later_moment(stored: Engine) -> None:
    """A4 §1.5.3: a deadline still open counts its days used up to the moment of the report."""
    # Given a plan whose decision deadline is running
    events = [e for e in stored.history(DEMO) if e.seq <= 14]
    # When the report is built as of ten days after acceptance
    report = audit_report.build(events, parse_at("2027-05-26T10:00:00+02:00"))
    # Then the open deadline has used ten of its 56 days
    run = next(r for r in report.deadlines if r.name == "plan_decision")
    assert (run.verdict, run.used_days(report.as_of), run.allowed_days) == ("open", 10, 56)


def test_report_of_an_unknown_plan_exits_2(stored: Engine, sqlite_url: str) -> None:
    """DESIGN.md "Auditor interface": a plan that is not in the database is reported on one
    line, exit 2."""
    # Given the demo database, When the report of another plan is asked
    result = azwa("audit", "report", "NO-SUCH-PLAN", "--db", sqlite_url)
    # Then it exits 2
    assert result.exit_code == 2
    assert "no plan 'NO-SUCH-PLAN'" in result.stderr

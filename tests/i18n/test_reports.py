"""The demo, the audit report and `plan list` in Dutch: every text looked up is in the
catalogue, amounts and days as a Dutch reader writes them."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from workflow.audit import report as audit_report
from workflow.cli.main import app
from workflow.core import i18n
from workflow.core.clock import FakeClock
from workflow.service import demo
from workflow.service.api import Engine


def azwa(*args: object) -> tuple[int, str]:
    result = CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "250"})
    return result.exit_code, result.stdout


def test_the_demo_in_dutch_looks_up_nothing_missing(tmp_path: Path) -> None:
    i18n.forget_missing()
    code, out = azwa("--lang", "nl", "demo", "--db", tmp_path / "demo.db")
    assert code == 0 and i18n.missing() == set()
    for dutch in ("Tijdlijn", "betaalbeschikking afgeven", "is geëindigd met status",
                  "uitbetaald € 200.000, kosten € 180.000, terug te betalen € 20.000",
                  "termijnoverschrijdingen: besluit snelle toets"):
        assert dutch in out, dutch
    code, out = azwa("--lang", "nl", "plan", "list", "--db", tmp_path / "demo.db")
    assert code == 0 and i18n.missing() == set()
    assert "Plannen" in out and "afgesloten" in out
    code, out = azwa("--lang", "nl", "plan", "history", demo.PLAN_ID, "--db",
                     tmp_path / "demo.db")
    assert code == 0 and i18n.missing() == set()
    assert f"Geschiedenis van {demo.PLAN_ID}" in out and "snelle toets indienen" in out


def test_the_audit_report_in_dutch(sqlite_url: str) -> None:
    """A plan half-way (two conditions of the lawfulness judgement missing) and the demo
    closed: the Markdown and the HTML report in Dutch, nothing missing from the catalogue."""
    engine = Engine(sqlite_url, FakeClock(demo.START))
    demo.play(engine, "TW-2027-002", before="confirm_kpi")
    demo.run(engine)
    i18n.forget_missing()
    with i18n.reading("nl"):
        half = audit_report.build(engine.history("TW-2027-002"))
        closed = audit_report.build(engine.history(demo.PLAN_ID))
        text = audit_report.render_md(half) + audit_report.render_md(closed)
        page = audit_report.render_html(closed)
    assert i18n.missing() == set()
    for dutch in ("# Auditrapport TW-2027-002", "## Rechtmatigheidsoordeel: de vier voorwaarden",
                  "✔ afgevinkt", "✘ ontbreekt", "Een betaalbeschikking van de NZa",
                  "## Naleving van termijnen", "overschreden, te laat gedaan op",
                  "| hashketen | in orde |", "uitbetaald € 200.000"):
        assert dutch in text, dutch
    assert "Content-Type" not in text + page
    assert '<html lang="nl">' in page and "<h2>Overtredingen</h2>" not in page
    with i18n.reading("en"):
        assert "# Audit report TW-2027-002" in audit_report.render_md(half)


def test_the_replay_report_in_dutch() -> None:
    """`azwa replay` of a log with foreign violations: the box, the violations table (each
    refusal said in Dutch, rule and paragraph as they are) and the verdict in Dutch."""
    log = Path(__file__).resolve().parents[1] / "replay" / "logs" / "foreign_violations.jsonl"
    i18n.forget_missing()
    code, out = azwa("--lang", "nl", "replay", log, "--now", "2027-12-31T12:00:00+01:00")
    assert code == 1 and i18n.missing() == set()
    for dutch in ("hashketen afwezig", "│ status", "│ termijnen overschreden",
                  "overtreding(en), elke gebeurtenis overgeslagen", "NIET IN ORDE:"):
        assert dutch in out, dutch
    code, out = azwa("--lang", "en", "replay", log, "--now", "2027-12-31T12:00:00+01:00")
    assert "violation(s), each event skipped" in out and "NOT OK:" in out


def test_the_definition_diff_in_dutch() -> None:
    """`azwa definition diff transformation@1 transformation@2 --format md` in Dutch: the
    labels translated, the identifiers and the rules' own texts as the definitions write
    them."""
    import states
    from workflow.audit.definition_diff import diff, markdown

    found = diff(states.get("transformation@1"), states.get("transformation@2"))
    i18n.forget_missing()
    with i18n.reading("nl"):
        text = markdown(found)
    assert i18n.missing() == set()
    assert "| onderdeel | toegevoegd | verwijderd | gewijzigd |" in text
    assert "## Handelingen" in text and "| handeling | wijziging |" in text
    with i18n.reading("en"):
        assert "| section | added | removed | changed |" in markdown(found)

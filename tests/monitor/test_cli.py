"""`azwa monitor`: the same figures as the Python API, in Markdown, CSV, JSON and HTML,
written safely, with a chart; an empty database gives an empty report."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.monitor.fixture import AS_OF, MAKER, build, registration
from workflow.audit.monitoring import from_store
from workflow.cli.main import app
from workflow.core.timecalc import parse_at
from workflow.service.api import Engine


def azwa(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "azwa.db"
    engine = Engine(f"sqlite:///{path}")
    build(engine)
    engine.store.close()  # type: ignore[attr-defined]
    return path


def test_json_is_what_the_python_api_computes(db: Path) -> None:
    """The command line and a page share one computation: the same numbers."""
    code, out, _ = azwa("monitor", "--db", db, "--at", AS_OF, "--by", "region", "--format",
                        "json")
    assert code == 0
    engine = Engine.open(str(db), write=False)
    expected = from_store(engine.store, as_of=parse_at(AS_OF), by="region").to_dict()
    assert json.loads(out) == json.loads(json.dumps(expected))
    assert json.loads(azwa("monitor", "--db", db, "--at", AS_OF, "--by", "region",
                           "--json")[1]) == json.loads(out)


def test_csv_has_one_figure_a_line(db: Path) -> None:
    """CSV for spreadsheets: period, group, figure, item, value; identifiers and plain
    numbers whatever the language."""
    code, out, _ = azwa("--lang", "nl", "monitor", "--db", db, "--at", AS_OF, "--by", "region",
                        "--format", "csv")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["period", "group", "figure", "item", "value"]
    assert ["2027-02", "Twente", "deadline_share_on_time", "quick_test_decision", "0.5"] in rows
    assert ["2027-02", "Twente", "deadline_median_days_used", "quick_test_decision",
            "25.0"] in rows
    assert ["2027-03", "Twente", "escalations", "bilateral", "1"] in rows
    assert ["2027-02", "Drenthe", "plans", "withdrawn", "1"] in rows


def test_markdown_in_dutch_by_default_and_english_on_request(db: Path,
                                                             monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    """Without AZWA_LANG the report is Dutch (the seed's terms, Dutch numbers); `--lang en`
    gives English with the identifiers."""
    monkeypatch.delenv("AZWA_LANG")
    code, out, _ = azwa("monitor", "--db", db, "--at", AS_OF, "--by", "region")
    assert code == 0
    assert "Monitoring (A4 §4) per maand, per regio, stand 15 maart 2027 12:00." in out
    assert "| snelle toets in beoordeling | 2 |" in out
    assert "| besluit snelle toets: aandeel op tijd | 0,0% | 50,0% |" not in out
    assert "| besluit snelle toets: aandeel op tijd | – | 50,0% |" in out
    assert "| stap 1: bilateraal | – | 1 |" not in out
    code, out, _ = azwa("--lang", "en", "monitor", "--db", db, "--at", AS_OF, "--by", "region")
    assert "| quick_test_decision: share on time | – | 50.0% |" in out
    assert "## 2027-02" in out and "| | Drenthe | Twente |" in out


def test_html_escapes_user_text_and_names_its_language(tmp_path: Path) -> None:
    """A region is user text: in HTML it is shown, never run."""
    path = tmp_path / "x.db"
    engine = Engine(f"sqlite:///{path}")
    engine.register("X", MAKER, registration("<script>alert(1)</script>"),
                    at="2027-01-05T10:00:00+01:00")
    engine.store.close()  # type: ignore[attr-defined]
    code, out, _ = azwa("--lang", "nl", "monitor", "--db", path, "--at", AS_OF, "--by",
                        "region", "--format", "html")
    assert code == 0
    assert "<script>" not in out and "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert '<html lang="nl">' in out and "<th scope=\"row\">voornemen</th>" in out


def test_markdown_escapes_user_text(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    engine = Engine(f"sqlite:///{path}")
    engine.register("X", MAKER, registration("[a](javascript:x) | b"),
                    at="2027-01-05T10:00:00+01:00")
    engine.store.close()  # type: ignore[attr-defined]
    code, out, _ = azwa("monitor", "--db", path, "--at", AS_OF, "--by", "region")
    assert code == 0 and "\\[a](javascript:x) \\| b" in out


def test_an_empty_database_gives_an_empty_report(tmp_path: Path) -> None:
    """`azwa init`, then monitor: exit 0, no period, in every format."""
    db = tmp_path / "empty.db"
    assert azwa("init", "--db", db)[0] == 0
    code, out, _ = azwa("monitor", "--db", db, "--format", "json")
    assert code == 0 and json.loads(out)["periods"] == []
    code, out, _ = azwa("--lang", "nl", "monitor", "--db", db)
    assert code == 0 and "Nog geen plannen geregistreerd" in out
    code, out, _ = azwa("monitor", "--db", db, "--format", "csv")
    assert code == 0 and out == "period,group,figure,item,value\n"


def test_first_path_no_time_no_options(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                       ) -> None:
    """Defaults only: a plan registered now on the real clock, counted this month, all plans
    together, in Dutch Markdown."""
    from datetime import datetime

    from workflow.core.timecalc import AMSTERDAM

    monkeypatch.delenv("AZWA_LANG")
    db = tmp_path / "now.db"
    engine = Engine(f"sqlite:///{db}")
    engine.register("N", MAKER, registration("Twente"))
    engine.store.close()  # type: ignore[attr-defined]
    code, out, _ = azwa("monitor", "--db", db)
    month = datetime.now(AMSTERDAM).strftime("%Y-%m")
    assert code == 0 and "per maand, alle plannen samen" in out and f"## {month}" in out
    assert "| voornemen | 1 |" in out


def test_outputs_are_written_safely_with_a_chart(db: Path, tmp_path: Path) -> None:
    """-o and --chart write whole files; an existing one is replaced only with --force, and
    the database is never an output."""
    report, chart = tmp_path / "m.html", tmp_path / "m.png"
    code, _, err = azwa("monitor", "--db", db, "--at", AS_OF, "--format", "html", "-o", report,
                        "--chart", chart)
    assert code == 0, err
    page = report.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<figure class=\"chart\">\n<svg" in page
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    code, _, err = azwa("monitor", "--db", db, "--at", AS_OF, "-o", report)
    assert code == 2 and "exists; add --force" in err
    assert azwa("monitor", "--db", db, "--at", AS_OF, "-o", report, "--force")[0] == 0
    assert report.read_text(encoding="utf-8").startswith("# Monitoring")
    code, _, err = azwa("monitor", "--db", db, "-o", db, "--force")
    assert code == 2 and "refusing to write over" in err
    code, _, err = azwa("monitor", "--db", db, "--chart", tmp_path / "m.gif")
    assert code == 2 and ".png or .svg" in err


def test_unknown_options_are_refused(db: Path) -> None:
    assert azwa("monitor", "--db", db, "--period", "week")[0] == 2
    assert azwa("monitor", "--db", db, "--by", "colour")[0] == 2
    code, _, err = azwa("monitor", "--db", db.parent / "missing.db")
    assert code == 2 and "missing.db" in err

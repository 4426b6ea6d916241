"""User text cannot take over an output (docs/audit.md "Outputs"): a title, an organisation,
an id or a payload text is shown as written in Markdown, HTML, CSV, XES, the terminal and the
picture, and never adds a section, a link, a formula, a tag or a terminal command."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from typer.testing import CliRunner

import states
from workflow.audit import export, picture
from workflow.audit import report as audit_report
from workflow.cli.main import app
from workflow.cli.text import safe, visible
from workflow.core.clock import FakeClock
from workflow.core.engine import ProcessEngine
from workflow.core.events import Event
from workflow.core.spec import Actor
from workflow.core.timecalc import parse_at
from workflow.service import demo
from workflow.service.api import Engine

HOSTILE = [
    "Fine plan\n\n## Lawfulness judgement ✔\n\nAll four conditions ticked",
    "Plan\r## Violations\rnone",
    "<script>alert('x')</script><img src=x onerror=alert(1)>",
    "[click here](javascript:alert(1)) ![x](javascript:alert(2)) <javascript:alert(3)>",
    "| forged | cell |\n|---|---|",
    "`code` *bold* _em_ ~~gone~~ $\\frac{1}{2}$ &amp; &#60;b&#62; \\| \\",
    "[/x] [link=https://evil.example]click[/link] [bold red]loud",
    "\x1b[2J\x1b]8;;https://evil.example\x07link\x1b]8;;\x07\x00\x07\x08\u2028\u202e",
    "=HYPERLINK(\"https://evil.example\",\"x\")",
]
TITLES = st.one_of(st.sampled_from(HOSTILE), st.text(min_size=1, max_size=60)).filter(
    lambda t: bool(t.strip()))
MD = MarkdownIt("commonmark").enable("table")
START = parse_at(demo.START)


def register(title: str, org: str = "Huisartsen Twente", plan_id: str = "P-1") -> list[Event]:
    """The register_plan event of a plan with this title, registered by `org`."""
    payload = {**demo.REGISTRATION, "title": title,
               "parties": [{"org": org, "role": "plan_maker"}, {"org": "ZGT"}]}
    outcome = ProcessEngine(states.DEFAULT).register(
        plan_id, Actor("plan_maker", org, "Twente"), payload, START)
    assert outcome.events, "registration refused"
    return outcome.events


def _steps(title: str, text: str) -> tuple[demo.Step, ...]:
    """The demo scenario with a hostile title, KPI description and escalation issue."""
    contract = {"kpis": [{**k, "description": text} for k in demo.CONTRACT["kpis"]]}
    changed = {"register_plan": {**demo.REGISTRATION, "title": title},
               "sign_contract": contract}
    return tuple(
        replace(s, payload=changed.get(s.trigger, {**s.payload, "issue": text}
                                       if "issue" in s.payload else s.payload))
        for s in demo.STEPS)


@pytest.fixture
def hostile_db(sqlite_url: str) -> str:
    engine = Engine(sqlite_url, FakeClock(demo.START))
    demo.play(engine, demo.PLAN_ID, steps=_steps(HOSTILE[0], HOSTILE[3]))
    engine.store.close()
    return sqlite_url


# -- Markdown -----------------------------------------------------------------------------------


def _structure(markdown: str) -> list[tuple[str, str]]:
    """What a Markdown renderer makes of the text: block tokens, and the inline ones that
    are more than text (links, images, HTML, code, emphasis)."""
    shape: list[tuple[str, str]] = []
    for token in MD.parse(markdown):
        if token.type == "inline":
            shape += [(child.type, "") for child in token.children or []
                      if child.type not in ("text", "softbreak")]
        elif token.type != "inline":
            shape.append((token.type, token.tag))
    return shape


def _headings(markdown: str) -> list[str]:
    tokens = MD.parse(markdown)
    return [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]


def _render_text(markdown: str) -> str:
    """The plain text a renderer shows for one line of Markdown."""
    token = MD.parseInline(markdown)[0]
    return "".join(child.content for child in token.children or [])


HONEST = audit_report.render_md(audit_report.build(register("Samen sterker in de wijk")))


@settings(max_examples=150, deadline=None)
@given(title=TITLES)
def test_markdown_report_of_a_hostile_title_has_the_sections_of_an_honest_one(
        title: str) -> None:
    """Whatever the title holds (newlines, headings, links, HTML, table pipes, backslashes),
    the Markdown report has exactly the blocks, sections and table cells of an honest one,
    with no link, image or HTML, and the title is shown as written (on one line)."""
    text = audit_report.render_md(audit_report.build(register(title)))
    assert _structure(text) == _structure(HONEST)
    assert _headings(text)[1:] == _headings(HONEST)[1:]
    shown = _render_text(audit_report.md(title))
    assert shown.strip() == visible(visible(title, one_line=True)).strip()


def test_a_title_cannot_forge_the_lawfulness_judgement() -> None:
    """The attack of the issue: a title with newlines once added a section "Lawfulness
    judgement ✔" to the report; now there is one such section, the real one."""
    text = audit_report.render_md(audit_report.build(register(HOSTILE[0])))
    assert [h for h in _headings(text) if h.startswith("Lawfulness")] == [
        "Lawfulness judgement: the four conditions (A4 §3.a.5)"]
    assert "\n## Lawfulness judgement ✔" not in text


def test_every_section_of_a_full_report_escapes_its_values(hostile_db: str,
                                                          tmp_path: Path) -> None:
    """The report of a whole plan whose title, KPI descriptions and escalation issues are
    hostile renders without a link, an image other than the timeline, or HTML."""
    out = tmp_path / "r.md"
    result = CliRunner().invoke(app, ["audit", "report", demo.PLAN_ID, "--db", hostile_db,
                                      "-o", str(out)])
    assert result.exit_code == 0, result.output
    kinds = {kind for kind, _ in _structure(out.read_text(encoding="utf-8"))}
    assert not kinds & {"link_open", "html_inline", "html_block", "code_inline", "em_open",
                        "strong_open"}
    assert [k for k, _ in _structure(out.read_text(encoding="utf-8"))].count("image") == 1


# -- HTML ---------------------------------------------------------------------------------------


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, tuple[str, ...]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, tuple(sorted(name for name, _ in attrs))))


def _tags(html: str) -> list[tuple[str, tuple[str, ...]]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


@settings(max_examples=100, deadline=None)
@given(title=TITLES)
def test_html_report_of_a_hostile_title_has_the_tags_of_an_honest_one(title: str) -> None:
    """HTML: the same tags with the same attributes as the honest report; no script, no
    link, no event handler, whatever the title."""
    honest = audit_report.render_html(audit_report.build(register("Samen sterker")))
    text = audit_report.render_html(audit_report.build(register(title)))
    assert _tags(text) == _tags(honest)
    assert "<script" not in text and "href" not in text


def test_full_html_report_with_its_picture_has_no_script_or_link(hostile_db: str) -> None:
    """The whole HTML report of a hostile plan, picture inline: no script, link, image or
    event handler, and the hostile text is there as text."""
    result = CliRunner().invoke(app, ["audit", "report", demo.PLAN_ID, "--db", hostile_db,
                                      "--format", "html"])
    assert result.exit_code == 0, result.output
    tags = _tags(result.stdout)
    assert not {tag for tag, _ in tags} & {"script", "a", "img", "iframe"}
    assert not [name for _, names in tags for name in names if name.startswith("on")]
    assert "javascript:alert(1)" in result.stdout  # shown as text in the KPI table


# -- CSV ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("cell", "written"), [
    ("=HYPERLINK(\"https://evil.example\")", "'=HYPERLINK(\"https://evil.example\")"),
    ("+1+1", "'+1+1"), ("-1+2", "'-1+2"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("-12.5", "-12.5"), ("-3", "-3"), ("1e5", "1e5"), ("Menzis", "Menzis"),
    (7, 7),
])
def test_csv_neutralises_formulas_and_keeps_numbers(cell: object, written: object) -> None:
    """OWASP CSV injection: a text cell that a spreadsheet would run as a formula gets a `'`
    in front; a plain number (a negative one too) is a number and stays as it is."""
    assert export.csv_cell(cell) == written


def test_csv_export_of_hostile_values(sqlite_url: str, tmp_path: Path) -> None:
    """The plan id, organisation and region columns of a real export hold no formula."""
    engine = Engine(sqlite_url, FakeClock(demo.START))
    org = "=cmd|' /C calc'!A0"
    engine.register("@P1", Actor("plan_maker", org, "+Twente"),
                    {**demo.REGISTRATION, "parties": [{"org": org}]}, at=START)
    engine.store.close()
    out = tmp_path / "log.csv"
    result = CliRunner().invoke(app, ["export", "--db", sqlite_url, "--format", "csv",
                                      "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8", newline="")))
    assert (rows[0]["plan_id"], rows[0]["org"], rows[0]["region"]) == (
        "'@P1", "'" + org, "'+Twente")
    assert rows[0]["seq"] == "1"


# -- XES ----------------------------------------------------------------------------------------


XML_HOSTILE = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=40)
"""Any character, control characters included (lone surrogates never reach an event: its
hash needs UTF-8)."""


@settings(max_examples=150, deadline=None)
@given(title=st.one_of(st.sampled_from(HOSTILE), XML_HOSTILE).filter(lambda t: bool(t.strip())))
def test_xes_parses_whatever_the_title(title: str) -> None:
    """Control characters once made the XES ill-formed; now any title
    gives a file an XML parser reads, with the title's visible form in it."""
    out = io.StringIO()
    export.write_xes(register(title), out)
    root = ET.fromstring(out.getvalue().encode("utf-8"))
    ns = {"x": "http://www.xes-standard.org/"}
    values = {e.get("key"): e.get("value") for e in root.findall("x:trace/x:string", ns)}
    assert values["azwa:title"] == visible(title, xml=True)


# -- terminal -----------------------------------------------------------------------------------


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Engine:
    url = f"sqlite:///{tmp_path}/cli.db"
    monkeypatch.setenv("AZWA_DATABASE_URL", url)
    return Engine(url, FakeClock(demo.START))


def _register(engine: Engine, plan_id: str, title: str, org: str = "Huisartsen Twente",
              region: str = "Twente") -> None:
    title = title.replace("\x00", "\x01")  # the service refuses NUL; other controls are stored
    engine.register(plan_id, Actor("plan_maker", org, region),
                    {**demo.REGISTRATION, "title": title, "region": region,
                     "parties": [{"org": org}]}, at=START)


def test_plan_list_prints_markup_and_escapes_literally(cli_db: Engine) -> None:
    """`[/x]` in one plan's title once crashed `plan list` for everyone; markup and ESC
    sequences in ids, titles and regions are printed as text, never interpreted."""
    _register(cli_db, "[bold]P1", "[/x] [link=https://evil.example]click[/link]",
              region="\x1b[31mred")
    _register(cli_db, "P2", "Samen sterker")
    result = CliRunner().invoke(app, ["plan", "list"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert "[/x] [link=https://evil.example]click[/link]" in result.stdout
    assert "[bold]P1" in result.stdout and "Samen sterker" in result.stdout
    assert "\x1b" not in result.stdout and "\\x1b[31mred" in result.stdout


def test_plan_show_and_history_print_hostile_values_literally(cli_db: Engine) -> None:
    org = "[/org]\x1b]8;;https://evil.example\x07"
    _register(cli_db, "P1", "[/title]", org=org)
    for argv in (["plan", "show", "P1"], ["plan", "history", "P1"]):
        result = CliRunner().invoke(app, argv, env={"COLUMNS": "250"})
        assert result.exit_code == 0, result.output
        assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "[/title]" in CliRunner().invoke(app, ["plan", "show", "P1"]).stdout


def test_todo_and_plan_show_print_a_hostile_organisation_literally(cli_db: Engine) -> None:
    """The to-do tables (`azwa todo`, `plan show` per organisation) escape the organisation,
    the plan id and the title too."""
    org = "[/x][link=https://evil.example]Huisartsen\x1b[2J"
    _register(cli_db, "[/p]P1", "[/title]", org=org)
    for argv in (["todo", "--org", org], ["plan", "show", "[/p]P1"]):
        result = CliRunner().invoke(app, [*argv, "--at", "2027-01-12T09:00:00+01:00"],
                                    env={"COLUMNS": "250"})
        assert result.exit_code == 0, result.output
        assert "\x1b" not in result.stdout
        assert "[/x][link=https://evil.example]Huisartsen" in result.stdout


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=TITLES)
def test_plan_list_never_crashes_whatever_the_titles(cli_db: Engine, title: str) -> None:
    """Property: for any title, `plan list` exits 0 and prints no control character."""
    _register(cli_db, f"P{len(cli_db.plans()) + 1}", title)
    result = CliRunner().invoke(app, ["plan", "list"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert not any(ord(ch) < 32 and ch != "\n" for ch in result.stdout)


def test_safe_escapes_markup_and_control_characters() -> None:
    """The one function user text takes into rich: markup escaped, control characters
    visible."""
    assert safe("[/x]") == "\\[/x]"
    assert safe("a\x1b[2Jb[bold]") == "a\\x1b[2Jb\\[bold]"
    assert safe(None) == ""


# -- the picture --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", picture.FORMATS)
def test_picture_of_a_plan_with_mathtext_and_control_characters(fmt: str) -> None:
    """`$\\foo$` in an id once crashed `audit report` (matplotlib parsed it as a formula);
    now the picture is drawn in each format, and the SVG is well-formed XML."""
    events = register("t", plan_id="$\\foo$ $x^{$ \x01\x1b")
    image = picture.picture(audit_report.build(events), fmt)
    assert image
    if fmt == "svg":
        ET.fromstring(image)


def test_picture_with_hostile_kpi_ids_from_the_command_line(sqlite_url: str,
                                                           tmp_path: Path) -> None:
    """A KPI id with mathtext names a deadline row of the picture: the report is written."""
    engine = Engine(sqlite_url, FakeClock(demo.START))
    steps = tuple(
        replace(s, payload={"kpis": [{**demo.CONTRACT["kpis"][0], "id": "$\\alpha_{$"}]})
        if s.trigger == "sign_contract" else s
        for s in demo.STEPS if s.trigger not in ("confirm_kpi",))
    demo.play(engine, demo.PLAN_ID, steps=steps, before="record_costs")
    engine.store.close()
    result = CliRunner().invoke(app, ["audit", "report", demo.PLAN_ID, "--db", sqlite_url,
                                      "-o", str(tmp_path / "r.md")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "r.timeline.svg").read_bytes().startswith(b"<?xml")


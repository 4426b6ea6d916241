"""`azwa plan show` and `azwa todo` in Dutch along a whole plan: no text without a
translation, the seed's terms, Dutch amounts and days; English on request, Dutch by default."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from typer.testing import CliRunner

from workflow.cli.main import app
from workflow.cli.render import plan_json, show_kpis, show_parties, show_plan, todo_table
from workflow.core import formats, i18n
from workflow.core.events import Event
from workflow.core.plan import Plan
from workflow.service import demo
from workflow.service.api import Engine


def azwa(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


def shown(engine: Engine, plan: Plan) -> str:
    """What `plan show` and every organisation's `todo` print for the plan now."""
    console = Console(file=io.StringIO(), width=250)
    at = plan.last_at
    assert at is not None
    data = plan_json(plan, at, engine.todo(plan.plan_id, at))
    show_plan(console, data)
    show_parties(console, data)
    show_kpis(console, data)
    for org in sorted({row["org"] for row in data["organisations"]}):
        todos = [t.to_dict() for t in engine.todos(org, at)]
        if todos:
            console.print(todo_table(org, todos))
    out = console.file.getvalue()  # type: ignore[attr-defined]
    assert isinstance(out, str)
    return out


def test_plan_show_and_todo_have_no_untranslated_text(sqlite_url: str) -> None:
    """Along the demo plan, registration to closed (a breach, an escalation, KPIs, funds),
    every text `plan show` and `todo` print has a Dutch translation: a missing one fails."""
    engine = Engine(sqlite_url)
    pages: list[str] = []

    def look(_events: list[Event], plan: Plan) -> None:
        pages.append(shown(engine, plan))

    i18n.forget_missing()
    with i18n.reading("nl"):
        demo.run(engine, "P1", observe=look)
    assert i18n.missing() == set()
    everything = "\n".join(pages)
    for dutch in ("snelle toets in beoordeling", "transformatieplan indienen (submit_plan)",
                  "coördinerende zorgverzekeraar", "betaalbeschikking afgeven",
                  "regiocoördinator", "Lopende termijnen", "wacht op", "TE LAAT",
                  "transformatiemiddelen", "€ 200.000", "29 februari 2028", "afgesloten"):
        assert dutch in everything, dutch
    for english in ("OVERDUE", "Open deadlines", "Per organisation", "breaches:", "funds:",
                    "waiting for", "nothing to do"):
        assert english not in everything, english


def test_english_output_is_as_before(sqlite_url: str) -> None:
    """In English the outputs keep their identifiers and ISO days: scripts reading them do
    not break."""
    engine = Engine(sqlite_url)
    demo.play(engine, "P1", until="sign_contract")
    with i18n.reading("en"):
        text = shown(engine, engine.state("P1"))
    assert "state contracted   escalation none" in text
    assert "funds: paid €0.00, costs €0.00, refund €0.00" in text
    assert "2027-06-30" in text and "issue_payment_decision" in text


def test_dutch_is_the_default_and_english_is_chosen(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """No AZWA_LANG: Dutch. AZWA_LANG=en: English. `--lang` wins over AZWA_LANG."""
    db = tmp_path / "azwa.db"
    engine = Engine(f"sqlite:///{db}")
    at = demo.play(engine, "P1", until="accept_quick_test_as_complete")
    engine.store.close()  # type: ignore[attr-defined]
    when = at.isoformat()
    monkeypatch.delenv("AZWA_LANG")
    code, out, _ = azwa("plan", "show", "P1", "--db", db, "--at", when)
    assert code == 0 and "status snelle toets in beoordeling" in out
    assert "besluit snelle toets" in out and "12 maart 2027" in out
    code, out, _ = azwa("todo", "--org", "Menzis", "--db", db, "--at", when)
    assert "Besluit over de snelle toets" in out and "snelle toets goedkeuren" in out
    assert "12 maart 2027 (besluit snelle toets)" in out
    monkeypatch.setenv("AZWA_LANG", "en")
    code, out, _ = azwa("plan", "show", "P1", "--db", db, "--at", when)
    assert "state quick_test_under_review" in out
    code, out, _ = azwa("--lang", "nl", "plan", "show", "P1", "--db", db, "--at", when)
    assert "status snelle toets in beoordeling" in out


def test_a_language_we_do_not_have_is_refused_in_one_line(monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    """Said in the language read otherwise: AZWA_LANG's (English here) for a wrong --lang,
    Dutch, the default, for a wrong AZWA_LANG."""
    code, _, err = azwa("--lang", "de", "definition", "list")
    assert code == 2 and err.strip() == "--lang: language 'de' is not known; known: nl, en"
    monkeypatch.setenv("AZWA_LANG", "fr_FR.UTF-8")
    code, _, err = azwa("definition", "list")
    assert code == 2 and err.strip() == "AZWA_LANG: taal 'fr_FR.UTF-8' is onbekend; bekend: nl, en"


def test_a_command_leaves_no_language_behind() -> None:
    """`--lang nl` holds for that command only: the process reads English again after."""
    assert azwa("--lang", "nl", "definition", "list")[0] == 0
    assert i18n.current() == "en"


@pytest.mark.parametrize(("code", "language"), [
    ("nl", "nl"), ("NL", "nl"), ("nl_NL.UTF-8", "nl"), ("nl-BE", "nl"), ("en_GB", "en")])
def test_language_codes_are_read_loosely(code: str, language: str) -> None:
    assert i18n.normal_language(code) == language


@pytest.mark.parametrize(("cents", "dutch", "english"), [
    (147500000, "€ 1.475.000", "€1,475,000.00"),
    (147500050, "€ 1.475.000,50", "€1,475,000.50"),
    (0, "€ 0", "€0.00"),
    (-2000000, "€ -20.000", "€-20,000.00"),
])
def test_amounts_as_each_language_writes_them(cents: int, dutch: str, english: str) -> None:
    with i18n.reading("nl"):
        assert formats.amount(cents) == dutch
    with i18n.reading("en"):
        assert formats.amount(cents) == english


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=-10**15, max_value=10**15))
def test_dutch_amounts_are_what_babel_writes_for_nl_nl(cents: int) -> None:
    """The Dutch amount is CLDR's `nl_NL` currency pattern, as Babel applies it (whole euros
    without cents), for any amount."""
    from decimal import Decimal

    from babel.numbers import format_currency

    pattern = "¤ #,##0;¤ -#,##0" if cents % 100 == 0 else "¤ #,##0.00;¤ -#,##0.00"
    expected = format_currency(Decimal(cents).scaleb(-2), "EUR", format=pattern,
                               locale=formats.LOCALES["nl"], currency_digits=False)
    with i18n.reading("nl"):
        assert formats.amount(cents) == expected


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)))
def test_dutch_days_are_what_babel_writes_for_nl_nl(value: date) -> None:
    """Every month's name and the day's layout are CLDR's `nl_NL` `d MMMM y`."""
    from babel.dates import format_date

    with i18n.reading("nl"):
        assert formats.day(value) == format_date(value, "d MMMM y", locale=formats.LOCALES["nl"])


def test_days_and_shares_in_dutch() -> None:
    with i18n.reading("nl"):
        assert formats.day(date(2028, 4, 10)) == "10 april 2028"
        assert formats.share(0.875) == "87,5%" and formats.share(None) == "–"
        assert formats.number(12.5) == "12,5" and formats.number(25.0) == "25"
    with i18n.reading("en"):
        assert formats.day(date(2028, 4, 10)) == "2028-04-10"
        assert formats.share(0.875) == "87.5%"


@pytest.mark.parametrize(("header", "language"), [
    ("en-GB,en;q=0.8,nl;q=0.5", "en"), ("nl-NL,nl;q=0.9,en;q=0.8", "nl"),
    ("de-DE,de;q=0.9,en;q=0.3", "en"), ("de, fr", "nl"), ("", "nl"), (None, "nl"),
    ("en;q=0, nl;q=0.1", "nl"), ("en;q=abc, nl", "nl"), ("fr;q=0.9, en;q=0.9, nl;q=0.9", "en"),
])
def test_a_browsers_accept_language_picks_a_language_we_have(header: str | None,
                                                             language: str) -> None:
    """A page reads the browser's wish: the best-weighted language we have, else Dutch."""
    assert i18n.from_accept_language(header) == language

"""Every page route through FastAPI's TestClient: the login and its cookie, read-only
auditors, CSRF, the language, the to-do forms and refusals, the CSV download."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.http.helpers import TOKENS
from tests.pages.conftest import PLAN, log_in

READ_PAGES = ["/pages/todo", "/pages/plans", f"/pages/plans/{PLAN}", "/pages/monitoring",
              "/pages/glossary"]
IMAGES = [f"/pages/plans/{PLAN}/timeline.svg", f"/pages/plans/{PLAN}/diagram.svg",
          "/pages/monitoring/chart.svg", "/pages/monitoring.csv"]


@pytest.mark.parametrize("path", READ_PAGES)
def test_a_page_without_a_session_sends_to_the_login(app_client: TestClient, path: str
                                                     ) -> None:
    answer = app_client.get(path, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/pages/login?next=/pages/")


@pytest.mark.parametrize("path", IMAGES)
def test_a_picture_or_download_without_a_session_is_refused(app_client: TestClient,
                                                           path: str) -> None:
    assert app_client.get(path).status_code == 401


def test_an_unknown_token_is_refused_at_the_login(app_client: TestClient) -> None:
    answer = app_client.post("/pages/login", data={"token": "not-a-listed-token"})
    assert answer.status_code == 401
    assert "azwa_session" not in answer.headers.get("set-cookie", "")
    assert app_client.get("/pages/todo", follow_redirects=False).status_code == 303


def test_the_login_cookie_is_httponly_and_samesite_strict(app_client: TestClient) -> None:
    answer = app_client.post("/pages/login", data={"token": TOKENS["insurer"][1]},
                             follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/pages/todo"
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/pages" in cookie


def test_the_login_goes_back_only_to_a_page_of_the_service(app_client: TestClient) -> None:
    away = app_client.post("/pages/login", data={"token": TOKENS["insurer"][1],
                                                 "next": "//evil.example/x"},
                           follow_redirects=False)
    assert away.headers["location"] == "/pages/todo"
    back = app_client.post("/pages/login", data={"token": TOKENS["insurer"][1],
                                                 "next": "/pages/monitoring"},
                           follow_redirects=False)
    assert back.headers["location"] == "/pages/monitoring"


@pytest.mark.parametrize("path", READ_PAGES + IMAGES)
def test_every_page_answers_a_logged_in_reader(app_client: TestClient, path: str) -> None:
    log_in(app_client, "auditor")
    answer = app_client.get(path)
    assert answer.status_code == 200, answer.text[:500]
    if path in READ_PAGES:
        assert '<html lang="' in answer.text and 'href="#main"' in answer.text


def test_the_to_do_list_shows_the_act_with_its_form(app_client: TestClient) -> None:
    log_in(app_client, "insurer")
    page = app_client.get("/pages/todo").text
    assert PLAN in page and 'data-trigger="agree_character"' in page
    assert 'name="f.character"' in page and " required" in page
    for value in ("scaling", "innovation"):
        assert f'<option value="{value}">' in page


def test_an_act_fired_through_its_form_moves_the_plan(app_client: TestClient) -> None:
    csrf = log_in(app_client, "insurer")
    answer = app_client.post(f"/pages/plans/{PLAN}/acts", data={
        "csrf": csrf, "trigger": "agree_character", "f.character": "scaling",
        "back": "/pages/todo"}, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/pages/todo?done=agree_character")
    engine = app_client.app.state.engine  # type: ignore[attr-defined]
    assert engine.history(PLAN)[-1].trigger == "agree_character"
    assert engine.history(PLAN)[-1].payload == {"character": "scaling"}


def test_a_refusal_shows_every_rule_and_its_seed_paragraph(app_client: TestClient) -> None:
    csrf = log_in(app_client, "maker")
    engine = app_client.app.state.engine  # type: ignore[attr-defined]
    before = len(engine.history(PLAN))
    answer = app_client.post(f"/pages/plans/{PLAN}/acts", data={
        "csrf": csrf, "trigger": "approve_quick_test"})
    assert answer.status_code == 403
    assert 'role="alert"' in answer.text
    assert "role_may_fire" in answer.text and "A4 §1.5.1" in answer.text
    assert len(engine.history(PLAN)) == before


def test_a_refused_form_comes_back_filled_in_as_sent(app_client: TestClient) -> None:
    csrf = log_in(app_client, "insurer")
    answer = app_client.post(f"/pages/plans/{PLAN}/acts", data={
        "csrf": csrf, "trigger": "extend_deadline", "f.deadline": "nope",
        "f.until": "2020-01-02", "f.reason": "meer <tijd> nodig"})
    assert answer.status_code == 409
    box = answer.text.split('data-trigger="extend_deadline"', 1)[1].split("</form>", 1)[0]
    assert 'value="nope"' in box and 'value="2020-01-02"' in box
    assert 'value="meer &lt;tijd&gt; nodig"' in box  # escaped, never markup


def test_a_payload_that_does_not_match_its_schema_is_refused_field_by_field(
        app_client: TestClient) -> None:
    csrf = log_in(app_client, "insurer")
    answer = app_client.post(f"/pages/plans/{PLAN}/acts", data={
        "csrf": csrf, "trigger": "agree_character", "f.character": "nonsense"})
    assert answer.status_code == 422
    assert "payload_matches_schema" in answer.text and "character" in answer.text


def test_a_form_without_the_session_csrf_token_is_refused(app_client: TestClient) -> None:
    log_in(app_client, "insurer")
    engine = app_client.app.state.engine  # type: ignore[attr-defined]
    for csrf in (None, "0" * 64):
        data = {"trigger": "agree_character", "f.character": "scaling"}
        if csrf is not None:
            data["csrf"] = csrf
        answer = app_client.post(f"/pages/plans/{PLAN}/acts", data=data)
        assert answer.status_code == 403 and "csrf_token_holds" in answer.text
    assert [e.trigger for e in engine.history(PLAN)] == ["register_plan"]


def test_another_sessions_csrf_token_is_refused(app_client: TestClient) -> None:
    maker_csrf = log_in(app_client, "maker")
    log_in(app_client, "insurer")
    answer = app_client.post(f"/pages/plans/{PLAN}/acts", data={
        "csrf": maker_csrf, "trigger": "agree_character", "f.character": "scaling"})
    assert answer.status_code == 403 and "csrf_token_holds" in answer.text


def test_a_read_only_auditor_sees_no_form_and_cannot_post(app_client: TestClient) -> None:
    csrf = log_in(app_client, "auditor")
    plan = app_client.get(f"/pages/plans/{PLAN}").text
    assert 'class="act"' not in plan
    answer = app_client.post(f"/pages/plans/{PLAN}/acts", data={
        "csrf": csrf, "trigger": "agree_character", "f.character": "scaling"})
    assert answer.status_code == 403 and "read_only_token" in answer.text
    engine = app_client.app.state.engine  # type: ignore[attr-defined]
    assert len(engine.history(PLAN)) == 1


def test_log_out_needs_the_csrf_token_and_ends_the_session(app_client: TestClient) -> None:
    csrf = log_in(app_client, "insurer")
    assert app_client.post("/pages/logout", data={}).status_code == 403
    assert app_client.get("/pages/todo", follow_redirects=False).status_code == 200
    app_client.post("/pages/logout", data={"csrf": csrf})
    assert app_client.get("/pages/todo", follow_redirects=False).status_code == 303


def test_dutch_by_default_english_by_accept_language_or_the_switch(
        app_client: TestClient) -> None:
    log_in(app_client, "insurer")
    dutch = app_client.get("/pages/todo").text
    assert '<html lang="nl">' in dutch and "Te doen" in dutch
    assert "karakter overeenkomen" in dutch or "agree_character" in dutch
    english = app_client.get("/pages/todo", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in english.text and ">To do<" in english.text
    switched = app_client.get("/pages/todo?lang=en")
    assert '<html lang="en">' in switched.text
    assert "azwa_lang=en" in switched.headers["set-cookie"]
    kept = app_client.get("/pages/plans", headers={"Accept-Language": "nl"})
    assert '<html lang="en">' in kept.text  # the switch wins over the browser's wish


def test_amounts_and_days_in_dutch_format(app_client: TestClient) -> None:
    from workflow.service import demo

    engine = app_client.app.state.engine  # type: ignore[attr-defined]
    log_in(app_client, "insurer")
    page = app_client.get(f"/pages/plans/{PLAN}").text
    registered = engine.history(PLAN)[0].at
    from workflow.core import formats
    from workflow.core.i18n import reading
    from workflow.core.timecalc import parse_at

    with reading("nl"):
        assert formats.moment(parse_at(registered)) in page
    assert demo.REGISTRATION["title"] in page


def test_the_plan_list_filters(app_client: TestClient) -> None:
    log_in(app_client, "auditor")
    assert PLAN in app_client.get("/pages/plans?state=intent&track=transformation").text
    assert PLAN not in app_client.get("/pages/plans?state=approved").text
    assert PLAN in app_client.get("/pages/plans?region=twente&overdue=no").text
    assert PLAN not in app_client.get("/pages/plans?overdue=yes").text
    assert PLAN not in app_client.get("/pages/plans?sector=ggz").text
    assert PLAN not in app_client.get("/pages/plans?region=Drenthe").text


def test_an_unknown_plan_is_a_404_page(app_client: TestClient) -> None:
    log_in(app_client, "auditor")
    answer = app_client.get("/pages/plans/NOPE")
    assert answer.status_code == 404 and "NOPE" in answer.text


def test_the_diagram_highlights_the_plans_state(app_client: TestClient) -> None:
    log_in(app_client, "auditor")
    svg = app_client.get(f"/pages/plans/{PLAN}/diagram.svg", headers={"Accept-Language": "en"})
    assert svg.headers["content-type"].startswith("image/svg+xml")
    import states
    from workflow.service import diagrams

    plan = app_client.app.state.engine.state(PLAN)  # type: ignore[attr-defined]
    d = states.get(plan.definition)
    from workflow.core.i18n import reading

    with reading("en"):
        assert svg.content == diagrams.image(
            d, "svg", {"lifecycle": "intent", d.region.name: plan.escalation})


ROOT = Path(__file__).resolve().parents[2]


def test_the_csv_download_equals_azwa_monitor(app_client: TestClient, sqlite_url: str
                                             ) -> None:
    log_in(app_client, "auditor")
    at = "2030-01-15T12:00:00+01:00"
    for period, by in (("month", None), ("quarter", "region"), ("month", "size")):
        query = f"period={period}&at={at.replace('+', '%2B')}" + (f"&by={by}" if by else "")
        page = app_client.get(f"/pages/monitoring.csv?{query}")
        assert page.status_code == 200
        assert page.headers["content-disposition"].startswith("attachment")
        command = [sys.executable, "-m", "workflow.cli.main", "monitor", "--db", sqlite_url,
                   "--period", period, "--format", "csv", "--at", at]
        done = subprocess.run([*command, *(["--by", by] if by else [])], capture_output=True,
                              text=True, check=True, cwd=ROOT)
        assert page.text == done.stdout
        assert re.search(r"^2027|^20\d\d-", page.text.splitlines()[1])


def test_the_monitoring_page_shows_the_same_figures_as_the_command(
        app_client: TestClient, sqlite_url: str) -> None:
    log_in(app_client, "auditor")
    at = "2030-01-15T12:00:00+01:00"
    page = app_client.get("/pages/monitoring", params={"period": "quarter", "by": "region",
                                                       "at": at},
                          headers={"Accept-Language": "en"}).text
    done = subprocess.run([sys.executable, "-m", "workflow.cli.main", "--lang", "en",
                           "monitor", "--db", sqlite_url, "--period", "quarter", "--by",
                           "region", "--at", at], capture_output=True, text=True, check=True,
                          cwd=ROOT)
    rows = [line for line in done.stdout.splitlines() if line.startswith("| ") and
            not line.startswith("| |")]
    assert rows
    for line in rows:
        cells = [c.strip() for c in line.strip("|").split(" | ")]
        label, values = cells[0], cells[1:]
        found = re.search(re.escape(f'<th scope="row">{label}</th>') + r"(.*?)</tr>", page)
        assert found is not None, label
        assert re.findall(r'<td class="num">(.*?)</td>', found.group(1)) == values


def test_an_empty_database_gives_an_empty_report_not_an_error(sqlite_url: str,
                                                              tmp_path: Path) -> None:
    from tests.http.helpers import write_config
    from workflow.http.app import create_app
    from workflow.http.settings import load
    from workflow.service.databases import create_or_upgrade

    create_or_upgrade(sqlite_url).close()
    app = create_app(load(write_config(tmp_path / "azwa.toml", sqlite_url)), workers=False)
    with TestClient(app) as client:
        log_in(client, "auditor")
        page = client.get("/pages/monitoring", headers={"Accept-Language": "en"})
        assert page.status_code == 200
        assert "No plans registered yet: nothing to count." in page.text
        assert client.get("/pages/monitoring.csv").text == "period,group,figure,item,value\n"
        assert "Nothing to do now." in client.get("/pages/todo?lang=en").text
    app.state.engine.store.close()


def test_the_to_do_list_is_overdue_first_then_by_due_day(app_client: TestClient) -> None:
    """Two plans awaiting the quick-test decision from Menzis (one past its due day) and
    the registered plan awaiting the character (no due day): in that order."""
    from workflow.service import demo

    engine = app_client.app.state.engine  # type: ignore[attr-defined]
    for plan_id, start in (("TW-LATER", "2027-02-11T09:00:00+01:00"),
                           ("TW-EARLY", "2027-01-11T09:00:00+01:00")):
        demo.play(engine, plan_id, until="accept_quick_test_as_complete", start=start)
    log_in(app_client, "insurer")
    page = app_client.get("/pages/todo", params={"at": "2027-03-20T12:00:00+01:00"},
                          headers={"Accept-Language": "en"}).text
    items = re.findall(r'<li class="todo( overdue)?">\s*<h2><a href="/pages/plans/([\w-]+)"',
                       page)
    assert [plan for _overdue, plan in items] == ["TW-EARLY", "TW-LATER", PLAN]
    assert [bool(overdue) for overdue, _plan in items] == [True, False, False]


def test_a_form_sent_twice_applies_once(app_client: TestClient) -> None:
    """Each rendered form carries its command id: a second send (a double click, the back
    button) gets the first answer and stores nothing more."""
    csrf = log_in(app_client, "insurer")
    page = app_client.get("/pages/todo").text
    command = re.search(r'name="command" value="(\w+)"', page)
    assert command is not None
    data = {"csrf": csrf, "trigger": "agree_character", "f.character": "scaling",
            "command": command.group(1), "back": "/pages/todo"}
    for _ in range(2):
        answer = app_client.post(f"/pages/plans/{PLAN}/acts", data=data,
                                 follow_redirects=False)
        assert answer.status_code == 303
    engine = app_client.app.state.engine  # type: ignore[attr-defined]
    assert [e.trigger for e in engine.history(PLAN)] == ["register_plan", "agree_character"]


def test_a_post_from_another_site_is_refused(app_client: TestClient) -> None:
    csrf = log_in(app_client, "insurer")
    answer = app_client.post(f"/pages/plans/{PLAN}/acts", headers={
        "Origin": "https://evil.example"}, data={
        "csrf": csrf, "trigger": "agree_character", "f.character": "scaling"})
    assert answer.status_code == 403 and "csrf_token_holds" in answer.text
    login = app_client.post("/pages/login", headers={"Origin": "https://evil.example"},
                            data={"token": TOKENS["maker"][1]}, follow_redirects=False)
    assert login.status_code == 403 and "azwa_session" not in login.headers.get(
        "set-cookie", "")
    same = app_client.post("/pages/login", headers={"Origin": "http://testserver"},
                           data={"token": TOKENS["maker"][1]}, follow_redirects=False)
    assert same.status_code == 303


def test_the_sector_filter_finds_a_plan_of_that_sector(app_client: TestClient) -> None:
    """transformation@2 plans name their sector; the filter keeps only that sector's."""
    import states
    from workflow.service import demo
    from workflow.service.api import Engine

    store = app_client.app.state.engine.store  # type: ignore[attr-defined]
    Engine(store=store, definition=states.V2).register(
        "TW-GGZ", demo.MAKER, {**demo.REGISTRATION, "sector": "ggz"})
    log_in(app_client, "auditor")
    ggz = app_client.get("/pages/plans?sector=ggz").text
    assert "TW-GGZ" in ggz and f">{PLAN}<" not in ggz
    assert "TW-GGZ" not in app_client.get("/pages/plans?sector=farmacie").text
    assert "ggz" in app_client.get("/pages/plans/TW-GGZ").text

"""The pages in a real browser: Debian's Chromium, headless, driven by Playwright, against a
real `azwa serve` on a SQLite file. A case worker logs in with a token, sees the to-do list,
fires an act through its form, sees the refusal of a wrong one with every rule and its seed
paragraph, opens a plan's timeline and the monitoring page. On each page axe-core finds no
serious or critical WCAG 2.1 AA violation. Screenshots are kept as test artefacts
(tests/pages/artefacts/, ignored by git; the path is printed).

Playwright's own browser download is not used: the Makefile installs Debian's `chromium`
where it is missing (`make chromium`); without it these tests skip and say why.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.http.helpers import TOKENS, write_config
from tests.http.test_webhook_outbox import free_port, start
from workflow.service import demo
from workflow.service.api import Engine
from workflow.service.databases import create_or_upgrade

CHROMIUM = os.environ.get("AZWA_CHROMIUM", "/usr/bin/chromium")
ARTEFACTS = Path(__file__).parent / "artefacts"
PLAN = "TW-1"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright is not installed (the dev extra has it)")
if not Path(CHROMIUM).exists():
    pytest.skip(f"no Chromium at {CHROMIUM}: run `make chromium` (Debian's package) to run "
                "the browser tests of the pages", allow_module_level=True)


def axe_source() -> str:
    """axe-core's axe.min.js, as the axe-playwright-python package (dev extra) ships it."""
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(
        encoding="utf-8")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`azwa serve` on a real SQLite file with one plan registered (by the real clock)."""
    folder = tmp_path_factory.mktemp("pages")
    db = f"sqlite:///{folder / 'azwa.db'}"
    create_or_upgrade(db).close()
    engine = Engine.open(db)
    engine.register(PLAN, demo.MAKER, demo.REGISTRATION)
    engine.store.close()
    port = free_port()
    server = start(write_config(folder / "azwa.toml", db), port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.kill()
        server.wait(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as p:
        found = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            yield found
        finally:
            found.close()


@pytest.fixture
def page(browser: Any, served: str) -> Iterator[Any]:
    context = browser.new_context(base_url=served, locale="nl-NL",
                                  extra_http_headers={"Accept-Language": "nl-NL,nl;q=0.9"})
    found = context.new_page()
    found.set_default_timeout(15_000)
    try:
        yield found
    finally:
        context.close()


def shot(page: Any, name: str) -> Path:
    ARTEFACTS.mkdir(exist_ok=True)
    path = ARTEFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    return path


def serious_violations(page: Any) -> list[str]:
    """axe-core's serious and critical WCAG 2.1 A/AA violations of the page as it stands."""
    page.add_script_tag(content=axe_source())
    found = page.evaluate("""async (tags) => {
        const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
        return result.violations.map(v => ({id: v.id, impact: v.impact,
            nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 3)}));
    }""", WCAG)
    return [f"{v['id']} ({v['impact']}): {v['nodes']}" for v in found
            if v["impact"] in ("serious", "critical")]


def log_in(page: Any, who: str) -> None:
    page.goto("/pages/todo")
    assert page.url.endswith("/pages/login?next=/pages/todo")
    page.get_by_label("Token").fill(TOKENS[who][1])
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url("**/pages/todo")


def test_login_to_do_list_and_an_act_fired_through_its_form(page: Any) -> None:
    page.goto("/pages/login")
    assert page.locator("html").get_attribute("lang") == "nl"
    assert serious_violations(page) == []
    shot(page, "01-login")
    log_in(page, "insurer")
    assert page.get_by_role("heading", level=1).inner_text() == "Te doen voor Menzis"
    todo = page.locator("li.todo", has=page.locator('form[data-trigger="agree_character"]'))
    assert PLAN in todo.inner_text()
    assert serious_violations(page) == []
    shot(page, "02-to-do")
    todo.get_by_text("Invullen en versturen").click()
    todo.get_by_label("karakter").select_option("scaling")
    shot(page, "03-act-form")
    todo.locator("form button[type=submit]").click()
    page.wait_for_url("**/pages/todo?done=agree_character*")
    assert "Gedaan" in page.get_by_role("status").inner_text()
    shot(page, "04-act-done")


def test_the_refusal_of_a_wrong_act_names_every_rule_and_its_paragraph(page: Any) -> None:
    log_in(page, "insurer")
    page.goto(f"/pages/plans/{PLAN}")
    box = page.locator("details.act-box", has=page.locator(
        'form[data-trigger="extend_deadline"]'))
    box.locator("summary").click()
    box.get_by_label("termijn").fill("nope")
    box.get_by_label("nieuwe uiterste dag").fill("2020-01-01")
    box.get_by_label("reden").fill("meer tijd nodig")
    box.locator("form button[type=submit]").click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    text = alert.inner_text()
    assert "is_running_deadline" in text and "is_later_due" in text
    assert len(page.locator("#refusal li").all()) >= 2  # every failing rule, not the first
    for rule in page.locator("#refusal li").all():
        assert re.search(r"^\w+ \((A4 §[\d.a-z]+|MP \w+|azwa)\): \S", rule.inner_text())
    assert page.evaluate("document.activeElement.id") == "refusal"  # read out first
    box = page.locator("details.act-box[open]")  # the refused form, as it was sent
    assert box.get_by_label("reden").input_value() == "meer tijd nodig"
    assert box.get_by_label("termijn").input_value() == "nope"
    assert serious_violations(page) == []
    shot(page, "05-refusal")


def test_a_plans_timeline_diagram_and_the_monitoring_page(page: Any) -> None:
    log_in(page, "auditor")
    page.goto("/pages/plans")
    page.get_by_role("link", name=PLAN).click()
    page.wait_for_url(f"**/pages/plans/{PLAN}")
    for name in ("timeline.svg", "diagram.svg"):
        image = page.locator(f'img[src$="{name}"]')
        image.scroll_into_view_if_needed()
        page.wait_for_function("(img) => img.complete && img.naturalWidth > 0",
                               arg=image.element_handle())
    assert page.get_by_role("heading", name="Tijdlijn").is_visible()
    assert page.locator("form.act").count() == 0  # an auditor reads only
    assert serious_violations(page) == []
    shot(page, "06-plan")
    page.get_by_role("link", name="Monitoring").click()
    page.get_by_label("uitgesplitst naar").select_option("region")
    page.get_by_role("button", name="Toon").click()
    page.wait_for_url("**/pages/monitoring?period=month&by=region")
    assert page.locator("table.figures").count() > 0
    assert "Twente" in page.locator("table.figures").first.inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download als CSV").click()
    assert download.value.suggested_filename == "azwa-monitoring-month-region.csv"
    assert serious_violations(page) == []
    shot(page, "07-monitoring")
    page.goto("/pages/glossary")
    assert serious_violations(page) == []
    page.goto("/pages/plans?lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert serious_violations(page) == []
    shot(page, "08-plans-english")


def test_the_chromium_found_is_a_browser() -> None:
    """The path the tests launch answers as a Chromium (a broken install fails loudly)."""
    done = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, timeout=60,
                          check=False)
    assert "Chromium" in done.stdout or shutil.which(CHROMIUM) is not None


def test_axe_finds_a_violation_where_there_is_one(page: Any) -> None:
    """The check can fail: a field without a label and an image without a text are found."""
    page.set_content("<html><body><main><input><img src='x.png'></main></body></html>")
    found = " ".join(serious_violations(page))
    assert "label" in found and "image-alt" in found

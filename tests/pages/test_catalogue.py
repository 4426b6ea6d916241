"""Every text of the pages has its Dutch: each `_("...")` in a template, each payload
field's label, and nothing looked up and not found while every page renders in Dutch."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import states
from tests.i18n.test_catalogue import catalogue
from tests.pages.conftest import PLAN, log_in
from workflow.core import i18n
from workflow.core.payload import rows
from workflow.http.pages.forms import field_descriptions

TEMPLATES = Path(__file__).resolve().parents[2] / "workflow" / "http" / "pages" / "templates"
CALL = re.compile(r"""_\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')\s*\)""")


def template_texts() -> list[tuple[str, str]]:
    found = []
    for path in sorted(TEMPLATES.glob("*.html")):
        for match in CALL.finditer(path.read_text(encoding="utf-8")):
            text = match.group(1) if match.group(1) is not None else match.group(2)
            found.append((path.name, text.replace("\\'", "'").replace('\\"', '"')))
    return found


def field_names() -> list[str]:
    return sorted({f.name for d in states.all_definitions() for schema in d.payloads.values()
                   for _path, f in rows(schema)})


def test_the_templates_are_found() -> None:
    assert len(template_texts()) > 50


@pytest.mark.parametrize(("template", "text"), template_texts(), ids=lambda v: str(v)[:50])
def test_every_text_of_a_template_has_a_dutch_translation(template: str, text: str) -> None:
    assert catalogue("nl").get((None, text)), f"{template}: no Dutch for {text!r}"


@pytest.mark.parametrize("name", field_names())
def test_every_payload_field_has_a_dutch_label(name: str) -> None:
    """A form labels each field of a payload in Dutch (message context `field`)."""
    assert catalogue("nl").get(("field", name)), f"no Dutch label for field {name!r}"


@pytest.mark.parametrize("text", field_descriptions(), ids=lambda v: v[:50])
def test_every_field_description_of_a_form_has_a_dutch_translation(text: str) -> None:
    assert catalogue("nl").get((None, text)), f"no Dutch for the field description {text!r}"


def test_every_page_renders_in_dutch_without_a_missing_text(app_client: TestClient) -> None:
    log_in(app_client, "insurer")
    i18n.forget_missing()
    for path in ("/pages/todo", "/pages/plans", f"/pages/plans/{PLAN}", "/pages/monitoring",
                 "/pages/monitoring?period=quarter&by=size", "/pages/glossary",
                 "/pages/plans/NOPE"):
        app_client.get(path, headers={"Accept-Language": "nl"})
    app_client.post(f"/pages/plans/{PLAN}/acts", data={"trigger": "agree_character"})
    assert {m for m in i18n.missing() if m[0] == "nl"} == set()

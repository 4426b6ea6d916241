"""Every user-visible text of the translated outputs has a Dutch translation, and the
compiled catalogue is the one its `.po` gives (docs/language.md)."""

from __future__ import annotations

import ast
import gettext
import io
import re
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

import states
from states.guards import TRACKS
from workflow.audit import report
from workflow.audit.replay import CHAIN_ABSENT, CHAIN_BROKEN, CHAIN_OK
from workflow.core.i18n import LANGUAGES
from workflow.core.phrase import JOINERS, JSON_PROBLEMS, YAML_PROBLEMS
from workflow.core.todo import IDLE_REASONS, WAITING_FOR
from workflow.http.problems import SCHEMA_MESSAGES, TITLES

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "workflow" / "locale"
USES_I18N = re.compile(r"^from workflow\.core\.i18n import .*\b_\b", re.M)


def catalogue(language: str) -> dict[tuple[str | None, str], str]:
    with (LOCALE / language / "LC_MESSAGES" / "azwa.po").open("rb") as handle:
        found = read_po(handle, locale=language)
    return {(m.context, str(m.id)): str(m.string) for m in found if m.id}


def literal_texts() -> list[tuple[str, str]]:
    """(module, text) of every `_("...")` call in a module that imports `_`."""
    found = []
    for path in sorted((ROOT / "workflow").rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        if not USES_I18N.search(source):
            continue
        for node in ast.walk(ast.parse(source)):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id == "_" and node.args
                    and isinstance(node.args[0], ast.Constant)):
                found.append((str(path.relative_to(ROOT)), str(node.args[0].value)))
    return found


def terms() -> list[tuple[str, str]]:
    """Every identifier a translated output may show, from the registered definitions."""
    found: set[tuple[str, str]] = {("trigger", "deadline_expired")}
    for d in states.all_definitions():
        found |= {("state", s) for s in d.states} | {("escalation", s) for s in d.region.states}
        found |= {("trigger", t) for t in d.triggers()} | {("role", r) for r in d.roles}
        found |= {("deadline", s.name) for s in d.deadlines}
    found |= {("track", t) for t in TRACKS}
    found |= {("size", s) for s in ("small", "large", "unknown")}
    found |= {("kpi_status", s) for s in ("open", "confirmed", "partial")}
    found |= {("decision", s) for s in ("go", "no_go")}
    return sorted(found)


def composed_texts() -> list[str]:
    """Texts translated as templates: the duties' lines and every idle reason's code."""
    found = {d.says for defn in states.all_definitions() if defn.agenda
             for d in defn.agenda.duties}
    found |= set(IDLE_REASONS.values()) | {WAITING_FOR}
    return sorted(found)


def phrase_templates() -> list[tuple[str, str]]:
    """(module, template) of every `Phrase("...")` the code composes: the refusals of the
    engine, the payload and the amount checks, translated by template at the edge."""
    found = [("workflow/core/phrase.py", "{first}: {rest}")]
    for path in sorted([*(ROOT / "workflow").rglob("*.py"), *(ROOT / "states").rglob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id == "Phrase" and node.args):
                first = node.args[0]
                choices = [first.body, first.orelse] if isinstance(first, ast.IfExp) else [first]
                found += [(str(path.relative_to(ROOT)), str(c.value)) for c in choices
                          if isinstance(c, ast.Constant)]
    return found


def rule_texts() -> list[tuple[str, str]]:
    """(definition, text) of every guard's rule description of every registered definition:
    the sentence a refusal by that rule shows."""
    return sorted({(d.ref, g.message) for d in states.all_definitions()
                   for tr in d.all_transitions() for g in tr.guards})


def service_texts() -> list[str]:
    """Fixed texts said at the edge by value: the problem titles, the joiners, the audit
    report's condition labels, deadline verdicts and hash-chain states, what the web
    framework and the JSON and YAML readers say of input of the wrong shape."""
    return sorted({*TITLES.values(), *JOINERS.values(), *report.CONDITION_LABELS.values(),
                   *report.VERDICTS.values(), CHAIN_OK, CHAIN_ABSENT, CHAIN_BROKEN,
                   *SCHEMA_MESSAGES, *JSON_PROBLEMS, *YAML_PROBLEMS})


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_compiled_catalogue_is_the_po_compiled(language: str) -> None:
    """The `.mo` the package reads holds exactly the `.po`'s translations
    (`make catalogues`)."""
    with (LOCALE / language / "LC_MESSAGES" / "azwa.po").open("rb") as handle:
        source = read_po(handle, locale=language)
    made = io.BytesIO()
    write_mo(made, source)
    made.seek(0)
    fresh = gettext.GNUTranslations(made)._catalog  # type: ignore[attr-defined]
    with (LOCALE / language / "LC_MESSAGES" / "azwa.mo").open("rb") as handle:
        stored = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    fresh.pop("", None)
    stored.pop("", None)
    assert stored == fresh, "run `make catalogues`"


@pytest.mark.parametrize(("module", "text"), literal_texts(), ids=lambda v: str(v)[:50])
def test_every_text_in_the_code_has_a_dutch_translation(module: str, text: str) -> None:
    """A `_("...")` without a Dutch translation fails here, naming its module."""
    assert catalogue("nl").get((None, text)), f"{module}: no Dutch for {text!r}"


@pytest.mark.parametrize(("kind", "name"), terms(), ids=lambda v: str(v))
def test_every_term_of_the_definitions_has_a_dutch_label(kind: str, name: str) -> None:
    """A new state, trigger, role or deadline in `states/` fails here until it has its
    Dutch label (msgctxt = its kind)."""
    assert catalogue("nl").get((kind, name)), f"no Dutch label for {kind} {name!r}"


@pytest.mark.parametrize("text", composed_texts(), ids=lambda v: v[:50])
def test_every_duty_and_idle_reason_has_a_dutch_translation(text: str) -> None:
    assert catalogue("nl").get((None, text)), f"no Dutch for {text!r}"


@pytest.mark.parametrize(("module", "text"), phrase_templates(), ids=lambda v: str(v)[:50])
def test_every_refusal_template_has_a_dutch_translation(module: str, text: str) -> None:
    """A refusal the engine, a payload or an amount check composes (a `Phrase`) fails here
    until its template has Dutch."""
    assert catalogue("nl").get((None, text)), f"{module}: no Dutch for {text!r}"


@pytest.mark.parametrize(("ref", "text"), rule_texts(), ids=lambda v: str(v)[:50])
def test_every_rule_description_has_a_dutch_translation(ref: str, text: str) -> None:
    """A guard added to a definition in `states/` fails here until its text has Dutch."""
    assert catalogue("nl").get((None, text)), f"{ref}: no Dutch for the rule {text!r}"


@pytest.mark.parametrize("text", service_texts(), ids=lambda v: v[:50])
def test_every_problem_title_and_joiner_has_a_dutch_translation(text: str) -> None:
    assert catalogue("nl").get((None, text)), f"no Dutch for {text!r}"


def test_translations_keep_their_placeholders() -> None:
    """`{due}` in the English must be `{due}` in the Dutch: a lost one would print wrong."""
    slots = re.compile(r"\{(\w*)\}")
    wrong = [(k, v) for k, v in catalogue("nl").items()
             if sorted(slots.findall(k[1])) != sorted(slots.findall(v))]
    assert wrong == []

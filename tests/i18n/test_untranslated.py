"""No new English for people to read: a text written into the code where it is shown (a line
the command line prints, an error a user reads, a web problem's message, a report's heading)
goes through the translation, or this test names it (docs/language.md).

The scan reads every module of `workflow/` (`ast`) and looks at the arguments of the calls
that show a text to a person (`SHOWN`). An argument is English left as it is when it is a
string literal, an f-string or a `"...".format(...)` whose written parts hold a word; it is
translated when it is a call (`_("...")`, `say(...)`, `Phrase("...")`, `term(...)`): those
texts are checked against the catalogue by test_catalogue.py. `ALLOWED` lists, with the
reason, the few texts that are rightly shown as written; any other fails.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PRINTERS = {"echo", "secho", "print", "fail", "_fail", "BadParameter"}
"""Calls that print their arguments to a person: typer's and rich's, and the command
line's `fail` (one line on stderr, then exit)."""
USER_ERRORS = {
    "BadInput", "ModelplanFileError", "ModelplanError", "OutputError", "SigningKeyError",
    "StoreUnavailable", "CorruptRow", "LogFileError", "ScenarioError", "SettingsError",
    "SettingError", "DefinitionError", "UnknownLanguage", "AmountError", "DotMissing",
    "StaleWrite", "UnknownPlan",
}
"""The project's errors whose message a person reads (the command line prints it, the web
service puts it in a problem). Python's own ValueError, TypeError and RuntimeError are not
among them: they say a program called the Python API wrongly, and what a user can cause is
raised as one of these."""
REPORT_BLOCKS = {"_Heading", "_Para", "_Table"}
"""The modelplan report's headings, paragraphs and tables."""
TERMINAL = {"Table", "add_column", "add_row", "Text", "Panel", "bar", "tracked"}
"""A rich table's headings and cells, a text or panel for the terminal, and the progress
bars' labels (`workflow/cli/progress.py`)."""
SHOWN = PRINTERS | USER_ERRORS | REPORT_BLOCKS | TERMINAL | {"azwa_rule"}
"""`azwa_rule(status, rule, message)`: a web problem's message (its rule is an identifier).
So is an error's `super().__init__(...)` in one of USER_ERRORS: the message it composes of
its parts."""
FIRST_SHOWN = {"azwa_rule": 2, "ScenarioError": 1, "CorruptRow": 4}
"""Where the shown arguments start, for a call whose first ones are identifiers: a
scenario's key; a damaged row's table, plan, column and the technical detail of what its
decoding tripped over, shown as given inside the translated sentence (docs/language.md)."""

ALLOWED: dict[tuple[str, str], str] = {
    ("workflow/cli/serve.py", "token: {}\nhash = \"{}\""):
        "`azwa serve hash-token` prints a token and the TOML line to paste into the config "
        "file: a key and a value, read by the service, not a sentence",
    ("workflow/cli/modelplan.py", "BE"):
        "the seed's own abbreviation of basiseis (BE1–BE14), a column head in both languages",
    ("workflow/cli/main.py", "paid €{}, costs €{}, refund €{}"):
        "`azwa demo`'s closing line in English only (`if current() == \"en\"`): English keeps "
        "what it always printed; the Dutch line beside it is translated, with Dutch amounts",
    ("workflow/modelplan/report.py", "BE{} {}"):
        "a basiseis's number and its title in the seed's own Dutch (data, like the answers)",
    ("workflow/core/validate.py", "{} is not a valid definition:\n  "):
        "a process definition in states/ that does not load: read by whoever writes the "
        "definition (a developer), when the package is imported, never by a case worker",
}
"""(module, text): texts that are rightly shown as written, and why."""

WORD = re.compile(r"[A-Za-z]{2,}")
MARKUP = re.compile(r"\[/?(bold|dim|italic|red|green|yellow)\]")
"""rich's markup around data (`[bold]{plan}[/bold]`): no words of its own."""


def _english(node: ast.expr) -> str | None:
    """The written text of an argument left in English, placeholders as `{}`; None for a
    translated, composed or data argument."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value if WORD.search(MARKUP.sub("", node.value)) else None
    if isinstance(node, ast.JoinedStr):
        text = "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
        return text if WORD.search(MARKUP.sub("", text.replace("{}", ""))) else None
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "format"):
        return _english(node.func.value)
    if isinstance(node, ast.BinOp):
        return _english(node.left) or _english(node.right)
    if isinstance(node, ast.IfExp):
        return _english(node.body) or _english(node.orelse)
    if isinstance(node, (ast.Tuple, ast.List)):
        return next((t for t in map(_english, node.elts) if t), None)
    return None


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else ""


def untranslated(source: str, module: str) -> set[tuple[str, str]]:
    """(module, text) of every English text the source shows a person as written."""
    found: set[tuple[str, str]] = set()
    tree = ast.parse(source)
    composing = {id(node) for cls in ast.walk(tree)
                 if isinstance(cls, ast.ClassDef) and cls.name in USER_ERRORS
                 for node in ast.walk(cls)
                 if isinstance(node, ast.Call) and _name(node.func) == "__init__"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and ((name := _name(node.func)) in SHOWN
                                           or id(node) in composing):
            shown = [*node.args[FIRST_SHOWN.get(name, 0):],
                     *(k.value for k in node.keywords if k.arg in ("title", "caption"))]
            for arg in shown:
                text = _english(arg)
                if text is not None:
                    found.add((module, text))
    return found


@cache
def scan() -> frozenset[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for path in sorted((ROOT / "workflow").rglob("*.py")):
        if "migrations" in path.parts:  # alembic's op.add_column names a table, not a text
            continue
        found |= untranslated(path.read_text(encoding="utf-8"), path.relative_to(ROOT).as_posix())
    return frozenset(found)


def test_no_english_text_is_shown_as_written() -> None:
    """A text printed, raised to a user, put in a web problem or in the modelplan report
    without `_()` or a `Phrase` fails here, naming its module: translate it (and give it
    its Dutch in azwa.po)."""
    found = sorted(scan() - set(ALLOWED))
    assert found == [], "shown in English; write it as _(...) or Phrase(...): " + "\n".join(
        f"{m}: {t!r}" for m, t in found)


def test_the_allowed_texts_are_still_there() -> None:
    """Each allowance names a text the code shows: one no longer shown is removed."""
    assert sorted(set(ALLOWED) - scan()) == []


@pytest.mark.parametrize(("source", "found"), [
    ('typer.echo(f"wrote {path}")', {"wrote {}"}),
    ('fail("no plan in the database")', {"no plan in the database"}),
    ('raise BadInput(f"{name} must be a text")', {"{} must be a text"}),
    ('raise OutputError("{path} exists".format(path=p))', {"{path} exists"}),
    ('console.print("Total: " + str(n))', {"Total: "}),
    ('items = tracked(lines, "replaying", total)', {"replaying"}),
    ('Table(title="Plans")', {"Plans"}),
    ('_Table(("Year", "Total"), rows)', {"Year"}),
    ('class OutputError(ValueError):\n    def __init__(self, p):\n'
     '        super().__init__(f"{p} exists")', {"{} exists"}),
    ('raise azwa_rule(404, "known_plan", f"No plan {plan_id!r}")', {"No plan {}"}),
], ids=["f-string echo", "literal fail", "error f-string", "format", "concatenation",
        "progress label", "table title", "report table", "an error's own sentence",
        "web problem"])
def test_an_english_text_shown_as_written_is_found(source: str, found: set[str]) -> None:
    """The refused cases: each of these shows English as written, and fails the scan."""
    assert {text for _m, text in untranslated(source, "m.py")} == found


@pytest.mark.parametrize("source", [
    'typer.echo(_("wrote {path}").format(path=path))',
    'fail(say(Phrase("no plan {plan} in the database", plan=plan_id)))',
    'raise BadInput(Phrase("{name} must be a text", name=name))',
    'raise azwa_rule(404, "known_plan", Phrase("No plan {plan!r}", plan=plan_id))',
    'typer.echo(f"{plan_id}: {said(exc)}")',
    'typer.echo(json.dumps(data))',
    '_Table((Phrase("Year"), Phrase("Total")), rows)',
    'out.print(f"[bold]{plan}[/bold]  {state}")',
    'raise ValueError(f"interval must be above 0, not {interval}")',
], ids=["_ then format", "say a Phrase", "error Phrase", "web problem Phrase",
        "only data", "JSON", "report Phrases", "markup around data", "a programmer's error"])
def test_a_translated_text_passes(source: str) -> None:
    """The allowed cases: translated texts, data and a programmer's error pass the scan."""
    assert untranslated(source, "m.py") == set()

"""The dependency direction of STYLE.md, drawn by the folders of `workflow/`.

core (vocabulary, plan, events, time, engine, validation) imports nothing else of the
project; store imports core; service imports core and store; audit imports core and store;
modelplan imports the definitions and, of the core, only `phrase`; the command line only
calls the service and the tools; the HTTP service calls the service layer too, never the
command line, and of the store names only its protocol and the outbox. The engine, the
replay and the simulation never import SQL, Typer or the wall clock; the process
definitions import only the definition vocabulary and the standard library.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / "workflow"
IO_LIBRARIES = ("sqlalchemy", "sqlmodel", "typer", "rich", "psycopg", "matplotlib", "structlog")
MAY_IMPORT: dict[str, tuple[str, ...]] = {
    "core": ("workflow.core",),
    "store": ("workflow.core", "workflow.store"),
    "service": ("workflow.core", "workflow.store", "workflow.service", "workflow.simulate",
                "states"),
    "audit": ("workflow.core", "workflow.store", "workflow.audit", "states"),
    "modelplan": ("workflow.modelplan", "workflow.core.phrase", "states"),
    "simulate": ("workflow.core", "workflow.simulate", "states"),
    "cli": ("workflow", "states"),
    "http": ("workflow.core", "workflow.service", "workflow.store.protocol",
             "workflow.store.outbox", "workflow.http", "states"),
}
"""`modelplan` names of the core only `phrase` (pure, no language state; `states` imports it
already): its report composes its labels as Phrases, and the caller says them in the
reader's language, so the catalogue stays out of this layer. `http` names of the store its
protocol and the webhook outbox (whose rows commit in the
command's own transaction, docs/http.md); never the command line."""
PURE = ["core/spec", "core/actor", "core/context", "core/plan", "core/events", "core/timecalc",
        "core/money",
        "core/engine", "core/validate", "core/errors", "audit/replay", "audit/logfile",
        "simulate/model", "simulate/owed", "simulate/behaviour", "simulate/scenario",
        "simulate/delays", "simulate/calendar", "simulate/pools", "core/payload", "core/phrase"]
STATES_MAY_IMPORT = ("workflow.core.spec", "workflow.core.actor", "workflow.core.context",
                     "workflow.core.money",
                     "workflow.core.plan", "workflow.core.timecalc", "workflow.core.validate",
                     "workflow.core.payload", "workflow.core.text", "workflow.core.phrase",
                     "states")


def imports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{a.name}" for a in node.names
                      if node.module in ("workflow", "states") or node.module.count(".") == 1}
    return names


def _hits(names: set[str], prefixes: tuple[str, ...]) -> list[str]:
    return sorted(n for n in names if any(n == p or n.startswith(p + ".") for p in prefixes))


def _project(names: set[str]) -> set[str]:
    return {n for n in names if n.split(".")[0] in ("workflow", "states")}


@pytest.mark.parametrize("package", sorted(MAY_IMPORT))
def test_each_folder_imports_only_the_layers_below(package: str) -> None:
    """A folder of `workflow/` imports only the folders its layer may see."""
    wrong: dict[str, list[str]] = {}
    for path in sorted((WORKFLOW / package).glob("*.py")):
        names = {n for n in _project(imports_of(path)) if n not in ("workflow",)}
        bad = [n for n in names if not _hits({n}, MAY_IMPORT[package])]
        if bad:
            wrong[path.name] = sorted(bad)
    assert wrong == {}


@pytest.mark.parametrize("module", [m for m in PURE if (WORKFLOW / f"{m}.py").exists()])
def test_pure_modules_import_no_io(module: str) -> None:
    """The engine layer stays free of SQL, Typer, plotting, logging and the wall clock."""
    names = imports_of(WORKFLOW / f"{module}.py")
    forbidden = (*IO_LIBRARIES, "workflow.store", "workflow.service", "workflow.cli",
                 "workflow.core.clock")
    assert _hits(names, forbidden) == []


def test_only_the_clock_reads_the_wall_clock() -> None:
    """`datetime.now`, `time.time` and friends appear in `core/clock.py` alone."""
    readers = ("datetime.now(", ".now(", "time.time(", "date.today(", "utcnow(")
    found = [
        str(p.relative_to(ROOT)) for p in sorted((WORKFLOW / "core").glob("*.py"))
        if p.name != "clock.py" and any(r in p.read_text(encoding="utf-8") for r in readers)
    ]
    assert found == []


@pytest.mark.parametrize("path", sorted((ROOT / "states").glob("*.py")), ids=lambda p: p.name)
def test_states_import_only_vocabulary(path: Path) -> None:
    """Definitions are data: standard library and the definition vocabulary only."""
    names = imports_of(path)
    third_party = {n for n in names if not n.startswith(("workflow", "states"))}
    assert sorted(n for n in third_party if n.split(".")[0] not in sys.stdlib_module_names) == []
    workflow = {n for n in names if n.startswith("workflow")}
    assert [n for n in workflow if not _hits({n}, STATES_MAY_IMPORT)] == []


CLI_MAY_USE_OF_THE_STORE = ("workflow.store.url", "workflow.store.protocol",
                            "workflow.store.signing")
"""Naming a database and its one-line errors, the types the store hands out, and key files:
no SQL. Everything else of the store the command line reaches through the service."""


def test_cli_goes_through_the_service() -> None:
    """The command line calls the service layer, never the engine, the SQL store or a
    database library directly."""
    for path in sorted((WORKFLOW / "cli").glob("*.py")):
        names = imports_of(path)
        forbidden = _hits(names, ("workflow.core.engine", "workflow.store", "sqlalchemy",
                                  "sqlmodel", "psycopg"))
        # `from workflow.store import signing` names the package too: its modules are judged
        assert [n for n in forbidden if n != "workflow.store"
                and not _hits({n}, CLI_MAY_USE_OF_THE_STORE)] == [], (
            path.name)


def test_no_import_circle_in_the_core() -> None:
    """spec, actor, context, plan and timecalc import each other in one direction only."""
    graph = {
        p.stem: {n.split(".")[2] for n in imports_of(p) if n.startswith("workflow.core.")
                 and len(n.split(".")) > 2}
        for p in (WORKFLOW / "core").glob("*.py")
    }

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph.get(start, set()):
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    assert sorted(m for m in graph if reaches(m, m, set())) == []

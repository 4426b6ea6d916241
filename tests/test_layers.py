"""The dependency direction of STYLE.md: cli → service → engine, store.

The engine, the replay and the simulation never import SQL, Typer or the wall clock; the
process definitions import only the definition vocabulary and the standard library.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PURE = ["engine", "context", "spec", "plan", "events", "timecalc", "validate", "replay",
        "logfile", "simulate"]
FORBIDDEN_IN_PURE = ("sqlalchemy", "sqlmodel", "typer", "rich", "workflow.sqlstore",
                     "workflow.service", "workflow.cli", "workflow.clock", "psycopg")
STATES_MAY_IMPORT = ("workflow.spec", "workflow.context", "workflow.plan", "workflow.timecalc",
                     "workflow.validate", "states")


def imports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _hits(names: set[str], prefixes: tuple[str, ...]) -> list[str]:
    return sorted(n for n in names if any(n == p or n.startswith(p + ".") for p in prefixes))


@pytest.mark.parametrize("module", [m for m in PURE if (ROOT / "workflow" / f"{m}.py").exists()])
def test_pure_modules_import_no_io(module: str) -> None:
    """The engine layer stays free of SQL, Typer and the wall clock (STYLE.md, Layout)."""
    assert _hits(imports_of(ROOT / "workflow" / f"{module}.py"), FORBIDDEN_IN_PURE) == []


@pytest.mark.parametrize("path", sorted((ROOT / "states").glob("*.py")), ids=lambda p: p.name)
def test_states_import_only_vocabulary(path: Path) -> None:
    """Definitions are data: standard library and the definition vocabulary only."""
    third_party = {n for n in imports_of(path) if not n.startswith(("workflow", "states"))}
    import sys

    assert sorted(n for n in third_party if n.split(".")[0] not in sys.stdlib_module_names) == []
    workflow = {n for n in imports_of(path) if n.startswith("workflow")}
    assert [n for n in workflow if not _hits({n}, STATES_MAY_IMPORT)] == []


def test_cli_goes_through_the_service() -> None:
    """The CLI calls the service layer, never the engine's store directly for writes."""
    names = imports_of(ROOT / "workflow" / "cli.py")
    assert "workflow.engine" not in names
    assert "sqlalchemy" not in names

"""What `azwa` imports to start: about what Typer costs, nothing the command does not use.

Timing lives in `make bench` (tests/bench/bench_startup.py); these tests pin the cause:
which modules a start-up, `azwa --help` and `azwa replay` load.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from workflow.cli.main import LAZY, load_lazy

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("sqlalchemy", "sqlmodel", "pydantic", "matplotlib", "structlog", "rich", "states",
         "pendulum", "transitions", "yaml", "psycopg", "pm4py")


def _loaded_after(code: str, cwd: Path) -> set[str]:
    """Top-level packages (and workflow modules) loaded after running `code` afresh."""
    script = (
        "import sys\n"
        f"{code}\n"
        "names = {m.split('.')[0] for m in sys.modules} | "
        "{m for m in sys.modules if m.startswith('workflow.')}\n"
        "sys.__stdout__.write('\\n' + __import__('json').dumps(sorted(names)))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=cwd, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return set(json.loads(done.stdout.splitlines()[-1]))


def _run_app(*argv: str) -> str:
    return ("from workflow.cli.main import app\n"
            f"try:\n    app({list(argv)!r}, prog_name='azwa')\n"
            "except SystemExit as exc:\n    assert exc.code in (0, None), exc.code\n")


def test_importing_the_command_loads_nothing_heavy(tmp_path: Path) -> None:
    loaded = _loaded_after("import workflow.cli.main", tmp_path)
    assert sorted(loaded & set(HEAVY)) == []


def test_help_loads_nothing_heavy(tmp_path: Path) -> None:
    """`azwa --help` and `azwa plan --help` print Click's plain help: no rich, no SQL.

    Typer (0.29) coerces the parameters of every group it passes through with pydantic, so
    `azwa plan --help` pays for pydantic: Typer's cost, not azwa's."""
    loaded = _loaded_after(_run_app("--help"), tmp_path)
    assert sorted(loaded & set(HEAVY)) == []
    loaded = _loaded_after(_run_app("plan", "--help"), tmp_path)
    assert sorted(loaded & set(HEAVY) - {"pydantic"}) == []


def test_replay_loads_neither_the_sql_store_nor_plotting(tmp_path: Path) -> None:
    """`azwa replay` of a one-line log reads the log and runs the rules, nothing else: no
    pydantic (its parameters skip Typer's coercion), no rich (no terminal, no violation)."""
    log = tmp_path / "one.jsonl"
    first = (ROOT / "docs" / "examples" / "audit_log.jsonl").read_text().splitlines()[0]
    log.write_text(first + "\n", encoding="utf-8")
    loaded = _loaded_after(_run_app("replay", str(log)), tmp_path)
    assert {"states", "transitions"} <= loaded  # it did replay
    assert sorted(loaded & {"sqlalchemy", "sqlmodel", "matplotlib", "psycopg", "pydantic",
                            "rich", "workflow.store.sql", "workflow.service.api"}) == []


@pytest.mark.parametrize("name", sorted(LAZY))
def test_the_help_line_of_a_lazy_command_is_its_own(name: str) -> None:
    """`azwa --help` shows a lazy command's line without loading it: the same line the
    command gives once loaded."""
    command = load_lazy(name)
    own = " ".join((command.help or "").split("\n\n")[0].split())
    assert LAZY[name][2] == own

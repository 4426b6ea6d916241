"""The tutorial runs as written: every `$ azwa` line, in order, with its exit status."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from workflow.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
TUTORIAL = ROOT / "docs" / "tutorial.md"


def commands(text: str) -> list[tuple[list[str], int, str | None]]:
    """(argv, expected exit, expected first output line) for each `$ azwa` line."""
    found: list[tuple[list[str], int, str | None]] = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if not line.startswith("$ azwa "):
            continue
        command, _, comment = line[2:].partition("  # ")
        code = int(m.group(1)) if (m := re.search(r"exits (\d)", comment)) else 0
        after = lines[i + 1] if i + 1 < len(lines) else ""
        expected = None if after.startswith(("$", "```")) else after
        found.append((shlex.split(command)[1:], code, expected))
    return found


def test_tutorial_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every command of docs/tutorial.md gives the exit status and output the text shows,
    and the plan ends closed with one breach and a €20,000 refund (A4 §3.a.4)."""
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("AZWA_DATABASE_URL", f"sqlite:///{tmp_path}/tutorial.db")
    runner = CliRunner()
    steps = commands(TUTORIAL.read_text(encoding="utf-8"))
    assert len(steps) > 30
    for argv, code, expected in steps:
        result = runner.invoke(app, argv)
        assert result.exit_code == code, (argv, result.output)
        if expected is not None:
            assert expected in result.output, (argv, result.output)
    shown = runner.invoke(app, ["plan", "show", "TW-001", "--json"])
    data = json.loads(shown.stdout)
    assert data["state"] == "closed"
    assert data["breaches"] == ["quick_test_decision"]
    assert data["funds"] == {"paid_eur": 200000.0, "costs_eur": 180000.0, "refund_eur": 20000.0}

"""docs/postgresql.md's command lines run as written (its Python runs in
test_python_blocks): the upgrade of a database made by azwa 0.1.0, and one line for a
server that cannot be reached."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from workflow.cli.main import app

from .test_tutorial import commands

ROOT = Path(__file__).resolve().parents[2]
PAGE = (ROOT / "docs" / "postgresql.md").read_text(encoding="utf-8")
RELEASE_0_1_0 = ROOT / "tests" / "store" / "fixtures" / "azwa-0.1.0.db"


def test_command_lines_run_as_shown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copyfile(RELEASE_0_1_0, tmp_path / "old.db")
    steps = commands(PAGE)
    assert len(steps) >= 4
    for argv, code, expected in steps:
        result = CliRunner().invoke(app, argv)
        assert result.exit_code == code, (argv, result.output)
        lines = [line for line in result.output.splitlines() if line.strip()]
        if code == 2:
            assert len(lines) == 1, (argv, result.output)
        if expected is not None and expected.endswith("…"):
            assert lines[0].startswith(expected[:-1]), (argv, result.output)
        elif expected is not None:
            assert lines[0] == expected, (argv, result.output)

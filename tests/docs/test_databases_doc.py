"""docs/databases.md runs as written: its command lines, their exit status and first line,
and its Python, in a fresh folder."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from workflow.cli.main import app

from .test_tutorial import commands

ROOT = Path(__file__).resolve().parents[2]
PAGE = (ROOT / "docs" / "databases.md").read_text(encoding="utf-8")


def test_command_lines_run_as_shown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AZWA_DATABASE_URL", raising=False)
    steps = commands(PAGE)
    assert len(steps) >= 7
    for argv, code, expected in steps:
        result = CliRunner().invoke(app, argv)
        assert result.exit_code == code, (argv, result.output)
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert "Traceback" not in result.output
        if code == 2:
            assert len(lines) == 1, (argv, result.output)
        if expected is not None:
            assert lines[0] == expected, (argv, result.output)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["typo.db"]


def test_python_runs_as_shown(tmp_path: Path) -> None:
    blocks = re.findall(r"```python\n(.*?)```", PAGE, re.S)
    assert blocks
    env = {k: v for k, v in os.environ.items() if k != "AZWA_DATABASE_URL"}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run([sys.executable, "-c", "\n".join(blocks)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert not (tmp_path / "not-made-yet.db").exists()

"""docs/todo.md runs as written: its Python blocks in one interpreter, then its `$ azwa`
line against the database they built, printing exactly the JSON the page shows."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.defaults.user import user_env
from workflow.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "todo.md"
PYTHON = re.compile(r"```python\n(.*?)```", re.S)
CONSOLE = re.compile(r"```console\n\$ azwa (.*?)\n(.*?)```", re.S)


def test_todo_page_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The API example holds its asserts with the reader's settings (the plan follows
    transformation@2); `azwa todo --json` prints the page's output."""
    text = PAGE.read_text(encoding="utf-8")
    script = tmp_path / "page.py"
    script.write_text("\n\n".join(PYTHON.findall(text)), encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True,
                          env=dict(user_env(), PYTHONPATH=str(ROOT)), text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    [(command, shown)] = CONSOLE.findall(text)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, shlex.split(command))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == json.loads(shown)

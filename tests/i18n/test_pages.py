"""docs/monitoring.md, docs/diagrams.md, docs/glossary.md and docs/language.md run as written:
each page's Python blocks in one fresh interpreter (their asserts holding), then each
`$ azwa ...` block in the same folder, its shown lines found in the output in that order (the
pages show excerpts); the glossary's rows agree with the catalogue."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from workflow.cli.main import app
from workflow.core.i18n import TERM_KINDS, reading, term

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["monitoring.md", "diagrams.md", "glossary.md", "language.md"]
PYTHON = re.compile(r"```python\n(.*?)```", re.S)
CONSOLE = re.compile(r"```console\n\$ azwa (.*?)\n(.*?)```", re.S)


def in_order(shown: list[str], output: list[str]) -> list[str]:
    """The shown lines not found, in order, among the output's lines (trailing space aside)."""
    lines = iter(line.rstrip() for line in output)
    return [s for s in shown if not any(s.rstrip() == line for line in lines)]


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_as_written(page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                              ) -> None:
    text = (ROOT / "docs" / page).read_text(encoding="utf-8")
    blocks = PYTHON.findall(text)
    assert blocks, f"{page} has no example"
    script = tmp_path / "page.py"
    script.write_text("\n\n".join(blocks), encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)), text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    monkeypatch.chdir(tmp_path)
    for command, shown in CONSOLE.findall(text):
        result = CliRunner().invoke(app, shlex.split(command), env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output
        assert in_order(shown.splitlines(), result.stdout.splitlines()) == [], command


ROW = re.compile(r"^\| ([^|]+?) \| `([\w:]+)` \| (\w+) \|", re.M)


def test_glossary_agrees_with_the_catalogue() -> None:
    """Each row of the seed's terms is the label `--lang nl` shows for that identifier."""
    rows = ROW.findall((ROOT / "docs" / "glossary.md").read_text(encoding="utf-8"))
    assert len(rows) > 25
    with reading("nl"):
        wrong = [(dutch, name, kind) for dutch, name, kind in rows
                 if kind not in TERM_KINDS or term(kind, name) != dutch]
    assert wrong == []

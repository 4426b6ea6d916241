"""The command lines in docs/replay.md and docs/audit.md run as documented (STYLE.md, Docs).

Each ```console block is a session: `$ azwa ...` lines run through the auditors' commands
mounted on a small app (as the main CLI mounts them), `$ python FILE` runs an example script,
and the lines after a command are its output (JSON compared as data, tables line by line). A
`# exit status N` comment gives the expected exit status (else 0); `NAME=value` words before
the command set environment variables for that command only. ```python FILE blocks must
be that example file's code; a ```markdown FILE block must appear in the file the session
wrote.
"""

from __future__ import annotations

import json
import re
import runpy
import shlex
import shutil
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from typer.testing import CliRunner

from workflow.service.logs import configure

from ..replay.helpers import app

ROOT = Path(__file__).resolve().parents[2]
DOCS = ("replay.md", "audit.md")
FENCE = re.compile(r"^```(\w+)(?: (\S+))?\n(.*?)^```$", re.M | re.S)
EXIT = re.compile(r"#\s*exit status (\d)")


@dataclass
class Step:
    command: str
    output: list[str] = field(default_factory=list)


def blocks(doc: str) -> list[tuple[str, str | None, str]]:
    text = (ROOT / "docs" / doc).read_text(encoding="utf-8")
    return [(m.group(1), m.group(2), m.group(3)) for m in FENCE.finditer(text)]


def session(body: str) -> list[Step]:
    steps: list[Step] = []
    for line in body.splitlines():
        if line.startswith("$ "):
            steps.append(Step(line[2:]))
        elif steps:
            steps[-1].output.append(line)
    return steps


def run(step: Step, where: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    words = shlex.split(step.command, comments=True)
    found = EXIT.search(step.command)
    status = int(found.group(1)) if found else 0
    env: dict[str, str] = {}
    while "=" in words[0]:
        name, _, value = words.pop(0).partition("=")
        env[name] = value
    if words[0] == "python":
        with monkeypatch.context() as scoped:
            for name, value in env.items():
                scoped.setenv(name, value)
            runpy.run_path(str(where / words[1]), run_name="__main__")
        configure(json=True, level="CRITICAL")
        assert step.output == []
        return
    assert words[0] == "azwa", step.command
    result = CliRunner().invoke(app, words[1:], env={"COLUMNS": "100", **env})
    assert result.exit_code == status, (step.command, result.output)
    expected = "\n".join(step.output)
    if expected.startswith("{"):
        assert json.loads(result.stdout) == json.loads(expected), step.command
    else:
        got = [line.rstrip() for line in result.output.splitlines()]
        assert got == [line.rstrip() for line in step.output], step.command


@pytest.mark.parametrize("doc", DOCS)
def test_documented_command_lines_run_as_shown(doc: str, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """STYLE.md (Docs): every command line in the auditor's docs runs and prints what the
    docs show, exit status included (DESIGN.md "Auditor interface")."""
    # Given a working directory with the docs' example files
    shutil.copytree(ROOT / "docs" / "examples", tmp_path / "docs" / "examples")
    monkeypatch.chdir(tmp_path)
    ran = 0
    for kind, name, body in blocks(doc):
        if kind == "console":
            # When each documented command is run in order
            for step in session(body):
                run(step, tmp_path, monkeypatch)
                ran += 1
        elif kind == "python" and name:
            # Then a Python block is the example file's code
            assert body.strip() in (ROOT / name).read_text(encoding="utf-8")
            if name.endswith("mine_xes.py"):
                pytest.importorskip("pm4py", reason="pm4py (a test dependency) is absent")
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    runpy.run_path(str(tmp_path / name), run_name="__main__")
        elif kind == "markdown" and name:
            # And an excerpt of a written file is in that file
            written = (tmp_path / name).read_text(encoding="utf-8")
            for line in body.splitlines():
                assert line in written.splitlines(), line
    assert ran >= 4

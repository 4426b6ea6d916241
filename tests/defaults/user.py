"""A user's process: the shipped settings and the real clock.

The suite moves transformation@2's in-force date past its @1 tests' dates (tests/conftest.py),
and the setting is read once per process; so what a user who set nothing sees is run here in
a process of its own, with every `AZWA_` setting removed (the language stays as each test
says, so that the outputs it reads are the ones it names)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]

_CLI = """
import json, sys
from typer.testing import CliRunner
from workflow.cli.main import app
runner = CliRunner()
done = []
for argv in json.load(sys.stdin):
    result = runner.invoke(app, argv, env={"COLUMNS": "200"})
    done.append({"argv": argv, "code": result.exit_code, "stdout": result.stdout,
                 "stderr": result.stderr})
json.dump(done, sys.stdout)
"""


def user_env(**settings: str) -> dict[str, str]:
    """The environment of a user who set nothing of azwa's but `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AZWA_")}
    return {**env, **settings}


def python(code: str, *args: str, stdin: str = "", cwd: Path = ROOT,
           **settings: str) -> subprocess.CompletedProcess[str]:
    """`code` run by a fresh interpreter with the user's settings; fails loudly."""
    done = subprocess.run([sys.executable, "-c", code, *args], input=stdin,
                          env=user_env(**settings), cwd=cwd, capture_output=True, text=True,
                          timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def azwa(steps: list[list[str]], cwd: Path = ROOT, **settings: str) -> list[dict[str, Any]]:
    """Each `azwa` command line of `steps`, in order, in one fresh process with the user's
    settings: its exit code, standard output and standard error."""
    done = python(_CLI, stdin=json.dumps(steps), cwd=cwd, **settings)
    found: list[dict[str, Any]] = json.loads(done.stdout)
    return found

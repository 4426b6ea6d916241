"""docs/rule-changes.md runs as written: its Python block first (it makes demo.db), then
every `$ azwa ...` line of its console blocks, each exiting as the page says (0, or 1 where
a plan is affected)."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "rule-changes.md"
AFFECTED = ("--as transformation@2",)
"""Commands that find affected plans: exit 1."""


def test_page_runs(tmp_path: Path) -> None:
    text = PAGE.read_text(encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    script = tmp_path / "page.py"
    script.write_text("\n\n".join(re.findall(r"```python\n(.*?)```", text, re.S)),
                      encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    azwa = Path(sys.executable).parent / "azwa"
    commands = re.findall(r"^\$ azwa (.*)$", text, re.M)
    assert len(commands) >= 7
    for line in commands:
        args = [a.replace("tests/", str(ROOT / "tests") + "/") for a in shlex.split(line)]
        ran = subprocess.run([str(azwa), *args], cwd=tmp_path, env=env, capture_output=True,
                             text=True, timeout=120, check=False)
        expected = 1 if any(k in line for k in AFFECTED) else 0
        assert ran.returncode == expected, (line, ran.stdout[-500:], ran.stderr[-500:])

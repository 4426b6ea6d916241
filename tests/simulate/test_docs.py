"""docs/simulation.md: its Python example runs as written, every scenario key its table
names is one the loader knows, and the example scenarios load."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from workflow.simulate.scenario import BRANCHES, TOP_KEYS, load

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "simulation.md"


def test_the_python_example_runs(tmp_path: Path) -> None:
    blocks = re.findall(r"```python\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.S)
    assert blocks
    script = tmp_path / "page.py"
    script.write_text("\n\n".join(blocks), encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, check=False,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert done.returncode == 0, done.stderr[-3000:]
    assert "quick-test decisions late" in done.stdout


def test_the_page_names_every_key_and_branch() -> None:
    text = PAGE.read_text(encoding="utf-8")
    for key in TOP_KEYS:
        assert f"`{key}" in text, key
    for branch in BRANCHES:
        assert f"`{branch}`" in text, branch


@pytest.mark.parametrize("path", sorted((ROOT / "docs" / "scenarios").glob("*.toml")),
                         ids=lambda p: p.name)
def test_example_scenarios_load(path: Path) -> None:
    scenario = load(path)
    assert scenario.definition == "transformation@1"

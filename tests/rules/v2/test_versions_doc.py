"""docs/versions.md: its Python example runs as written, in a process of its own (it sets the
in-force date itself, as a user would)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_versions_page_example_runs(tmp_path: Path) -> None:
    """The page's example registers a plan on each side of 1 January 2026 and shows @2's
    clock from receipt and its refusal to move a decision deadline; its asserts hold."""
    text = (ROOT / "docs" / "versions.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert blocks
    script = tmp_path / "versions.py"
    script.write_text("\n\n".join(blocks), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AZWA_")}
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path,
                          env={**env, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]

"""docs/pages.md's example runs as written: its Python blocks in one fresh interpreter."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def test_the_example_runs(tmp_path: Path) -> None:
    blocks = BLOCK.findall((ROOT / "docs" / "pages.md").read_text(encoding="utf-8"))
    assert blocks
    script = tmp_path / "page.py"
    script.write_text("\n\n".join(blocks), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "AZWA_LANG"}
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True,
                          env=dict(env, PYTHONPATH=str(ROOT)), text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr[-3000:]

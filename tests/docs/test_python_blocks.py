"""The Python on the how-to pages runs as written, block after block, in one namespace.

Each page runs in a fresh interpreter, so a page that registers a definition version
leaves nothing behind for other tests; with the settings a reader has (none of azwa's), so a
page's plans follow the version in force on their dates, as the reader's would.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.defaults.user import user_env

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["embedding.md", "deadlines.md", "add-a-rule.md", "postgresql.md"]
BLOCK = re.compile(r"```python\n(.*?)```", re.S)


@pytest.mark.parametrize("page", PAGES)
def test_python_blocks_run(page: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """Every ```python block of the page runs without error, its asserts holding."""
    env = dict(user_env(), PYTHONPATH=str(ROOT))  # the reader's settings: none of azwa's
    if page == "postgresql.md":
        env["AZWA_DATABASE_URL"] = request.getfixturevalue("pg_url")
    blocks = BLOCK.findall((ROOT / "docs" / page).read_text(encoding="utf-8"))
    assert blocks, f"{page} has no Python example"
    script = tmp_path / "page.py"
    script.write_text("\n\n".join(blocks), encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]

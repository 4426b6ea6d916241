"""docs/http.md runs as written against a real `azwa serve`: its shell blocks (curl, the
webhook commands) in order, the refusal it shows, and the Java client where a JDK is."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.http.helpers import TOKENS, write_config
from tests.http.test_webhook_outbox import free_port, start

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "http.md"
BASH = re.compile(r"```bash\n(.*?)```", re.S)
JSON_BLOCK = re.compile(r"```json\n(.*?)```", re.S)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The page's first block (init, hash-token) run, then `azwa serve` on what it made."""
    db = f"sqlite:///{tmp_path}/azwa.db"
    env = dict(os.environ, AZWA_DB=db, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}",
               MAKER_TOKEN=TOKENS["maker"][1], INSURER_TOKEN=TOKENS["insurer"][1],
               AUDITOR_TOKEN=TOKENS["auditor"][1], EXAMPLES=str(ROOT / "docs/examples/http"))
    first = BASH.findall(PAGE.read_text(encoding="utf-8"))[0]
    done = subprocess.run(["bash", "-e", "-c", first], env=env, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert "hash = \"sha256:" in done.stdout
    port = free_port()
    server = start(write_config(tmp_path / "azwa.toml", db), port)
    env["AZWA_URL"] = f"http://127.0.0.1:{port}"
    try:
        yield env
    finally:
        server.kill()
        server.wait(10)


def run(block: str, env: dict[str, str]) -> str:
    done = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", block], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, f"{block}\n{done.stderr}"
    return done.stdout


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_the_shell_blocks_run_as_written(served: dict[str, str]) -> None:
    blocks = [b for b in BASH.findall(PAGE.read_text(encoding="utf-8"))[1:]
              if not b.startswith("java ")]
    outputs = [run(block, served) for block in blocks]
    assert json.loads(outputs[0]) == {"status": "ok"}
    registered = json.loads(outputs[1])
    assert registered["state"] == "intent" and registered["plan_id"] == "TW-100"
    assert json.loads(outputs[2])["seq"] == 2
    shown = json.loads(JSON_BLOCK.findall(PAGE.read_text(encoding="utf-8"))[0])
    assert json.loads(outputs[3]) == shown
    assert '"plan_id":"TW-100"' in outputs[4] and '"todos"' in outputs[4]
    assert "no notifications in the outbox" in outputs[5]


def test_the_java_client_runs(served: dict[str, str]) -> None:
    """The Java example registers, is refused with problem+json, retries with the same key
    and gets the first answer back."""
    if shutil.which("java") is None:
        pytest.skip("no JDK on this machine: the Java client is not run")
    [block] = [b for b in BASH.findall(PAGE.read_text(encoding="utf-8")) if b.startswith("java ")]
    env = {**served, "AZWA_MAKER_TOKEN": served["MAKER_TOKEN"],
           "AZWA_INSURER_TOKEN": served["INSURER_TOKEN"]}
    out = run(block, env)
    assert "register: 201" in out
    assert "refused: 403 application/problem+json" in out and "role_may_fire" in out
    assert "fire: 200, retried: 200 replayed=true same answer=true" in out

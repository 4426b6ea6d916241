"""The pages over a real SQLite file, called in-process, with one plan registered."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.http.helpers import TOKENS, write_config
from workflow.http.app import create_app
from workflow.http.settings import load
from workflow.service import demo
from workflow.service.databases import create_or_upgrade

PLAN = "TW-1"
CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


@pytest.fixture
def app_client(sqlite_url: str, tmp_path: Path) -> Iterator[TestClient]:
    """The service with a plan registered by the real clock (the user's first path)."""
    create_or_upgrade(sqlite_url).close()
    app = create_app(load(write_config(tmp_path / "azwa.toml", sqlite_url)), workers=False)
    app.state.engine.register(PLAN, demo.MAKER, demo.REGISTRATION)
    with TestClient(app, base_url="http://testserver") as client:
        yield client
    app.state.engine.store.close()


def log_in(client: TestClient, who: str) -> str:
    """Log in through the form; the page's CSRF token."""
    answer = client.post("/pages/login", data={"token": TOKENS[who][1]})
    assert answer.status_code == 200, answer.text
    found = CSRF.search(answer.text)
    assert found is not None
    return found.group(1)

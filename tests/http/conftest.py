"""An app over a real database (SQLite file and PostgreSQL schema), called in-process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.http.helpers import write_config
from workflow.http.app import create_app
from workflow.http.settings import load
from workflow.service.databases import create_or_upgrade


@pytest.fixture
def client(db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    """The service on a fresh database, its workers off (tests drive them)."""
    create_or_upgrade(db_url).close()
    settings = load(write_config(tmp_path / "azwa.toml", db_url))
    app = create_app(settings, workers=False)
    with TestClient(app) as test_client:
        yield test_client
    app.state.engine.store.close()

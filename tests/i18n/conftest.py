"""The web service for the language tests: on a fresh SQLite file, its workers off."""

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
def client(sqlite_url: str, tmp_path: Path) -> Iterator[TestClient]:
    create_or_upgrade(sqlite_url).close()
    service = create_app(load(write_config(tmp_path / "azwa.toml", sqlite_url)), workers=False)
    with TestClient(service) as test_client:
        yield test_client
    service.state.engine.store.close()

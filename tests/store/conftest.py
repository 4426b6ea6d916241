"""Fixtures of the store suite: every test here runs on a SQLite file and a PostgreSQL schema."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from workflow import Engine, FakeClock
from workflow.store.sql import SqlStore

from .scenario import START, close


@pytest.fixture
def store(db_url: str) -> Iterator[SqlStore]:
    """A store on a fresh database, its connections closed afterwards."""
    found = SqlStore(db_url)
    yield found
    found.close()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An Engine on a fresh database with a clock that only moves when told."""
    found = Engine(db_url, FakeClock(START))
    yield found
    close(found)

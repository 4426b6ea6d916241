"""Shared fixtures: a real SQLite file and, when a server answers, a real PostgreSQL schema."""

from __future__ import annotations

import os
from collections.abc import Iterator

# The tests written for transformation@1 register their plans in 2027; transformation@2 is in
# force from 2026-01-01 by default (states/settings.py). They keep testing @1 with its in-force
# date moved past their dates; the tests of @2 (tests/rules/v2) name it explicitly. The
# setting is read once per process, so what a user who set nothing sees (the default @2, the
# real clock) runs in processes of its own without this value: tests/defaults (the command
# line, the HTTP service, the simulation, the forecast) and the pages of docs/ a reader
# follows (tests/docs, tests.defaults.user).
os.environ.setdefault("AZWA_TRANSFORMATION_V2_FROM", "2100-01-01")

import pytest
import structlog

from tests.pg import fresh_schema, unavailable
from workflow.service.logs import configure  # after the setting: imports the definitions

configure(json=True, level="CRITICAL")
os.environ["AZWA_LANG"] = "en"
"""The suite reads outputs in English, whatever the shell says; azwa's own default is Dutch
and tests/i18n checks it (docs/language.md)."""


def _pg_reason() -> str | None:
    """None when PostgreSQL answers, else why the PostgreSQL tests skip."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed"
    return unavailable()


PG_SKIP = _pg_reason()


@pytest.fixture
def sqlite_url(tmp_path: object) -> str:
    return f"sqlite:///{tmp_path}/azwa.db"  # type: ignore[str-bytes-safe]


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh schema on the local PostgreSQL, dropped afterwards."""
    if PG_SKIP:
        pytest.skip(PG_SKIP)
    with fresh_schema("test") as (url, _schema):
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: object) -> str:
    """Each store test runs against a real SQLite file and a real PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/azwa.db"  # type: ignore[str-bytes-safe]
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture(autouse=True)
def _quiet_logs() -> Iterator[None]:
    structlog.contextvars.clear_contextvars()
    yield

"""The local PostgreSQL for the tests and the benchmarks: a fresh schema per test or
measurement, and why they skip when no server answers."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

PG_URL = os.environ.get("AZWA_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
DSN = PG_URL.replace("postgresql+psycopg://", "postgresql://")


def unavailable() -> str | None:
    """None when the server answers, else why the PostgreSQL tests and benchmarks skip."""
    try:
        import psycopg

        with psycopg.connect(DSN, connect_timeout=3) as conn:
            conn.execute("select 1")
    except Exception as exc:
        return f"no PostgreSQL server at {PG_URL}: {exc.__class__.__name__}"
    return None


def schema_url(schema: str) -> str:
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options={quote(f'-csearch_path={schema}')}"


@contextmanager
def fresh_schema(prefix: str = "bench") -> Iterator[tuple[str, str]]:
    """(URL, schema name) of an empty schema, dropped afterwards."""
    import psycopg

    schema = f"azwa_{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(DSN, autocommit=True) as conn:
        conn.execute(f'create schema "{schema}"')
    try:
        yield schema_url(schema), schema
    finally:
        with psycopg.connect(DSN, autocommit=True) as conn:
            conn.execute(f'drop schema "{schema}" cascade')


def copy_schema(source: str, target: str, tables: tuple[str, ...]) -> None:
    """Copy every row of `tables` from one schema into another (same tables, both made)."""
    import psycopg

    with psycopg.connect(DSN) as conn:
        for table in tables:
            conn.execute(f'INSERT INTO "{target}".{table} SELECT * FROM "{source}".{table}')
        conn.commit()

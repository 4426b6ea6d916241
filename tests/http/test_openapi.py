"""The OpenAPI document: checked in up to date, and the service keeps it. Schemathesis
generates requests for every operation (and chains of them along the document's links) and
checks that no answer is a server error or breaks the document."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlmodel import SQLModel

from tests.http.helpers import auth, registration, write_config
from workflow.http.app import create_app, openapi_document
from workflow.http.settings import load
from workflow.service.databases import create_or_upgrade

DOC = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, response_headers_conformance]
EXAMPLES = 15


def test_the_checked_in_document_is_current() -> None:
    """docs/openapi.json is what the service serves; regenerate with
    `azwa serve openapi -o docs/openapi.json --force`."""
    assert json.loads(DOC.read_text(encoding="utf-8")) == openapi_document()


def _app(db_url: str, tmp_path: Path) -> FastAPI:
    create_or_upgrade(db_url).close()
    return create_app(load(write_config(tmp_path / "azwa.toml", db_url)), workers=False)


def test_every_operation_answers_within_the_document(sqlite_url: str, tmp_path: Path) -> None:
    """Generated requests for each operation, with a plan maker's token: never a 5xx, every
    answer as documented."""
    app = _app(sqlite_url, tmp_path)
    loaded = schemathesis.openapi.from_asgi("/openapi.json", app, headers=auth("maker"))
    operations = [result.ok() for result in loaded.get_all_operations()]
    assert len(operations) == 10
    try:
        for operation in operations:
            @given(case=operation.as_strategy())
            @settings(max_examples=EXAMPLES, deadline=None,
                      suppress_health_check=list(HealthCheck))
            def call(case: Any) -> None:
                case.call_and_validate(headers=auth("maker"), checks=CHECKS)

            call()
    finally:
        app.state.engine.store.close()


def test_chains_of_operations_along_the_links(db_url: str, tmp_path: Path) -> None:
    """Register, then fire, read, page and ask along the links, on SQLite and PostgreSQL.

    Each registration sends a valid body with a fresh id (generated ones are nearly always
    refused, which the test above covers), so the chains reach real plans."""
    app = _app(db_url, tmp_path)
    loaded = schemathesis.openapi.from_asgi("/openapi.json", app, headers=auth("maker"))
    seen: list[tuple[str, int]] = []

    engine = app.state.engine
    counter = [0]

    class Machine(loaded.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            """Each scenario on an empty database, so the answers it draws on repeat."""
            counter[0] = 0
            with engine.store.engine.begin() as conn:
                for table in reversed(SQLModel.metadata.sorted_tables):
                    conn.execute(table.delete())
            engine._cache.clear()

        def before_call(self, case: Any) -> None:
            if case.method.upper() == "POST" and case.path == "/plans":
                counter[0] += 1
                case.body = registration(f"S-{counter[0]}")

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": auth("maker")}

        def after_call(self, response: Any, case: Any) -> None:
            seen.append((f"{case.method.upper()} {case.path}", response.status_code))

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            case.validate_response(response, checks=CHECKS)

    try:
        Machine.run(settings=settings(max_examples=EXAMPLES, deadline=None,
                                      stateful_step_count=6,
                                      suppress_health_check=list(HealthCheck)))
    finally:
        app.state.engine.store.close()
    followed = {call for call, status in seen if status < 300}
    assert ("POST /plans", 201) in seen
    assert followed & {"GET /plans/{plan_id}", "GET /plans/{plan_id}/events",
                       "GET /plans/{plan_id}/allowed"}, sorted(set(seen))

"""`CommandPath` answers `POST /plans/{id}/commands` without FastAPI's request solving: every
answer must be the one the route gives, word for word, accepted, refused, replayed or
malformed alike (the malformed ones it hands on to the route)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.http.helpers import auth, registration, write_config
from workflow.http.app import create_app
from workflow.http.commands import CommandPath
from workflow.http.settings import load
from workflow.service.databases import create_or_upgrade

LATER = "2027-01-12T09:00:00+01:00"
HEADERS = ("content-type", "etag", "idempotent-replayed", "www-authenticate", "location")


def _app(tmp_path: Path, name: str, fast: bool) -> FastAPI:
    db = f"sqlite:///{tmp_path}/{name}.db"
    create_or_upgrade(db).close()
    app = create_app(load(write_config(tmp_path / f"{name}.toml", db)), workers=False)
    if not fast:
        app.user_middleware = [m for m in app.user_middleware if m.cls is not CommandPath]
    return app


@pytest.fixture
def clients(tmp_path: Path) -> Iterator[tuple[TestClient, TestClient]]:
    """The service twice, on databases of its own: with the command path, and without."""
    apps = [_app(tmp_path, "fast", True), _app(tmp_path, "route", False)]
    with TestClient(apps[0]) as fast, TestClient(apps[1]) as route:
        yield fast, route
    for app in apps:
        app.state.engine.store.close()


def _seen(answer: Any) -> tuple[int, dict[str, str], bytes]:
    return (answer.status_code, {h: answer.headers.get(h) for h in HEADERS}, answer.content)


CALLS: list[tuple[str, dict[str, Any]]] = [
    ("insurer", {"json": {"trigger": "agree_character", "payload": {"character": "scaling"},
                          "at": LATER}}),
    ("maker", {"json": {"trigger": "submit_plan", "at": LATER}}),  # 409
    ("maker", {"json": {"trigger": "approve_quick_test", "at": LATER}}),  # 403
    ("insurer", {"json": {"trigger": "agree_character", "payload": {"nonsense": 1},
                          "at": LATER}}),  # 409 or 422: the payload rule
    ("insurer", {"json": {"trigger": "hold_start_meeting", "at": LATER},
                 "headers": {"Idempotency-Key": "k-1"}}),
    ("insurer", {"json": {"trigger": "hold_start_meeting", "at": LATER},
                 "headers": {"Idempotency-Key": "k-1"}}),  # replayed
    ("insurer", {"json": {"trigger": "agree_character", "at": LATER},
                 "headers": {"Idempotency-Key": "k-1"}}),  # a key of another command
    ("insurer", {"json": {"trigger": "hold_start_meeting", "at": LATER},
                 "headers": {"If-Match": '"1"'}}),  # 412
    ("insurer", {"json": {"trigger": "hold_start_meeting", "at": LATER},
                 "headers": {"Idempotency-Key": "x" * 201}}),  # 422: too long a key
    ("insurer", {"json": {"trigger": "hold_start_meeting", "at": "yesterday"}}),  # 422
    ("insurer", {"json": {"trigger": "hold_start_meeting", "extra": 1}}),  # 422 schema
    ("insurer", {"json": {"payload": {}}}),  # 422: no trigger
    ("insurer", {"content": b"{not json", "headers": {"Content-Type": "application/json"}}),
    ("insurer", {"content": b'{"trigger": NaN}',
                 "headers": {"Content-Type": "application/json"}}),
    ("insurer", {"content": b'{"trigger": "x"}', "headers": {"Content-Type": "text/plain"}}),
    ("insurer", {"json": {"trigger": "hold_start_meeting", "actor": {
        "role": "plan_maker", "org": "Huisartsen Twente"}}}),  # 403: acts as another
    ("auditor", {"json": {"trigger": "hold_start_meeting", "at": LATER}}),  # read-only
    ("nobody", {"json": {"trigger": "hold_start_meeting", "at": LATER}}),  # 401
    ("unknown", {"json": {"trigger": "hold_start_meeting", "at": LATER}}),  # 401
]


def test_every_answer_is_the_routes(clients: tuple[TestClient, TestClient]) -> None:
    for client in clients:
        assert client.post("/plans", json=registration("P1"),
                           headers=auth("maker")).status_code == 201
    statuses = set()
    for plan in ("P1", "NOPE", "P1%2Fx"):
        for who, call in CALLS:
            headers = dict(call.get("headers", {}))
            if who == "unknown":
                headers["Authorization"] = "Bearer not-a-known-token-at-all"
            elif who != "nobody":
                headers.update(auth(who))
            options = {**call, "headers": headers}
            fast, route = (_seen(c.post(f"/plans/{plan}/commands", **options))
                           for c in clients)
            assert fast == route, (plan, who, call)
            statuses.add(fast[0])
    assert {200, 401, 403, 404, 409, 412, 422} <= statuses
    assert any(m.cls is CommandPath for m in clients[0].app.user_middleware)  # type: ignore[attr-defined]


def test_a_command_runs_on_the_loop_only_while_the_store_is_free(tmp_path: Path) -> None:
    """On SQLite a command runs on the event loop while no other transaction holds the
    store's connection; while one does (the deadline worker's batch), it waits on the
    command thread, off the loop."""
    import asyncio
    import threading

    app = _app(tmp_path, "loop", True)
    threads = next(m.kwargs["threads"] for m in app.user_middleware if m.cls is CommandPath)
    store = app.state.engine.store
    assert threads.idle is not None and threads.idle()

    async def where() -> tuple[int, int]:
        return threading.get_ident(), await threads.run(threading.get_ident)

    loop_thread, ran_on = asyncio.run(where())
    assert ran_on == loop_thread
    held = store._connection()
    with held.lock:
        assert not threads.idle()
        loop_thread, ran_on = asyncio.run(where())
    assert ran_on != loop_thread
    threads.close()
    store.close()

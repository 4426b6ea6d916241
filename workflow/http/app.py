"""The HTTP service: `create_app(settings)` builds the FastAPI app over one `Engine`.

The routes hold no rule: they call the service layer as the command line does. Around it
the app keeps the outbox hooked into the store's saves, the webhook deliverer and the
deadline worker (threads started with the app and stopped with it), the metrics and, when
configured, the traces.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from workflow.core.phrase import Phrase
from workflow.core.spec import Actor
from workflow.http import commands, reads
from workflow.http.auth import caller_of
from workflow.http.deadlines import DeadlineWorker
from workflow.http.metrics import Metrics
from workflow.http.problems import JSON, ProblemError, azwa_rule, response, schema_message
from workflow.http.settings import Settings
from workflow.http.telemetry import Tracing
from workflow.http.views import answer
from workflow.http.webhooks import Deliverer
from workflow.service.api import Engine
from workflow.store.outbox import Outbox, Queue, Subscription

TITLE = "azwa"
COMMAND_THREADS = 1
"""Threads that run the commands the event loop does not run itself (`commands.Threads`: on
SQLite the loop runs a command while the store is free). The store judges and stores one
command at a time on its one connection anyway, so one thread does all the work there is;
more only contend for the interpreter's lock (measured in `make bench`: 16 threads cost a
command about 40% more server CPU than one). A burst that waits for the store waits in the
thread's queue, off the event loop, which keeps answering reads meanwhile."""
DESCRIPTION = (
    "The azwa workflow engine as a service: register plans, fire triggers, read where plans "
    "stand and what each organisation must do. Refusals are RFC 9457 problem details "
    "naming every failing rule with its seed paragraph. Every route but /healthz needs "
    "`Authorization: Bearer <token>`."
)


def create_app(settings: Settings, engine: Engine | None = None, *,
               workers: bool = True) -> FastAPI:
    """The service over `engine` (default: an Engine on the database `settings.db`, which
    `azwa init` made).

    `workers=False` leaves out the deadline worker and the webhook deliverer (tests drive
    them by hand)."""
    engine = engine if engine is not None else Engine.open(settings.db, write=True)
    store: Any = engine.store
    outbox = Outbox(store, [Subscription(s.name, s.kinds) for s in settings.subscribers],
                    answer=answer, source=settings.source).install()
    queue = Queue(store.engine)
    metrics = Metrics()
    deliverer = Deliverer(queue, settings, on_result=lambda name, ok: (
        metrics.delivered if ok else metrics.failed).labels(name).inc())

    def expired(events: list[Any]) -> None:
        for e in events:
            metrics.deadline_expired(str(e.payload.get("deadline", "")))
        if settings.subscribers:
            deliverer.wake()

    deadline_worker = DeadlineWorker(engine, settings.tick_seconds, on_expired=expired)
    command_threads = commands.Threads(COMMAND_THREADS, store.idle if (
        COMMAND_THREADS == 1 and store.engine.dialect.name == "sqlite") else None)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if workers and settings.subscribers:
            deliverer.start()
        if workers and settings.tick_seconds > 0:
            deadline_worker.start()
        try:
            yield
        finally:
            deadline_worker.stop()
            deliverer.stop()
            command_threads.close()
            app.state.tracing.shutdown()

    # The service traces commands itself, to the exporter its config names (telemetry.py);
    # FastAPI's own OpenTelemetry, which would look for globally set providers on every
    # request, stays off.
    app = FastAPI(title=TITLE, description=DESCRIPTION, version="1", lifespan=lifespan,
                  openapi_url=None, docs_url=None, redoc_url=None,
                  telemetry={"tracing": False, "metrics": False, "logs": False})
    app.state.settings = settings
    app.state.engine = engine
    app.state.outbox = outbox
    app.state.queue = queue
    app.state.metrics = metrics
    app.state.deliverer = deliverer
    app.state.deadline_worker = deadline_worker
    app.state.tracing = Tracing(settings.otlp_endpoint)
    app.state.wake_webhooks = deliverer.wake if settings.subscribers else (lambda: None)

    def notify_refusal(plan_id: str, trigger: str, actor: Actor, problem: ProblemError) -> None:
        if not settings.subscribers:
            return
        now: datetime = engine.clock.now()
        outbox.refused(plan_id, now.isoformat(), {
            "plan_id": plan_id, "trigger": trigger, "actor": actor.to_dict(),
            "status": problem.status, "detail": problem.detail,
            "problems": [{"rule": r, "seed": s, "message": m} for r, s, m in problem.problems]})
        deliverer.wake()

    app.state.notify_refusal = notify_refusal
    app.include_router(commands.router)
    app.include_router(reads.router)
    from workflow.http.pages import install as install_pages

    install_pages(app)
    _handlers(app)
    _openapi(app)
    app.add_middleware(commands.CommandPath, threads=command_threads)  # inside CORS
    if settings.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=list(settings.cors_origins),
                           allow_methods=["GET", "POST"],
                           allow_headers=["Authorization", "Content-Type", "Idempotency-Key",
                                          "If-Match", "If-None-Match"],
                           expose_headers=["ETag", "Location", "Idempotent-Replayed"])
    return app


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(ProblemError)
    async def _problem(request: Request, exc: ProblemError) -> Response:
        return response(exc, request.url.path, request.headers.get("accept-language"))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        found: list[tuple[str, str, str]] = [(
            "request_matches_schema", "azwa",
            Phrase("{where}: {message}", where=".".join(str(p) for p in e.get("loc", ())),
                   message=schema_message(str(e.get("msg", "invalid")))))
            for e in exc.errors()]
        detail = "; ".join(m for _r, _s, m in found) or "invalid request"
        return response(ProblemError(422, f"{detail} [rule request_matches_schema, azwa]",
                                     found), request.url.path,
                        request.headers.get("accept-language"))

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 400:  # a body that is no JSON: input of the wrong shape
            return response(azwa_rule(422, "request_matches_schema", schema_message(
                str(exc.detail))), request.url.path, request.headers.get("accept-language"))
        rule = {404: "known_route", 405: "known_method"}.get(exc.status_code, "http")
        return response(azwa_rule(exc.status_code, rule, schema_message(str(exc.detail))),
                        request.url.path, request.headers.get("accept-language"))


def _openapi(app: FastAPI) -> None:
    """The OpenAPI document, with bearer authentication, served at /openapi.json to callers
    with a token (it is checked in as docs/openapi.json)."""
    original = app.openapi

    def document() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = original()
            doc.setdefault("components", {})["securitySchemes"] = {
                "bearer": {"type": "http", "scheme": "bearer"}}
            for path, item in doc["paths"].items():
                for operation in item.values():
                    if path != "/healthz":
                        operation["security"] = [{"bearer": []}]
            _links(doc)
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = document  # type: ignore[method-assign]

    @app.get("/openapi.json", include_in_schema=False)
    async def openapi_json(request: Request) -> Response:
        await caller_of(request)
        return JSON(document())


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document the service serves (checked in as docs/openapi.json)."""
    app = create_app(Settings(), Engine("sqlite://"), workers=False)
    try:
        return app.openapi()
    finally:
        app.state.engine.store.close()


PLAN_ROUTES = ("/plans/{plan_id}", "/plans/{plan_id}/events", "/plans/{plan_id}/allowed",
               "/plans/{plan_id}/commands")


def _links(doc: dict[str, Any]) -> None:
    """OpenAPI links from a registered or moved plan to what can be done with it next: a
    client (or a stateful test) follows them with the plan id of the answer."""
    paths = doc["paths"]
    targets = {
        path: next(iter(item.values()))["operationId"] if path != "/plans/{plan_id}/commands"
        else item["post"]["operationId"]
        for path, item in paths.items() if path in PLAN_ROUTES
    }
    links = {
        f"{op}": {"operationId": op, "parameters": {"plan_id": "$response.body#/plan_id"}}
        for op in targets.values()
    }
    for path, method, status in (("/plans", "post", "201"),
                                 ("/plans/{plan_id}/commands", "post", "200")):
        paths[path][method]["responses"][status]["links"] = links

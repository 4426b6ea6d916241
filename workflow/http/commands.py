"""The two writing routes: register a plan, fire a command. Both go through the service
layer's `Engine`, as the command line and the Python API do.

`Idempotency-Key` is the command id: the same key twice applies once, and the second call
gets the first answer back (status and body), marked `Idempotent-Replayed: true`.
`If-Match` carries the plan's seq as the client read it (its ETag): a plan that moved on
since is refused with 412.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated, Any, TypeVar

import orjson
from fastapi import APIRouter, Depends, Header, Request
from pydantic import ValidationError
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from workflow.core.bounds import BadInput
from workflow.core.errors import Refused, StaleWrite, UnknownPlan
from workflow.core.phrase import Phrase
from workflow.core.spec import REGISTER, Actor
from workflow.http.auth import acting, caller_of
from workflow.http.problems import (
    JSON,
    ProblemError,
    azwa_rule,
    bad_input,
    message_of,
    of_refusal,
)
from workflow.http.problems import response as problem_response
from workflow.http.schemas import CommandAnswer, CommandIn, Problem, RegisterIn
from workflow.http.settings import Caller
from workflow.http.views import answer_of
from workflow.service.api import Engine, Fired

router = APIRouter()
REFUSALS: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "content": {"application/problem+json": {}},
             "description": what}
    for status, what in (
        (401, "No or an unknown bearer token"),
        (403, "The actor may not fire this trigger, or the token may not write or act so"),
        (409, "A process rule refuses the command"),
        (422, "The payload or another input does not have the required shape"),
    )
}
IdempotencyKey = Annotated[str | None, Header(
    alias="Idempotency-Key", description="The command id: a retry with the same key "
    "applies once and gets the first answer", max_length=200)]
IfMatch = Annotated[str | None, Header(
    alias="If-Match", description="The plan's ETag (its seq, quoted) as read: refused "
    "with 412 if the plan moved on")]
STALE_RETRIES = 3
T = TypeVar("T")


def expected_seq(if_match: str | None) -> int | None:
    """The seq an If-Match names; `*` (any) is no condition. A value that is no ETag of
    this service can never match: -1."""
    if if_match is None or if_match.strip() == "*":
        return None
    tag = if_match.strip().removeprefix("W/").strip('"')
    return int(tag) if tag.isdigit() and len(tag) < 19 else -1


def _replayed(request: Request, key: str | None, plan_id: str, trigger: str,
              status: int) -> Response | None:
    """The first answer to this key, if it was for this plan and trigger; a key of another
    command on the plan is refused (a key names one command)."""
    if key is None:
        return None
    first = request.app.state.outbox.first_answer(key)
    if first is None or first.get("plan_id") != plan_id:
        return None
    if not first["events"] or first["events"][-1]["trigger"] != trigger:
        raise azwa_rule(409, "command_id_names_one_command",
                        Phrase("Idempotency-Key {key!r} was already used for another "
                               "command on plan {plan}", key=key, plan=plan_id),
                        plan_id=plan_id, trigger=trigger)
    return JSON(first, status_code=status, headers={
        "ETag": f'"{first["seq"]}"', "Idempotent-Replayed": "true"})


def _run(request: Request, trigger: str, actor: Actor, plan_id: str, action: Any) -> Fired:
    """Run a command, counting and timing it, tracing it when configured; a refusal becomes
    its problem (and a notification to subscribers)."""
    state = request.app.state
    began = time.perf_counter()
    with state.tracing.span("azwa.command", **{"azwa.plan_id": plan_id,
                                               "azwa.trigger": trigger,
                                               "azwa.actor.role": actor.role,
                                               "azwa.actor.org": actor.org}):
        try:
            fired: Fired = action()
        except Refused as refusal:
            state.metrics.refused.labels(trigger, refusal.rule).inc()
            problem = of_refusal(refusal)
            state.notify_refusal(plan_id, trigger, actor, problem)
            raise problem from None
        except UnknownPlan:
            raise azwa_rule(404, "known_plan", Phrase("No plan {plan!r} is registered",
                                                     plan=plan_id)) from None
        except BadInput as exc:
            raise bad_input(exc) from None
    state.metrics.latency.labels(trigger).observe(time.perf_counter() - began)
    if not fired.repeated:
        state.metrics.accepted.labels(trigger).inc()
        state.wake_webhooks()
    return fired


def _answered(request: Request, fired: Fired, key: str | None, status: int) -> Response:
    if fired.repeated and key is not None:
        first = request.app.state.outbox.first_answer(key)
        if first is not None:
            return JSON(first, status_code=status,
                        headers={"ETag": f'"{first["seq"]}"', "Idempotent-Replayed": "true"})
    body = answer_of(fired.head(), fired.events, fired.repeated)
    return JSON(body, status_code=status, headers={"ETag": f'"{body["seq"]}"'})


@router.post(
    "/plans", status_code=201, summary="Register a plan",
    response_model=None, tags=["commands"],
    responses={201: {"model": CommandAnswer,
                     "description": "Registered (or, for a known Idempotency-Key, the first "
                     "answer again)"},
               **REFUSALS},
)
def register(request: Request, body: RegisterIn,
             caller: Annotated[Caller, Depends(caller_of)],
             idempotency_key: IdempotencyKey = None) -> Response:
    actor = acting(caller, body.actor)
    engine: Engine = request.app.state.engine
    replay = _replayed(request, idempotency_key, body.plan_id, REGISTER, 201)
    if replay is not None:
        return replay
    fired = _run(request, REGISTER, actor, body.plan_id, lambda: engine.register(
        body.plan_id, actor, body.attrs, at=body.at, command_id=idempotency_key))
    response = _answered(request, fired, idempotency_key, 201)
    response.headers["Location"] = f"/plans/{fired.head()['plan_id']}"
    return response


@router.post(
    "/plans/{plan_id}/commands", summary="Fire a trigger on a plan",
    response_model=None, tags=["commands"],
    responses={200: {"model": CommandAnswer, "description": "Applied (or replayed)"},
               **REFUSALS,
               404: {"model": Problem, "content": {"application/problem+json": {}},
                     "description": "No such plan"},
               412: {"model": Problem, "content": {"application/problem+json": {}},
                     "description": "The plan moved on since the If-Match seq"}},
)
def fire(request: Request, plan_id: str, body: CommandIn,
         caller: Annotated[Caller, Depends(caller_of)],
         idempotency_key: IdempotencyKey = None, if_match: IfMatch = None) -> Response:
    actor = acting(caller, body.actor)
    engine: Engine = request.app.state.engine
    replay = _replayed(request, idempotency_key, plan_id, body.trigger, 200)
    if replay is not None:
        return replay
    seq = expected_seq(if_match)
    for attempt in range(STALE_RETRIES):
        try:
            fired = _run(request, body.trigger, actor, plan_id, lambda: engine.fire(
                plan_id, body.trigger, actor, body.payload, at=body.at,
                command_id=idempotency_key, expected_seq=seq))
        except StaleWrite as stale:
            if seq is not None:
                raise azwa_rule(412, "if_match_holds", Phrase(
                    "Plan {plan!r} is no longer at the seq If-Match names ({seq}); read it "
                    "again", plan=plan_id, seq=if_match)) from None
            if attempt + 1 == STALE_RETRIES:
                raise azwa_rule(409, "one_writer_at_a_time", message_of(stale)) from None
            continue
        return _answered(request, fired, idempotency_key, 200)
    raise ProblemError(500, "unreachable", [])  # pragma: no cover


COMMAND_PATH = re.compile(r"/plans/([^/]+)/commands")
"""The route of `fire` (Starlette's `{plan_id}` matches one path segment)."""


class Threads:
    """Where commands run: on the event loop itself while nothing else holds the store
    (`idle`), else on threads of their own, started when first needed and ended with the app
    (and started again if the app is started again, as tests do).

    A command on the loop skips the hand-over to a thread and back (a queue, a future, a
    wake-up of each side, the interpreter's lock passed twice), which cost about a fifth of
    the server's CPU per command (paired runs of `make bench`'s HTTP part); its own work
    holds the interpreter's lock either way, so the loop would not have answered anything
    else meanwhile. It goes to the thread instead when waiting is likely: another transaction
    holds the store's connection (the deadline worker's batch), or commands are queued for
    the thread already (they keep their turn). `idle` is None where every command waits for
    the network (PostgreSQL): those always go to the thread, and the loop stays free.
    """

    def __init__(self, size: int, idle: Callable[[], bool] | None = None) -> None:
        self.size, self.idle = size, idle
        self._pool: ThreadPoolExecutor | None = None
        self._handed = 0
        """Commands handed to the threads and not yet answered (counted on the loop)."""

    def pool(self) -> ThreadPoolExecutor:
        """Called on the event loop only."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.size, thread_name_prefix="azwa-command")
        return self._pool

    async def run(self, call: Callable[[], T]) -> T:
        """`call()` on the loop where `idle` allows it, else on a thread (in a copy of the
        caller's context, as the loop would have run it)."""
        if not self._handed and self.idle is not None and self.idle():
            return call()
        self._handed += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(
                self.pool(), functools.partial(contextvars.copy_context().run, call))
        finally:
            self._handed -= 1

    def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False)


class CommandPath:
    """`POST /plans/{plan_id}/commands` without the framework's generic request solving.

    Per request FastAPI works out each parameter of a route from its annotations again
    (headers, path, query, cookies of the route and of each dependency), which cost about as
    much CPU as judging and storing the command (profiled). This middleware answers a
    well-formed command itself: a JSON body that `CommandIn` accepts, a known bearer token,
    headers within their limits. It calls the same `caller_of` and `fire`, so the command is
    judged, stored, counted, traced and answered exactly as the route does, refusals
    included. Every other request, and any command it would refuse before `fire` (no JSON, a
    schema error, no or an unknown token), goes on to the route unchanged, with its body, so
    those answers keep coming from one place.

    `fire` runs where `threads` says: on the loop while the store is free (SQLite), else on
    a thread of its own (handing a command to it costs about a third less than the
    framework's thread pool, anyio's, per call).
    """

    def __init__(self, app: ASGIApp, threads: Threads) -> None:
        self.app, self.threads = app, threads

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = (COMMAND_PATH.fullmatch(scope["path"]) if scope["type"] == "http"
                 and scope["method"] == "POST" and not scope.get("root_path") else None)
        if match is None:
            await self.app(scope, receive, send)
            return
        body, more = b"", True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client left: the route sees that too
                await self.app(scope, _replay(body, message, receive), send)
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
        request = Request(scope, _replay(body, None, receive))
        arguments = await _command_arguments(request, match.group(1), body)
        if arguments is None:
            await self.app(scope, _replay(body, None, receive), send)
            return
        try:
            answered = await self.threads.run(functools.partial(fire, request, **arguments))
        except ProblemError as problem:
            answered = problem_response(problem, scope["path"],
                                        request.headers.get("accept-language"))
        await answered(scope, receive, send)


async def _command_arguments(request: Request, plan_id: str, body: bytes
                             ) -> dict[str, Any] | None:
    """`fire`'s arguments as the route would solve them; None where the route would refuse
    the request before `fire` (or might read it otherwise)."""
    headers = request.headers
    kind = headers.get("content-type", "").partition(";")[0].strip().lower()
    key, if_match = headers.get("idempotency-key"), headers.get("if-match")
    if kind != "application/json" or (key is not None and len(key) > 200):
        return None
    try:
        parsed = CommandIn.model_validate(orjson.loads(body))
        caller = await caller_of(request)
    except (orjson.JSONDecodeError, ValidationError, ProblemError):
        return None  # json.loads reads a few texts orjson refuses (NaN, huge integers)
    return {"plan_id": plan_id, "body": parsed, "caller": caller, "idempotency_key": key,
            "if_match": if_match}


def _replay(body: bytes, first: Message | None, receive: Receive) -> Receive:
    """`receive` that hands out the body already read (or the message that ended it) once."""
    pending: list[Message] = [first if first is not None else
                              {"type": "http.request", "body": body, "more_body": False}]

    async def replayed() -> Message:
        return pending.pop() if pending else await receive()

    return replayed

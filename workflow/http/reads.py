"""The reading routes: a plan, its events (paged, with an ETag), the plan list, what an
organisation may do and must do, a definition, health and metrics. Any valid token reads."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from starlette.responses import Response

import states
from workflow.core.bounds import BadInput
from workflow.core.errors import UnknownPlan
from workflow.core.phrase import Phrase
from workflow.core.text import normal_name
from workflow.http.auth import caller_of
from workflow.http.metrics import CONTENT_TYPE
from workflow.http.problems import JSON, azwa_rule, bad_input
from workflow.http.schemas import (
    AllowedOut,
    DefinitionOut,
    EventsPage,
    Health,
    PlanList,
    PlanOut,
    Problem,
    TodoList,
)
from workflow.http.settings import Caller
from workflow.http.views import (
    definition_view,
    find_definition,
    permission,
    plan_rows,
    plan_view,
)
from workflow.service.api import Engine

router = APIRouter()
Authorized = Annotated[Caller, Depends(caller_of)]
PROBLEM = {"model": Problem, "content": {"application/problem+json": {}}}
READ_REFUSALS: dict[int | str, dict[str, Any]] = {
    401: {**PROBLEM, "description": "No or an unknown bearer token"},
    422: {**PROBLEM, "description": "A parameter does not have the required shape"},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {**PROBLEM, "description": "No such plan"}}
At = Annotated[str | None, Query(description="ISO-8601 instant with an offset; default now")]


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def _guarded(plan_id: str, read: Any) -> Any:
    try:
        return read()
    except UnknownPlan:
        raise azwa_rule(404, "known_plan", Phrase("No plan {plan!r} is registered",
                                                     plan=plan_id)) from None
    except BadInput as exc:
        raise bad_input(exc) from None


def _now(engine: Engine, at: str | None) -> Any:
    try:
        return engine._at(at)
    except BadInput as exc:
        raise bad_input(exc) from None


@router.get("/plans/{plan_id}", summary="Where a plan stands", response_model=None,
            tags=["plans"], responses={200: {"model": PlanOut, "description": "The plan",
                                             "headers": {"ETag": {"schema": {"type": "string"},
                                                                  "description": "Its seq"}}},
                                       **READ_REFUSALS, **NOT_FOUND})
def get_plan(request: Request, plan_id: str, _caller: Authorized, at: At = None) -> Response:
    engine = _engine(request)

    def read() -> dict[str, Any]:
        plan = engine.state(plan_id)
        now = _now(engine, at)
        return plan_view(plan, now, engine.todo(plan_id, now))

    data = _guarded(plan_id, read)
    return JSON(data, headers={"ETag": f'"{data["seq"]}"'})


@router.get("/plans/{plan_id}/events", summary="A plan's events, a page at a time",
            response_model=None, tags=["plans"],
            responses={200: {"model": EventsPage, "description": "A page of events"},
                       304: {"description": "Not modified since the If-None-Match ETag"},
                       **READ_REFUSALS, **NOT_FOUND})
def get_events(
    request: Request, plan_id: str, _caller: Authorized,
    after: Annotated[int, Query(ge=0, le=2**62, description="Events after this seq")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    if_none_match: Annotated[str | None, Header(alias="If-None-Match")] = None,
) -> Response:
    engine = _engine(request)
    plan = _guarded(plan_id, lambda: engine.state(plan_id))
    etag = f'"{plan.seq}-{after}-{limit}"'
    if if_none_match is not None and etag in [t.strip() for t in if_none_match.split(",")]:
        return Response(status_code=304, headers={"ETag": etag})
    events = [e for e in _guarded(plan_id, lambda: engine.history(plan_id)) if e.seq > after]
    page = events[:limit]
    more = len(events) > limit
    return JSON({"plan_id": plan.plan_id, "seq": plan.seq,
                 "events": [e.to_dict() for e in page],
                 "next_after": page[-1].seq if more else None}, headers={"ETag": etag})


def _known(value: str | None, known: list[str], name: str) -> str | None:
    if value is None:
        return None
    found = {k.casefold(): k for k in known}.get(value.strip().casefold())
    if found is None:
        raise azwa_rule(422, "known_filter_value",
                        Phrase("{name} {value!r} is not known; known: {known}", name=name,
                               value=value, known=", ".join(known)))
    return found


@router.get("/plans", summary="The registered plans, filtered", response_model=None,
            tags=["plans"], responses={200: {"model": PlanList, "description": "Plans"},
                                       **READ_REFUSALS})
def list_plans(
    request: Request, _caller: Authorized,
    state: Annotated[str | None, Query(description="Only plans in this state")] = None,
    region: Annotated[str | None, Query(description="Only plans of this region")] = None,
    track: Annotated[str | None, Query(description="transformation or breakthrough")] = None,
    organisation: Annotated[str | None, Query(
        description="Only plans this organisation takes part in, in any role")] = None,
    overdue: Annotated[bool | None, Query(
        description="Only plans with (true) or without (false) an overdue deadline")] = None,
    limit: Annotated[int, Query(ge=0, le=10000)] = 1000,
    at: At = None,
) -> Response:
    from states.guards import TRACKS

    engine = _engine(request)
    state = _known(state, sorted({s for d in states.all_definitions() for s in d.states}),
                   "state")
    track = _known(track, list(TRACKS), "track")
    now = _now(engine, at)
    rows = _guarded("", lambda: engine.plans(state=state, region=region, track=track,
                                             limit=limit))
    found = plan_rows(rows, now)
    if overdue is not None:
        found = [r for r in found if r["overdue"] == overdue]
    if organisation is not None:
        wanted = normal_name(organisation)
        found = [r for r in found if wanted in _orgs(engine, r["plan_id"])]
    return JSON({"plans": found})


def _orgs(engine: Engine, plan_id: str) -> set[str]:
    plan = engine.state(plan_id)
    actors = engine.process(plan.definition).definition.actors
    return {normal_name(a.org) for a in (actors(plan) if actors is not None else [])
            if isinstance(a.org, str)}


@router.get("/plans/{plan_id}/allowed", summary="What an organisation may do on a plan now",
            response_model=None, tags=["plans"],
            responses={200: {"model": AllowedOut, "description": "Per role it acts in"},
                       **READ_REFUSALS, **NOT_FOUND})
def allowed(request: Request, plan_id: str, caller: Authorized,
            org: Annotated[str | None, Query(description="Default: the token's own")] = None,
            at: At = None) -> Response:
    engine = _engine(request)
    org = caller.actor.org if org is None else org

    def read() -> dict[str, Any]:
        plan = engine.state(plan_id)
        actors = engine.process(plan.definition).definition.actors
        wanted = normal_name(org)
        mine = [a for a in (actors(plan) if actors is not None else [])
                if isinstance(a.org, str) and normal_name(a.org) == wanted]
        if not mine and normal_name(caller.actor.org) == wanted:
            mine = [caller.actor]
        when = _now(engine, at)
        return {"plan_id": plan.plan_id, "org": org, "roles": [
            {"role": a.role, "org": a.org, "region": a.region,
             "permissions": [permission(p) for p in engine.allowed(plan_id, a, when)]}
            for a in mine]}

    return JSON(_guarded(plan_id, read))


@router.get("/todo", summary="An organisation's to-dos on every plan, earliest due first",
            response_model=None, tags=["plans"],
            responses={200: {"model": TodoList, "description": "To-dos"}, **READ_REFUSALS})
def todo(request: Request, caller: Authorized,
         org: Annotated[str | None, Query(description="Default: the token's own")] = None,
         at: At = None) -> Response:
    engine = _engine(request)
    org = caller.actor.org if org is None else org
    todos = _guarded("", lambda: engine.todos(org, _now(engine, at)))
    return JSON({"org": org, "todos": [t.to_dict() for t in todos]})


@router.get("/definitions/{ref}", summary="A process definition (name@version)",
            response_model=None, tags=["definitions"],
            responses={200: {"model": DefinitionOut, "description": "The definition"},
                       **READ_REFUSALS,
                       404: {**PROBLEM, "description": "No such definition"}})
def definition(ref: str, _caller: Authorized) -> Response:
    found = find_definition(ref)
    if found is None:
        known = ", ".join(d.ref for d in states.all_definitions())
        raise azwa_rule(404, "known_definition", Phrase("No definition {ref!r}; known: {known}",
                                                        ref=ref, known=known))
    return JSON(definition_view(found))


@router.get("/healthz", summary="Is the service up (no token needed)", response_model=None,
            tags=["service"], responses={200: {"model": Health, "description": "Up"}})
def healthz() -> Response:
    return JSON({"status": "ok"})


@router.get("/metrics", summary="Prometheus metrics", response_model=None, tags=["service"],
            responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}},
                             "description": "Prometheus text format"},
                       401: READ_REFUSALS[401]})
def metrics(request: Request, _caller: Authorized) -> Response:
    return Response(request.app.state.metrics.text(), media_type=CONTENT_TYPE)

"""The routes of the pages, under /pages. Reading pages need a logged-in session (else the
login form); acts also need the session's CSRF token and a token that may write. Every
route calls the service layer as the API does; a refusal is shown as its rules and their
seed paragraphs."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from workflow.audit import monitor_text
from workflow.audit.monitoring import GROUPINGS, PERIODS
from workflow.core.bounds import BadInput
from workflow.core.errors import Refused, StaleWrite, UnknownPlan
from workflow.core.i18n import _, reading
from workflow.http.pages import screens, session
from workflow.http.pages.forms import fixed_of, payload
from workflow.http.pages.templating import page
from workflow.http.problems import message_of, status_of
from workflow.http.settings import Caller
from workflow.service.api import Engine

router = APIRouter(prefix="/pages", include_in_schema=False)
Problems = list[tuple[str, str, str]]


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def _now(request: Request) -> datetime:
    """Now, or the `at` a link gives (ISO-8601 with an offset): a page as of a moment."""
    engine = _engine(request)
    try:
        return engine._at(request.query_params.get("at"))
    except BadInput:
        return engine.clock.now()


def _show(request: Request, name: str, caller: Caller | None, status: int = 200,
          **context: Any) -> HTMLResponse:
    lang = session.language(request)
    with reading(lang):
        here = request.url.path
        others = {k: v for k, v in request.query_params.items() if k != "lang"}
        switch = {code: here + "?" + urlencode({**others, "lang": code})
                  for code in ("nl", "en")}
        text = page(name, caller=caller, csrf=session.csrf_token(request), here=here,
                    switch=switch, language=lang, **context)
    response = HTMLResponse(text, status_code=status)
    session.remember_language(response, request, lang)
    response.headers["Cache-Control"] = "no-store"
    return response


def _login_first(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/pages/login?next={quote(target)}", status_code=303)


def _safe_next(target: str | None) -> str:
    """Only a page of this service: never another site (`//evil`, `https://...`)."""
    if target and target.startswith("/pages/") and not target.startswith("//"):
        return target
    return "/pages/todo"


@router.get("/login")
def login_form(request: Request) -> Response:
    return _show(request, "login.html", session.caller(request),
                 next=_safe_next(request.query_params.get("next")), error=None)


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form()
    if not session.same_origin(request):
        return _csrf_refused(request)
    token = str(form.get("token", "")).strip()
    target = _safe_next(str(form.get("next", "")))
    settings = request.app.state.settings
    if not token or settings.caller(token) is None:
        return _show(request, "login.html", None, 401, next=target,
                     error=_("This token is not listed in the service's config file"))
    response = RedirectResponse(target, status_code=303)
    session.log_in(response, request, token)
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    form = await request.form()
    if not session.csrf_holds(request, form.get("csrf")) or not session.same_origin(request):
        return _csrf_refused(request)
    response = RedirectResponse("/pages/login", status_code=303)
    session.log_out(response)
    return response


@router.get("")
@router.get("/")
def home(request: Request) -> Response:
    return RedirectResponse("/pages/todo", status_code=303)


@router.get("/todo")
def todo(request: Request) -> Response:
    caller = session.caller(request)
    if caller is None:
        return _login_first(request)
    engine = _engine(request)
    now = _now(request)
    rows = screens.todo_rows(engine, caller.actor.org, now)
    return _show(request, "todo.html", caller, rows=rows, now=now,
                 done=request.query_params.get("done"),
                 done_plan=request.query_params.get("plan"))


@router.get("/plans")
def plans(request: Request) -> Response:
    caller = session.caller(request)
    if caller is None:
        return _login_first(request)
    wanted = {k: request.query_params.get(k, "") for k in screens.FILTERS}
    error: str | None = None
    try:
        rows = screens.plan_list(_engine(request), wanted, _now(request))
    except BadInput as exc:
        rows, error = [], message_of(exc)
    return _show(request, "plans.html", caller, rows=rows, wanted=wanted,
                 choices=screens.choices(), error=error)


def _plan(request: Request, plan_id: str, caller: Caller, status: int = 200,
          refusal: tuple[str, Problems] | None = None,
          sent: dict[str, str] | None = None) -> Response:
    """A plan's page; after a refusal, with its rules on top and the refused act's form
    filled in as it was sent, to mend and send again."""
    engine = _engine(request)
    try:
        data = screens.plan_page(engine, plan_id, None if caller.read_only else caller.actor,
                                 _now(request))
    except (UnknownPlan, BadInput):
        return _show(request, "missing.html", caller, 404, plan_id=plan_id)
    return _show(request, "plan.html", caller, status, refusal=refusal, sent=sent or {},
                 done=request.query_params.get("done"), **data)


@router.get("/plans/{plan_id}")
def plan(request: Request, plan_id: str) -> Response:
    caller = session.caller(request)
    if caller is None:
        return _login_first(request)
    return _plan(request, plan_id, caller)


def _csrf_refused(request: Request) -> Response:
    return _show(request, "refused.html", session.caller(request), 403, problems=[(
        "csrf_token_holds", "azwa",
        _("The form did not come from this session's page: open the page again and "
          "repeat"))])


@router.post("/plans/{plan_id}/acts")
async def fire(request: Request, plan_id: str) -> Response:
    """Fire an act from its form: back to where the form was on success, the refusal's
    rules and paragraphs otherwise."""
    caller = session.caller(request)
    if caller is None:
        return _login_first(request)
    form = {k: str(v) for k, v in (await request.form()).items()}
    if not session.csrf_holds(request, form.get("csrf")) or not session.same_origin(request):
        return _csrf_refused(request)
    if caller.read_only:
        return _show(request, "refused.html", caller, 403, problems=[(
            "read_only_token", "azwa",
            _("This token may read, not write"))])
    engine = _engine(request)
    trigger = form.get("trigger", "")
    try:
        definition = engine.state(plan_id).definition
    except (UnknownPlan, BadInput):
        return _show(request, "missing.html", caller, 404, plan_id=plan_id)
    body = payload(screens.schema_of(definition, trigger), form, fixed_of(form))
    back = _safe_next(form.get("back"))
    try:
        engine.fire(plan_id, trigger, caller.actor, body,
                    command_id=form.get("command") or None)
    except Refused as refusal:
        request.app.state.metrics.refused.labels(trigger, refusal.rule).inc()
        return _plan(request, plan_id, caller, status_of(refusal),
                     (trigger, list(refusal.problems)), form)
    except (BadInput, StaleWrite) as exc:
        return _plan(request, plan_id, caller, 409, (trigger, [("input_within_limits",
                                                                "azwa", message_of(exc))]), form)
    request.app.state.wake_webhooks()
    sep = "&" if "?" in back else "?"
    return RedirectResponse(f"{back}{sep}{urlencode({'done': trigger, 'plan': plan_id})}",
                            status_code=303)


def _svg(data: bytes) -> Response:
    """An SVG drawing of things as they are now: never cached, the next command changes it."""
    return Response(data, media_type="image/svg+xml", headers={"Cache-Control": "no-store"})


@router.get("/plans/{plan_id}/timeline.svg")
def timeline(request: Request, plan_id: str) -> Response:
    caller = session.caller(request)
    if caller is None:
        return Response(status_code=401)
    from workflow.audit.picture import picture
    from workflow.audit.report import build

    engine = _engine(request)
    try:
        report = build(engine.history(plan_id), _now(request))
    except (UnknownPlan, BadInput):
        return Response(status_code=404)
    return _svg(picture(report, "svg"))


@router.get("/plans/{plan_id}/diagram.svg")
def diagram(request: Request, plan_id: str) -> Response:
    caller = session.caller(request)
    if caller is None:
        return Response(status_code=401)
    import states
    from workflow.service import diagrams

    engine = _engine(request)
    try:
        found = engine.state(plan_id)
    except (UnknownPlan, BadInput):
        return Response(status_code=404)
    definition = states.get(found.definition)
    current = {"lifecycle": found.state, definition.region.name: found.escalation}
    with reading(session.language(request)):
        try:
            data = diagrams.image(definition, "svg", current)
        except diagrams.DotMissing as exc:
            return Response(str(exc), status_code=503, media_type="text/plain")
    return _svg(data)


def _figures_asked(request: Request) -> tuple[str, str | None]:
    period = request.query_params.get("period", "month")
    by = request.query_params.get("by") or None
    return (period if period in PERIODS else "month",
            by if by in GROUPINGS else None)


@router.get("/monitoring")
def monitoring(request: Request) -> Response:
    caller = session.caller(request)
    if caller is None:
        return _login_first(request)
    period, by = _figures_asked(request)
    with reading(session.language(request)):
        found, tables = screens.monitoring(_engine(request), period, by, _now(request))
    query = urlencode({k: v for k, v in (("period", period), ("by", by or ""),
                                         ("at", request.query_params.get("at", ""))) if v})
    return _show(request, "monitoring.html", caller, figures=found, tables=tables,
                 period=period, by=by, query=query, periods=PERIODS, groupings=GROUPINGS)


@router.get("/monitoring.csv")
def monitoring_csv(request: Request) -> Response:
    caller = session.caller(request)
    if caller is None:
        return Response(status_code=401)
    period, by = _figures_asked(request)
    found, _tables = screens.monitoring(_engine(request), period, by, _now(request))
    name = f"azwa-monitoring-{period}{'-' + by if by else ''}.csv"
    return Response(monitor_text.to_csv(found), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/monitoring/chart.svg")
def monitoring_chart(request: Request) -> Response:
    caller = session.caller(request)
    if caller is None:
        return Response(status_code=401)
    from workflow.audit.monitor_chart import chart

    period, by = _figures_asked(request)
    with reading(session.language(request)):
        found, _tables = screens.monitoring(_engine(request), period, by, _now(request))
        data = chart(found, "svg")
    return _svg(data)


@router.get("/glossary")
def glossary(request: Request) -> Response:
    caller = session.caller(request)
    if caller is None:
        return _login_first(request)
    return _show(request, "glossary.html", caller, rows=screens.glossary())

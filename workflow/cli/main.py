"""`azwa`: the command line over the service layer. It holds no rule of the process.

Exit status: 0 done, 1 refused by a rule (the reason on one line), 2 bad input (an unknown
plan, unreadable JSON or time, a database that is missing or cannot be used).

Start-up is kept to about what importing Typer costs: nothing here imports SQLAlchemy, the
process definitions, rich or plotting at module level. Commands import what they need when
they run, the auditors' and modelplan commands load on first use (LazyGroup), and help is
Click's plain text (Typer's rich help alone would double the start-up), in the reader's
language: the English help strings here are message ids, translated as help is rendered
(workflow/cli/helptext.py).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextlib import suppress
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from typer._click.utils import make_default_short_help
from typer.core import TyperGroup

from workflow.cli.helptext import HelpCommand, HelpGroup, help_text, in_reader_language
from workflow.cli.output import OutputError, write_output
from workflow.cli.text import safe, said, visible
from workflow.core.i18n import _, current, kept, term
from workflow.store.url import CorruptRow, StoreUnavailable, resolve_url

if TYPE_CHECKING:
    from workflow.service.api import Engine, Fired

LAZY: dict[str, tuple[str, str, str]] = {
    "replay": ("workflow.cli.audit", "replay_command",
               "Replay an event log through the rules; exit 0 clean, 1 violations or broken "
               "chain, 2 unreadable."),
    "export": ("workflow.cli.audit", "export_command",
               "Export the event log of every plan (or one) as JSONL, CSV or XES."),
    "modelplan": ("workflow.cli.modelplan", "app",
                  "Check, start or report on a modelplan for the AZWA breakthrough funds "
                  "(MP BE1–BE14)."),
    "simulate": ("workflow.cli.simulate", "app",
                 "Simulate plans through the process on a scenario, or calibrate a scenario "
                 "from recorded plans."),
    "forecast": ("workflow.cli.simulate", "forecast_command",
                 "For every open plan: the chance of missing each running deadline and the "
                 "expected decision date."),
    "audit": ("workflow.cli.audit", "audit_app",
              "Check the stored plans against their event logs and write audit reports."),
    "diagram": ("workflow.cli.diagram", "diagram_command",
                "The lifecycle and the escalation ladder as Mermaid, SVG or PNG, a plan's "
                "state highlighted."),
    "monitor": ("workflow.cli.monitor", "monitor_command",
                "The A4 §4 monitoring figures per month or quarter, by region, sector or "
                "provider size."),
    "serve": ("workflow.cli.serve", "app", "Run the HTTP service: plans, commands, to-dos, "
              "webhooks, metrics (docs/http.md)."),
    "webhooks": ("workflow.cli.webhooks", "app", "The webhook outbox of `azwa serve`: what is "
                 "pending, delivered and dead, and sending dead ones again."),
    "db": ("workflow.cli.db", "db_app",
           "Show or upgrade the database's schema version (migrations)."),
    "worker": ("workflow.cli.worker", "worker_command",
               "Expire due deadlines as they fall due, until SIGTERM or Ctrl-C (the batch in "
               "hand is finished first)."),
}
"""Commands whose modules load when the command runs: name → (module, attribute, the help
line `azwa --help` shows, which a test keeps equal to the command's own)."""


def load_lazy(name: str) -> Any:
    """The Click command of a LAZY entry, built from its module's Typer app or function."""
    module, attribute, _help = LAZY[name]
    target = getattr(import_module(module), attribute)
    if isinstance(target, typer.Typer):
        target.rich_markup_mode = None
        command: Any = typer.main.get_group(target)
    else:
        single = typer.Typer(rich_markup_mode=None, add_completion=False)
        single.command(name, cls=_PlainCommand)(target)
        command = typer.main.get_command(single)
    command.name = name
    return command


class _PlainValue:
    """A parameter's value taken as Click gives it, when it is a text, a path or a flag:
    Typer (0.29) would build a pydantic validator for it, and importing pydantic costs
    `azwa replay` half its start-up. Paths keep Typer's own checks (exists, file_okay, ...),
    which need no pydantic; any other value goes to Typer's coercion as before."""

    def __init__(self, param: Any, kind: type) -> None:
        self.param, self.kind = param, kind
        self.typer: Any = None

    def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
        if value is None or (self.kind is bool and type(value) is bool):
            return value
        if type(value) is str and self.kind is str:
            return value
        if type(value) is str and self.kind is Path:
            try:
                from typer._param_types import coerce_cli_path
            except ImportError:  # another Typer: its own coercion, below
                pass
            else:
                info = self.param.type_descriptor.parameter_info
                return coerce_cli_path(Path(value), info, path_type=Path, param=param, ctx=ctx)
        if self.typer is None:
            from typer._coercion import build_runtime_param

            self.typer = build_runtime_param(self.param.type_descriptor)
        return self.typer.coerce(value, param=param, ctx=ctx)


def _plain_params(params: list[Any]) -> list[Any]:
    """Give each single-valued `str`, `Path` and `bool` parameter a _PlainValue."""
    for param in params:
        descriptor = getattr(param, "type_descriptor", None)
        if (descriptor is None or getattr(param, "_runtime_param", False) is not None
                or param.nargs != 1 or param.multiple or descriptor.file_annotation is not None
                or descriptor.parameter_info.parser is not None):
            continue
        kind = descriptor.annotation
        if kind in (str, bool) or (kind is Path
                                   and descriptor.parameter_info.path_type in (None, Path)):
            param._runtime_param = _PlainValue(param, kind)
    return params


class _PlainCommand(HelpCommand):
    """A lazy command whose texts, paths and flags (`--help` included) need no pydantic."""

    def get_params(self, ctx: Any) -> list[Any]:
        return _plain_params(super().get_params(ctx))


class LazyGroup(HelpGroup):
    """The `azwa` group: lists LAZY commands without importing them, and turns a database
    that cannot be used, wherever a command meets it, into one line and exit status 2.
    Help and usage errors read in the language `--lang` or AZWA_LANG chose (helptext.py)."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        with kept():  # the language `--lang` chose, until the error is shown, then as before
            return super().main(*args, **kwargs)

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().make_context(*args, **kwargs)
        except Exception as exc:
            in_reader_language(exc)
            raise

    def list_commands(self, ctx: Any) -> list[str]:
        eager = super().list_commands(ctx)
        groups = [n for n in eager if isinstance(self.commands[n], TyperGroup)]
        lazy = [n for n in LAZY if n not in eager]
        plain = [n for n in lazy if not LAZY[n][1].endswith("app")]  # commands, not groups
        return ([n for n in eager if n not in groups] + plain + groups
                + [n for n in lazy if n not in plain])

    def get_params(self, ctx: Any) -> list[Any]:
        return _plain_params(super().get_params(ctx))

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name in LAZY and cmd_name not in self.commands:
            self.commands[cmd_name] = load_lazy(cmd_name)
        return super().get_command(ctx, cmd_name)

    def short_help_of(self, ctx: Any, name: str, limit: int) -> str | None:
        if name in LAZY and name not in self.commands:  # its line, without loading it
            return make_default_short_help(help_text(LAZY[name][2]), limit).strip()
        return super().short_help_of(ctx, name, limit)

    def invoke(self, ctx: Any) -> Any:
        _opened.clear()
        _replace_unwritable()
        try:
            return self._one_line(ctx)
        except Exception as exc:  # a sub-command's usage error: said when shown
            in_reader_language(exc)
            raise
        finally:
            while _stores:
                _stores.pop().close()

    def _one_line(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (StoreUnavailable, CorruptRow) as exc:
            fail(said(exc))
        except Exception as exc:
            if "sqlalchemy" not in sys.modules:
                raise
            from workflow.service.databases import unusable

            found = unusable(exc, _opened[-1] if _opened else None)
            if found is None:
                raise
            fail(str(found))


app = typer.Typer(
    name="azwa",
    cls=LazyGroup,
    help="Run IZA/AZWA transformation-fund plans through the process: register, fire "
    "triggers, expire deadlines, and show where each plan stands.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
plan_app = typer.Typer(name="plan", help="Register plans, fire triggers, show and list plans.",
                       no_args_is_help=True, rich_markup_mode=None)
app.add_typer(plan_app)


def _choose_language(lang: str | None) -> str | None:
    """`--lang`, read before the other options (it is eager): the language of what azwa
    prints, its help and its usage errors included, until it ends (docs/language.md)."""
    import os

    from workflow.core.i18n import ENV, UnknownLanguage, use

    try:
        use(lang if lang is not None else os.environ.get(ENV) or None)
    except UnknownLanguage as exc:
        fail(f"{'--lang' if lang is not None else ENV}: {said(exc)}")
    return lang


@app.callback()
def choose_language(lang: Annotated[str | None, typer.Option(
        "--lang", help="Read the output in nl (the default) or en; default: env AZWA_LANG, "
        "else nl.", show_default=False, is_eager=True, callback=_choose_language)] = None,
) -> None:
    # `--lang` is applied as it is read (_choose_language), before any command runs.
    del lang


class _Console:
    """A rich Console made on first use: importing rich costs more than Typer itself."""

    def __init__(self, stderr: bool = False) -> None:
        self._stderr = stderr
        self._made: Any = None

    def __getattr__(self, name: str) -> Any:
        if self._made is None:
            from rich.console import Console

            stream = sys.stderr if self._stderr else sys.stdout
            self._made = Console(stderr=self._stderr, width=None if stream.isatty() else
                                 (200 if self._stderr else 160))
        return getattr(self._made, name)


out: Any = _Console()
err: Any = _Console(stderr=True)
_opened: list[str] = []
"""The database this run opened, to name it when it fails later."""
_stores: list[Any] = []
"""The stores this run opened, closed when the command ends (SQLite then removes its -wal and
-shm files)."""

Db = Annotated[str | None, typer.Option(
    "--db", help="Database URL or SQLite file path (default: env AZWA_DATABASE_URL, "
    "else ./azwa.db).")]
Json = Annotated[bool, typer.Option("--json", help="Print one JSON object for scripts.")]
At = Annotated[str | None, typer.Option(
    "--at", help="When it happened, ISO-8601 with offset (default: now).")]
Role = Annotated[str, typer.Option("--as", help="The role you act in, e.g. plan_maker.")]
Org = Annotated[str, typer.Option("--org", help="Your organisation.")]
Region = Annotated[str | None, typer.Option("--region", help="Your region.")]
Payload = Annotated[str | None, typer.Option(
    "--payload", "-p", help="The trigger's payload as JSON, or @FILE to read it from a file.")]
CommandId = Annotated[str | None, typer.Option(
    "--command-id", help="An id of your own: the same id twice applies once.")]


def _replace_unwritable() -> None:
    """Let stdout and stderr print what their encoding cannot hold as escapes (`\\u20ac`):
    under PYTHONIOENCODING=ascii a euro sign must not end a command in a traceback."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and getattr(stream, "errors", "") == "strict":
            with suppress(ValueError, OSError):  # a stream that cannot change: as it is
                reconfigure(errors="backslashreplace")


def day_text(iso: str) -> str:
    """An ISO day as the reader writes it (`10 april 2028`; in English the ISO day)."""
    if current() == "en":
        return iso
    from datetime import date

    from workflow.core import formats

    try:
        return formats.day(date.fromisoformat(iso))
    except ValueError:
        return iso


def fail(message: str, code: int = 2) -> NoReturn:
    """Print `message` as one line with control characters visible, and exit `code`."""
    err.print(visible(message), markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def read_payload(text: str | None) -> dict[str, Any]:
    """`-p JSON` or `-p @FILE`. A file is read at most one byte past the longest event a log
    line holds (AZWA_MAX_LINE_BYTES): `-p @/dev/zero` is one line, not a machine out of
    memory."""
    import json

    from workflow.core.bounds import BadInput, Limits
    from workflow.core.phrase import Phrase, reader_problem
    from workflow.core.refusal_text import say

    if not text:
        return {}
    source = "payload"
    if text.startswith("@"):
        source = text[1:]
        try:
            limit = Limits.from_env().max_line_bytes
            with Path(source).open("rb") as handle:
                raw = handle.read(limit + 1)
        except OSError as exc:
            fail(say(Phrase("cannot read {source}: {reason}", source=visible(source),
                            reason=exc.strerror or str(exc))))
        except BadInput as exc:
            fail(said(exc))
        if len(raw) > limit:
            fail(say(Phrase("{source}: larger than {limit:,} bytes, the most an event may hold "
                            "(AZWA_MAX_LINE_BYTES)", source=visible(source), limit=limit)))
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            fail(say(Phrase("{source} is not UTF-8 text (byte {byte})", source=visible(source),
                            byte=exc.start + 1)))
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        fail(say(Phrase("{source} is not JSON: {problem} at line {line} column {column}",
                        source=source, problem=reader_problem(exc.msg), line=exc.lineno,
                        column=exc.colno)))
    except RecursionError:
        fail(say(Phrase("{source} is nested too deeply to read", source=source)))
    if not isinstance(data, dict):
        fail(say(Phrase("{source} must be a JSON object", source=source)))
    return data


def open_engine(db: str | None, *, write: bool = False) -> Engine:
    """The Engine on an azwa database that exists; never creates one (only `init` does)."""
    from workflow.service.api import Engine
    from workflow.service.logs import configure

    configure(default_level="ERROR")
    _opened.append(db or resolve_url(None))
    engine = Engine.open(db, write=write)
    _stores.append(engine.store)
    return engine


def run_command(action: Callable[[], Any], as_json: bool) -> Any:
    """Run a service call; turn refusals and bad input into one line and an exit status."""
    from workflow.core.errors import Refused, StaleWrite, UnknownPlan

    try:
        return action()
    except Refused as refusal:
        from workflow.core.refusal_text import reason, refusal_json

        if as_json:
            out.print_json(data={"refused": refusal_json(refusal), "reason": refusal.reason})
        fail(_("refused: {reason}").format(reason=reason(refusal)), 1)
    except StaleWrite as exc:
        fail(_("refused: {reason}").format(reason=f"{exc} [rule optimistic_concurrency]"), 1)
    except UnknownPlan as exc:
        fail(said(exc))
    except ValueError as exc:
        fail(said(exc))


def parse_time(text: str | None, name: str = "at") -> Any:
    """An `--at` or `--now` option: the message names it as the engine does (`at`, `now`)."""
    from workflow.core.bounds import BadInput, instant

    if text is None:
        return None
    try:
        return instant(text, name)
    except BadInput as exc:
        from workflow.core.refusal_text import say

        fail(say(exc.args[0]))


@app.command()
def init(db: Db = None) -> None:
    """Create the database and its tables (safe to run again). The one command that creates
    a database: every other command needs one that exists."""
    from workflow.service.databases import create_or_upgrade

    url = resolve_url(db)
    _opened.append(db or url)
    create_or_upgrade(db).close()
    out.print(_("database ready: {url}").format(url=url), markup=False, highlight=False)


@plan_app.command("register")
def register(
    plan_id: Annotated[str, typer.Argument(help="Your id for the plan.")],
    org: Org,
    role: Role = "plan_maker",
    region: Region = None,
    payload: Payload = None,
    at: At = None,
    command_id: CommandId = None,
    db: Db = None,
    as_json: Json = False,
) -> None:
    """Register a plan (register_plan). The payload holds title, region, track, parties, ..."""
    write_command(db, payload, at, as_json, lambda engine, actor, data, when: engine.register(
        plan_id, actor(role, org, region), data, at=when, command_id=command_id))


@plan_app.command("fire")
def fire(
    plan_id: Annotated[str, typer.Argument(help="The plan.")],
    trigger: Annotated[str, typer.Argument(help="The trigger, e.g. submit_quick_test.")],
    role: Role,
    org: Org,
    region: Region = None,
    payload: Payload = None,
    at: At = None,
    command_id: CommandId = None,
    db: Db = None,
    as_json: Json = False,
) -> None:
    """Fire a trigger on a plan as a role; a refusal names the rule and seed paragraph."""
    write_command(db, payload, at, as_json, lambda engine, actor, data, when: engine.fire(
        plan_id, trigger, actor(role, org, region), data, at=when, command_id=command_id))


def write_command(
    db: str | None, payload: str | None, at: str | None, as_json: bool,
    call: Callable[[Engine, Any, dict[str, Any], Any], Fired],
) -> None:
    """`plan register` and `plan fire`: read the payload and the time, open the database for
    writing, run the command and print what it appended (or the one-line refusal)."""
    from workflow.core.actor import Actor

    data = read_payload(payload)
    engine, when = open_engine(db, write=True), parse_time(at)
    emit_fired(run_command(lambda: call(engine, Actor, data, when), as_json), as_json)


def emit_fired(fired: Fired, as_json: bool) -> None:
    if as_json:
        out.print_json(data={"state": fired.plan.state, "escalation": fired.plan.escalation,
                             "repeated": fired.repeated,
                             "events": [e.to_dict() for e in fired.events]})
        return
    for e in fired.events:
        out.print(_("#{seq} {trigger} at {at}").format(
            seq=e.seq, trigger=safe(term("trigger", e.trigger)), at=safe(e.at)))
    out.print(_("{plan} is {state} (escalation {escalation})").format(
        plan=safe(fired.plan.plan_id), state=term("state", fired.plan.state),
        escalation=term("escalation", fired.plan.escalation))
              + (_(" — command seen before, nothing new") if fired.repeated else ""))


@plan_app.command("show")
def show(
    plan_id: str,
    at: At = None,
    db: Db = None,
    as_json: Json = False,
) -> None:
    """Where a plan stands: state, escalation, open deadlines with days left, breaches, per
    organisation what it must do now, what it may also do, or why it has nothing to do; the
    parties and the KPIs with amounts and due days."""
    from workflow.cli.render import plan_json, show_kpis, show_parties, show_plan

    engine = open_engine(db)
    now = parse_time(at) or engine.clock.now()
    data = run_command(lambda: plan_json(engine.state(plan_id), now,
                                         engine.todo(plan_id, now)), as_json)
    if as_json:
        out.print_json(data=data)
    else:
        show_plan(out, data)
        show_parties(out, data)
        show_kpis(out, data)


@app.command()
def todo(
    org: Annotated[str, typer.Option("--org", help="The organisation whose to-dos to list.")],
    at: At = None,
    db: Db = None,
    as_json: Json = False,
) -> None:
    """What the process waits for from one organisation, on every plan, earliest due first;
    overdue ones are marked. What it may also do (escalate, withdraw, ...) is in `plan show`."""
    from workflow.cli.render import todo_table

    engine = open_engine(db)
    when = parse_time(at)
    todos = [t.to_dict() for t in run_command(lambda: engine.todos(org, when), as_json)]
    if as_json:
        out.print_json(data={"org": org, "todos": todos})
    elif todos:
        out.print(todo_table(org, todos))
    else:
        from workflow.core.i18n import _

        out.print(_("nothing to do for {org}").format(org=visible(org)), markup=False,
                  highlight=False)


@plan_app.command("history")
def history(plan_id: str, db: Db = None, as_json: Json = False) -> None:
    """Every event of a plan, in order, as stored in the hash-chained log."""
    from workflow.cli.render import history_table

    engine = open_engine(db)
    events = run_command(lambda: engine.history(plan_id), as_json)
    if as_json:
        out.print_json(data=[e.to_dict() for e in events])
    else:
        out.print(history_table(events, _("History of {plan}").format(plan=plan_id)))


@plan_app.command("list")
def list_plans(
    state: Annotated[str | None, typer.Option(help="Only plans in this state.")] = None,
    region: Annotated[str | None, typer.Option(
        help="Only plans of this region (case and surrounding spaces do not matter).")] = None,
    track: Annotated[str | None, typer.Option(
        help="Only plans of this track: transformation or breakthrough.")] = None,
    at: Annotated[str | None, typer.Option(
        "--at", help="Count days left and overdue deadlines as of this time (default: now).")]
    = None,
    db: Db = None,
    as_json: Json = False,
) -> None:
    """The registered plans: state, escalation, the next due deadline (overdue when its
    expiry has passed and `tick` has not yet run) and the deadlines each plan missed."""
    from workflow.cli.render import plans_json, plans_table
    from workflow.service.views import owed_of

    state = known_value("--state", state, _known_states())
    track = known_value("--track", track, _known_tracks())
    engine = open_engine(db)
    now = parse_time(at) or engine.clock.now()
    rows = run_command(lambda: engine.plans(state=state, region=region, track=track),
                       as_json)
    owed = owed_of(rows)
    if as_json:
        out.print_json(data=plans_json(rows, now, owed))
    else:
        out.print(plans_table(rows, now, owed))


def _known_states() -> list[str]:
    import states

    return sorted({s for d in states.all_definitions() for s in d.states})


def _known_tracks() -> list[str]:
    from states.guards import TRACKS

    return list(TRACKS)


def known_value(option: str, value: str | None, known: list[str]) -> str | None:
    """`value` as the definitions spell it (case and surrounding spaces do not matter), or
    one line naming the known values: a mistyped filter must not list nothing, exit 0."""
    if value is None:
        return None
    found = {k.casefold(): k for k in known}.get(value.strip().casefold())
    if found is None:
        fail(_("{option} {value!r} is not known; known: {known}").format(
            option=option, value=value, known=", ".join(known)))
    return found


@app.command()
def tick(
    now: Annotated[str | None, typer.Option(
        "--now", help="Expire deadlines due up to this time (default: now).")] = None,
    db: Db = None,
    as_json: Json = False,
) -> None:
    """Expire every deadline that has passed, exactly once, each as a deadline_expired event."""
    engine = open_engine(db, write=True)
    events = run_command(lambda: engine.tick(parse_time(now, "now")), as_json)
    if as_json:
        out.print_json(data={"expired": [e.to_dict() for e in events]})
        return
    for e in events:
        out.print(_("{plan}: {deadline} expired (due {due})").format(
            plan=safe(e.plan_id), deadline=safe(term("deadline", e.payload["deadline"])),
            due=day_text(e.payload["due"])))
    out.print(_("{count} deadline(s) expired").format(count=len(events)))


@app.command()
def demo(
    db: Annotated[str, typer.Option(
        "--db", help="SQLite file or URL for the demo (default: ./azwa-demo.db, created "
        "when missing; an existing azwa database gets the demo plans under fresh ids).")]
    = "azwa-demo.db",
    as_json: Json = False,
    force: Annotated[bool, typer.Option(
        "--force", help="Start from an empty file: delete the SQLite file --db names first.")]
    = False,
) -> None:
    """Take a sample plan from registration to closed — a late quick-test decision and an
    escalation on the way — on an SQLite file, and print its timeline; then a breakthrough
    plan with its modelplan through the same process. A database that exists is kept (the
    demo plans get fresh ids) unless --force."""
    from workflow.cli.render import plan_json, timeline_table
    from workflow.core.clock import FakeClock
    from workflow.core.money import to_decimal
    from workflow.service import demo as demo_scenario
    from workflow.service.api import Engine
    from workflow.service.databases import create_or_upgrade
    from workflow.service.logs import configure

    if force and "://" not in db and (Path(db).exists() or Path(db).is_symlink()):
        from workflow.service.databases import open_existing

        try:  # --force deletes an azwa database, never another file
            open_existing(db, write=False).close()
        except StoreUnavailable as exc:
            fail(_("--force deletes only an azwa database, and {problem}").format(
                problem=said(exc)))
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(db + suffix).unlink(missing_ok=True)
    configure(default_level="ERROR")
    _opened.append(db)
    engine = Engine(store=create_or_upgrade(db), clock=FakeClock(demo_scenario.START))
    _stores.append(engine.store)

    def free(plan_id: str) -> str:
        n, candidate = 1, plan_id
        while engine.store.load(candidate) is not None:
            n += 1
            candidate = f"{plan_id}-{n}"
        return candidate

    plan_id, bt_id = free(demo_scenario.PLAN_ID), free(demo_scenario.BREAKTHROUGH_ID)
    rows: list[Any] = []
    demo_scenario.run(engine, plan_id,
                      observe=lambda evs, p: rows.extend((e, p.state, p.escalation) for e in evs))
    demo_scenario.run(engine, bt_id, steps=demo_scenario.breakthrough_steps())
    plan, bt = engine.state(plan_id), engine.state(bt_id)
    if as_json:
        out.print_json(data={
            "plan": plan_json(plan, plan.last_at or engine.clock.now()),
            "events": [e.to_dict() for e, _, _ in rows],
            "breakthrough": plan_json(bt, bt.last_at or engine.clock.now()),
        })
        return
    out.print(timeline_table(rows))
    out.print(_("[bold]{plan}[/bold] ended [bold]{state}[/bold]; breaches: {breaches}; "
                "escalation steps: {steps}").format(
        plan=plan_id, state=term("state", plan.state),
        breaches=", ".join(term("deadline", b) for b in plan.breaches) or _("none"),
        steps=" → ".join(term("escalation", h["to"]) for h in plan.escalation_history)
        or _("none")))
    paid, costs, refund = (to_decimal(plan.funds[f"{name}_cents"])
                           for name in ("paid", "costs", "refund"))
    if current() == "en":
        out.print(f"paid €{paid:,.0f}, costs €{costs:,.0f}, refund €{refund:,.0f}")
    else:
        from workflow.core import formats

        out.print(_("paid {paid}, costs {costs}, refund {refund}").format(
            **{name: formats.amount(plan.funds[f"{name}_cents"])
               for name in ("paid", "costs", "refund")}))
    out.print(_("[bold]{plan}[/bold] ({title}, breakthrough track, modelplan meeting every "
                "basiseis) ended [bold]{state}[/bold] after {count} events").format(
        plan=bt_id, title=bt.attrs["title"], state=term("state", bt.state), count=bt.seq))
    out.print(_("database {url}: try `azwa plan show {plan} --db {db}` or "
                "`azwa plan history {other} --db {db}`").format(
        url=safe(resolve_url(db)), plan=plan_id, db=safe(db), other=bt_id))


definition_app = typer.Typer(name="definition", no_args_is_help=True, rich_markup_mode=None,
                             help="The process definitions: reference tables and diagrams.")
app.add_typer(definition_app)


@definition_app.command("list")
def definitions_list(as_json: Json = False) -> None:
    """The registered definitions and the date from which each is in force."""
    import states

    rows = [{"ref": d.ref, "effective_from": d.effective_from} for d in states.all_definitions()]
    if as_json:
        out.print_json(data=rows)
    else:
        for row in rows:
            out.print(_("{ref}  in force from {day}").format(
                ref=row["ref"], day=day_text(str(row["effective_from"]))))


def _new_plans_follow() -> str:
    """The version a plan registered today follows (the in-force setting, docs/versions.md)."""
    import states
    from workflow.core.clock import SystemClock
    from workflow.core.timecalc import local_date

    today = local_date(SystemClock().now()).isoformat()
    return states.in_force(states.DEFAULT.name, today).ref


@definition_app.command("reference")
def definition_reference(
    ref: Annotated[str | None, typer.Option(
        help="name@version (default: every version, and the project's own rules).")] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write to a file.")]
    = None,
    diagram_only: Annotated[bool, typer.Option("--diagram", help="Only the Mermaid diagrams.")]
    = False,
    force: Annotated[bool, typer.Option("--force", help="Replace the output file if it exists.")]
    = False,
) -> None:
    """States, triggers with roles, guards and seed paragraphs, deadlines, and diagrams."""
    import states
    from workflow.cli.reference import markdown, mermaid, reference

    try:
        definition = states.get(ref or _new_plans_follow())
    except KeyError as exc:
        fail(str(exc.args[0]))
    if ref is None and not diagram_only:
        text = reference(states.all_definitions())
    else:
        text = mermaid(definition) if diagram_only else markdown(definition)
    if output is None:
        sys.stdout.write(text)
    else:
        try:
            write_output(output, text, force=force)
        except OutputError as exc:
            fail(said(exc))
        out.print(_("wrote {path}").format(path=safe(output)))


@definition_app.command("schema")
def definition_schema(
    trigger: Annotated[str | None, typer.Argument(
        help="A trigger, e.g. sign_contract; without one, the schemas of all triggers.")] = None,
    ref: Annotated[str | None, typer.Option(
        "--definition", help="name@version (default: the definition new plans follow).")] = None,
) -> None:
    """The payload of a trigger as JSON Schema (draft 2020-12), for systems that build them."""
    import json

    import states
    from workflow.core.payload import to_json_schema

    ref = ref or _new_plans_follow()
    try:
        definition = states.get(ref)
    except KeyError as exc:
        fail(str(exc.args[0]))
    schemas = definition.payloads
    if trigger is not None and trigger not in schemas:
        fail(_("{trigger!r} has no declared payload in {ref}; triggers: {triggers}").format(
            trigger=trigger, ref=ref, triggers=", ".join(schemas)))
    picked = [trigger] if trigger is not None else list(schemas)
    data = {t: to_json_schema(schemas[t], title=f"{t} payload ({ref})") for t in picked}
    sys.stdout.write(json.dumps(data[trigger] if trigger is not None else data, indent=2,
                                ensure_ascii=False) + "\n")


from workflow.cli import definitions as _versions  # noqa: E402 - light: imports on use

definition_app.command("diff")(_versions.diff)
definition_app.command("check")(_versions.check)
plan_app.command("migrate")(_versions.migrate)


def main() -> None:  # pragma: no cover - console entry point
    app(prog_name="azwa")


if __name__ == "__main__":  # pragma: no cover
    main()

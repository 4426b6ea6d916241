"""`azwa`: the command line over the service layer. It holds no rule of the process.

Exit status: 0 done, 1 refused by a rule (the reason on one line), 2 bad input (an unknown
plan, unreadable JSON or time).
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console

import states
from workflow.cli import modelplan as cli_modelplan
from workflow.cli.audit import audit_app, export_command, replay_command
from workflow.cli.output import OutputError, write_output
from workflow.cli.reference import markdown, mermaid
from workflow.cli.render import (
    history_table,
    plan_json,
    plans_table,
    safe,
    show_plan,
    timeline_table,
    todo_table,
    visible,
)
from workflow.core.clock import FakeClock
from workflow.core.errors import Refused, StaleWrite, UnknownPlan
from workflow.core.money import funds_eur
from workflow.core.spec import Actor
from workflow.core.timecalc import parse_at
from workflow.service import demo as demo_scenario
from workflow.service.api import Engine, Fired
from workflow.service.logs import configure
from workflow.store.url import resolve_url

app = typer.Typer(
    name="azwa",
    help="Run IZA/AZWA transformation-fund plans through the process: register, fire "
    "triggers, expire deadlines, and show where each plan stands.",
    no_args_is_help=True,
    add_completion=False,
)
plan_app = typer.Typer(name="plan", help="Register plans, fire triggers, show and list plans.",
                       no_args_is_help=True)
app.add_typer(plan_app)
app.add_typer(cli_modelplan.app)

out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, width=None if sys.stderr.isatty() else 200)

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


def fail(message: str, code: int = 2) -> NoReturn:
    err.print(message, markup=False, highlight=False)
    raise typer.Exit(code)


def read_payload(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    source = "payload"
    if text.startswith("@"):
        source = text[1:]
        try:
            text = Path(source).read_text(encoding="utf-8")
        except OSError as exc:
            fail(f"cannot read {source}: {exc.strerror}")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        fail(f"{source} is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")
    if not isinstance(data, dict):
        fail(f"{source} must be a JSON object")
    return data


def open_engine(db: str | None) -> Engine:
    configure(default_level="ERROR")
    return Engine(resolve_url(db))


def run_command(action: Callable[[], Any], as_json: bool) -> Any:
    """Run a service call; turn refusals and bad input into one line and an exit status."""
    try:
        return action()
    except Refused as refusal:
        if as_json:
            out.print_json(data={"refused": refusal.to_dict(), "reason": refusal.reason})
        fail(f"refused: {refusal.reason}", 1)
    except StaleWrite as exc:
        fail(f"refused: {exc} [rule optimistic_concurrency]", 1)
    except UnknownPlan as exc:
        fail(str(exc))
    except ValueError as exc:
        fail(str(exc))


def parse_time(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return parse_at(text)
    except ValueError as exc:
        fail(str(exc))


@app.command()
def init(db: Db = None) -> None:
    """Create the database tables (safe to run again)."""
    url = resolve_url(db)
    open_engine(url)
    out.print(f"database ready: {safe(url)}")


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
    data = read_payload(payload)
    engine, when = open_engine(db), parse_time(at)
    fired = run_command(lambda: engine.register(
        plan_id, Actor(role, org, region), data, at=when, command_id=command_id), as_json)
    emit_fired(fired, as_json)


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
    data = read_payload(payload)
    engine, when = open_engine(db), parse_time(at)
    fired = run_command(lambda: engine.fire(
        plan_id, trigger, Actor(role, org, region), data, at=when, command_id=command_id),
        as_json)
    emit_fired(fired, as_json)


def emit_fired(fired: Fired, as_json: bool) -> None:
    if as_json:
        out.print_json(data={"state": fired.plan.state, "escalation": fired.plan.escalation,
                             "repeated": fired.repeated,
                             "events": [e.to_dict() for e in fired.events]})
        return
    for e in fired.events:
        out.print(f"#{e.seq} {safe(e.trigger)} at {safe(e.at)}")
    out.print(f"{safe(fired.plan.plan_id)} is {fired.plan.state} "
              f"(escalation {fired.plan.escalation})"
              + (" — command seen before, nothing new" if fired.repeated else ""))


@plan_app.command("show")
def show(
    plan_id: str,
    at: At = None,
    db: Db = None,
    as_json: Json = False,
) -> None:
    """Where a plan stands: state, escalation, open deadlines with days left, breaches, and per
    organisation what it must do now, what it may also do, or why it has nothing to do."""
    engine = open_engine(db)
    now = parse_time(at) or engine.clock.now()
    data = run_command(lambda: plan_json(engine.state(plan_id), now,
                                         engine.todo(plan_id, now)), as_json)
    if as_json:
        out.print_json(data=data)
    else:
        show_plan(out, data)


@app.command()
def todo(
    org: Annotated[str, typer.Option("--org", help="The organisation whose to-dos to list.")],
    at: At = None,
    db: Db = None,
    as_json: Json = False,
) -> None:
    """What the process waits for from one organisation, on every plan, earliest due first;
    overdue ones are marked. What it may also do (escalate, withdraw, ...) is in `plan show`."""
    engine = open_engine(db)
    when = parse_time(at)
    todos = [t.to_dict() for t in run_command(lambda: engine.todos(org, when), as_json)]
    if as_json:
        out.print_json(data={"org": org, "todos": todos})
    elif todos:
        out.print(todo_table(org, todos))
    else:
        out.print(f"nothing to do for {visible(org)}", markup=False, highlight=False)


@plan_app.command("history")
def history(plan_id: str, db: Db = None, as_json: Json = False) -> None:
    """Every event of a plan, in order, as stored in the hash-chained log."""
    engine = open_engine(db)
    events = run_command(lambda: engine.history(plan_id), as_json)
    if as_json:
        out.print_json(data=[e.to_dict() for e in events])
    else:
        out.print(history_table(events, f"History of {plan_id}"))


@plan_app.command("list")
def list_plans(
    state: Annotated[str | None, typer.Option(help="Only plans in this state.")] = None,
    region: Annotated[str | None, typer.Option(help="Only plans of this region.")] = None,
    db: Db = None,
    as_json: Json = False,
) -> None:
    """The registered plans with their state and next due deadline."""
    rows = open_engine(db).plans(state=state, region=region)
    if as_json:
        out.print_json(data=[dataclasses.asdict(r) for r in rows])
    else:
        out.print(plans_table(rows))


@app.command()
def tick(
    now: Annotated[str | None, typer.Option(
        "--now", help="Expire deadlines due up to this time (default: now).")] = None,
    db: Db = None,
    as_json: Json = False,
) -> None:
    """Expire every deadline that has passed, exactly once, each as a deadline_expired event."""
    engine = open_engine(db)
    events = run_command(lambda: engine.tick(parse_time(now)), as_json)
    if as_json:
        out.print_json(data={"expired": [e.to_dict() for e in events]})
        return
    for e in events:
        out.print(f"{safe(e.plan_id)}: {safe(e.payload['deadline'])} expired "
                  f"(due {e.payload['due']})")
    out.print(f"{len(events)} deadline(s) expired")


@app.command()
def demo(
    db: Annotated[str, typer.Option(
        "--db", help="SQLite file or URL for the demo (default: a fresh ./azwa-demo.db).")]
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
    if force and "://" not in db and Path(db).exists():
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(db + suffix).unlink(missing_ok=True)
    configure(default_level="ERROR")
    engine = Engine(resolve_url(db), FakeClock(demo_scenario.START))

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
    out.print(f"[bold]{plan_id}[/bold] ended [bold]{plan.state}[/bold]; breaches: "
              f"{', '.join(plan.breaches) or 'none'}; escalation steps: "
              f"{' → '.join(h['to'] for h in plan.escalation_history) or 'none'}")
    funds = funds_eur(plan.funds)
    out.print(f"paid €{funds['paid_eur']:,.0f}, costs €{funds['costs_eur']:,.0f}, "
              f"refund €{funds['refund_eur']:,.0f}")
    out.print(f"[bold]{bt_id}[/bold] ({bt.attrs['title']}, breakthrough track, modelplan meeting "
              f"every basiseis) ended [bold]{bt.state}[/bold] after {bt.seq} events")
    out.print(f"database {safe(resolve_url(db))}: try `azwa plan show {plan_id} --db "
              f"{safe(db)}` or `azwa plan history {bt_id} --db {safe(db)}`")


definition_app = typer.Typer(name="definition", no_args_is_help=True,
                             help="The process definitions: reference tables and diagrams.")
app.add_typer(definition_app)


@definition_app.command("list")
def definitions_list(as_json: Json = False) -> None:
    """The registered definitions and the date from which each is in force."""
    rows = [{"ref": d.ref, "effective_from": d.effective_from} for d in states.all_definitions()]
    if as_json:
        out.print_json(data=rows)
    else:
        for row in rows:
            out.print(f"{row['ref']}  in force from {row['effective_from']}")


@definition_app.command("reference")
def definition_reference(
    ref: Annotated[str, typer.Option(help="name@version")] = states.DEFAULT.ref,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write to a file.")]
    = None,
    diagram_only: Annotated[bool, typer.Option("--diagram", help="Only the Mermaid diagrams.")]
    = False,
    force: Annotated[bool, typer.Option("--force", help="Replace the output file if it exists.")]
    = False,
) -> None:
    """States, triggers with roles, guards and seed paragraphs, deadlines, and diagrams."""
    try:
        definition = states.get(ref)
    except KeyError as exc:
        fail(str(exc.args[0]))
    text = mermaid(definition) if diagram_only else markdown(definition)
    if output is None:
        sys.stdout.write(text)
    else:
        try:
            write_output(output, text, force=force)
        except OutputError as exc:
            fail(str(exc))
        out.print(f"wrote {safe(output)}")


app.command("replay")(replay_command)
app.command("export")(export_command)
app.add_typer(audit_app)


def main() -> None:  # pragma: no cover - console entry point
    app(prog_name="azwa")


if __name__ == "__main__":  # pragma: no cover
    main()

"""The auditors' commands: `azwa replay`, `azwa export`, `azwa audit verify|report`.

The main CLI mounts them: `app.command("replay")(replay_command)`,
`app.command("export")(export_command)` and `app.add_typer(audit_app)`.

Exit status everywhere: 0 in order, 1 violations or a broken chain (replay) or a stored plan
that differs from its replay (verify), 2 when the input cannot be read, with one line naming
the file and line, never a traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import IO, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from workflow.audit import export
from workflow.audit import picture as audit_picture
from workflow.audit import report as audit_report
from workflow.audit.logfile import LogFileError, ReplayResult, read_log, replay_lines
from workflow.audit.replay import CHAIN_BROKEN, PlanReplay
from workflow.cli.progress import bar, count_lines, tracked
from workflow.core.timecalc import parse_at
from workflow.store.url import StoreUnavailable as StoreError

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Database URL or SQLite file (default: $AZWA_DATABASE_URL, "
                              "else ./azwa.db).", show_default=False),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as one JSON object.")]


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {' '.join(message.split())}", err=True)
    return typer.Exit(code=2)


def _console() -> Console:
    return Console(highlight=False, soft_wrap=False)


# -- replay ------------------------------------------------------------------------------------


def _parse_now(now: str | None) -> datetime | None:
    if now is None:
        return None
    try:
        return parse_at(now)
    except ValueError as exc:
        raise _fail(f"--now: {exc}") from None


def replay_command(
    log: Annotated[Path, typer.Argument(
        help="The event log, one JSON event a line (JSON Lines); - reads standard input.",
        show_default=False)],
    now: Annotated[str | None, typer.Option(
        "--now", help="Also count deadlines still unmet at this ISO-8601 time as breaches.",
        show_default=False)] = None,
    as_json: JsonOption = False,
) -> None:
    """Replay an event log through the rules; exit 0 clean, 1 violations or broken chain,
    2 unreadable."""
    when = _parse_now(now)
    try:
        events = tracked(read_log(log), "replaying", count_lines(log))
        result = replay_lines(events, when)
    except LogFileError as error:
        if not error.source:
            error.source = str(log)
        raise _fail(error.describe()) from None
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False))
    else:
        _print_replay(result, str(log))
    if result.exit_code:
        raise typer.Exit(code=result.exit_code)


def _print_replay(result: ReplayResult, source: str) -> None:
    console = _console()
    console.print(Text(f"{source}: {len(result.plans)} plan(s), {result.events} event(s), "
                       f"hash chain {result.chain}", style="bold"))
    for plan_id, replay in result.plans.items():
        typer.echo(_plan_box(plan_id, replay))
        if replay.violations:
            table = Table(title=Text(f"{plan_id}: {len(replay.violations)} violation(s), "
                                     "each event skipped"), title_justify="left")
            for column in ("line", "seq", "trigger", "rule", "seed", "reason"):
                table.add_column(column, justify="right" if column in ("line", "seq") else "left")
            for v in replay.violations:
                reason = v.reason.removesuffix(f" [rule {v.rule}, {v.seed}]")
                table.add_row(str(v.line or ""), str(v.seq), v.trigger, v.rule, v.seed,
                              Text(reason))
            console.print(table)
    verdict = "ok" if result.ok else "NOT OK"
    console.print(Text(f"{verdict}: {sum(len(r.violations) for r in result.plans.values())} "
                       f"violation(s), hash chain {result.chain}"))


def _plan_box(plan_id: str, replay: PlanReplay) -> str:
    """A plan's outcome in a box drawn as text: a rich Table per plan cost half the time of
    replaying a log of thousands of plans (MEASURED.md)."""
    info = replay.result()
    funds = info["funds"]
    chain = info["chain"]
    if chain == CHAIN_BROKEN:
        chain += " at " + ", ".join(f"seq {link.seq} ({link.reason})" for link in replay.links)
    rows = [
        ("definition", str(info["definition"])), ("events", str(info["events"])),
        ("state", str(info["state"])), ("escalation", str(info["escalation"])),
        ("breaches", ", ".join(info["breaches"]) or "none"),
        ("funds", f"paid € {funds['paid_eur']:,.2f}, costs € {funds['costs_eur']:,.2f}, "
                  f"refund € {funds['refund_eur']:,.2f}"),
        ("hash chain", chain), ("violations", str(len(info["violations"]))),
    ]
    keys, values = max(len(k) for k, _ in rows), max(len(v) for _, v in rows)
    lines = [f"plan {plan_id}", f"┌{'─' * (keys + 2)}┬{'─' * (values + 2)}┐"]
    lines += [f"│ {k:<{keys}} │ {v:<{values}} │" for k, v in rows]
    lines.append(f"└{'─' * (keys + 2)}┴{'─' * (values + 2)}┘")
    return "\n".join(lines)


# -- export ------------------------------------------------------------------------------------


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"
    xes = "xes"


@contextmanager
def _output(path: Path) -> Iterator[IO[str]]:
    if str(path) == "-":
        yield sys.stdout
        return
    try:
        handle = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise _fail(f"{path}: cannot write the file: {exc.strerror or exc}") from None
    try:
        yield handle
    finally:
        handle.close()


def export_command(
    output: Annotated[Path, typer.Option(
        "--output", "-o", help="The file to write; - for standard output.", show_default=False)],
    fmt: Annotated[ExportFormat, typer.Option(
        "--format", help="jsonl (replayable), csv (spreadsheets) or xes (process mining).")
    ] = ExportFormat.jsonl,
    plan: Annotated[str | None, typer.Option(
        "--plan", help="Only this plan.", show_default=False)] = None,
    db: DbOption = None,
) -> None:
    """Export the event log of every plan (or one) as JSONL, CSV or XES."""
    from workflow.audit.verify import open_store, reading

    try:
        store = open_store(db)
        with reading():
            if plan is not None and store.load(plan) is None:
                raise _fail(f"no plan {plan!r} in the database")
            with _output(output) as out:
                written = export.write(fmt.value, store.iter_events(plan), out)
    except StoreError as error:
        raise _fail(str(error)) from None
    except OSError as exc:
        raise _fail(f"{output}: cannot write the file: {exc.strerror or exc}") from None
    if str(output) != "-":
        typer.echo(f"wrote {written.events} event(s) of {written.plans} plan(s) to {output}",
                   err=True)


# -- audit -------------------------------------------------------------------------------------

audit_app = typer.Typer(
    name="audit",
    help="Check the stored plans against their event logs and write audit reports.",
    no_args_is_help=True,
)


@audit_app.command("verify")
def verify_command(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Re-derive every stored plan from its events and check the hash chains; exit 1 when a
    plan differs from its replay."""
    from workflow.audit.verify import open_store, verify

    try:
        store = open_store(db)
        with bar("verifying plans", None) as advance:
            result = verify(store, on_plan=lambda: advance(1))
    except StoreError as error:
        raise _fail(str(error)) from None
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, default=str))
    else:
        console = _console()
        if result.ok:
            console.print(Text(f"ok: {result.plans} plan(s), {result.events} event(s): every "
                               "plan equals its replay and every hash chain holds"))
        else:
            table = Table(title=Text(f"{len(result.bad_plans())} of {result.plans} plan(s) "
                                     "differ from their event log"), title_justify="left")
            for column in ("plan", "kind", "seq", "problem", "stored", "replayed"):
                table.add_column(column)
            for p in result.problems:
                table.add_row(p.plan_id, p.kind, "" if p.seq is None else str(p.seq),
                              Text(p.message), Text(_short(p.stored)), Text(_short(p.replayed)))
            console.print(table)
    if not result.ok:
        raise typer.Exit(code=1)


def _short(value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False,
                                                           default=str)
    return text if len(text) <= 60 else text[:57] + "..."


class ReportFormat(StrEnum):
    md = "md"
    html = "html"


@audit_app.command("report")
def report_command(
    plan: Annotated[str, typer.Argument(help="The plan id.", show_default=False)],
    db: DbOption = None,
    fmt: Annotated[ReportFormat, typer.Option("--format", help="md or html.")] = (
        ReportFormat.md),
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write to this file instead of standard output.",
        show_default=False)] = None,
    picture: Annotated[Path | None, typer.Option(
        "--picture", help="Write the timeline picture here (.svg or .png); by default beside "
                          "--output as <name>.timeline.svg (Markdown) or inline (HTML).",
        show_default=False)] = None,
    now: Annotated[str | None, typer.Option(
        "--now", help="Judge open deadlines as of this ISO-8601 time (default: the last "
                      "event).", show_default=False)] = None,
) -> None:
    """One plan's audit report: timeline, deadline compliance, escalations, KPI payments and
    the four conditions of the lawfulness judgement (A4 §3.a.5), with a timeline picture."""
    from workflow.audit.verify import open_store, reading

    when = _parse_now(now)
    try:
        store = open_store(db)
        with reading():
            events = store.events(plan)
    except StoreError as error:
        raise _fail(str(error)) from None
    if not events:
        raise _fail(f"no plan {plan!r} in the database")
    try:
        report = audit_report.build(events, when)
    except ValueError as exc:
        raise _fail(f"plan {plan!r}: {exc}") from None
    if picture is None and output is not None and fmt is ReportFormat.md:
        picture = output.with_name(f"{output.stem}.timeline.svg")
    image_fmt = "png" if picture is not None and picture.suffix.lower() == ".png" else "svg"
    image = audit_picture.picture(report, image_fmt)
    if picture is not None:
        _write_bytes(picture, image)
    if fmt is ReportFormat.html:
        inline = image.decode("utf-8") if image_fmt == "svg" else None
        text = audit_report.render_html(report, inline)
    else:
        link = None
        if picture is not None:
            base = output.parent if output is not None else Path.cwd()
            try:
                link = str(picture.resolve().relative_to(base.resolve()))
            except ValueError:
                link = str(picture)
        text = audit_report.render_md(report, link)
    if output is None:
        typer.echo(text, nl=not text.endswith("\n"))
        return
    _write_bytes(output, text.encode("utf-8"))
    typer.echo(f"wrote {output}" + (f" and {picture}" if picture else ""), err=True)


def _write_bytes(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise _fail(f"{path}: cannot write the file: {exc.strerror or exc}") from None

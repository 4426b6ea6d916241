"""Commands around versions of a definition: `azwa definition diff|check`, `azwa plan
migrate`, `azwa audit impact` and `azwa replay LOG --as NAME@VERSION`.

Exit status: 0 nothing found (no counterexample, no plan affected, migrated), 1 found
(a counterexample, an affected plan, a refused migration), 2 bad input.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from workflow.cli.text import said, visible
from workflow.core.i18n import _, current

if TYPE_CHECKING:
    from workflow.audit.bounds import LogFileError
    from workflow.audit.impact import Impact
    from workflow.core.spec import Definition

Json = Annotated[bool, typer.Option("--json", help="Print the result as one JSON object.")]
Db = Annotated[str | None, typer.Option(
    "--db", help="Database URL or SQLite file (default: $AZWA_DATABASE_URL, else ./azwa.db).",
    show_default=False)]


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(_("error: {message}").format(message=visible(" ".join(message.split()))),
               err=True)
    return typer.Exit(code=code)


def _tenths(value: float) -> str:
    """A number with one decimal, a decimal comma in Dutch."""
    text = f"{value:.1f}"
    return text.replace(".", ",") if current() == "nl" else text


def _said(reason: str) -> str:
    """A refusal's line in the reader's language when its refusal is known, else as given."""
    from workflow.core.errors import Reason
    from workflow.core.refusal_text import say

    return say(reason) if isinstance(reason, Reason) else reason


def _said_error(error: LogFileError) -> str:
    from workflow.core.refusal_text import say

    return say(error.describe())


def _definition(ref: str) -> Definition:
    import states

    try:
        return states.get(ref)
    except KeyError as exc:
        raise _fail(str(exc.args[0])) from None


def diff(
    before: Annotated[str, typer.Argument(help="name@version, e.g. transformation@1")],
    after: Annotated[str, typer.Argument(help="name@version, e.g. transformation@2")],
    fmt: Annotated[str, typer.Option("--format", help="md (Markdown) or json.")] = "md",
) -> None:
    """States, triggers, roles, guards (with their seeds), deadlines and payload fields
    added, removed or changed from one version to another."""
    from workflow.audit.definition_diff import diff as compute
    from workflow.audit.definition_diff import markdown

    if fmt not in ("md", "json"):
        raise _fail(_("--format is md or json, not {value!r}").format(value=fmt))
    result = compute(_definition(before), _definition(after))
    if fmt == "json":
        sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(markdown(result))


def check(
    ref: Annotated[str, typer.Argument(help="name@version, e.g. transformation@1")],
    limit: Annotated[int, typer.Option(
        "--limit", min=1, help="Stop after this many configurations (no proof past it).")]
    = 20_000,
    as_json: Json = False,
) -> None:
    """Explore the definition's configurations and prove, or give a counterexample trace
    for: every configuration reaches a final state; every trigger can be fired by some
    role; every deadline closes once; no deadline runs in a final state. Exit 1 with a
    counterexample."""
    from workflow.audit.statespace import check as explore
    from workflow.cli.progress import bar

    with bar(_("exploring configurations"), limit) as advance:
        result = explore(_definition(ref), limit=limit, on_configuration=advance)
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False))
    else:
        verdict = (_("proven") if result.proven else _("counterexample") if result.findings
                   else _("no counterexample (stopped at the bound of {limit}: not a "
                          "proof)").format(limit=limit))
        typer.echo(_("{definition}: {verdict}; {configurations} configurations, {transitions} "
                     "transitions explored in {seconds} s").format(
            definition=result.definition, verdict=verdict,
            configurations=result.configurations, transitions=result.transitions,
            seconds=_tenths(result.seconds)))
        for finding in result.findings:
            typer.echo(f"\n{finding.prop}: {finding.message}")
            for i, step in enumerate(finding.trace, 1):
                typer.echo(f"  {i:3}. {step}")
        if result.unreached:
            typer.echo(_("not fired before the bound: {triggers}").format(
                triggers="; ".join(result.unreached)))
    if result.findings:
        raise typer.Exit(code=1)


def print_impact(result: Impact, as_json: bool) -> None:
    """The plans the other version judges differently; exit 1 when there is one."""
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, default=str))
    else:
        affected = result.affected
        typer.echo(_("{count} plan(s) replayed as {target}: {affected} affected").format(
            count=len(result.plans), target=result.target, affected=len(affected)))
        for plan_id, found in sorted(affected.items()):
            typer.echo(f"\n{visible(plan_id)} ({found.definition} → {found.target})")
            for r in found.refused:
                typer.echo("  " + _("seq {seq} {trigger}: refused, {reason} [{rule}, "
                                    "{seed}]").format(seq=r.seq, trigger=r.trigger,
                                                      reason=visible(_said(r.reason)),
                                                      rule=r.rule, seed=r.seed))
            for name in found.breached_now:
                typer.echo("  " + _("deadline {name}: breached now").format(name=name))
            for name in found.no_longer_breached:
                typer.echo("  " + _("deadline {name}: no longer breached").format(name=name))
            for key, (a, b) in found.changed.items():
                typer.echo(f"  {key}: {visible(str(a))} → {visible(str(b))}")
    if result.exit_code:
        raise typer.Exit(code=1)


def replay_as(log: Path, target: str, as_json: bool) -> None:
    """`azwa replay LOG --as NAME@VERSION`: each plan's history under another version."""
    from workflow.audit.bounds import LineReader, LogFileError
    from workflow.audit.impact import impact
    from workflow.audit.logfile import read_log
    from workflow.cli.progress import count_lines, tracked

    _definition(target)
    try:
        total = count_lines(log) if log.is_file() else None
        events = [item.event for item in tracked(read_log(log, LineReader()), _("reading"),
                                                 total)]
    except LogFileError as error:
        if not error.source:
            error.source = str(log)
        raise _fail(_said_error(error)) from None
    print_impact(impact(events, target), as_json)


def audit_impact(
    to: Annotated[str, typer.Option("--to", help="name@version to judge the plans by.")],
    db: Db = None,
    as_json: Json = False,
) -> None:
    """Replay every stored plan's history under another version and list, per plan, what
    it would judge differently; exit 1 when a plan is affected."""
    from workflow.audit.impact import impact
    from workflow.cli.progress import tracked
    from workflow.service.databases import open_existing
    from workflow.store.url import StoreUnavailable

    _definition(to)
    try:
        store = open_existing(db, write=False)
        result = impact(tracked(store.iter_events(), _("judging events"), None), to,
                        grouped=True)
    except StoreUnavailable as error:
        raise _fail(said(error)) from None
    print_impact(result, as_json)


def migrate(
    plan_id: Annotated[str, typer.Argument(help="The plan to move.")],
    to: Annotated[str, typer.Option("--to", help="name@version to move the plan to.")],
    actor: Annotated[str | None, typer.Option(
        "--actor", help='Who migrates, as JSON: {"role": "coordinating_insurer", "org": ...}; '
        "only the plan's coordinating insurer may (default: that insurer).")] = None,
    db: Db = None,
    at: Annotated[str | None, typer.Option("--at", help="ISO-8601 moment (default: now).")]
    = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Only judge whether the plan can move; store nothing.")] = False,
    as_json: Json = False,
) -> None:
    """Move a live plan to another version, recording `definition_migrated` in its chain,
    only when its whole history replays clean under it; refused otherwise, naming the first
    divergence (exit 1). Only the plan's coordinating insurer migrates (azwa's rule), and
    is the actor recorded when --actor is left out."""
    from workflow.core.errors import Refused, UnknownPlan
    from workflow.service.api import Engine
    from workflow.store.url import StoreUnavailable

    _definition(to)
    try:
        who: Any = None if actor is None else json.loads(actor)
        engine = Engine.open(db, write=not dry_run)
        fired = engine.migrate(plan_id, to, who, at=at, dry_run=dry_run)
    except (StoreUnavailable, UnknownPlan, ValueError) as error:
        raise _fail(said(error)) from None
    except Refused as refusal:
        from workflow.core.refusal_text import reason

        raise _fail(reason(refusal), code=1) from None
    data = {"plan_id": plan_id, "to": to, "dry_run": dry_run,
            "events": [e.to_dict() for e in fired.events]}
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False))
    else:
        typer.echo((_("{plan}: can move to {to}") if dry_run else _("{plan}: moved to {to}"))
                   .format(plan=visible(plan_id), to=to))

"""`azwa webhooks status` and `azwa webhooks retry`: the webhook outbox of `azwa serve`."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from workflow.cli.main import Db, Json, _opened, _stores, fail, out
from workflow.core.i18n import _
from workflow.store.url import resolve_url

app = typer.Typer(name="webhooks", rich_markup_mode=None, no_args_is_help=True,
                  help="The webhook outbox of `azwa serve`: what is pending, delivered and "
                  "dead, and sending dead ones again.")


def _queue(db: str | None) -> Any:
    from workflow.http.webhooks import Queue
    from workflow.service.api import Engine

    _opened.append(db or resolve_url(None))
    engine = Engine.open(db, write=True)
    _stores.append(engine.store)
    return Queue(engine.store.engine)  # type: ignore[attr-defined]


@app.command("status")
def status(db: Db = None, as_json: Json = False) -> None:
    """Per subscriber: notifications pending, delivered and dead; then the dead-letter list
    (given up after `max_attempts` failures)."""
    from workflow.http.webhooks import status as outbox_status

    data = outbox_status(_queue(db))
    if as_json:
        out.print_json(data=data)
        return
    if not data["subscribers"]:
        out.print(_("no notifications in the outbox"), markup=False, highlight=False)
    for name, counts in data["subscribers"].items():
        out.print(_("{name}: {pending} pending, {delivered} delivered, {dead} dead").format(
            name=name, **counts), markup=False, highlight=False)
    for row in data["dead"]:
        out.print(_("dead #{id} {subscriber} {plan_id} {kind} after {attempts} attempts: "
                    "{last_error}").format(**row), markup=False, highlight=False)


@app.command("retry")
def retry(
    ids: Annotated[list[int] | None, typer.Argument(
        help="Outbox ids from `webhooks status` (default: every dead notification).")] = None,
    subscriber: Annotated[str | None, typer.Option(
        "--subscriber", help="Only this subscriber's dead notifications.")] = None,
    db: Db = None,
    as_json: Json = False,
) -> None:
    """Send dead notifications again: the running service delivers them on its next round
    (they may then arrive after later notifications of the same plan)."""
    count = _queue(db).retry(ids or (), subscriber)
    if ids and count == 0:
        fail(_("none of these ids is a dead notification (see `azwa webhooks status`)"))
    if as_json:
        out.print_json(data={"retried": count})
    else:
        out.print(_("{count} notification(s) to be sent again").format(count=count),
                  markup=False, highlight=False)

"""`azwa worker`: expire due deadlines until stopped, side by side with other workers."""

from __future__ import annotations

from typing import Annotated

import typer

from workflow.cli.main import Db, fail, out
from workflow.cli.text import said
from workflow.core.i18n import _


def worker_command(
    db: Db = None,
    concurrency: Annotated[int, typer.Option(
        "--concurrency", "-c", min=1, max=64,
        help="Worker threads in this process, each with its own connection.")] = 1,
    interval: Annotated[float, typer.Option(
        "--interval", min=0.01,
        help="Seconds between looks when nothing is due (PostgreSQL also wakes on a "
        "deadline written due soon).")] = 30.0,
    batch: Annotated[int, typer.Option(
        "--batch", min=1, max=10_000, help="Plans claimed per transaction.")] = 200,
    once: Annotated[bool, typer.Option(
        "--once", help="Expire what is due now and stop (as `azwa tick`, in batches).")] = False,
) -> None:
    """Expire due deadlines as they fall due, until SIGTERM or Ctrl-C (the batch in hand is
    finished first).

    Several workers, on one machine or many, each claim other plans (PostgreSQL: FOR UPDATE
    SKIP LOCKED); each deadline is expired exactly once. Logs one line per batch."""
    import threading

    from workflow.service.logs import configure
    from workflow.service.worker import WorkerStats, run_worker, stop_on_signals

    configure(default_level="INFO")
    stop = threading.Event()
    if once:
        stop.set()
    restore = stop_on_signals(stop)
    stats = WorkerStats()
    try:
        run_worker(db, stop, interval=interval, concurrency=concurrency, batch=batch,
                   stats=stats, once=once)
    except ValueError as exc:
        fail(said(exc))
    finally:
        restore()
    out.print(_("stopped: {events} events in {batches} batches").format(
        events=stats.expired, batches=stats.batches), markup=False, highlight=False)

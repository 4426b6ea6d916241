"""`azwa serve`: run the HTTP service (docs/http.md); `azwa serve hash-token`: make a token
and the hash the config file lists."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from workflow.cli.main import Db, Json, fail, out
from workflow.cli.text import said
from workflow.core.i18n import _

app = typer.Typer(name="serve", rich_markup_mode=None, invoke_without_command=True,
                  help="Run the HTTP service: plans, commands, to-dos, webhooks, metrics "
                  "(docs/http.md).")


@app.callback()
def serve(
    ctx: typer.Context,
    db: Db = None,
    host: Annotated[str | None, typer.Option(
        "--host", help="Address to listen on (default: the config's, else 127.0.0.1).")]
    = None,
    port: Annotated[int | None, typer.Option(
        "--port", help="Port to listen on (default: the config's, else 8080).")] = None,
    config: Annotated[Path | None, typer.Option(
        "--config", help="TOML file: tokens (as hashes), webhook subscribers, deadline "
        "worker, telemetry. Without one no token is known: only /healthz answers.",
        exists=True, dir_okay=False)] = None,
) -> None:
    """Run the HTTP service: plans, commands, to-dos, webhooks, metrics (docs/http.md).

    Expires deadlines itself (every `tick_seconds` of the config, default 60) and delivers
    webhooks from the outbox until stopped (Ctrl-C)."""
    if ctx.invoked_subcommand is not None:
        return
    import uvicorn

    from workflow.http.app import create_app
    from workflow.http.settings import SettingsError, load
    from workflow.service.logs import configure

    try:
        settings = load(config, db=db, host=host, port=port)
    except SettingsError as exc:
        fail(said(exc))
    configure(default_level="WARNING")
    application = create_app(settings)
    out.print(_("azwa serving on http://{host}:{port} ({tokens} token(s), {subscribers} "
                "webhook subscriber(s))").format(
        host=settings.host, port=settings.port, tokens=len(settings.tokens),
        subscribers=len(settings.subscribers)), markup=False, highlight=False)
    # httptools' C parser and uvloop's event loop (where installed) spend about a third fewer
    # instructions per command than h11 on asyncio's loop; Http1 keeps httptools from
    # dropping the body of a request that offers an HTTP/2 upgrade, as Java's HttpClient
    # does by default, and writes a response's head and body at once (workflow/http/server.py).
    from workflow.http.server import Http1

    uvicorn.run(application, host=settings.host, port=settings.port, log_level="warning",
                access_log=False, http=Http1, loop="auto")


@app.command("hash-token")
def hash_token(
    token: Annotated[str | None, typer.Argument(
        help="A token to hash (default: make a new random one).")] = None,
    as_json: Json = False,
) -> None:
    """Print a token and the hash to list under [[tokens]] in the config file.

    Give the token to its caller, put only the hash in the file."""
    from workflow.http.settings import new_token, token_hash

    token = token or new_token()
    if len(token) < 16:
        fail(_("a token needs at least 16 characters; leave it out to get a random one"))
    if as_json:
        out.print_json(data={"token": token, "hash": token_hash(token)})
        return
    out.print(f"token: {token}\nhash = \"{token_hash(token)}\"", markup=False,
              highlight=False)


@app.command("openapi")
def openapi(
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", help="Write to this file (default: print).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")]
    = False,
) -> None:
    """Print the service's OpenAPI document (docs/openapi.json is this, checked in)."""
    import json
    import sys

    from workflow.cli.output import OutputError, write_output
    from workflow.http.app import openapi_document

    text = json.dumps(openapi_document(), indent=2, ensure_ascii=False) + "\n"
    if output is None:
        sys.stdout.write(text)
        return
    try:
        write_output(output, text, force=force)
    except OutputError as exc:
        fail(said(exc))
    out.print(_("wrote {path}").format(path=output), markup=False, highlight=False)

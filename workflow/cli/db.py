"""`azwa db`: the database's schema version, and bringing it to this release's."""

from __future__ import annotations

import typer

from workflow.cli.main import Db, Json, out
from workflow.core.i18n import _
from workflow.store.url import resolve_url

db_app = typer.Typer(name="db", no_args_is_help=True, rich_markup_mode=None,
                     help="Show or upgrade the database's schema version (migrations).")


def _shown(revision: str | None) -> str:
    return revision if revision is not None else _("none (made by azwa 0.1.0)")


@db_app.command("current")
def current(db: Db = None, as_json: Json = False) -> None:
    """Print the schema version of the database and whether it is this release's. Exit 0
    at this release's version, 1 when it is behind (`azwa db upgrade`)."""
    from workflow.service.schema_versions import current as read

    found = read(db)
    if as_json:
        out.print_json(data={"database": resolve_url(db), "revision": found.revision,
                             "head": found.head, "at_head": found.at_head})
    elif found.at_head:
        out.print(_("{revision} (head)").format(revision=_shown(found.revision)),
                  markup=False, highlight=False)
    else:
        out.print(_("{revision}, behind {head}: run `azwa db upgrade`").format(
            revision=_shown(found.revision), head=found.head), markup=False, highlight=False)
    if not found.at_head:
        raise typer.Exit(1)


@db_app.command("upgrade")
def upgrade(db: Db = None, as_json: Json = False) -> None:
    """Migrate the database to this release's schema version, in place (safe to run again;
    run it before starting the new release's servers and workers)."""
    from workflow.service.schema_versions import upgrade as migrate

    before, after = migrate(db)
    if as_json:
        out.print_json(data={"database": resolve_url(db), "before": before.revision,
                             "after": after.revision})
    elif before.at_head:
        out.print(_("already at {revision} (head)").format(revision=after.revision),
                  markup=False, highlight=False)
    else:
        out.print(_("upgraded from {before} to {after}").format(
            before=_shown(before.revision), after=after.revision), markup=False, highlight=False)

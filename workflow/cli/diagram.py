"""`azwa diagram`: the lifecycle and the escalation ladder of a definition, from `states/`,
as Mermaid (in Markdown), SVG or PNG; with `--plan`, that plan's state highlighted
(docs/diagrams.md). The drawing is workflow.service.diagrams'; this module reads the options
and writes the result."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from workflow.cli.main import Db, _new_plans_follow, fail, open_engine, run_command
from workflow.cli.output import OutputError, database_files, write_output
from workflow.cli.text import said
from workflow.core.i18n import _

if TYPE_CHECKING:
    from workflow.core.spec import Definition

DOCS = Path("docs/diagrams")


class Format(StrEnum):
    mermaid = "mermaid"
    svg = "svg"
    png = "png"


def diagram_command(
    ref: Annotated[str | None, typer.Argument(
        help="NAME@VERSION, e.g. transformation@1 (default: the plan's definition with "
        "--plan, else the one new plans follow).", show_default=False)] = None,
    plan: Annotated[str | None, typer.Option(
        "--plan", help="Highlight this plan's state and escalation step.",
        show_default=False)] = None,
    fmt: Annotated[Format, typer.Option(
        "--format", help="mermaid (Markdown with two Mermaid blocks), svg or png (drawn by "
        "Graphviz's dot).")] = Format.mermaid,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write to this file instead of standard output (needed for "
        "png).", show_default=False)] = None,
    db: Db = None,
    force: Annotated[bool, typer.Option(
        "--force", help="Replace the output file if it exists.")] = False,
) -> None:
    """The lifecycle and the escalation ladder as Mermaid, SVG or PNG, a plan's state
    highlighted.

    Drawn from the definition in `states/`: roles and deadlines on the edges, acts that change
    no state listed per state, `withdraw`-like acts from many states drawn once."""
    import states
    from workflow.service import diagrams

    current: dict[str, str] | None = None
    if plan is not None:
        engine = open_engine(db)
        found = run_command(lambda: engine.state(plan), False)
        current = {"lifecycle": found.state,
                   states.get(found.definition).region.name: found.escalation}
        ref = ref or found.definition
    try:
        definition = states.get(ref or _new_plans_follow())
    except KeyError as exc:
        fail(str(exc.args[0]))
    if fmt is Format.png and output is None and sys.stdout.isatty():
        fail(_("a PNG is no text for a terminal: give -o FILE"))
    try:
        data: str | bytes = (diagrams.mermaid(definition, current) if fmt is Format.mermaid
                             else diagrams.image(definition, fmt.value, current))
    except diagrams.DotMissing as exc:
        fail(said(exc))
    if output is None:
        if isinstance(data, bytes):
            sys.stdout.buffer.write(data)
        else:
            sys.stdout.write(data)
        return
    try:
        write_output(output, data, force=force, forbidden=database_files(db))
    except OutputError as exc:
        fail(said(exc))


def write_docs(folder: Path = DOCS) -> list[Path]:
    """docs/diagrams/<name@version>.md and .svg for every registered definition, in Dutch
    (`make diagrams`; tests/diagram checks they are up to date)."""
    import states
    written = []
    for definition in states.all_definitions():
        for name, data in docs_files(definition).items():
            write_output(folder / name, data, force=True)
            written.append(folder / name)
    return written


def docs_files(d: Definition) -> dict[str, str | bytes]:
    """The checked-in files of a definition's diagrams, in Dutch: the Mermaid page and the
    SVG (which needs Graphviz's dot)."""
    from workflow.core.i18n import reading
    from workflow.service import diagrams

    with reading("nl"):
        return {f"{d.ref}.md": diagram_page(d), f"{d.ref}.svg": diagrams.image(d, "svg")}


def diagram_page(d: Definition) -> str:
    """The Markdown page of a definition's diagrams: a heading, the two Mermaid blocks."""
    from workflow.service import diagrams

    return (f"# {d.ref}\n\nGegenereerd uit `states/` door `make diagrams`; niet met de hand "
            f"bewerken. Als plaatje: [{d.ref}.svg]({d.ref}.svg).\n\n"
            + diagrams.mermaid(d))

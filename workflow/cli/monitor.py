"""`azwa monitor`: the A4 §4 monitoring figures per month or quarter, per region, sector or
provider size (docs/monitoring.md). The figures come from workflow.audit.monitoring, the one
computation a page shows too; this module only reads the options and writes the result."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from workflow.cli.main import Db, fail, open_engine, parse_time
from workflow.cli.output import OutputError, check_output, database_files, write_output
from workflow.cli.progress import tracked
from workflow.cli.text import said
from workflow.core.i18n import _
from workflow.core.phrase import Phrase


class Period(StrEnum):
    month = "month"
    quarter = "quarter"


class By(StrEnum):
    region = "region"
    sector = "sector"
    size = "size"


class Format(StrEnum):
    md = "md"
    csv = "csv"
    json = "json"
    html = "html"


def monitor_command(
    db: Db = None,
    period: Annotated[Period, typer.Option(
        "--period", help="Count per calendar month (the governance group, A4 §4.a.2) or "
        "quarter (the BO IZA, §4.a.3).")] = Period.month,
    by: Annotated[By | None, typer.Option(
        "--by", help="Split by region, sector or provider size (A4 §4.a.1); default: all "
        "plans together.", show_default=False)] = None,
    fmt: Annotated[Format, typer.Option(
        "--format", help="md (readable), csv (one figure a line, for spreadsheets), json, "
        "or html (one page).")] = Format.md,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write to this file instead of standard output.",
        show_default=False)] = None,
    chart: Annotated[Path | None, typer.Option(
        "--chart", help="Also draw the figures per period to this file (.png or .svg).",
        show_default=False)] = None,
    at: Annotated[str | None, typer.Option(
        "--at", help="Count up to this ISO-8601 time (default: now).", show_default=False)]
    = None,
    force: Annotated[bool, typer.Option(
        "--force", help="Replace the output or chart file if it exists.")] = False,
    as_json: Annotated[bool, typer.Option(
        "--json", help="Print one JSON object for scripts (as --format json).")] = False,
) -> None:
    """The A4 §4 monitoring figures per month or quarter, by region, sector or provider size.

    Per period and group: plans per state, entered and left, deadline compliance (share on
    time, median days used), missed aims, open escalations by step, KPIs confirmed / partly
    paid / missed, funds agreed, paid and refunded. An empty database gives an empty report."""
    from workflow.audit import monitor_text
    from workflow.audit.monitoring import monitor, stories

    chart_format = None
    if chart is not None:
        chart_format = chart.suffix.lower().lstrip(".")
        if chart_format not in ("png", "svg"):
            fail(_("--chart {path}: give a file ending in .png or .svg").format(path=chart))
    forbidden = database_files(db)
    try:
        for path in (p for p in (output, chart) if p is not None):
            check_output(path, force=force, forbidden=forbidden)
        if output is not None and chart is not None and output.resolve() == chart.resolve():
            raise OutputError(Phrase("{path}: the figures and the chart need two files",
                                     path=output))
    except OutputError as exc:
        fail(said(exc))
    engine = open_engine(db)
    as_of = parse_time(at) or engine.clock.now()
    found = stories(tracked(engine.store.iter_events(), _("replaying plans"), None), as_of)
    result = monitor(found, as_of=as_of, period=period.value,
                     by=by.value if by is not None else None)
    if fmt is Format.json or as_json:
        text = json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n"
    elif fmt is Format.csv:
        text = monitor_text.to_csv(result)
    elif fmt is Format.html:
        from workflow.audit.monitor_chart import chart as draw

        inline = draw(result, "svg").decode("utf-8") if result.periods else None
        text = monitor_text.to_html(result, inline)
    else:
        text = monitor_text.markdown(result)
    try:
        if chart is not None and chart_format is not None:
            from workflow.audit.monitor_chart import chart as draw

            write_output(chart, draw(result, chart_format), force=force, forbidden=forbidden)
        if output is not None:
            write_output(output, text, force=force, forbidden=forbidden)
    except OutputError as exc:
        fail(said(exc))
    if output is None:
        sys.stdout.write(text)

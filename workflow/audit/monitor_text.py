"""The monitoring figures as people read them: one table per period, a column per group,
in Markdown, HTML and CSV. The labels are in the reader's language (workflow.core.i18n);
every group name is user text and escaped for the output it goes to."""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Iterator

import states
from workflow.audit.export import csv_cell
from workflow.audit.monitoring import FUNDS, KPI_OUTCOMES, Figures, Monitoring
from workflow.audit.report import md
from workflow.core import formats
from workflow.core.i18n import _, current, term
from workflow.core.text import visible

Row = tuple[str, list[str]]
"""A figure's label and its value per group."""


def _order(kind: str) -> list[str]:
    """States or escalation steps in the order the definitions list them."""
    seen: dict[str, None] = {}
    for d in states.all_definitions():
        for name in (d.states if kind == "state" else d.region.states):
            seen.setdefault(name, None)
    return list(seen)


def known_first(names: set[str], kind: str) -> list[str]:
    order = _order(kind)
    return sorted(names, key=lambda n: (order.index(n) if n in order else len(order), n))


def group_label(m: Monitoring, group: str) -> str:
    """A column's heading: the group as the plans give it, sizes and `unknown` translated."""
    if m.by is None:
        return _("all plans")
    if m.by == "size" or group == "unknown":
        return term("size", group)
    if m.by == "sector" and group == "other":
        return term("sector", group)
    return group


def rows(m: Monitoring, index: int) -> list[tuple[str, list[Row]]]:
    """One period's figures, section by section: (heading, rows)."""
    cells = [m.cell(index, g) for g in m.groups_in(index)]

    def counts(pick: str, kind: str) -> list[Row]:
        names: set[str] = set()
        for c in cells:
            names |= set(getattr(c, pick))
        return [(term(kind, n), [str(getattr(c, pick)[n]) for c in cells])
                for n in known_first(names, kind)]

    deadlines: list[Row] = []
    for name in sorted({n for c in cells for n in c.deadlines}):
        label = term("deadline", name)
        if any(c.deadlines[name].kind == "aim" for c in cells if name in c.deadlines):
            label = _("{deadline} (aim)").format(deadline=label)
        found = [c.deadlines.get(name) for c in cells]
        deadlines += [
            (_("{deadline}: ended").format(deadline=label),
             [str(d.closed) if d else "0" for d in found]),
            (_("{deadline}: share on time").format(deadline=label),
             [formats.share(d.share_on_time) if d else "–" for d in found]),
            (_("{deadline}: median days used").format(deadline=label),
             [formats.number(d.median_days_used) if d else "–" for d in found]),
        ]
    kpi_labels = {"confirmed": _("KPIs confirmed"), "partly_paid": _("KPIs partly paid"),
                  "missed": _("KPIs missed")}
    fund_labels = {"agreed": _("funds agreed"), "paid": _("funds paid"),
                   "refunded": _("funds refunded")}
    return [
        (_("Plans per state at the end of the period"), counts("plans", "state")),
        (_("Entered a state"), counts("entered", "state")),
        (_("Left a state"), counts("left", "state")),
        (_("Deadline compliance"), [
            *deadlines,
            (_("breaches"), [str(c.breaches) for c in cells]),
            (_("missed aims"), [str(c.missed_aims) for c in cells]),
        ]),
        (_("Open escalations by step at the end of the period"),
         counts("escalations", "escalation")),
        (_("KPIs"), [(kpi_labels[k], [str(c.kpis[k]) for c in cells]) for k in KPI_OUTCOMES]),
        (_("Funds"), [(fund_labels[k], [formats.amount(c.funds_cents[k]) for c in cells])
                      for k in FUNDS]),
    ]


def _intro(m: Monitoring) -> list[str]:
    period = {"month": _("per month"), "quarter": _("per quarter")}[m.period]
    by = {None: _("all plans together"), "region": _("by region"), "sector": _("by sector"),
          "size": _("by provider size")}[m.by]
    return [_("Monitoring (A4 §4) {period}, {by}, as of {moment}.").format(
        period=period, by=by, moment=formats.moment(m.as_of))]


def markdown(m: Monitoring) -> str:
    """The report as Markdown: a section per period, a table per part of it."""
    out = [f"# {md(_('Monitoring'))}", "", *(md(line) for line in _intro(m)), ""]
    if not m.periods:
        return "\n".join([*out, md(_("No plans registered yet: nothing to count.")), ""])
    for i, period in enumerate(m.periods):
        heads = [md(group_label(m, g)) for g in m.groups_in(i)]
        out += [f"## {md(period.label)}", ""]
        for heading, found in rows(m, i):
            if not found:
                continue
            out += [f"### {md(heading)}", "", "| | " + " | ".join(heads) + " |",
                    "|---|" + "---:|" * len(heads)]
            out += ["| " + md(label) + " | " + " | ".join(md(v) for v in values) + " |"
                    for label, values in found]
            out.append("")
    return "\n".join(out)


def to_html(m: Monitoring, chart_svg: str | None = None) -> str:
    """The report as one HTML page (lang set, tables with header cells for screen readers)."""
    esc = html.escape
    out = ["<!DOCTYPE html>",
           f'<html lang="{current()}"><head><meta charset="utf-8">',
           f"<title>{esc(_('Monitoring'))}</title>",
           "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;"
           "margin-bottom:1em}td,th{border:1px solid #bbb;padding:3px 6px}td{text-align:right}"
           "th{background:#eee;text-align:left}</style></head><body>",
           f"<h1>{esc(_('Monitoring'))}</h1>", *(f"<p>{esc(line)}</p>" for line in _intro(m))]
    if chart_svg:
        out += ['<figure class="chart">', chart_svg[chart_svg.find("<svg"):],
                f"<figcaption>{esc(_('Plans per state at the end of the period'))}; "
                f"{esc(_('Funds per period (euro)'))}</figcaption></figure>"]
    if not m.periods:
        out.append(f"<p>{esc(_('No plans registered yet: nothing to count.'))}</p>")
    for i, period in enumerate(m.periods):
        heads = "".join(f'<th scope="col">{esc(visible(group_label(m, g)))}</th>'
                        for g in m.groups_in(i))
        out.append(f"<h2>{esc(period.label)}</h2>")
        for heading, found in rows(m, i):
            if not found:
                continue
            out.append(f"<table><caption>{esc(heading)}</caption><tr><td></td>{heads}</tr>")
            out += ["<tr>" + f'<th scope="row">{esc(label)}</th>'
                    + "".join(f"<td>{esc(v)}</td>" for v in values) + "</tr>"
                    for label, values in found]
            out.append("</table>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _records(m: Monitoring) -> Iterator[list[object]]:
    for i, period in enumerate(m.periods):
        for group in m.groups_in(i):
            c: Figures = m.cell(i, group)
            data = c.to_dict()
            for part in ("plans", "entered", "left", "escalations", "kpis", "funds"):
                for key, value in data[part].items():
                    yield [period.label, group, part, key, value]
            for d in data["deadlines"]:
                for key in ("closed", "on_time", "share_on_time", "median_days_used"):
                    value = d[key]
                    yield [period.label, group, f"deadline_{key}", d["deadline"],
                           "" if value is None else value]
            yield [period.label, group, "breaches", "", c.breaches]
            yield [period.label, group, "missed_aims", "", c.missed_aims]


def to_csv(m: Monitoring) -> str:
    """One figure a line (period, group, figure, item, value) with identifiers and plain
    numbers, the same in every language, for spreadsheets and scripts. A group is user text:
    every cell goes through the export's `csv_cell`, so a formula in it runs nothing."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["period", "group", "figure", "item", "value"])
    for record in _records(m):
        writer.writerow(csv_cell(cell) for cell in record)
    return buffer.getvalue()

"""The timeline picture of an audit report: events, states, escalation steps, deadline runs.

Drawn with matplotlib's Agg backend, imported only when a picture is asked for, in the format
asked (FORMATS). Plan ids and deadline names are user text: every label is drawn with
mathtext off (a `$\\foo$` in an id is text, not a formula to parse) and with control
characters shown as escapes, so the picture is well-formed SVG whatever the names hold.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import states
from workflow.audit.report import Moment, PlanReport
from workflow.core.text import visible
from workflow.core.timecalc import AMSTERDAM

COLOURS = {"met": "#4c9a2a", "breached": "#c62828", "aim missed": "#f9a825", "open": "#1e88e5",
           "cancelled": "#9e9e9e"}
FORMATS = ("svg", "png", "pdf")
STEP_COLOURS = {"bilateral": "#ffe082", "convened": "#ffb74d", "board_level": "#f57c00",
                "governance": "#bf360c"}


def _spans(moments: Sequence[Moment], key: str, end: datetime) -> list[tuple[str, datetime,
                                                                              datetime]]:
    spans: list[tuple[str, datetime, datetime]] = []
    for i, m in enumerate(moments):
        value = str(getattr(m, key))
        stop = moments[i + 1].at if i + 1 < len(moments) else end
        if spans and spans[-1][0] == value:
            spans[-1] = (value, spans[-1][1], stop)
        else:
            spans.append((value, m.at, stop))
    return spans


def _month_ticks(start: datetime, stop: datetime) -> list[datetime]:
    """First days of months (local time) across the span, at most about a dozen."""
    first = start.astimezone(AMSTERDAM).date().replace(day=1)
    months = (stop.year - first.year) * 12 + stop.month - first.month + 1
    every = max(1, -(-months // 12))
    ticks: list[datetime] = []
    for n in range(0, months + 1, every):
        year, month = first.year + (first.month - 1 + n) // 12, (first.month - 1 + n) % 12 + 1
        tick = datetime(year, month, 1, tzinfo=AMSTERDAM)
        if start <= tick <= stop:
            ticks.append(tick)
    return ticks


def picture(report: PlanReport, fmt: str = "svg") -> bytes:
    """A timeline: events, the plan's states, escalation steps and each deadline run."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    moments = report.timeline
    start = moments[0].at
    stop = max([report.as_of, *(m.at for m in moments),
                *(datetime.combine(r.due, datetime.min.time(), AMSTERDAM) + timedelta(days=1)
                  for r in report.deadlines)])

    def x(at: datetime) -> float:
        """Days since the first event: the picture's time axis."""
        return (at - start) / timedelta(days=1)

    if fmt not in FORMATS:
        raise ValueError(f"unknown picture format {fmt!r} (one of {', '.join(FORMATS)})")
    rows = ["events", "state", "escalation", *(r.name for r in report.deadlines)]
    fig = Figure(figsize=(11, 1.2 + 0.38 * len(rows)), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    y = {name: len(rows) - 1 - i for i, name in enumerate(rows)}
    ax.vlines([x(m.at) for m in moments], y["events"] - 0.3, y["events"] + 0.3,
              colors=["#c62828" if m.refused else "#424242" for m in moments], linewidth=1)
    palette = ["#e3f2fd", "#bbdefb", "#c8e6c9", "#fff9c4", "#ffe0b2", "#f8bbd0", "#d1c4e9"]
    def fits(begin: datetime, end: datetime, label: str) -> bool:
        """Whether a label in 6-point type fits in a bar (a character is ~0.55% of the axis)."""
        return (x(end) - x(begin)) >= 0.0055 * (len(label) + 1) * max(x(stop), 1.0)

    for i, (state, begin, end) in enumerate(_spans(moments, "state", stop)):
        ax.barh(y["state"], x(end) - x(begin), left=x(begin), height=0.6,
                color=palette[i % len(palette)], edgecolor="#757575", linewidth=0.5)
        if fits(begin, end, state):
            ax.text(x(begin), y["state"], f" {visible(state)}", va="center", fontsize=6,
                    clip_on=True, parse_math=False)
    calm = states.get(report.plan.definition).region.initial
    for step, begin, end in _spans(moments, "escalation", stop):
        if step != calm:
            ax.barh(y["escalation"], x(end) - x(begin), left=x(begin), height=0.6,
                    color=STEP_COLOURS.get(step, "#ffcc80"), edgecolor="#757575", linewidth=0.5)
            if fits(begin, end, step):
                ax.text(x(begin), y["escalation"], f" {visible(step)}", va="center",
                        fontsize=6, clip_on=True, parse_math=False)
    for row, run in enumerate(report.deadlines):
        level = y[rows[3 + row]]
        due_end = datetime.combine(run.due + timedelta(days=1), datetime.min.time(), AMSTERDAM)
        colour = COLOURS.get(run.verdict, "#9e9e9e")
        ax.barh(level, x(due_end) - x(run.started_at), left=x(run.started_at), height=0.5,
                color=colour, alpha=0.35, edgecolor=colour)
        if run.closed_at is not None:
            ax.plot([x(run.closed_at)], [level],
                    marker={"breached": "x", "aim missed": "d"}.get(run.verdict, "o"),
                    color=colour, markersize=5)
        if run.late_at is not None:
            ax.plot([x(run.late_at)], [level], marker="o", color=colour, markersize=5,
                    fillstyle="none")
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([visible(r) for r in reversed(rows)], fontsize=7, parse_math=False)
    ax.set_ylim(-0.7, len(rows) - 0.3)
    margin = max(x(stop) / 60, 0.5)
    ax.set_xlim(-margin, x(stop) + margin)
    ticks = _month_ticks(start, stop)
    ax.set_xticks([x(t) for t in ticks], [t.strftime("%Y-%m-%d") for t in ticks], fontsize=7)
    ax.grid(axis="x", linestyle=":", linewidth=0.5)
    ax.set_title(f"{visible(report.plan.plan_id)}: timeline (deadline bars end on the due day; "
                 "o met, x breached, ◆ aim missed, ○ done late)", fontsize=9, parse_math=False)
    fig.tight_layout()
    buffer = io.BytesIO()
    metadata: dict[str, Any] = {"svg": {"Date": None}, "pdf": {"CreationDate": None}}.get(
        fmt, {})
    fig.savefig(buffer, format=fmt, metadata=metadata)
    return buffer.getvalue()

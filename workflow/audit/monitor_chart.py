"""The monitoring charts: per period, the plans per state (stacked) and the funds agreed,
paid and refunded. matplotlib's Agg backend, imported only when a chart is asked for; labels
in the reader's language, drawn as text (mathtext off)."""

from __future__ import annotations

import io
from typing import Any

from workflow.audit.monitor_text import known_first
from workflow.audit.monitoring import FUNDS, Monitoring
from workflow.core.i18n import _, term
from workflow.core.text import visible

FORMATS = ("png", "svg")
PALETTE = ["#1565c0", "#42a5f5", "#90caf9", "#2e7d32", "#66bb6a", "#a5d6a7", "#f9a825",
           "#ffd54f", "#ef6c00", "#ffab91", "#6a1b9a", "#ba68c8", "#c62828", "#ef9a9a",
           "#4e342e", "#a1887f", "#455a64", "#b0bec5", "#00838f", "#80deea"]


def chart(m: Monitoring, fmt: str = "png") -> bytes:
    """Two panels over the periods: plans per state at each period's end, funds per period."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if fmt not in FORMATS:
        raise ValueError(f"unknown chart format {fmt!r} (one of {', '.join(FORMATS)})")
    labels = [p.label for p in m.periods]
    fig = Figure(figsize=(max(6.0, 1.0 + 0.6 * len(labels)), 7), dpi=100)
    FigureCanvasAgg(fig)
    top, bottom = fig.subplots(2, 1)
    totals: dict[str, list[int]] = {}
    funds: dict[str, list[float]] = {k: [0.0] * len(labels) for k in FUNDS}
    for i in range(len(labels)):
        for g in m.groups_in(i):
            cell = m.cell(i, g)
            for state, n in cell.plans.items():
                totals.setdefault(state, [0] * len(labels))[i] += n
            for k in FUNDS:
                funds[k][i] += cell.funds_cents[k] / 100
    base = [0] * len(labels)
    for n, state in enumerate(known_first(set(totals), "state")):
        top.bar(labels, totals[state], bottom=base, color=PALETTE[n % len(PALETTE)],
                label=visible(term("state", state)))
        base = [a + b for a, b in zip(base, totals[state], strict=True)]
    top.set_title(visible(_("Plans per state at the end of the period")), fontsize=10,
                  parse_math=False)
    from matplotlib.ticker import MaxNLocator

    top.yaxis.set_major_locator(MaxNLocator(integer=True))
    if totals:
        top.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    width = 0.27
    names = {"agreed": _("funds agreed"), "paid": _("funds paid"),
             "refunded": _("funds refunded")}
    for n, k in enumerate(FUNDS):
        bottom.bar([i + (n - 1) * width for i in range(len(labels))], funds[k], width=width,
                   color=PALETTE[n * 3], label=visible(names[k]))
    bottom.set_xticks(range(len(labels)), labels)
    bottom.set_title(visible(_("Funds per period (euro)")), fontsize=10, parse_math=False)
    bottom.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    for ax in (top, bottom):
        ax.tick_params(axis="x", labelsize=7, labelrotation=45)
        ax.tick_params(axis="y", labelsize=7)
    fig.tight_layout()
    buffer = io.BytesIO()
    metadata: dict[str, Any] = {"svg": {"Date": None}}.get(fmt, {})
    fig.savefig(buffer, format=fmt, metadata=metadata)
    return buffer.getvalue()

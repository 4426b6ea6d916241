"""The pictures of a simulation, as PNG bytes (matplotlib, Agg): the caller writes them.

Imported only when plots are drawn: matplotlib costs a second of start-up.
"""

from __future__ import annotations

import io
from typing import Any

from workflow.simulate.runner import RunResult
from workflow.simulate.summary import MARK_COLUMNS, STAGES

GANTT_PLANS = 25


def _png(fig: Any) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, metadata={"Software": None})
    import matplotlib.pyplot as plt

    plt.close(fig)
    return buffer.getvalue()


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def lead_times(results: list[RunResult]) -> bytes:
    plt = _pyplot()
    rows = [row for r in results for row in r.rows]
    fig, axes = plt.subplots(2, 2, figsize=(10, 7))
    names = [*STAGES, "to_end"]
    for ax, name in zip(axes.flat, names, strict=True):
        if name == "to_end":
            values = [row["ended"] - row["marks"]["registered"] for row in rows
                      if row["ended"] is not None]
        else:
            a, b = STAGES[name]
            values = [row["marks"][b] - row["marks"][a] for row in rows
                      if a in row["marks"] and b in row["marks"]]
        ax.hist(values, bins=40, color="#4477aa")
        ax.set_title(f"{name} (n={len(values)})")
        ax.set_xlabel("days")
    fig.tight_layout()
    return _png(fig)


def gantt(results: list[RunResult]) -> bytes:
    plt = _pyplot()
    rows = results[0].rows[:GANTT_PLANS] if results else []
    fig, ax = plt.subplots(figsize=(10, 0.3 * len(rows) + 1.5))
    colours = ["#4477aa", "#66ccee", "#228833", "#ccbb44", "#ee6677", "#aa3377"]
    for i, row in enumerate(rows):
        marks = [row["marks"].get(m) for m in MARK_COLUMNS]
        end = row["ended"] if row["ended"] is not None else max(v for v in marks if v is not None)
        points = [v for v in marks if v is not None] + [end]
        for j in range(len(points) - 1):
            ax.barh(i, points[j + 1] - points[j], left=points[j], color=colours[j % 6])
    ax.set_yticks(range(len(rows)), [row["plan_id"] for row in rows], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("days since the scenario's start")
    ax.set_title("Sample plans: registration → quick test → plan → decision → contract → end")
    fig.tight_layout()
    return _png(fig)


def queues(results: list[RunResult]) -> bytes:
    plt = _pyplot()
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 7), sharex=True)
    pools = results[0].pools if results else {}
    for org, pool in pools.items():
        trace = pool["trace"]
        if not trace:
            continue
        t = [p[0] for p in trace]
        top.step(t, [p[2] for p in trace], where="post", label=org)
        bottom.step(t, [p[1] / pool["assessors"] for p in trace], where="post", label=org)
    top.set_ylabel("plans waiting")
    bottom.set_ylabel("assessors busy (share)")
    bottom.set_xlabel("days since the scenario's start (run 1)")
    top.legend(fontsize=7)
    fig.tight_layout()
    return _png(fig)


def sweep(points: list[tuple[int, dict[str, Any]]]) -> bytes:
    """Breach rate per deadline against the number of assessors per organisation."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 5))
    kinds = sorted({k for _, s in points for k in s["breach_rate"]})
    xs = [n for n, _ in points]
    for kind in kinds:
        ys = [s["breach_rate"].get(kind, {"rate": 0})["rate"] for _, s in points]
        lows = [s["breach_rate"].get(kind, {"ci95": [0, 0]})["ci95"][0] for _, s in points]
        highs = [s["breach_rate"].get(kind, {"ci95": [0, 0]})["ci95"][1] for _, s in points]
        ax.plot(xs, ys, marker="o", label=kind)
        ax.fill_between(xs, lows, highs, alpha=0.15)
    ax.set_xlabel("assessors per organisation")
    ax.set_ylabel("share missed (95% interval)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return _png(fig)

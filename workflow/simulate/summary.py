"""What a planner reads from the runs: lead times, breach rates with their uncertainty,
escalations, assessor load, money paid per year; as JSON, Markdown and a CSV of timelines.

Numbers are rounded, keys sorted: the same runs give the same bytes.
"""

from __future__ import annotations

import csv
import io
import json
import math
from typing import Any

import numpy as np

from workflow.simulate.runner import RunResult
from workflow.simulate.scenario import Scenario

STAGES = {
    "quick_test": ("quick_test_submitted", "quick_test_decided"),
    "plan": ("plan_submitted", "plan_decided"),
    "to_contract": ("registered", "contracted"),
}
"""Lead time name → (from mark, to mark)."""
def aim_names(definition: str) -> frozenset[str]:
    """The deadlines of the scenario's definition that are aims: missed, never breached."""
    import states
    from workflow.core.spec import AIM

    return frozenset(s.name for s in states.get(definition).deadlines if s.kind == AIM)


def ladder(definition: str) -> tuple[str, ...]:
    """The escalation steps above `none` of the scenario's definition, in order (v1 has a
    fourth step, `governance`; v2's ladder ends at `board_level`)."""
    import states
    from workflow.simulate.model import ladder_of

    return tuple(step for step, height in ladder_of(states.get(definition)).items() if height)


MARK_COLUMNS = ("registered", "quick_test_submitted", "quick_test_decided", "plan_submitted",
                "plan_decided", "contracted")
T95 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306,
       9: 2.262, 10: 2.228, 15: 2.131, 20: 2.086, 30: 2.042}


def _r(x: Any) -> float:
    return round(float(x), 4)


def spread(values: list[float]) -> dict[str, Any]:
    """Mean and percentiles of lead times in days."""
    if not values:
        return {"n": 0, "mean": None, "p50": None, "p90": None, "p99": None}
    a = np.asarray(values)
    p50, p90, p99 = np.percentile(a, [50, 90, 99])
    return {"n": len(values), "mean": _r(a.mean()), "p50": _r(p50), "p90": _r(p90),
            "p99": _r(p99)}


def _t95(df: int) -> float:
    """Student's t for a two-sided 95% interval (table values, the next lower df)."""
    if df > 30:
        return 1.96
    return T95[max(k for k in T95 if k <= df)]


def wilson(hits: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval of a proportion."""
    if n == 0:
        return (0.0, 1.0)
    p = hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def rate(per_run: list[tuple[int, int]]) -> dict[str, Any]:
    """A rate with a 95% interval: over runs (t) when there are several, else Wilson."""
    hits, n = sum(h for h, _ in per_run), sum(m for _, m in per_run)
    rates = [h / m for h, m in per_run if m]
    if len(rates) >= 2:
        mean = float(np.mean(rates))
        half = _t95(len(rates) - 1) * float(np.std(rates, ddof=1)) / math.sqrt(len(rates))
        low, high = max(0.0, mean - half), min(1.0, mean + half)
    else:
        mean = hits / n if n else 0.0
        low, high = wilson(hits, n)
    return {"rate": _r(mean), "ci95": [_r(low), _r(high)], "missed": hits, "started": n}


def summarise(scenario: Scenario, results: list[RunResult], plans: int, seed: int
              ) -> dict[str, Any]:
    rows = [row for r in results for row in r.rows]
    lead: dict[str, Any] = {}
    for name, (a, b) in STAGES.items():
        lead[name] = spread([row["marks"][b] - row["marks"][a] for row in rows
                             if a in row["marks"] and b in row["marks"]])
    lead["to_end"] = spread([row["ended"] - row["marks"]["registered"] for row in rows
                             if row["ended"] is not None])
    aims = aim_names(scenario.definition)
    kinds = sorted({k for r in results for k in r.deadlines})
    missed = {k: rate([(r.deadlines.get(k, [0, 0])[1], r.deadlines.get(k, [0, 0])[0])
                       for r in results]) for k in kinds}
    breaches = {k: v for k, v in missed.items() if k not in aims}
    escalation = {}
    for step, name in enumerate(ladder(scenario.definition), start=1):
        escalation[name] = rate([(sum(1 for row in r.rows if row["top_step"] >= step),
                                  len(r.rows)) for r in results])
    paid: dict[str, float] = {}
    for r in results:
        for row in r.rows:
            for year, cents in row["paid_cents"].items():
                paid[year] = paid.get(year, 0.0) + cents / 100 / len(results)
    orgs = list(results[0].pools) if results else []
    assessors = {org: {
        "assessors": results[0].pools[org]["assessors"],
        "utilisation": _r(np.mean([r.pools[org]["utilisation"] for r in results])),
        "wait_mean_days": _r(np.mean([r.pools[org]["wait_mean"] for r in results])),
        "queue_mean": _r(np.mean([r.pools[org]["queue_mean"] for r in results])),
        "queue_max": max(r.pools[org]["queue_max"] for r in results),
    } for org in orgs}
    outcomes: dict[str, int] = {}
    for row in rows:
        outcomes[row["state"]] = outcomes.get(row["state"], 0) + 1
    waits = [w for r in results for w in r.waits]
    return {
        "scenario": {"definition": scenario.definition, "start": scenario.start.isoformat(),
                     "plans_per_run": len(results[0].rows) if results else plans,
                     "runs": len(results), "seed": seed,
                     "calendar": scenario.calendar.working_days},
        "lead_time_days": lead,
        "breach_rate": breaches,
        "missed_aim_rate": {k: v for k, v in missed.items() if k in aims},
        "plans_with_breach": rate([(sum(1 for row in r.rows if row["breaches"]), len(r.rows))
                                   for r in results]),
        "missed_aims": rate([(sum(1 for row in r.rows if row.get("missed_aims")), len(r.rows))
                             for r in results]),
        "escalation_reached": escalation,
        "assessors": assessors,
        "assessor_wait_mean_days": _r(np.mean(waits)) if waits else 0.0,
        "funds_paid_eur_per_year": {y: round(v, 2) for y, v in sorted(paid.items())},
        "outcomes": dict(sorted(outcomes.items())),
    }


def to_json(summary: dict[str, Any]) -> str:
    return json.dumps(summary, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _days(x: float | None) -> str:
    return "–" if x is None else f"{x:.1f}"


def _pct(item: dict[str, Any]) -> str:
    low, high = item["ci95"]
    return f"{100 * item['rate']:.1f}% ({100 * low:.1f}–{100 * high:.1f}%)"


def to_markdown(summary: dict[str, Any]) -> str:
    s = summary["scenario"]
    lines = [
        "# Simulation summary", "",
        f"{s['runs']} run(s) of {s['plans_per_run']} plans from {s['start']} under "
        f"{s['definition']}, seed {s['seed']}; working calendar "
        f"{'on' if s['calendar'] else 'off'}. Rates with a 95% interval.", "",
        "## Lead times (days)", "", "| stage | plans | mean | p50 | p90 | p99 |",
        "|---|---|---|---|---|---|",
    ]
    for name, v in summary["lead_time_days"].items():
        lines.append(f"| {name} | {v['n']} | {_days(v['mean'])} | {_days(v['p50'])} | "
                     f"{_days(v['p90'])} | {_days(v['p99'])} |")
    lines += ["", "## Deadlines missed", "", "| deadline | started | missed | rate (95%) |",
              "|---|---|---|---|"]
    for name, v in summary["breach_rate"].items():
        lines.append(f"| {name} | {v['started']} | {v['missed']} | {_pct(v)} |")
    if summary["missed_aim_rate"]:
        lines += ["", "## Aims missed (never a breach)", "", "| aim | started | missed | "
                  "rate (95%) |", "|---|---|---|---|"]
        for name, v in summary["missed_aim_rate"].items():
            lines.append(f"| {name} | {v['started']} | {v['missed']} | {_pct(v)} |")
    lines += ["", f"Plans that breached at least one deadline: "
              f"{_pct(summary['plans_with_breach'])}; plans that missed an aim (a missed aim is "
              f"not a breach): {_pct(summary['missed_aims'])}.", "",
              "## Escalation: plans reaching each step", "", "| step | rate (95%) |",
              "|---|---|"]
    for name, v in summary["escalation_reached"].items():
        lines.append(f"| {name} | {_pct(v)} |")
    lines += ["", "## Assessors (utilisation and mean queue while plans arrive)", "",
              "| organisation | assessors | utilisation | mean wait (days) | mean queue | "
              "max queue |", "|---|---|---|---|---|---|"]
    for org, v in summary["assessors"].items():
        lines.append(f"| {org} | {v['assessors']} | {100 * v['utilisation']:.0f}% | "
                     f"{v['wait_mean_days']:.1f} | {v['queue_mean']:.2f} | {v['queue_max']} |")
    lines += ["", "## Funds paid per year (mean over runs)", "", "| year | EUR |", "|---|---|"]
    for year, eur in summary["funds_paid_eur_per_year"].items():
        lines.append(f"| {year} | {eur:,.0f} |")
    lines += ["", "## Outcomes", "", "| state | plans |", "|---|---|"]
    for state, n in summary["outcomes"].items():
        lines.append(f"| {state} | {n} |")
    return "\n".join(lines) + "\n"


def timelines_csv(results: list[RunResult]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["run", "plan_id", *MARK_COLUMNS, "ended", "state", "breaches",
                     "escalation_step", "paid_eur", "events"])
    for r in results:
        for row in r.rows:
            writer.writerow([r.run, row["plan_id"], *(row["dates"].get(m, "")
                                                      for m in MARK_COLUMNS),
                             row["ended_on"] or "", row["state"], " ".join(row["breaches"]),
                             row["top_step"], f"{sum(row['paid_cents'].values()) / 100:.2f}",
                             row["events"]])
    return out.getvalue()

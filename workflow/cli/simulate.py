"""`azwa simulate SCENARIO.toml`, `azwa simulate calibrate` and `azwa forecast`.

The simulation runs the real engine on the definitions in `states/` with simulated time
(workflow/simulate); this module reads the options, shows progress and writes the outputs
through cli/output.py (nothing is replaced without --force, no partial files).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from workflow.cli.helptext import HelpGroup
from workflow.cli.main import Db, Json, fail, out
from workflow.cli.output import OutputError, check_output, write_output
from workflow.cli.text import said
from workflow.core.i18n import _


class _ScenarioFirst(HelpGroup):
    """`azwa simulate SCENARIO.toml ...` is `azwa simulate run SCENARIO.toml ...`."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(name="simulate", cls=_ScenarioFirst, no_args_is_help=True,
                  rich_markup_mode=None, add_completion=False,
                  help="Simulate plans through the process on a scenario, or calibrate a "
                       "scenario from recorded plans.\n\nRun: azwa simulate SCENARIO.toml "
                       "--plans N --seed S [--runs R] [--jobs J] [--out DIR] (the `run` "
                       "command); docs/simulation.md has the scenario keys.")

Force = Annotated[bool, typer.Option("--force", help="Replace output files that exist.")]
OUTPUTS = ("summary.md", "summary.json", "timelines.csv", "events.jsonl", "lead_times.png",
           "gantt.png", "queues.png")


def _scenario(path: Path) -> Any:
    from workflow.simulate.scenario import ScenarioError, load

    try:
        return load(path)
    except ScenarioError as exc:
        fail(said(exc))


def _sweep(text: str | None) -> list[int]:
    if text is None:
        return []
    name, _sep, span = text.partition("=")
    low, _sep, high = span.partition("..")
    if name != "assessors" or not low.isdigit() or not high.isdigit() or int(low) < 1 \
            or int(high) < int(low):
        fail(_("--sweep {value!r}: give assessors=LOW..HIGH, e.g. assessors=2..10 (azwa)")
             .format(value=text))
    return list(range(int(low), int(high) + 1))


@app.command("run")
def run(
    scenario: Annotated[Path, typer.Argument(help="The scenario file (TOML); see "
                                             "docs/simulation.md for its keys.")],
    plans: Annotated[int, typer.Option("--plans", min=1, help="Plans per run.")] = 100,
    seed: Annotated[int, typer.Option("--seed", help="The same seed gives the same output, "
                                      "byte for byte, for any --jobs.")] = 1,
    runs: Annotated[int, typer.Option("--runs", min=1, help="Independent runs (for the "
                                      "confidence intervals).")] = 1,
    jobs: Annotated[int, typer.Option("--jobs", min=1, help="Processes to spread the runs "
                                      "over.")] = 1,
    output: Annotated[Path, typer.Option("--out", help="The folder to write to (made when "
                                         "missing).")] = Path("simulation"),
    sweep: Annotated[str | None, typer.Option(
        "--sweep", help="Also simulate each number of assessors, e.g. assessors=2..10, and "
        "plot the breach rates against it.")] = None,
    no_plots: Annotated[bool, typer.Option("--no-plots", help="Skip the PNG plots.")] = False,
    force: Force = False,
    as_json: Json = False,
) -> None:
    """Simulate plans through the process: summary.md and .json, timelines.csv, events.jsonl
    (replayable with `azwa replay`) and plots in --out."""
    from workflow.cli.progress import bar
    from workflow.simulate import summary as s
    from workflow.simulate.runner import run_many

    loaded = _scenario(scenario)
    counts = _sweep(sweep)
    names = [*OUTPUTS[:4], *([] if no_plots else OUTPUTS[4:]),
             *(["sweep.json", "sweep.png"] if counts else [])]
    if output.exists() and not output.is_dir():
        fail(_("{path}: is a file; --out names a folder").format(path=output))
    try:
        output.mkdir(parents=True, exist_ok=True)
        for name in names:
            check_output(output / name, force=force)
    except OutputError as exc:
        fail(said(exc))
    except OSError as exc:
        fail(_("{path}: cannot make the folder: {reason}").format(
            path=output, reason=exc.strerror or exc))
    with bar(_("simulating"), runs * (1 + len(counts))) as advance:
        results = run_many(loaded, plans, seed, runs, jobs, advance=advance)
        points = [(n, s.summarise(loaded.with_assessors(n), run_many(
            loaded.with_assessors(n), plans, seed, runs, jobs, keep_events=False,
            advance=advance), plans, seed)) for n in counts]
    summary = s.summarise(loaded, results, plans, seed)
    files: dict[str, str | bytes] = {
        "summary.md": s.to_markdown(summary), "summary.json": s.to_json(summary),
        "timelines.csv": s.timelines_csv(results),
        "events.jsonl": _jsonl(results),
    }
    if not no_plots or counts:
        from workflow.simulate import plots
    if not no_plots:
        files |= {"lead_times.png": plots.lead_times(results), "gantt.png": plots.gantt(results),
                  "queues.png": plots.queues(results)}
    if counts:
        files["sweep.json"] = s.to_json({str(n): p["breach_rate"] for n, p in points})
        files["sweep.png"] = plots.sweep(points)
    try:
        for name, data in files.items():
            write_output(output / name, data, force=force)
    except OutputError as exc:
        fail(said(exc))
    if as_json:
        out.print_json(data=summary)
        return
    out.print(_("simulated {runs} run(s) of {plans} plans; wrote {files} to {output}").format(
        runs=runs, plans=plans, files=", ".join(files), output=output), markup=False,
        highlight=False)


def _jsonl(results: list[Any]) -> bytes:
    import json

    from workflow.audit.bounds import HEADER

    header = json.dumps(HEADER, separators=(",", ":")).encode() + b"\n"
    return b"".join([header, *(piece for r in results for piece in r.events)])


@app.command("calibrate")
def calibrate(
    output: Annotated[Path, typer.Option("-o", "--output", help="The scenario file to "
                                         "write (TOML).")],
    log: Annotated[Path | None, typer.Option("--log", help="An exported event log (JSONL) "
                                             "instead of the database.")] = None,
    db: Db = None,
    force: Force = False,
    as_json: Json = False,
) -> None:
    """Fit delays per trigger and role and the branch probabilities from recorded plans
    (the database, or an exported log); write a scenario and report each fit."""
    from workflow.service.forecast import calibrated_from_db, calibrated_from_log
    from workflow.simulate.calibrate import report_lines, to_toml

    try:
        check_output(output, force=force)
    except OutputError as exc:
        fail(said(exc))
    fit = calibrated_from_log(log) if log is not None else calibrated_from_db(db)
    if fit.plans == 0:
        fail(_("no recorded plans to calibrate from (azwa)"))
    try:
        write_output(output, to_toml(fit), force=force)
    except OutputError as exc:
        fail(said(exc))
    if as_json:
        out.print_json(data=fit.report())
        return
    for line in report_lines(fit):
        out.print(line, markup=False, highlight=False)
    out.print(_("wrote {path}").format(path=output), markup=False, highlight=False)


def forecast_command(
    db: Db = None,
    scenario: Annotated[Path | None, typer.Option(
        "--scenario", help="The scenario to forecast with (default: calibrated from the "
        "same database).")] = None,
    runs: Annotated[int, typer.Option("--runs", min=1, help="Simulated futures per plan.")]
    = 200,
    seed: Annotated[int, typer.Option("--seed", help="The seed of the futures.")] = 1,
    at: Annotated[str | None, typer.Option("--at", help="Forecast from this moment "
                                           "(default: now).")] = None,
    as_json: Json = False,
) -> None:
    """For every open plan: the chance of missing each running deadline and the expected
    decision date.

    Simulated from each plan's live state (state, facts, running deadlines, its place in the
    assessors' queues); riskiest first. Without --scenario, a scenario is calibrated from
    the same database."""
    from workflow.cli.main import parse_time
    from workflow.service.forecast import forecast

    loaded = _scenario(scenario) if scenario is not None else None
    rows = forecast(db, loaded, runs=runs, seed=seed, now=parse_time(at))
    if as_json:
        out.print_json(data={"forecast": rows})
        return
    if not rows:
        out.print(_("no running deadlines on open plans"), markup=False, highlight=False)
        return
    from rich.table import Table

    from workflow.cli.main import day_text
    from workflow.core.i18n import term

    table = Table(title=_("Forecast ({runs} futures per plan)").format(runs=runs))
    for name in (_("plan"), _("state"), _("deadline"), _("due"), "P(miss)",
                 _("expected decision")):
        table.add_column(name)
    for row in rows:
        table.add_row(row["plan_id"], term("state", row["state"]),
                      term("deadline", row["deadline"]), day_text(str(row["due"])),
                      f"{100 * row['p_miss']:.0f}%",
                      day_text(str(row["expected_decision"])) if row["expected_decision"]
                      else "–")
    out.print(table)

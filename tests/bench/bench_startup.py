"""Start-up: `azwa --help` and `azwa replay` of a one-line log, against importing Typer.

Each is run as a new process through the installed `azwa` console script, interleaved with
the baseline `python -c "import typer"` (same interpreter, same site-packages), many times;
the ratio is the median of the per-round ratios, which a busy machine disturbs least. A bare
Typer app running one command with one argument shows what Typer itself costs to run any
command (it coerces parameters with pydantic), so the part azwa adds can be read off.

Prints a Markdown section for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HELP_TARGET = 1.5
BARE_APP = """
import sys, typer
app = typer.Typer(add_completion=False, rich_markup_mode=None)
@app.command()
def replay(log: str, json: bool = False) -> None:
    sys.stdout.write(log)
@app.command()
def other() -> None:
    pass
app(prog_name="bare")
"""


def compile_sources() -> None:
    """Write the .pyc files of workflow/ and states/, as installing a package does: where
    PYTHONDONTWRITEBYTECODE is set, every new process would compile them again, and time
    that no installed azwa spends."""
    import compileall

    for package in ("workflow", "states"):
        compileall.compile_dir(ROOT / package, quiet=1)


def _timed(argv: list[str]) -> float:
    began = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
                   cwd=ROOT)
    return time.perf_counter() - began


def measure(runs: int = 21) -> dict[str, tuple[float, float]]:
    """Per case: (median seconds, median ratio to `import typer` in the same round)."""
    azwa = str(Path(sys.executable).with_name("azwa"))
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "one.jsonl"
        first = (ROOT / "docs" / "examples" / "audit_log.jsonl").read_text().splitlines()[0]
        log.write_text(first + "\n", encoding="utf-8")
        bare = Path(tmp) / "bare.py"
        bare.write_text(BARE_APP, encoding="utf-8")
        cases = {
            "python -c 'import typer'": [sys.executable, "-c", "import typer"],
            "azwa --help": [azwa, "--help"],
            "azwa replay (one-line log)": [azwa, "replay", str(log)],
            "bare Typer app, one command": [sys.executable, str(bare), "replay", str(log)],
        }
        compile_sources()
        for argv in cases.values():  # warm the file cache
            _timed(argv)
        times: dict[str, list[float]] = {name: [] for name in cases}
        ratios: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(runs):
            base = _timed(cases["python -c 'import typer'"])
            times["python -c 'import typer'"].append(base)
            ratios["python -c 'import typer'"].append(1.0)
            for name, argv in cases.items():
                if name == "python -c 'import typer'":
                    continue
                spent = _timed(argv)
                times[name].append(spent)
                ratios[name].append(spent / base)
    return {name: (statistics.median(times[name]), statistics.median(ratios[name]))
            for name in cases}


def main(runs: int = 21) -> str:
    found = measure(runs)
    lines = [
        "## Start-up: `azwa --help` and `azwa replay` vs importing Typer",
        "",
        f"Each a new process through the installed `azwa` console script, {runs} rounds "
        "interleaved with `python -c \"import typer\"`; medians, the ratio being the median "
        "of the per-round ratios. The bare Typer app (two commands, one run) is what Typer "
        "costs to run any command: it coerces parameters with pydantic. `azwa`'s lazy "
        "commands take their texts, paths and flags as Click gives them (`_PlainValue` in "
        "workflow/cli/main.py), so `azwa replay` loads no pydantic. The sources are compiled "
        "to bytecode first, as installing a package does.",
        "",
        "| process | median ms | vs `import typer` |",
        "|---|---|---|",
    ]
    for name, (seconds, ratio) in found.items():
        lines.append(f"| {name} | {seconds * 1000:.0f} | {ratio:.2f}× |")
    help_ratio = found["azwa --help"][1]
    verdict = "meets" if help_ratio <= HELP_TARGET else "misses"
    replay, bare = found["azwa replay (one-line log)"][1], found["bare Typer app, one command"][1]
    lines += [
        "",
        f"`azwa --help` is **{help_ratio:.2f}×** importing Typer (target ≤ {HELP_TARGET}×: "
        f"{verdict}). `azwa replay` of a one-line log is {replay:.2f}×, a bare Typer command "
        f"{bare:.2f}×: what `azwa replay` adds to importing Typer is loading the process "
        "definitions and the rules; it loads neither pydantic, rich, SQLAlchemy nor "
        "matplotlib (tests/test_startup.py).",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    print(main(parser.parse_args().runs))

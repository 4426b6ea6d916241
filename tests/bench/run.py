"""`make bench`: run every benchmark and write the results to docs/benchmarks.md.

Speed targets live here, never in timed tests. Figures are noisy on a shared machine; the
ratios, measured in the same run, are what the targets are about.
"""

from __future__ import annotations

import argparse
import importlib
import platform
import sys
import time
from pathlib import Path

import sqlalchemy
import transitions

BENCHES = ("bench_fire", "bench_apply", "bench_tick", "bench_replay", "bench_startup",
           "bench_simulate", "bench_http",
           "bench_pg_fire", "bench_pg_scale")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("docs/benchmarks.md"))
    parser.add_argument("--only", nargs="*", default=None, help="run only these benchmarks")
    args = parser.parse_args()
    sections = []
    for name in BENCHES:
        if args.only and name not in args.only:
            continue
        try:
            module = importlib.import_module(f"tests.bench.{name}")
        except ModuleNotFoundError:
            continue
        began = time.perf_counter()
        print(f"running {name} …", file=sys.stderr, flush=True)
        sections.append(module.main())
        print(f"  done in {time.perf_counter() - began:.1f} s", file=sys.stderr)
    header = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`python -m tests.bench.run`); each section says what it "
        "compares. Ratios are measured within one run on the same machine.",
        "",
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, Python "
        f"{platform.python_version()}, transitions {transitions.__version__}, SQLAlchemy "
        f"{sqlalchemy.__version__}, SQLite {__import__('sqlite3').sqlite_version}.",
        "",
    ]
    args.out.write_text("\n".join(header + sections), encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()

"""Scenario files the simulation tests share."""

from __future__ import annotations

from pathlib import Path

SMALL = """\
start = "2025-01-06"
[arrivals]
per_month = 20
[delays.default]
kind = "exponential"
mean = 3
[delays."submit_plan:plan_maker"]
kind = "lognormal"
mu = 3.0
sigma = 0.5
[delays.approve_plan]
kind = "triangular"
low = 5
mode = 20
high = 60
[delays.confirm_kpi]
kind = "empirical"
values = [1, 2, 5, 9]
[branches]
escalation = 0.3
[calendar]
working_days = true
summer_dip = 0.3
"""


def write(folder: Path, text: str = SMALL, name: str = "scenario.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path

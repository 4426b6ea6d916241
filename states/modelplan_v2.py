"""Modelplan checks of transformation@2 on the breakthrough track (MP)."""

from __future__ import annotations

from states.guards import modelplan_problems
from workflow.core.context import Context


def modelplan_problems_v2(ctx: Context) -> list[str]:
    """What a submitted modelplan lacks (MP BE1–BE14)."""
    return modelplan_problems(ctx)


def breakthrough_contract_problems(ctx: Context) -> list[str]:
    """What a breakthrough contract's KPIs break (MP BE4)."""
    return []

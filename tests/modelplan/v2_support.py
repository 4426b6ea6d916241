"""Shared by the `test_v2_*` tests: the v2 example and a guard's view of a breakthrough plan."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from workflow.core.actor import Actor
from workflow.core.context import Context
from workflow.core.plan import Plan

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_V2 = ROOT / "docs" / "examples" / "modelplan_example_v2.yaml"
EXAMPLE_V1 = ROOT / "docs" / "examples" / "modelplan_example.yaml"
NOORDERHAVEN = "Zorggroep Noorderhaven"
LINDEBOOM = "Thuiszorg De Lindeboom"
PARTIES = [{"org": NOORDERHAVEN, "role": "plan_maker"}, {"org": LINDEBOOM, "role": "plan_maker"}]
Change = Callable[[dict[str, Any]], object]


def example_v2(change: Change | None = None) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(EXAMPLE_V2.read_text(encoding="utf-8"))
    if change is not None:
        change(data)
    return data


def example_v1() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(EXAMPLE_V1.read_text(encoding="utf-8"))
    return data


def context(payload: dict[str, Any], *, trigger: str = "submit_plan",
            track: str = "breakthrough", parties: list[dict[str, Any]] | None = None,
            **attrs: Any) -> Context:
    """What a guard of `transformation@2` sees when the plan maker fires `trigger`."""
    plan = Plan(plan_id="NH-2027-002", definition="transformation@2",
                state="plan_in_preparation", escalation="none",
                attrs={"title": "Thuismonitoring bij hartfalen", "region": "Noorderhaven",
                       "track": track, "parties": PARTIES if parties is None else parties,
                       "coordinating_insurer": "Menzis", **attrs})
    return Context(plan=plan, actor=Actor("plan_maker", NOORDERHAVEN, "Noorderhaven"),
                   payload=payload, at=datetime(2027, 3, 1, 9, tzinfo=UTC), trigger=trigger)


def renamed(names: dict[str, str]) -> Change:
    """A change giving the example's coalition other names (`{old: new}`): applicants and the
    providers of the budget lines, so a plan of other parties can carry it."""
    def change(data: dict[str, Any]) -> None:
        for applicant in data["applicants"]:
            applicant["org"] = names.get(applicant["org"], applicant["org"])
        for line in data["budget"]:
            line["provider"] = names.get(line["provider"], line["provider"])
    return change

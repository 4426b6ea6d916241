"""A simulation scenario: who arrives when, how long each actor takes, which way each decision
goes, how many assessors, which calendar. Read from TOML (docs/simulation.md has the schema);
every bad value is refused with one message naming its key.

Delays are in days (working days when the calendar is on); deadlines always count calendar
days, as the definition says.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from workflow.core.phrase import Phrase
from workflow.simulate.delays import KINDS, Delay, ScenarioError, delay_from

DEFAULT_DEFINITION = "transformation@1"

BRANCHES: dict[str, str] = {
    "quick_test_incomplete": "the coordinating insurer asks for what is missing from the quick "
                             "test (request_information)",
    "quick_test_rejected": "the quick test is rejected (reject_quick_test)",
    "plan_incomplete": "the coordinating insurer asks for what is missing from the plan",
    "plan_rejected": "the plan is rejected (reject_plan)",
    "revision": "the plan is sent back for revision (request_revision)",
    "negative_verdict": "a reviewer's verdict is negative (the round then ends in a revision "
                        "or, where it blocks approval, a rejection)",
    "blocked_rejected": "when the definition refuses the decision itself (under "
                        "transformation@2 a standing negative verdict blocks approve_plan), "
                        "the plan is rejected (reject_plan) rather than sent back for "
                        "revision (request_revision)",
    "escalation": "a plan in preparation or implementation is escalated (step 1)",
    "kpi_missed": "a KPI is confirmed only after its due day (a missed KPI deadline)",
    "no_go": "a go/no-go moment ends in no-go (the plan is terminated)",
    "go_no_go": "a contract's last KPI is a go/no-go moment",
    "social_domain": "a plan has social-domain parts (a municipality reviews and commits)",
}
"""Every branch probability a scenario may set, and what it decides."""

DEFAULT_BRANCHES: dict[str, float] = {
    "quick_test_incomplete": 0.2, "quick_test_rejected": 0.1, "plan_incomplete": 0.2,
    "plan_rejected": 0.05, "revision": 0.15, "negative_verdict": 0.05, "blocked_rejected": 0.2,
    "escalation": 0.1,
    "kpi_missed": 0.1, "no_go": 0.1, "go_no_go": 0.3, "social_domain": 0.4,
}
DEFAULT_STEPS = (0.4, 0.4, 0.3)
"""Chance that an escalation at step 1, 2, 3 goes one step up instead of being resolved."""

ASSESSED = ("accept_quick_test_as_complete", "request_information", "approve_quick_test",
            "reject_quick_test", "accept_plan_as_complete", "submit_review", "approve_plan",
            "reject_plan", "request_revision", "approve_social_domain_parts")
"""The triggers that take an assessor of the insurer or municipality by default."""


@dataclass(frozen=True, slots=True)
class Arrivals:
    per_month: float = 20.0
    profile: tuple[float, ...] = ()
    """Twelve multipliers of the rate, January to December (seasonal arrivals)."""
    dates: tuple[date, ...] = ()
    """Fixed arrival days instead of a rate (one plan each, repeated as needed)."""


@dataclass(frozen=True, slots=True)
class Calendar:
    working_days: bool = False
    """Actors act on working days only (Monday–Friday without Dutch public holidays)."""
    holidays: bool = True
    summer_dip: float = 0.0
    """The share of working capacity lost in July and August."""


@dataclass(frozen=True, slots=True)
class Contract:
    kpis: int = 3
    amount_eur: int = 100_000
    months: tuple[int, ...] = (6, 12, 24)
    """Each KPI's due day, in months after the contract is signed (the last repeats)."""


@dataclass(frozen=True, slots=True)
class Scenario:
    definition: str = DEFAULT_DEFINITION
    start: date = date(2025, 1, 6)
    arrivals: Arrivals = field(default_factory=Arrivals)
    delays: dict[str, Delay] = field(default_factory=dict)
    """By `trigger` or `trigger:role`; `default` for every other."""
    branches: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_BRANCHES))
    escalation_steps: tuple[float, ...] = DEFAULT_STEPS
    insurers: dict[str, int] = field(default_factory=lambda: {
        "Zilveren Kruis": 4, "VGZ": 3, "CZ": 3, "Menzis": 2})
    """Insurer → assessors; coordinating insurers are drawn in proportion."""
    municipalities: dict[str, int] = field(default_factory=lambda: {
        "Gemeente Enschede": 1, "Gemeente Utrecht": 2, "Gemeente Zwolle": 1})
    assessed: tuple[str, ...] = ASSESSED
    calendar: Calendar = field(default_factory=Calendar)
    contract: Contract = field(default_factory=Contract)

    def delay(self, trigger: str, role: str) -> Delay:
        """The delay of this trigger fired by this role: the most specific one set."""
        found = self.delays.get(f"{trigger}:{role}") or self.delays.get(trigger)
        return found or self.delays.get("default") or DEFAULT_DELAY

    def with_assessors(self, count: int) -> Scenario:
        """The same scenario with `count` assessors at every insurer and municipality."""
        return replace(self, insurers=dict.fromkeys(self.insurers, count),
                       municipalities=dict.fromkeys(self.municipalities, count))


DEFAULT_DELAY = delay_from("default", {"kind": "exponential", "mean": 5.0})

TOP_KEYS = frozenset({"definition", "start", "arrivals", "delays", "branches",
                      "escalation_steps", "insurers", "municipalities", "assessed",
                      "calendar", "contract"})


def load(path: Path | str) -> Scenario:
    """A scenario from a TOML file; ScenarioError names the first bad key."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ScenarioError("(file)", Phrase("cannot read {source}: {reason}", source=path,
                                             reason=exc.strerror or str(exc))) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ScenarioError("(file)", Phrase("{path} is not valid TOML: {problem}", path=path,
                                             problem=str(exc))) from None
    return from_dict(data)


def from_dict(data: dict[str, Any]) -> Scenario:
    """A scenario from parsed TOML: the definition it names says which triggers and roles
    a delay or the assessed list may name."""
    for key in data:
        if key not in TOP_KEYS:
            raise ScenarioError(key, _unknown(TOP_KEYS))
    definition = str(data.get("definition", DEFAULT_DEFINITION))
    triggers, roles = _vocabulary(definition)
    base = Scenario(definition=definition)
    start = _date("start", data.get("start", base.start))
    branches = dict(DEFAULT_BRANCHES)
    for key, value in _table("branches", data.get("branches", {})).items():
        if key not in BRANCHES:
            raise ScenarioError(f"branches.{key}", Phrase("unknown branch; known: {known}",
                                                          known=", ".join(sorted(BRANCHES))))
        branches[key] = _probability(f"branches.{key}", value)
    steps = tuple(_probability(f"escalation_steps[{i}]", v)
                  for i, v in enumerate(_list("escalation_steps",
                                              data.get("escalation_steps", DEFAULT_STEPS))))
    delays: dict[str, Delay] = {}
    for key, spec in _table("delays", data.get("delays", {})).items():
        trigger, colon, role = key.partition(":")
        if key != "default" and trigger not in triggers:
            raise ScenarioError(f"delays.{key}", _unknown_trigger(trigger, definition))
        if colon and role not in roles:
            raise ScenarioError(f"delays.{key}", Phrase(
                "unknown role {name!r} in {definition}; known: {known}", name=role,
                definition=definition, known=", ".join(sorted(roles))))
        delays[key] = delay_from(f"delays.{key}", _table(f"delays.{key}", spec))
    assessed = tuple(str(t) for t in _list("assessed", data.get("assessed", ASSESSED)))
    for i, trigger in enumerate(assessed):
        if trigger not in triggers:
            raise ScenarioError(f"assessed[{i}]", _unknown_trigger(trigger, definition))
    arrivals = _arrivals(_table("arrivals", data.get("arrivals", {})))
    if arrivals.dates and arrivals.dates[0] < start:
        raise ScenarioError("arrivals.dates", Phrase("{day} lies before start ({start})",
                                                     day=arrivals.dates[0], start=start))
    return Scenario(
        definition=definition, start=start,
        arrivals=arrivals,
        delays=delays, branches=branches, escalation_steps=steps,
        insurers=_counts("insurers", data.get("insurers", base.insurers), least=2),
        municipalities=_counts("municipalities",
                               data.get("municipalities", base.municipalities), least=1),
        assessed=assessed,
        calendar=_calendar(_table("calendar", data.get("calendar", {}))),
        contract=_contract(_table("contract", data.get("contract", {}))),
    )


def _unknown(known: set[str] | frozenset[str]) -> str:
    return Phrase("unknown key; known: {known}", known=", ".join(sorted(known)))


def _unknown_trigger(trigger: str, definition: str) -> str:
    return Phrase("unknown trigger {name!r} in {definition}", name=trigger,
                  definition=definition)


def _vocabulary(definition: str) -> tuple[frozenset[str], frozenset[str]]:
    import states

    try:
        found = states.get(definition)
        return frozenset(found.triggers()), frozenset(found.roles)
    except KeyError as exc:
        raise ScenarioError("definition", str(exc.args[0])) from None


def _table(key: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ScenarioError(key, Phrase("must be a table"))
    return value


def _list(key: str, value: Any) -> list[Any]:
    if not isinstance(value, list | tuple):
        raise ScenarioError(key, Phrase("must be a list"))
    return list(value)


def number(key: str, value: Any, *, least: float = 0.0) -> float:
    """A number of at least `least` (0 by default)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScenarioError(key, Phrase("must be a number, not {value!r}", value=value))
    if value != value or value < least:  # NaN too
        raise ScenarioError(key, Phrase("must be at least {least:g}, not {value!r}",
                                        least=least, value=value))
    return float(value)


def _probability(key: str, value: Any) -> float:
    found = number(key, value)
    if found > 1:
        raise ScenarioError(key, Phrase("is a probability: between 0 and 1, not {value!r}",
                                        value=value))
    return found


def _date(key: str, value: Any) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ScenarioError(key, Phrase("must be a day like 2025-01-06, not {value!r}",
                                        value=value)) from None


def _arrivals(data: dict[str, Any]) -> Arrivals:
    known = {"per_month", "profile", "dates"}
    for key in data:
        if key not in known:
            raise ScenarioError(f"arrivals.{key}", _unknown(known))
    rate = number("arrivals.per_month", data.get("per_month", 20.0))
    profile = tuple(number(f"arrivals.profile[{i}]", v)
                    for i, v in enumerate(_list("arrivals.profile", data.get("profile", []))))
    if profile and len(profile) != 12:
        raise ScenarioError("arrivals.profile", Phrase("needs 12 monthly factors, not {count}",
                                                       count=len(profile)))
    if profile and max(profile) == 0:
        raise ScenarioError("arrivals.profile", Phrase("needs at least one month above 0"))
    dates = tuple(sorted(_date(f"arrivals.dates[{i}]", v)
                         for i, v in enumerate(_list("arrivals.dates", data.get("dates", [])))))
    if rate == 0 and not dates:
        raise ScenarioError("arrivals.per_month",
                            Phrase("must be above 0 (or give arrivals.dates)"))
    return Arrivals(rate, profile, dates)


def _counts(key: str, value: Any, *, least: int) -> dict[str, int]:
    table = _table(key, value)
    if len(table) < least:
        raise ScenarioError(key, Phrase("needs at least {least} organisation(s)", least=least))
    counts: dict[str, int] = {}
    for org, count in table.items():
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ScenarioError(f"{key}.{org}", Phrase(
                "assessors: a whole number of at least 1, not {value!r}", value=count))
        counts[str(org)] = count
    return counts


def _calendar(data: dict[str, Any]) -> Calendar:
    known = {"working_days", "holidays", "summer_dip"}
    for key in data:
        if key not in known:
            raise ScenarioError(f"calendar.{key}", _unknown(known))
    for key in ("working_days", "holidays"):
        if key in data and not isinstance(data[key], bool):
            raise ScenarioError(f"calendar.{key}", Phrase("must be true or false"))
    dip = _probability("calendar.summer_dip", data.get("summer_dip", 0.0))
    if dip == 1:
        raise ScenarioError("calendar.summer_dip",
                            Phrase("must be below 1 (nobody would ever act)"))
    return Calendar(bool(data.get("working_days", False)), bool(data.get("holidays", True)), dip)


def _contract(data: dict[str, Any]) -> Contract:
    known = {"kpis", "amount_eur", "months"}
    for key in data:
        if key not in known:
            raise ScenarioError(f"contract.{key}", _unknown(known))
    kpis = data.get("kpis", 3)
    if isinstance(kpis, bool) or not isinstance(kpis, int) or kpis < 1:
        raise ScenarioError("contract.kpis", Phrase("a whole number of at least 1, not {value!r}",
                                                    value=kpis))
    amount = number("contract.amount_eur", data.get("amount_eur", 100_000), least=1)
    months = tuple(int(number(f"contract.months[{i}]", v, least=1))
                   for i, v in enumerate(_list("contract.months", data.get("months", [6, 12, 24]))))
    if not months:
        raise ScenarioError("contract.months", Phrase("needs at least one month count"))
    return Contract(kpis, int(amount), months)


__all__ = ["BRANCHES", "KINDS", "Scenario", "ScenarioError", "from_dict", "load"]

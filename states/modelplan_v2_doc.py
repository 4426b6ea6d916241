"""The modelplan document as `transformation@2` reads it: v1's fields and three more.

The measurable tests of the breakthrough track need figures and items v1's document does not
hold. They are optional fields, so every v1 document reads under v2 (what is missing becomes
a finding of `states.modelplan_v2`, not a reading error):

- `business_case` (MP BE2, "Positieve business case"): `costs_eur` and `benefits_eur`, the
  totals over `horizon_years` years (a whole number, at least 1);
- `data_conditions` (MP BE10, "Dit omvat minimaal: afhankelijkheden (bijv.
  bronsysteemkoppelingen), datakwaliteit & eenheid van taal en inzet generieke functies"):
  `dependencies`, `data_quality`, `generic_functions`, each a text;
- `kpis` (MP §II Monitoring: "mijlpalen en KPI's ... en streefdata"): the milestones and KPIs
  with `id`, `description`, `due` (a date as text, "2027-10-01") and, optionally,
  `amount_eur`.

v1's reader (`states.modelplan.parse_modelplan`) reads the rest, so both versions read a v1
field alike; it refuses the three fields above, as it always refused unknown fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

from states.modelplan import (
    _OPTIONAL,
    _REQUIRED,
    Modelplan,
    ModelplanError,
    _fields,
    _kind_of,
    _list,
    _name,
    _optional_number,
    _text,
    parse_modelplan,
)
from workflow.core.phrase import Phrase

__all__ = ["DATA_CONDITIONS", "V2_FIELDS", "BusinessCase", "ModelplanV2", "PlannedKpi",
           "parse_modelplan_v2"]

V2_FIELDS = ("business_case", "data_conditions", "kpis")
DATA_CONDITIONS: Mapping[str, str] = MappingProxyType({
    "dependencies": Phrase("dependencies (afhankelijkheden, e.g. links to source systems)"),
    "data_quality": Phrase("data quality and a common language (datakwaliteit & eenheid van "
                           "taal)"),
    "generic_functions": Phrase("the use of generic functions (inzet generieke functies)"),
})
"""The three aspects BE10 names as the least a plan covers, with how a finding names them."""


@dataclass(frozen=True)
class BusinessCase:
    """The business case in figures (MP BE2); a figure not yet filled in is None."""

    costs_eur: float | None
    benefits_eur: float | None
    horizon_years: int | None


@dataclass(frozen=True)
class PlannedKpi:
    """A milestone or KPI with its target date (streefdatum), as the plan proposes it."""

    id: str
    description: str
    due: date
    amount_eur: float | None = None


@dataclass(frozen=True)
class ModelplanV2:
    """A modelplan read for `transformation@2`: v1's document and the v2 fields."""

    base: Modelplan
    business_case: BusinessCase | None = None
    data_conditions: Mapping[str, str] = field(default_factory=dict)
    kpis: tuple[PlannedKpi, ...] = ()


def _horizon(value: object, path: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ModelplanError(path, Phrase("must be a whole number of years, at least 1, got "
                                          "{value!r}", value=value))
    return value


def _business_case(value: object) -> BusinessCase | None:
    if value is None:
        return None
    data = _fields(value, "business_case", (), ("costs_eur", "benefits_eur", "horizon_years"))
    return BusinessCase(
        costs_eur=_optional_number(data.get("costs_eur"), "business_case.costs_eur",
                                   non_negative=True),
        benefits_eur=_optional_number(data.get("benefits_eur"), "business_case.benefits_eur",
                                      non_negative=True),
        horizon_years=_horizon(data.get("horizon_years"), "business_case.horizon_years"),
    )


def _data_conditions(value: object) -> dict[str, str]:
    if value is None:
        return {}
    data = _fields(value, "data_conditions", (), tuple(DATA_CONDITIONS))
    return {key: _text(data.get(key), f"data_conditions.{key}") for key in DATA_CONDITIONS}


def _due(value: object, path: str) -> date:
    """A date as text, YYYY-MM-DD. YAML reads an unquoted 2027-10-01 as a date object, which
    no JSON payload can carry: refused here too, so a file the check passes also submits."""
    if isinstance(value, date):
        raise ModelplanError(path, Phrase("must be a date as text: write \"{day}\" in quotes (a "
                                          "submitted modelplan is JSON, which has no dates)",
                                          day=value.isoformat()))
    if isinstance(value, str):
        try:
            if len(value.strip()) == 10:
                return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ModelplanError(path, Phrase("must be a date such as \"2027-10-01\", got {kind}{shown}",
                                      kind=_kind_of(value),
                                      shown=f" {value!r}" if isinstance(value, str) else ""))


def _kpi(value: object, path: str) -> PlannedKpi:
    data = _fields(value, path, ("id", "due"), ("description", "amount_eur"))
    return PlannedKpi(
        id=_name(data["id"], f"{path}.id"),
        description=_text(data.get("description"), f"{path}.description"),
        due=_due(data["due"], f"{path}.due"),
        amount_eur=_optional_number(data.get("amount_eur"), f"{path}.amount_eur",
                                    non_negative=False),
    )


def parse_modelplan_v2(data: object) -> ModelplanV2:
    """Read a modelplan for `transformation@2`; `ModelplanError` names the bad field."""
    if not isinstance(data, dict):
        raise ModelplanError("", Phrase("a modelplan must be a mapping of fields, got {kind}",
                                        kind=_kind_of(data)))
    _fields(data, "", _REQUIRED, _OPTIONAL + V2_FIELDS)
    base = parse_modelplan({k: v for k, v in data.items() if k not in V2_FIELDS})
    kpis = data.get("kpis")
    return ModelplanV2(
        base=base,
        business_case=_business_case(data.get("business_case")),
        data_conditions=_data_conditions(data.get("data_conditions")),
        kpis=() if kpis is None else tuple(
            _kpi(item, f"kpis[{i}]") for i, item in enumerate(_list(kpis, "kpis"))),
    )

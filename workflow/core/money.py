"""Money: euros with cents, held as whole cents so sums are exact.

A payload gives amounts in euros (`amount_eur`: a JSON number or a decimal text); the plan
keeps them as integer cents (`funds` and the KPI facts), and outputs turn them back into euros
at the edge. Floats never add money: 1,000 costs of € 0.01 are € 10.00, not € 9.999999.

What counts as an amount (`parse_cents`):
- an int, a float or a decimal text such as "1250.50", zero or more;
- at most two decimals: € 0.004 is refused, not rounded (a rounding rule would decide money
  nobody agreed on);
- at most the largest amount (default 10¹² euros; `AZWA_MAX_AMOUNT_EUR` changes it, up to
  10¹³, so that every amount has at most fifteen digits and is also an exact JSON number of
  euros: a float holds any fifteen-digit decimal);
- never NaN, Infinity, a bool or anything else.
"""

from __future__ import annotations

import math
import os
import re
from decimal import Decimal
from functools import cache
from typing import Any

from workflow.core.bounds import BadInput, setting
from workflow.core.phrase import Phrase

DEFAULT_MAX_AMOUNT_EUR = 10**12
LIMIT_EUR = 10**13
"""At most fifteen digits with the cents: an amount up to this is an exact float of euros."""
FUNDS = ("paid", "costs", "refund")
RECLAIM = "reclaim_cents"
"""What an unlawful verdict puts on record to reclaim; kept in a plan's funds only once set."""
_DECIMAL = re.compile(r"[0-9]+(\.[0-9]{1,2})?")
"""ASCII digits only: `\\d` would take other scripts' digits, which Decimal reads too."""


class AmountError(ValueError):
    """A value that is not an amount; the message names the field."""


@cache
def max_amount_eur() -> int:
    """The largest amount a payload may give, in whole euros: a setting read as the size
    limits are (`bounds.setting`), here also at most 10¹³."""
    try:
        euros = setting(os.environ, "AZWA_MAX_AMOUNT_EUR", DEFAULT_MAX_AMOUNT_EUR)
    except BadInput:
        euros = 0
    if not 0 < euros <= LIMIT_EUR:
        text = os.environ.get("AZWA_MAX_AMOUNT_EUR", "")
        raise AmountError(Phrase("AZWA_MAX_AMOUNT_EUR must be a whole number of euros from 1 "
                                 "to {limit}, not {value!r}", limit=LIMIT_EUR,
                                 value=text[:20]))
    return euros


def parse_cents(value: Any, field: str = "amount_eur") -> int:
    """The amount as whole cents; AmountError naming `field` when it is no amount."""
    cents, why = _cents(value)
    if why is not None:
        raise AmountError(f"{field} {why}")
    return cents


def amount_problem(value: Any, field: str) -> str | None:
    """Why `value` is no amount, naming `field`, or None when it is one."""
    why = amount_reason(value)
    return None if why is None else Phrase("{path} {what}", path=field, what=why)


def amount_reason(value: Any) -> str | None:
    """Why `value` is no amount ("must be ..."), or None when it is one."""
    return _cents(value)[1]


def _cents(value: Any) -> tuple[int, str | None]:
    if type(value) is int:  # whole euros are exact already: the same answer, no Decimal
        if value < 0:
            return 0, f"must be zero or more, not {value}"
        if value > max_amount_eur():
            return 0, f"exceeds the largest amount, € {max_amount_eur():,}"
        return value * 100, None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return 0, Phrase("must be a number of euros, not {kind}", kind=type(value).__name__)
    if isinstance(value, int):
        exact = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            return 0, Phrase("must be a finite number of euros, not {value}", value=value)
        exact = Decimal(repr(value))
    else:
        if not _DECIMAL.fullmatch(value):
            return 0, Phrase("must be euros with at most two decimals, not {value!r}",
                             value=value[:40])
        exact = Decimal(value)
    if exact < 0:
        return 0, Phrase("must be zero or more, not {value}", value=value)
    if exact > max_amount_eur():
        return 0, Phrase("exceeds the largest amount, € {most:,}", most=max_amount_eur())
    cents = exact * 100
    if cents != cents.to_integral_value():
        return 0, Phrase("has more than two decimals ({value}): give whole cents", value=value)
    return int(cents), None


def to_eur(cents: int) -> int | float | str:
    """Cents as an exact JSON value of euros, the one rule every output follows:

    - an int when the amount is whole (exact at any size): `20000`;
    - else a float when it prints as exactly the two-decimal amount (any amount of up to
      fifteen digits with its cents, so every single amount): `10.01`;
    - else, for a total beyond what a float holds, the decimal as a text:
      `"121000000001029.13"` — a float would silently print 121000000001029.12.
    """
    if cents % 100 == 0:
        return cents // 100
    exact = to_decimal(cents)
    nearest = float(exact)
    return nearest if Decimal(repr(nearest)) == exact else str(exact)


def from_eur(value: int | float | str) -> Decimal:
    """What `to_eur` gave, back as the exact Decimal of euros."""
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def to_decimal(cents: int) -> Decimal:
    """Cents as an exact Decimal of euros."""
    return Decimal(cents).scaleb(-2)


def format_eur(cents: int, sep: str = " ", *, cents_if_any: bool = False) -> str:
    """For people: `€ 1,234.50` (`sep=""`: `€1,234.50`), exact at any size; the one euro
    formatter of every output. `cents_if_any` (a modelplan's budget): `€ 1,234` for whole
    euros."""
    if cents_if_any and cents % 100 == 0:
        return f"€{sep}{cents // 100:,}"
    return f"€{sep}{to_decimal(cents):,.2f}"


def stored_cents(value: Any) -> int:
    """Cents from plan data stored before amounts were cents (a float of euros, rounded to
    cents when it was written); 0 for anything else."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0
    if isinstance(value, float) and not math.isfinite(value):
        return 0
    return int((Decimal(repr(value)) * 100).to_integral_value())


def empty_funds() -> dict[str, int]:
    return {f"{name}_cents": 0 for name in FUNDS}


def load_funds(data: Any) -> dict[str, int]:
    """A plan's funds from its stored JSON: `*_cents` as stored, older `*_eur` converted."""
    funds = empty_funds()
    if not isinstance(data, dict):
        return funds
    for name in FUNDS:
        if isinstance(data.get(f"{name}_cents"), int):
            funds[f"{name}_cents"] = int(data[f"{name}_cents"])
        elif f"{name}_eur" in data:
            funds[f"{name}_cents"] = stored_cents(data[f"{name}_eur"])
    if isinstance(data.get(RECLAIM), int):
        funds[RECLAIM] = int(data[RECLAIM])
    return funds


def load_kpi_facts(facts: dict[str, Any]) -> dict[str, Any]:
    """KPI facts stored before amounts were cents (`amount_eur`, `paid_eur`) in cents."""
    kpis = facts.get("kpis")
    if not isinstance(kpis, dict):
        return facts
    for kpi in kpis.values():
        if isinstance(kpi, dict):
            for name in ("amount", "paid"):
                if f"{name}_eur" in kpi and f"{name}_cents" not in kpi:
                    kpi[f"{name}_cents"] = stored_cents(kpi.pop(f"{name}_eur"))
    return facts


def funds_eur(funds: dict[str, int]) -> dict[str, int | float | str]:
    """A plan's funds as outputs show them: `paid_eur`, `costs_eur`, `refund_eur`, and
    `reclaim_eur` for a plan whose definition keeps one (transformation@2)."""
    shown = {f"{name}_eur": to_eur(int(funds.get(f"{name}_cents", 0))) for name in FUNDS}
    if RECLAIM in funds:
        shown["reclaim_eur"] = to_eur(int(funds[RECLAIM]))
    return shown

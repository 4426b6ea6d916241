"""Amounts, days and shares as the reader's language writes them (workflow.core.i18n).

Dutch: `€ 1.475.000`, `€ 1.475.000,50`, `10 april 2028`, `87,5%` (Babel's CLDR data for
`nl_NL`). English keeps what every output printed before: `€1,475,000.00`
(money.format_eur), ISO days `2028-04-10`, `87.5%`. Babel is imported on first use.
"""

from __future__ import annotations

from datetime import date, datetime

from workflow.core.i18n import current
from workflow.core.money import format_eur
from workflow.core.timecalc import AMSTERDAM

LOCALES = {"nl": "nl_NL", "en": "en_GB"}


def amount(cents: int) -> str:
    """Whole cents as euros: `€ 1.475.000` (whole euros show no cents in Dutch)."""
    if current() == "en":
        return format_eur(cents, sep="")
    from decimal import Decimal

    from babel.numbers import format_currency

    pattern = "¤ #,##0;¤ -#,##0" if cents % 100 == 0 else "¤ #,##0.00;¤ -#,##0.00"
    return str(format_currency(Decimal(cents).scaleb(-2), "EUR", format=pattern,
                               locale=LOCALES["nl"], currency_digits=False))


def day(value: date) -> str:
    """A calendar day: `10 april 2028`; in English the ISO day scripts already read."""
    if current() == "en":
        return value.isoformat()
    from babel.dates import format_date

    return str(format_date(value, "d MMMM y", locale=LOCALES["nl"]))


def moment(value: datetime) -> str:
    """An instant as a local day and time in Europe/Amsterdam: `10 april 2028 14:30`."""
    local = value.astimezone(AMSTERDAM)
    return f"{day(local.date())} {local:%H:%M}"


def share(value: float | None) -> str:
    """A fraction as a percentage with one decimal (`87,5%`); `–` when there is none."""
    if value is None:
        return "–"
    text = f"{value * 100:.1f}%"
    return text.replace(".", ",") if current() == "nl" else text


def number(value: float | int | None) -> str:
    """A count or a median: whole numbers plain, others with one decimal (`12,5`)."""
    if value is None:
        return "–"
    text = str(int(value)) if float(value).is_integer() else f"{value:.1f}"
    return text.replace(".", ",") if current() == "nl" else text

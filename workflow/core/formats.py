"""Amounts, days and shares as the reader's language writes them (workflow.core.i18n).

Dutch: `€ 1.475.000`, `€ 1.475.000,50`, `10 april 2028`, `87,5%`, as CLDR writes them for
`nl_NL`. The few Dutch symbols and month names are written out below rather than looked up in
Babel per call: a replay report formats thousands of amounts, and Babel's pattern engine cost
more than the replay itself (tests/i18n/test_outputs.py holds them equal to Babel's output).
English keeps what every output printed before: `€1,475,000.00` (money.format_eur), ISO days
`2028-04-10`, `87.5%`.
"""

from __future__ import annotations

from datetime import date, datetime

from workflow.core.i18n import current
from workflow.core.money import format_eur
from workflow.core.timecalc import AMSTERDAM

LOCALES = {"nl": "nl_NL", "en": "en_GB"}
"""The CLDR locale each language's amounts and days follow."""
NL_GROUP, NL_DECIMAL, NL_MINUS = ".", ",", "-"
"""CLDR `nl_NL` number symbols (`latn`)."""
NL_MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
             "september", "oktober", "november", "december")
"""CLDR `nl_NL` month names, wide, format context."""


def amount(cents: int) -> str:
    """Whole cents as euros: `€ 1.475.000` (whole euros show no cents in Dutch); CLDR's
    `¤ #,##0.00;¤ -#,##0.00` with the cents left out when there are none."""
    if current() == "en":
        return format_eur(cents, sep="")
    euros, rest = divmod(abs(cents), 100)
    text = f"{euros:,}".replace(",", NL_GROUP)
    if rest:
        text = f"{text}{NL_DECIMAL}{rest:02d}"
    return f"€ {NL_MINUS}{text}" if cents < 0 else f"€ {text}"


def day(value: date) -> str:
    """A calendar day: `10 april 2028` (CLDR `d MMMM y`); in English the ISO day scripts
    already read."""
    if current() == "en":
        return value.isoformat()
    return f"{value.day} {NL_MONTHS[value.month - 1]} {value.year}"


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

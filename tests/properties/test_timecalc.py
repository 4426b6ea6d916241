"""Calendar arithmetic: the shortcuts of `add_months` and `due_date` give what the calendar
gives, for any day and any length."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from workflow.core.timecalc import AMSTERDAM, Length, add_months, due_date


def reference_months(day: date, months: int) -> date:
    """31 January + 1 month = 28/29 February, asking the calendar every time."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


days = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))
instants = st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2200, 12, 30),
                        timezones=st.sampled_from([UTC, AMSTERDAM]))


@given(days, st.integers(min_value=-24, max_value=120))
def test_add_months_is_the_calendars_count(day: date, months: int) -> None:
    assert add_months(day, months) == reference_months(day, months)


@given(instants, st.integers(min_value=0, max_value=60), st.integers(min_value=0, max_value=36))
def test_due_date_adds_months_then_weeks_to_the_local_day(
    at: datetime, weeks: int, months: int
) -> None:
    local = at.astimezone(AMSTERDAM).date()
    expected = reference_months(local, months) + timedelta(weeks=weeks)
    found = due_date(at, Length(weeks=weeks, months=months))
    assert (found, type(found)) == (expected, date)

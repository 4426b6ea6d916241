"""The working calendar: actors act on working days, deadlines count calendar days.

Simulated time is a float of days since the scenario's start (midnight, Amsterdam). A day's
working capacity is 0 on weekends and Dutch public holidays, `1 - summer_dip` in July and
August, 1 otherwise; a delay of d working days from t ends where the cumulated capacity
has grown by d (a bisection in a precomputed table).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from datetime import date, timedelta
from functools import lru_cache

from workflow.simulate.scenario import Calendar

YEARS = 30


class WorkingTime:
    """Adds working days to a moment; calendar days when the calendar is off."""

    def __init__(self, start: date, calendar: Calendar, years: int = YEARS) -> None:
        self.enabled = calendar.working_days
        self.start = start
        if not self.enabled:
            return
        days = years * 366
        off: set[date] = set()
        if calendar.holidays:
            import holidays

            off = set(holidays.country_holidays(
                "NL", years=range(start.year, start.year + years + 1)))
        weights: list[float] = []
        for i in range(days):
            day = start + timedelta(days=i)
            if day.weekday() >= 5 or day in off:
                weights.append(0.0)
            elif day.month in (7, 8):
                weights.append(1.0 - calendar.summer_dip)
            else:
                weights.append(1.0)
        cumulated = [0.0]
        for w in weights:
            cumulated.append(cumulated[-1] + w)
        self._weights, self._cum = weights, cumulated

    def add(self, t: float, days: float) -> float:
        """The moment `days` working days after `t` (both in simulated days)."""
        if not self.enabled:
            return t + days
        weights, cum = self._weights, self._cum
        i = int(t)
        if i >= len(weights):
            return t + days
        # off today: work starts the next working morning
        target = cum[i + 1] + days if weights[i] == 0 else cum[i] + (t - i) * weights[i] + days
        # cum[j] <= target < cum[j + 1]: day j has capacity, so the division is safe
        j = bisect_right(cum, target) - 1
        if j >= len(weights):
            return len(weights) + (target - cum[-1])
        return max(t, j + (target - cum[j]) / weights[j])

    def is_working(self, t: float) -> bool:
        return not self.enabled or self._weights[min(int(t), len(self._weights) - 1)] > 0

    def working_days_between(self, a: float, b: float) -> float:
        """How many working days lie between two moments (calibration's measure)."""
        if not self.enabled:
            return b - a
        return self._at(b) - self._at(a)

    def _at(self, t: float) -> float:
        i = min(math.floor(t), len(self._weights) - 1)
        return self._cum[i] + (t - i) * self._weights[i]


@lru_cache(maxsize=16)
def working_time(start: date, calendar: Calendar) -> WorkingTime:
    """The calendar of a scenario, built once per process (runs and forecasts share it)."""
    return WorkingTime(start, calendar)

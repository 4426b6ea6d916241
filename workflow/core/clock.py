"""The only place that reads the wall clock; a fake and a simulated clock beside it.

The engine never asks for the time: the service asks the clock and passes the instant in,
so live, test and simulated runs go through the same code.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from workflow.core.timecalc import AMSTERDAM, parse_at, plain


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """The wall clock, in Amsterdam time."""

    def now(self) -> datetime:
        return datetime.now(AMSTERDAM)


class FakeClock:
    """A clock that moves only when told: tests skip time instead of sleeping."""

    def __init__(self, start: datetime | str) -> None:
        if not isinstance(start, str) and start.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        self._now = parse_at(start) if isinstance(start, str) else plain(start)

    def now(self) -> datetime:
        return self._now

    def set(self, at: datetime | str) -> None:
        value = parse_at(at) if isinstance(at, str) else plain(at)
        if value < self._now:
            raise ValueError("time moves only forward")
        self._now = value

    def advance(self, **kwargs: float) -> datetime:
        """Move forward by a `timedelta(**kwargs)` (days=3, hours=2, ...)."""
        self._now = self._now + timedelta(**kwargs)
        return self._now


class SimulatedClock(FakeClock):
    """The clock a simulation drives: same behaviour, a name that says who moves it."""

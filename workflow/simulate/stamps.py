"""The text of a simulated moment as events carry it, without a time-zone conversion each.

`format_at` converts an instant to Amsterdam time and formats it: about 1.5 µs, once per
simulated event, and simulated moments rarely repeat, so its cache seldom helps. On all but
the two days a year the clocks change, the Amsterdam offset is one whole number of hours for
a whole day in UTC, so the text is made of the local date, a table of hours, minutes and
seconds, and the offset: each such day is converted once. A day where that does not hold
(the offset changes within it, or is not whole hours) is formatted by `format_at` itself.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from workflow.core.timecalc import AMSTERDAM, format_at

DAY = 86_400
_DAYS: dict[int, tuple[int, str] | None] = {}
_DATES: dict[int, str] = {}
_HOURS = tuple(f"T{h:02d}:" for h in range(24))
_MINUTES_SECONDS = tuple(f"{m:02d}:{s:02d}" for m in range(60) for s in range(60))
"""`MM:SS` of each second of an hour."""


class Stamps:
    """`format_at` of whole-second instants, by the day."""

    __slots__ = ("_dates", "_days")

    def __init__(self) -> None:
        self._days = _DAYS
        """Day since the epoch (UTC) → (its Amsterdam offset in seconds, as text `+HH:MM`),
        or None for a day whose offset changes or is not whole hours."""
        self._dates = _DATES
        """Local day since the epoch → `YYYY-MM-DD`.

        Both tables are the process's, shared by every run in it: what they hold is fixed
        by the day alone, and a run of some thousand plans spans thousands of days."""

    def text(self, epoch: int, at: datetime) -> str:
        """The same text as `format_at(at)`, for the instant `at` that lies `epoch` whole
        seconds after 1970-01-01 UTC (the caller knows both)."""
        day = epoch // DAY
        days = self._days
        if day not in days:
            days[day] = _offset(day)
        found = days[day]
        if found is None:
            return format_at(at)
        local_day, second = divmod(epoch + found[0], DAY)
        dates = self._dates
        text = dates.get(local_day)
        if text is None:
            text = dates[local_day] = date.fromordinal(_EPOCH_DAY + local_day).isoformat()
        hour, second = divmod(second, 3600)
        return text + _HOURS[hour] + _MINUTES_SECONDS[second] + found[1]


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_DAY = _EPOCH.toordinal()


def _offset(day: int) -> tuple[int, str] | None:
    """The Amsterdam offset of a day in UTC, if one offset of whole hours holds all day."""
    start = _EPOCH + timedelta(days=day)
    local = start.astimezone(AMSTERDAM)
    first = local.utcoffset()
    last = (start + timedelta(seconds=DAY - 1)).astimezone(AMSTERDAM).utcoffset()
    if first is None or first != last or first % timedelta(hours=1):
        return None
    found = _OFFSETS.get(first)
    if found is None:
        text = local.isoformat()  # YYYY-MM-DDTHH:MM:SS+HH:MM
        if len(text) != 25:
            return None
        found = _OFFSETS[first] = (int(first.total_seconds()), text[19:])
    return found


_OFFSETS: dict[timedelta, tuple[int, str]] = {}
"""An offset → (its seconds, its text `+HH:MM`): the same for every day it holds."""

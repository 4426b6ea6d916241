"""The text of a simulated moment as events carry it, without a time-zone conversion each.

`format_at` converts an instant to Amsterdam time and formats it: about 1.5 µs, once per
simulated event, and simulated moments rarely repeat, so its cache seldom helps. Within one
hour in UTC the Amsterdam offset is one whole number of hours (it changes only at a whole
hour), so the text is that hour's local prefix, the minutes and seconds, and the offset:
each hour is converted once. An hour where that does not hold (an offset that is not whole
hours, or one that changes within the hour) is formatted by `format_at` itself.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from workflow.core.timecalc import AMSTERDAM, format_at

HOUR = 3600
_MINUTES_SECONDS = tuple(f"{m:02d}:{s:02d}" for m in range(60) for s in range(60))
"""`MM:SS` of each second of an hour."""


class Stamps:
    """`format_at` of whole-second instants, by the hour."""

    __slots__ = ("_hours",)

    def __init__(self) -> None:
        self._hours: dict[int, tuple[str, str] | None] = {}
        """Hour since the epoch (UTC) → (local `YYYY-MM-DDTHH:`, offset `+HH:MM`), or None
        where the hour's text is not made that way."""

    def text(self, epoch: int, at: datetime) -> str:
        """The same text as `format_at(at)`, for the instant `at` that lies `epoch` whole
        seconds after 1970-01-01 UTC (the caller knows both)."""
        hour, second = divmod(epoch, HOUR)
        hours = self._hours
        if hour not in hours:
            hours[hour] = _parts(hour)
        parts = hours[hour]
        if parts is None:
            return format_at(at)
        return parts[0] + _MINUTES_SECONDS[second] + parts[1]


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _parts(hour: int) -> tuple[str, str] | None:
    """The local prefix and the offset of an hour, if one offset of whole hours holds for
    all of it."""
    start = _EPOCH + timedelta(seconds=hour * HOUR)
    first = start.astimezone(AMSTERDAM)
    last = (start + timedelta(seconds=HOUR - 1)).astimezone(AMSTERDAM)
    offset = first.utcoffset()
    if offset is None or offset != last.utcoffset() or offset % timedelta(hours=1):
        return None
    text = first.isoformat()  # YYYY-MM-DDTHH:00:00+HH:MM
    if len(text) != 25 or text[13:19] != ":00:00":
        return None
    return text[:14], text[19:]

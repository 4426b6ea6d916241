"""A simulated moment's text (`timecalc.epoch_text`, and `format_at` through it) is exactly
the converted instant's ISO text, and its date (`timecalc.epoch_date`) the converted
instant's date, on ordinary days and on the days the clocks change."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone

from workflow.core.timecalc import AMSTERDAM, epoch_date, epoch_text, format_at

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def seconds(at: datetime) -> int:
    return (at - EPOCH) // timedelta(seconds=1)


def test_the_text_of_a_moment_is_the_converted_instant_s() -> None:
    """Given random whole-second moments over forty years, and every few seconds around
    the switches to and from summer time, when their text is made by the day, then it is
    the text of the instant converted to Amsterdam time, and format_at gives it too."""
    rng = random.Random(1)
    start = datetime(2025, 1, 5, 23, tzinfo=UTC)
    moments = [start + timedelta(seconds=rng.randrange(40 * 366 * 86_400))
               for _ in range(20_000)]
    for year in (2025, 2026, 2037, 2038, 2060):
        for switch in (datetime(year, 3, 24, tzinfo=UTC), datetime(year, 10, 24, tzinfo=UTC)):
            moments += [switch + timedelta(seconds=s) for s in range(0, 9 * 86_400, 61)]
    for at in moments:
        expected = at.astimezone(AMSTERDAM).isoformat()
        assert epoch_text(seconds(at), at) == expected, at
        assert format_at(at) == expected, at
        assert epoch_date(seconds(at)) == at.astimezone(AMSTERDAM).date(), at


def test_moments_far_off_and_not_in_utc_are_converted_as_before() -> None:
    """Given instants before 1900, near the calendar's ends, with microseconds, or at
    another fixed offset, when formatted, then each is the converted instant's text."""
    moments = [datetime(1890, 5, 1, 12, tzinfo=UTC), datetime(1, 1, 1, 6, tzinfo=UTC),
               datetime(9999, 12, 30, 12, tzinfo=UTC),
               datetime(2030, 7, 1, 8, 30, 5, 250, tzinfo=UTC),
               datetime(2030, 7, 1, 8, 30, 5, tzinfo=timezone(timedelta(hours=5)))]
    for at in moments:
        assert format_at(at) == at.astimezone(AMSTERDAM).isoformat(), at
    for at in moments[:3]:  # whole seconds in UTC: their date by the day table
        assert epoch_date(seconds(at)) == at.astimezone(AMSTERDAM).date(), at

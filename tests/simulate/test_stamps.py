"""A simulated moment's text (workflow/simulate/stamps.py) is exactly `format_at`'s, on
ordinary days and on the days the clocks change."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from workflow.core.timecalc import format_at
from workflow.simulate.stamps import Stamps

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def seconds(at: datetime) -> int:
    return (at - EPOCH) // timedelta(seconds=1)


def test_the_text_of_a_moment_is_format_at_s() -> None:
    """Given random whole-second moments over forty years, and every few seconds around
    the switches to and from summer time, when their text is made by the day, then it is
    the text format_at gives."""
    stamps, rng = Stamps(), random.Random(1)
    start = datetime(2025, 1, 5, 23, tzinfo=UTC)
    moments = [start + timedelta(seconds=rng.randrange(40 * 366 * 86_400))
               for _ in range(20_000)]
    for year in (2025, 2026, 2037, 2038, 2060):
        for switch in (datetime(year, 3, 24, tzinfo=UTC), datetime(year, 10, 24, tzinfo=UTC)):
            moments += [switch + timedelta(seconds=s) for s in range(0, 9 * 86_400, 61)]
    for at in moments:
        assert stamps.text(seconds(at), at) == format_at(at), at

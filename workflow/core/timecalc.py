"""Calendar arithmetic for deadlines (A4 §1.5): Europe/Amsterdam days, calendar months.

A deadline of N weeks or months started at instant t is due at the end of the local calendar
day of t's local date plus N; it expires at the first instant after, the next local midnight.
The arithmetic is on dates, so summer and winter time cannot shift a due day.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from workflow.core.phrase import Phrase


@dataclass(frozen=True, slots=True)
class Length:
    """A deadline's length in calendar weeks and months (A4 §1.5 counts both)."""

    weeks: int = 0
    months: int = 0

    def describe(self) -> str:
        if self.months:
            return f"{self.months} month{'s' if self.months != 1 else ''}"
        return f"{self.weeks} week{'s' if self.weeks != 1 else ''}"


AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def local_date(at: datetime) -> date:
    """The calendar date in Amsterdam of an aware instant."""
    return at.astimezone(AMSTERDAM).date()


def add_months(day: date, months: int) -> date:
    """Months as the calendar counts them: 31 January + 1 month = 28/29 February."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    if day.day <= 28:  # every month has that day: no calendar to ask
        return date(year, month, day.day)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_date(started_at: datetime, length: Length) -> date:
    """The last day on which an act is on time."""
    due = local_date(started_at)
    if length.months:  # most lengths have either weeks or months: nothing added for the other
        due = add_months(due, length.months)
    if length.weeks:
        due += timedelta(7 * length.weeks)  # days, given by position: no keywords to read
    return due


@lru_cache(maxsize=4096)
def expiry_instant(due: date) -> datetime:
    """The first instant after the end of the due day, in UTC.

    Remembered per due day: plans started together share due days, and every deadline a
    plan opens or extends asks."""
    midnight = datetime.combine(due + timedelta(days=1), time(0), tzinfo=AMSTERDAM)
    return midnight.astimezone(UTC)


def format_at(at: datetime) -> str:
    """ISO-8601 with the Amsterdam offset, the form events carry.

    Remembered per instant (a command and the expiries it brings share moments, a log's
    events share its batches): converting and formatting cost 1.3 µs, a lookup 0.05. Only
    instants in UTC or at a fixed offset are remembered, because only those are equal
    exactly when they are the same instant (two wall times of a zone's repeated hour
    compare equal)."""
    if type(at.tzinfo) is timezone:
        return _formatted(at)
    return at.astimezone(AMSTERDAM).isoformat()


@lru_cache(maxsize=4096)
def _formatted(at: datetime) -> str:
    """`format_at` of an instant in UTC or at a fixed offset."""
    if at.tzinfo is UTC and not at.microsecond:  # by the day's table, not converted
        return epoch_text((at.toordinal() - _EPOCH_DAY) * _DAY + at.hour * 3600
                          + at.minute * 60 + at.second, at)
    return at.astimezone(AMSTERDAM).isoformat()


_DAY = 86_400
_TWO_DIGITS = tuple(f"{n:02d}" for n in range(60))
"""`SS` of each second (a table of 60: small enough to make at import, which every command
that reads a time pays)."""
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_DAY = _EPOCH.toordinal()
_DAYS: dict[int, tuple[int, str] | None] = {}
"""Day since the epoch (UTC) → (its Amsterdam offset in seconds, as text `+HH:MM`), or None
for a day whose offset changes or is not whole hours. Fixed by the day alone: one table for
the process."""
_DATES: dict[int, str] = {}
"""Local day since the epoch → `YYYY-MM-DDT`."""
_OFFSETS: dict[timedelta, tuple[int, str]] = {}
"""An offset → (its seconds, its text `+HH:MM`): the same for every day it holds."""


def epoch_text(epoch: int, at: datetime) -> str:
    """`format_at(at)` for the instant `at` that lies `epoch` whole seconds after
    1970-01-01 UTC (the caller knows both), without a time-zone conversion each.

    Converting and formatting cost about 1.5 µs. On all but the two days a year the clocks
    change, the Amsterdam offset is one whole number of hours for a whole day in UTC, so the
    text is made of the local date, tables of a day's minutes and of seconds, and the offset:
    each such day is converted once. A day where that does not hold (the offset changes
    within it, or is not whole hours) is converted as `format_at` does."""
    found = _day(epoch // _DAY)
    if found is None:
        return at.astimezone(AMSTERDAM).isoformat()
    local_day, second = divmod(epoch + found[0], _DAY)
    text = _DATES.get(local_day)
    if text is None:
        text = _DATES[local_day] = date.fromordinal(_EPOCH_DAY + local_day).isoformat() + "T"
    minutes = _MINUTES or _minutes()
    return text + minutes[second // 60] + _TWO_DIGITS[second % 60] + found[1]


def epoch_date(epoch: int) -> date:
    """The Amsterdam date of the instant `epoch` whole seconds after 1970-01-01 UTC
    (`local_date` of it), by the day table `epoch_text` keeps: no conversion per instant."""
    found = _day(epoch // _DAY)
    if found is None:
        return datetime.fromtimestamp(epoch, UTC).astimezone(AMSTERDAM).date()
    return date.fromordinal(_EPOCH_DAY + (epoch + found[0]) // _DAY)


def _day(day: int) -> tuple[int, str] | None:
    """A UTC day's entry in `_DAYS`, its offset converted on first use."""
    found = _DAYS.get(day, _UNKNOWN)
    if found is _UNKNOWN:
        found = _DAYS[day] = _offset(day)
    return found


_UNKNOWN = (0, "")
"""`_DAYS.get`'s answer for a day not converted yet (None is a day converted one by one)."""
_MINUTES: list[str] = []
"""`HH:MM:` of each minute of a day, made on first use (a command that writes no simulated
moment does not make it)."""


def _minutes() -> list[str]:
    _MINUTES.extend(f"{h:02d}:{m:02d}:" for h in range(24) for m in range(60))
    return _MINUTES


def _offset(day: int) -> tuple[int, str] | None:
    """The Amsterdam offset of a day in UTC, if one offset of whole hours holds all day."""
    try:
        start = _EPOCH + timedelta(days=day)
        local = start.astimezone(AMSTERDAM)
        last = (start + timedelta(seconds=_DAY - 1)).astimezone(AMSTERDAM).utcoffset()
    except (OverflowError, ValueError):  # the ends of the calendar: converted one by one
        return None
    first = local.utcoffset()
    if first is None or first != last or first % timedelta(hours=1):
        return None
    found = _OFFSETS.get(first)
    if found is None:
        text = local.isoformat()  # YYYY-MM-DDTHH:MM:SS+HH:MM
        if len(text) != 25:
            return None
        found = _OFFSETS[first] = (int(first.total_seconds()), text[19:])
    return found


def parse_iso(text: str) -> datetime:
    """An ISO-8601 instant with an offset, and nothing else: how a log's `at` is read.

    No words (`now`, `today`), no guessing: reading a log never depends on the clock."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(Phrase("not an ISO-8601 timestamp: {text!r}",
                                text=text[:40])) from None
    if value.tzinfo is None:
        raise ValueError(Phrase("timestamp without offset: {text!r}", text=text[:40]))
    return value


def parse_at(text: str) -> datetime:
    """Parse an ISO-8601 instant; one without an offset is refused, never guessed.

    Other spellings of a date and time pendulum knows are read too, but never a word such
    as `now` or `today`: what it means would depend on the clock."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        if not text[:4].isdigit():
            raise ValueError(Phrase("not an ISO-8601 timestamp: {text!r}",
                                    text=text[:40])) from None
        import pendulum  # only for the spellings datetime cannot read: a slow import

        try:
            parsed = pendulum.parse(text, tz=None)  # tz=None: no offset stays no offset
        except Exception as exc:
            raise ValueError(Phrase("not an ISO-8601 timestamp: {text!r}", text=text)) from exc
        if not isinstance(parsed, datetime):
            raise ValueError(Phrase("not an ISO-8601 timestamp: {text!r}", text=text)) from None
        if parsed.tzinfo is None:
            raise ValueError(Phrase("timestamp without offset: {text!r}", text=text)) from None
        value = plain(parsed)
    if value.tzinfo is None:
        raise ValueError(Phrase("timestamp without offset: {text!r}", text=text))
    return value


def days_left(due: date, now: datetime) -> int:
    """Whole calendar days from today (Amsterdam) to the due day; negative when past."""
    return (due - local_date(now)).days


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def plain(at: datetime) -> datetime:
    """The same instant as a standard-library datetime.

    Subclasses such as pendulum's DateTime change arithmetic (pendulum 3.3 cannot subtract
    a standard datetime from its own), so every instant is made plain where it enters.
    """
    if type(at) is datetime:
        return at
    if at.tzinfo is None:
        raise ValueError(f"instant without time zone: {at.isoformat()}")
    offset = at.utcoffset()
    assert offset is not None
    return datetime(at.year, at.month, at.day, at.hour, at.minute, at.second, at.microsecond,
                    tzinfo=timezone(offset))


def to_micros(at: datetime) -> int:
    """Microseconds since the epoch: how instants are stored so SQLite compares them right."""
    if at.tzinfo is None:
        raise ValueError(f"instant without time zone: {at.isoformat()}")
    return (plain(at) - EPOCH) // MICROSECOND


def from_micros(value: int) -> datetime:
    return EPOCH + timedelta(microseconds=value)

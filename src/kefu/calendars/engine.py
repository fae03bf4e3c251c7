"""Working-time arithmetic on one calendar: deadlines and business time between instants.

A :class:`CalendarSpec` is an immutable snapshot of a working calendar (weekly intervals, date
overrides, the years whose holiday data is known). :class:`BusinessClock` answers questions
on it fast: it keeps, for a window of days, the cumulative business seconds before each day,
so a deadline is a binary search plus a walk over one day's intervals.

Rules (STANDARD.md HND-2, CMP-3): counting starts at the next working instant when the start
falls outside working time; a deadline that lands exactly on the end of an interval is that
end, not the start of the next one.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

Interval = tuple[int, int]  # seconds since local midnight, start < end
DAY = 86400
WINDOW_DAYS = 400
MAX_SEARCH_DAYS = 366 * 20


class CalendarHasNoWorkingTime(ValueError):
    """The calendar has no working time within the search horizon."""


@dataclass(frozen=True)
class CalendarSpec:
    name: str
    time_zone: str
    always_open: bool
    working_day_seconds: int
    weekly: tuple[tuple[Interval, ...], ...]  # index 0 = Monday
    overrides: Mapping[dt.date, tuple[Interval, ...]] = field(default_factory=dict)
    known_years: frozenset[int] | None = None  # None: holiday data is not needed

    def intervals_on(self, day: dt.date) -> tuple[Interval, ...]:
        if self.always_open:
            return ((0, DAY),)
        found = self.overrides.get(day)
        if found is not None:
            return found
        return self.weekly[day.weekday()]


@dataclass(frozen=True, slots=True)
class DueResult:
    due_at: dt.datetime
    unknown_years: tuple[int, ...]


class BusinessClock:
    """Deadline and elapsed-business-time computations on one :class:`CalendarSpec`."""

    def __init__(self, spec: CalendarSpec) -> None:
        self.spec = spec
        self.zone = ZoneInfo(spec.time_zone)
        self._first = 0  # ordinal of the first day in the window
        self._cum: list[int] = [0]  # _cum[i] = business seconds before day _first + i
        self._intervals: list[tuple[Interval, ...]] = []

    # -- the cumulative window -----------------------------------------------------------
    def _ensure(self, first: int, last: int) -> None:
        """Make the window cover ordinals first..last (inclusive)."""
        if not self._intervals:
            self._first = first - 7
            self._cum = [0]
            self._intervals = []
            self._extend_forward(last + WINDOW_DAYS)
            return
        if first < self._first:
            start = min(first, self._first - WINDOW_DAYS)
            prefix = [
                self.spec.intervals_on(dt.date.fromordinal(o)) for o in range(start, self._first)
            ]
            totals = [sum(end - begin for begin, end in day) for day in prefix]
            shift = sum(totals)
            cum = [0]
            for total in totals:
                cum.append(cum[-1] + total)
            self._cum = cum[:-1] + [value + shift for value in self._cum]
            self._intervals = prefix + self._intervals
            self._first = start
        end_ordinal = self._first + len(self._intervals) - 1
        if last > end_ordinal:
            self._extend_forward(max(last, end_ordinal) + WINDOW_DAYS)

    def _extend_forward(self, last: int) -> None:
        ordinal = self._first + len(self._intervals)
        while ordinal <= last:
            day = self.spec.intervals_on(dt.date.fromordinal(ordinal))
            self._intervals.append(day)
            self._cum.append(self._cum[-1] + sum(end - begin for begin, end in day))
            ordinal += 1

    # -- conversions ---------------------------------------------------------------------
    def _local(self, moment: dt.datetime) -> tuple[int, float]:
        if moment.tzinfo is None:
            raise ValueError("working-time arithmetic needs an aware datetime")
        local = moment.astimezone(self.zone)
        seconds = local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6
        return local.date().toordinal(), seconds

    def _instant(self, ordinal: int, seconds: float) -> dt.datetime:
        day = dt.date.fromordinal(ordinal)
        whole = int(seconds)
        micro = round((seconds - whole) * 1e6)
        if micro >= 1_000_000:
            whole, micro = whole + 1, micro - 1_000_000
        if whole >= DAY:
            day, whole = day + dt.timedelta(days=1), whole - DAY
        local = dt.datetime.combine(
            day, dt.time(whole // 3600, whole // 60 % 60, whole % 60, micro), self.zone
        )
        return local.astimezone(dt.UTC)

    def _offset(self, ordinal: int, seconds: float) -> float:
        """Business seconds from the window start up to local (ordinal, seconds)."""
        index = ordinal - self._first
        elapsed = 0.0
        for begin, end in self._intervals[index]:
            if seconds <= begin:
                break
            elapsed += min(seconds, end) - begin
        return self._cum[index] + elapsed

    def _unknown_years(self, first: int, last: int) -> tuple[int, ...]:
        known = self.spec.known_years
        if known is None or self.spec.always_open:
            return ()
        years = range(dt.date.fromordinal(first).year, dt.date.fromordinal(last).year + 1)
        return tuple(year for year in years if year not in known)

    # -- public API ----------------------------------------------------------------------
    def add(self, start: dt.datetime, business_seconds: float) -> DueResult:
        """The instant at which ``business_seconds`` of working time have passed after start."""
        if business_seconds < 0:
            raise ValueError("a duration cannot be negative")
        ordinal, seconds = self._local(start)
        self._ensure(ordinal, ordinal + 31)
        target = self._offset(ordinal, seconds) + business_seconds
        searched = 0
        while self._cum[-1] < target or (business_seconds == 0 and self._cum[-1] <= target):
            searched += WINDOW_DAYS
            if searched > MAX_SEARCH_DAYS:
                raise CalendarHasNoWorkingTime(
                    f"calendar {self.spec.name!r} has no working time ahead"
                )
            self._ensure(ordinal, self._first + len(self._intervals) - 1 + WINDOW_DAYS)
        if business_seconds == 0:
            # Zero length: the next working instant (or the start itself inside working time).
            index = bisect_right(self._cum, target) - 1
        else:
            # The first day on which the running total reaches the target; an exact interval
            # end belongs to the day it ends, not to the next day's start.
            index = bisect_left(self._cum, target) - 1
        remaining = target - self._cum[index]
        for begin, end in self._intervals[index]:
            length = end - begin
            if remaining < length or (business_seconds > 0 and remaining == length):
                due_ordinal = self._first + index
                result = self._instant(due_ordinal, begin + remaining)
                return DueResult(result, self._unknown_years(ordinal, due_ordinal))
            remaining -= length
        raise AssertionError("cumulative index out of step with its intervals")  # pragma: no cover

    def between(self, start: dt.datetime, end: dt.datetime) -> tuple[float, tuple[int, ...]]:
        """Business seconds in [start, end) (0 when end ≤ start) and any unknown years."""
        if end <= start:
            return 0.0, ()
        first, first_seconds = self._local(start)
        last, last_seconds = self._local(end)
        self._ensure(first, last)
        elapsed = self._offset(last, last_seconds) - self._offset(first, first_seconds)
        return elapsed, self._unknown_years(first, last)


def spec_from_rows(
    *,
    name: str,
    time_zone: str,
    always_open: bool,
    working_day_seconds: int,
    weekly_rows: Sequence[tuple[int, int, int]],
    override_rows: Sequence[tuple[dt.date, Sequence[Interval]]],
    known_years: frozenset[int] | None,
) -> CalendarSpec:
    """Assemble a spec from plain rows: (weekday, start, end) and (date, intervals)."""
    weekly: list[list[Interval]] = [[] for _ in range(7)]
    for weekday, begin, end in weekly_rows:
        weekly[weekday].append((begin, end))
    return CalendarSpec(
        name=name,
        time_zone=time_zone,
        always_open=always_open,
        working_day_seconds=working_day_seconds,
        weekly=tuple(tuple(sorted(day)) for day in weekly),
        overrides={day: tuple(sorted(intervals)) for day, intervals in override_rows},
        known_years=known_years,
    )

"""Working-time arithmetic: 2026 holidays with 调休, lunch breaks, exact ends, unknown years.

Property tests compare the fast engine with a slow minute-by-minute reference.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kefu.calendars.engine import BusinessClock, CalendarHasNoWorkingTime, CalendarSpec

SHANGHAI = ZoneInfo("Asia/Shanghai")
OFFICE_DAY = ((9 * 3600, 12 * 3600), (13 * 3600, 18 * 3600))
OPEN = dict.fromkeys(
    [dt.date(2026, 2, 14), dt.date(2026, 2, 28), dt.date(2026, 9, 20), dt.date(2026, 10, 10)],
    OFFICE_DAY,
)
CLOSED = (
    {dt.date(2026, 2, 15) + dt.timedelta(days=n): () for n in range(9)}
    | {dt.date(2026, 10, 1) + dt.timedelta(days=n): () for n in range(7)}
    | {dt.date(2026, 9, 25): ()}
)
SPEC = CalendarSpec(
    name="office",
    time_zone="Asia/Shanghai",
    always_open=False,
    working_day_seconds=8 * 3600,
    weekly=(OFFICE_DAY,) * 5 + ((), ()),
    overrides=OPEN | CLOSED,
    known_years=frozenset({2025, 2026}),
)
HOUR = 3600


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def local(moment: dt.datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


@pytest.fixture(scope="module")
def clock() -> BusinessClock:
    return BusinessClock(SPEC)


@pytest.mark.parametrize(
    ("start", "seconds", "due"),
    [
        # National Day 2026: Oct 1–7 closed, Saturday Oct 10 is a make-up workday.
        ("2026-09-30 10:00", 8 * HOUR, "2026-10-08 10:00"),
        ("2026-09-30 10:00", 3 * 8 * HOUR, "2026-10-10 10:00"),
        ("2026-09-30 17:30", 1 * HOUR, "2026-10-08 09:30"),
        # Sunday Sep 20 is a make-up workday before National Day.
        ("2026-09-19 15:00", 2 * HOUR, "2026-09-20 11:00"),
        # Spring Festival 2026: Feb 15–23 closed, Saturdays Feb 14 and 28 are workdays.
        ("2026-02-13 17:00", 2 * HOUR, "2026-02-14 10:00"),
        ("2026-02-14 17:00", 2 * HOUR, "2026-02-24 10:00"),
        ("2026-02-27 18:00", 1 * HOUR, "2026-02-28 10:00"),
        # Lunch break: 11:30 + 1 h = 13:30.
        ("2026-11-27 11:30", 1 * HOUR, "2026-11-27 13:30"),
        # A start inside lunch counts from 13:00.
        ("2026-11-27 12:20", 30 * 60, "2026-11-27 13:30"),
        # Starts outside working time count from the next working instant.
        ("2026-11-27 20:00", 1 * HOUR, "2026-11-30 10:00"),
        ("2026-11-28 10:00", 1 * HOUR, "2026-11-30 10:00"),
        ("2026-11-27 06:00", 1 * HOUR, "2026-11-27 10:00"),
        # A deadline exactly on an interval end is that end, not the next start.
        ("2026-11-27 09:00", 3 * HOUR, "2026-11-27 12:00"),
        ("2026-11-27 13:00", 5 * HOUR, "2026-11-27 18:00"),
        ("2026-11-27 09:00", 8 * HOUR, "2026-11-27 18:00"),
        ("2026-11-26 18:00", 8 * HOUR, "2026-11-27 18:00"),
        # Zero duration: the next working instant.
        ("2026-11-27 12:00", 0, "2026-11-27 13:00"),
        ("2026-11-27 10:15", 0, "2026-11-27 10:15"),
    ],
)
def test_deadlines(clock, start, seconds, due):
    result = clock.add(at(start), seconds)
    assert local(result.due_at) == due
    assert result.unknown_years == ()


def test_year_without_holiday_data_uses_weekly_hours_and_says_so(clock):
    result = clock.add(at("2026-12-31 17:00"), 2 * HOUR)
    assert local(result.due_at) == "2027-01-01 10:00"  # Friday by the weekly hours alone
    assert result.unknown_years == (2027,)


def test_business_time_between(clock):
    elapsed, unknown = clock.between(at("2026-09-30 10:00"), at("2026-10-08 10:00"))
    assert elapsed == 8 * HOUR and unknown == ()
    assert clock.between(at("2026-11-27 12:10"), at("2026-11-27 12:50"))[0] == 0
    assert clock.between(at("2026-11-27 18:00"), at("2026-11-27 09:00"))[0] == 0


def test_starting_far_back_extends_the_window(clock):
    clock.add(at("2026-11-27 10:00"), HOUR)
    assert local(clock.add(at("2025-03-03 10:00"), HOUR).due_at) == "2025-03-03 11:00"


def test_calendar_without_working_time_is_an_error():
    empty = BusinessClock(CalendarSpec("closed", "Asia/Shanghai", False, 3600, ((),) * 7))
    with pytest.raises(CalendarHasNoWorkingTime):
        empty.add(at("2026-01-01 00:00"), 60)


def test_always_open_is_wall_clock():
    always = BusinessClock(CalendarSpec("24x7", "Asia/Shanghai", True, 86400, ((),) * 7))
    assert local(always.add(at("2026-09-30 23:30"), HOUR).due_at) == "2026-10-01 00:30"


def test_naive_datetimes_are_refused(clock):
    with pytest.raises(ValueError, match="aware"):
        clock.add(dt.datetime(2026, 1, 5, 9, 0), 60)  # noqa: DTZ001 - naive on purpose


def reference_due(start: dt.datetime, seconds: int) -> dt.datetime:
    """Minute by minute: walk until `seconds` of working minutes have passed."""
    moment = start.astimezone(SHANGHAI)
    remaining = seconds // 60

    def working(minute: dt.datetime) -> bool:
        second = minute.hour * 3600 + minute.minute * 60
        return any(begin <= second < end for begin, end in SPEC.intervals_on(minute.date()))

    if remaining == 0:
        while not working(moment):
            moment += dt.timedelta(minutes=1)
        return moment
    while True:
        if working(moment):
            remaining -= 1
            if remaining == 0:
                return moment + dt.timedelta(minutes=1)
        moment += dt.timedelta(minutes=1)


# Hypothesis draws naive datetimes; they become Shanghai local times here.
FIRST, LAST = dt.datetime(2026, 1, 20), dt.datetime(2026, 11, 20)  # noqa: DTZ001
starts = st.datetimes(min_value=FIRST, max_value=LAST).map(
    lambda moment: moment.replace(second=0, microsecond=0, tzinfo=SHANGHAI)
)
durations = st.integers(min_value=0, max_value=5 * 8 * 60).map(lambda minutes: minutes * 60)


@settings(max_examples=150, deadline=None)
@given(start=starts, seconds=durations)
def test_agrees_with_the_minute_by_minute_reference(start, seconds):
    assert BusinessClock(SPEC).add(start, seconds).due_at == reference_due(start, seconds)


@settings(max_examples=150, deadline=None)
@given(start=starts, first=durations, second=durations)
def test_monotonic_in_start_and_duration(start, first, second):
    clock = BusinessClock(SPEC)
    short, long = sorted((first, second))
    assert clock.add(start, short).due_at <= clock.add(start, long).due_at
    later = start + dt.timedelta(seconds=second)
    assert clock.add(start, first).due_at <= clock.add(later, first).due_at


@settings(max_examples=100, deadline=None)
@given(start=starts, seconds=durations.filter(lambda value: value > 0))
def test_between_inverts_add(start, seconds):
    clock = BusinessClock(SPEC)
    due = clock.add(start, seconds).due_at
    assert clock.between(start, due)[0] == seconds

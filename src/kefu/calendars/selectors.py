"""Reading calendars: a cached :class:`BusinessClock` per calendar, rebuilt when it changes."""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from dataclasses import dataclass

from kefu.calendars.durations import parse_duration
from kefu.calendars.engine import BusinessClock, CalendarSpec, spec_from_rows
from kefu.calendars.models import DateOverride, HolidayYear, WeeklyInterval, WorkingCalendar
from kefu.core.errors import NotFound

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,49}$")
_cache: dict[str, tuple[int, BusinessClock]] = {}
_checked: dict[str, float] = {}
VERSION_CHECK_SECONDS = 1.0
_lock = threading.Lock()


def _seconds(value: dt.time | str) -> int:
    if isinstance(value, str):
        hours, minutes = value.split(":")[:2]
        total = int(hours) * 3600 + int(minutes) * 60
        return total
    return value.hour * 3600 + value.minute * 60 + value.second


def _end_seconds(value: dt.time | str) -> int:
    # "24:00" (or 23:59:59) closes a day that works until midnight.
    seconds = _seconds(value)
    return 86400 if seconds in (0, 86399) else seconds


def calendar_spec(calendar: WorkingCalendar) -> CalendarSpec:
    weekly = [
        (row.weekday, _seconds(row.start), _end_seconds(row.end))
        for row in WeeklyInterval.objects.filter(calendar=calendar)
    ]
    overrides = [
        (
            row.date,
            [(_seconds(start), _end_seconds(end)) for start, end in row.intervals]
            if row.is_working
            else [],
        )
        for row in DateOverride.objects.filter(calendar=calendar)
    ]
    known = None
    if calendar.follows_china_holidays:
        known = frozenset(
            HolidayYear.objects.filter(calendar=calendar).values_list("year", flat=True)
        )
    return spec_from_rows(
        name=calendar.name,
        time_zone=calendar.time_zone,
        always_open=calendar.always_open,
        working_day_seconds=calendar.working_day_minutes * 60,
        weekly_rows=weekly,
        override_rows=overrides,
        known_years=known,
    )


def calendar_get(name: str) -> WorkingCalendar:
    calendar = None
    if _NAME.fullmatch(name):
        calendar = WorkingCalendar.objects.filter(name=name).first()
    if calendar is None:
        raise NotFound(f"no working calendar named {name!r}")
    return calendar


def calendar_clock(name: str) -> BusinessClock:
    """The engine for calendar ``name``, cached by calendar version.

    The version is re-read at most once a second per calendar (edits in this process clear the
    entry at once, see ``calendar_cache_clear``), so a burst of deadline computations costs one
    query, and another process sees an edit within a second.
    """
    moment = time.monotonic()
    with _lock:
        cached = _cache.get(name)
        if cached and moment - _checked.get(name, 0.0) < VERSION_CHECK_SECONDS:
            return cached[1]
    calendar = calendar_get(name)
    with _lock:
        cached = _cache.get(name)
        if cached and cached[0] == calendar.version:
            _checked[name] = moment
            return cached[1]
    clock = BusinessClock(calendar_spec(calendar))
    with _lock:
        _cache[name] = (calendar.version, clock)
        _checked[name] = moment
    return clock


def calendar_cache_clear(name: str | None = None) -> None:
    """Forget cached engines (all, or one calendar's) after a change."""
    with _lock:
        if name is None:
            _cache.clear()
            _checked.clear()
        else:
            _cache.pop(name, None)
            _checked.pop(name, None)


@dataclass(frozen=True, slots=True)
class Deadline:
    due_at: dt.datetime
    warnings: list[str]
    unknown_years: tuple[int, ...]


def unknown_year_warning(calendar: str, years: tuple[int, ...]) -> str:
    listed = ", ".join(str(year) for year in years)
    return (
        f"calendar {calendar!r} has no holiday data for {listed}: the answer uses the weekly "
        "working hours only (enter or import that year's holidays and make-up workdays)"
    )


def calendar_due(name: str, start: dt.datetime, duration: str) -> Deadline:
    """The deadline ``duration`` after ``start`` on calendar ``name``, with any warnings."""
    parsed = parse_duration(duration)
    if not parsed.is_business:
        return Deadline(start + dt.timedelta(seconds=parsed.seconds(working_day_seconds=0)), [], ())
    clock = calendar_clock(name)
    result = clock.add(start, parsed.seconds(working_day_seconds=clock.spec.working_day_seconds))
    warnings = [unknown_year_warning(name, result.unknown_years)] if result.unknown_years else []
    return Deadline(result.due_at, warnings, result.unknown_years)

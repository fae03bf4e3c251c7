"""Deadline arithmetic for clocks: a target on a calendar, started, paused and resumed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kefu.calendars.durations import parse_duration
from kefu.calendars.selectors import calendar_clock


@dataclass(frozen=True, slots=True)
class Target:
    seconds: float
    business: bool
    calendar: str


def target_of(duration: str, calendar: str) -> Target:
    parsed = parse_duration(duration)
    if parsed.is_business:
        clock = calendar_clock(calendar)
        seconds = parsed.seconds(working_day_seconds=clock.spec.working_day_seconds)
        return Target(float(seconds), True, calendar)
    return Target(float(parsed.seconds(working_day_seconds=0)), False, calendar)


def deadline(
    target: Target, start: dt.datetime, seconds: float
) -> tuple[dt.datetime, tuple[int, ...]]:
    """The instant ``seconds`` of the target's kind of time after ``start``."""
    if not target.business:
        return start + dt.timedelta(seconds=max(seconds, 0.0)), ()
    result = calendar_clock(target.calendar).add(start, max(seconds, 0.0))
    return result.due_at, result.unknown_years


def elapsed(target: Target, start: dt.datetime, end: dt.datetime) -> float:
    """How much of the target's kind of time passed between two instants."""
    if end <= start:
        return 0.0
    if not target.business:
        return (end - start).total_seconds()
    return calendar_clock(target.calendar).between(start, end)[0]

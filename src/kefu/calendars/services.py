"""Writes on working calendars: hours, date overrides, holiday years. Atomic, audited, versioned."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import transaction
from django.db.models import F

from kefu.accounts.models import User
from kefu.accounts.roles import Role
from kefu.audit.services import audit_record
from kefu.calendars.china import statutory_days
from kefu.calendars.models import (
    DateOverride,
    HolidayYear,
    OverrideSource,
    WeeklyInterval,
    WorkingCalendar,
)
from kefu.calendars.selectors import calendar_cache_clear
from kefu.core.errors import InvalidInput
from kefu.notify.models import Notification
from kefu.notify.services import notify_users

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")


def _bump(calendar: WorkingCalendar) -> None:
    WorkingCalendar.objects.filter(pk=calendar.pk).update(version=F("version") + 1)
    calendar.refresh_from_db(fields=["version"])
    calendar_cache_clear(calendar.name)


def clean_intervals(raw: Sequence[Sequence[str]], *, field: str = "intervals") -> list[list[str]]:
    """Validate ``[["09:00", "12:00"], …]``: HH:MM, start < end, sorted, not overlapping."""
    cleaned: list[list[str]] = []
    for item in raw:
        if len(item) != 2 or not all(isinstance(part, str) and _HHMM.match(part) for part in item):
            raise InvalidInput(f'{item!r} is not an interval like ["09:00", "12:00"]', field=field)
        start, end = item
        if start >= end:
            raise InvalidInput(f"interval {start}–{end} ends before it starts", field=field)
        cleaned.append([start, end])
    cleaned.sort()
    for previous, following in pairwise(cleaned):
        if following[0] < previous[1]:
            raise InvalidInput(f"intervals {previous} and {following} overlap", field=field)
    return cleaned


def _time(text: str) -> dt.time:
    if text == "24:00":
        return dt.time(23, 59, 59)
    hours, minutes = text.split(":")
    return dt.time(int(hours), int(minutes))


@transaction.atomic
def calendar_create(
    *,
    actor: Any,
    name: str,
    title: str,
    time_zone: str = "Asia/Shanghai",
    always_open: bool = False,
    working_day_minutes: int = 480,
    follows_china_holidays: bool = False,
    weekly: dict[int, Sequence[Sequence[str]]] | None = None,
) -> WorkingCalendar:
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"unknown time zone {time_zone!r}", field="time_zone") from None
    if WorkingCalendar.objects.filter(name=name).exists():
        raise InvalidInput(f"a calendar named {name!r} exists", field="name")
    calendar = WorkingCalendar.objects.create(
        name=name,
        title=title,
        time_zone=time_zone,
        always_open=always_open,
        working_day_minutes=working_day_minutes,
        follows_china_holidays=follows_china_holidays,
    )
    for weekday, intervals in (weekly or {}).items():
        calendar_set_weekday(actor=actor, calendar=calendar, weekday=weekday, intervals=intervals)
    audit_record(
        actor=actor,
        verb="calendar.create",
        target=calendar,
        after={
            "name": name,
            "time_zone": time_zone,
            "always_open": always_open,
            "weekly": weekly or {},
        },
    )
    return calendar


@transaction.atomic
def calendar_set_weekday(
    *, actor: Any, calendar: WorkingCalendar, weekday: int, intervals: Sequence[Sequence[str]]
) -> WorkingCalendar:
    """Replace the working intervals of one weekday (0 = Monday)."""
    if weekday not in range(7):
        raise InvalidInput("weekday is 0 (Monday) to 6 (Sunday)", field="weekday")
    cleaned = clean_intervals(intervals)
    before = [
        [f"{row.start:%H:%M}", f"{row.end:%H:%M}"]
        for row in WeeklyInterval.objects.filter(calendar=calendar, weekday=weekday)
    ]
    WeeklyInterval.objects.filter(calendar=calendar, weekday=weekday).delete()
    WeeklyInterval.objects.bulk_create(
        WeeklyInterval(calendar=calendar, weekday=weekday, start=_time(start), end=_time(end))
        for start, end in cleaned
    )
    _bump(calendar)
    audit_record(
        actor=actor,
        verb="calendar.set_weekday",
        target=calendar,
        before={"weekday": weekday, "intervals": before},
        after={"weekday": weekday, "intervals": cleaned},
    )
    return calendar


@transaction.atomic
def calendar_override_set(
    *,
    actor: Any,
    calendar: WorkingCalendar,
    date: dt.date,
    is_working: bool,
    intervals: Sequence[Sequence[str]] = (),
    name: str = "",
    source: str = OverrideSource.MANUAL,
) -> DateOverride:
    """Close a date, or open it with its own intervals (a 调休 make-up workday)."""
    cleaned = clean_intervals(intervals) if is_working else []
    if is_working and not cleaned:
        raise InvalidInput("an open day needs its working intervals", field="intervals")
    if not is_working and intervals:
        raise InvalidInput("a closed day has no intervals", field="intervals")
    existing = DateOverride.objects.filter(calendar=calendar, date=date).first()
    before = (
        {"is_working": existing.is_working, "intervals": existing.intervals, "name": existing.name}
        if existing
        else None
    )
    override, _ = DateOverride.objects.update_or_create(
        calendar=calendar,
        date=date,
        defaults={
            "is_working": is_working,
            "intervals": cleaned,
            "name": name[:100],
            "source": source,
        },
    )
    _bump(calendar)
    audit_record(
        actor=actor,
        verb="calendar.override_set",
        target=calendar,
        before={"date": date.isoformat(), **before} if before else None,
        after={
            "date": date.isoformat(),
            "is_working": is_working,
            "intervals": cleaned,
            "name": name,
        },
    )
    return override


@transaction.atomic
def calendar_override_remove(*, actor: Any, calendar: WorkingCalendar, date: dt.date) -> None:
    deleted, _ = DateOverride.objects.filter(calendar=calendar, date=date).delete()
    if deleted:
        _bump(calendar)
        audit_record(
            actor=actor,
            verb="calendar.override_remove",
            target=calendar,
            before={"date": date.isoformat()},
        )


def _workday_intervals(calendar: WorkingCalendar) -> list[list[str]]:
    """The hours of an ordinary workday (Monday's), used for make-up workdays."""
    rows = WeeklyInterval.objects.filter(calendar=calendar, weekday=0).order_by("start")
    intervals = [
        [f"{row.start:%H:%M}", "24:00" if row.end == dt.time(23, 59, 59) else f"{row.end:%H:%M}"]
        for row in rows
    ]
    if not intervals:
        raise InvalidInput(
            "set Monday's working hours before loading make-up workdays", field="weekly"
        )
    return intervals


@transaction.atomic
def calendar_year_import(
    *,
    actor: Any,
    calendar: WorkingCalendar,
    year: int,
    holidays: Iterable[tuple[dt.date, str]],
    workdays: Iterable[tuple[dt.date, str]],
    source: str = OverrideSource.MANUAL,
) -> HolidayYear:
    """Enter one year's holidays and make-up workdays and mark the year as known.

    The year's earlier overrides from the same source are replaced, so importing a corrected
    schedule twice leaves exactly the new one.
    """
    if not 1990 <= year <= 2200:
        raise InvalidInput("year must be between 1990 and 2200", field="year")
    holiday_list = list(holidays)
    workday_list = list(workdays)
    for day, _ in holiday_list + workday_list:
        if day.year != year:
            raise InvalidInput(f"{day} is not in {year}", field="dates")
    clash = {day for day, _ in holiday_list} & {day for day, _ in workday_list}
    if clash:
        raise InvalidInput(f"{sorted(clash)[0]} is both a holiday and a workday", field="dates")
    hours = _workday_intervals(calendar) if workday_list else []
    DateOverride.objects.filter(calendar=calendar, date__year=year, source=source).delete()
    DateOverride.objects.filter(
        calendar=calendar, date__in=[day for day, _ in holiday_list + workday_list]
    ).delete()
    DateOverride.objects.bulk_create(
        [
            DateOverride(
                calendar=calendar,
                date=day,
                is_working=False,
                intervals=[],
                name=name[:100],
                source=source,
            )
            for day, name in holiday_list
        ]
        + [
            DateOverride(
                calendar=calendar,
                date=day,
                is_working=True,
                intervals=hours,
                name=name[:100],
                source=source,
            )
            for day, name in workday_list
        ]
    )
    known, _ = HolidayYear.objects.update_or_create(
        calendar=calendar, year=year, defaults={"source": source}
    )
    _bump(calendar)
    audit_record(
        actor=actor,
        verb="calendar.year_import",
        target=calendar,
        after={
            "year": year,
            "holidays": [day.isoformat() for day, _ in holiday_list],
            "workdays": [day.isoformat() for day, _ in workday_list],
            "source": source,
        },
    )
    return known


def calendar_load_china(*, actor: Any, calendar: WorkingCalendar) -> list[int]:
    """Load every year the chinese-calendar package knows; returns the years loaded."""
    days, years = statutory_days()
    with transaction.atomic():
        for year in years:
            calendar_year_import(
                actor=actor,
                calendar=calendar,
                year=year,
                holidays=[
                    (day.date, day.name)
                    for day in days
                    if day.date.year == year and not day.is_working
                ],
                workdays=[
                    (day.date, day.name) for day in days if day.date.year == year and day.is_working
                ],
                source=OverrideSource.STATUTORY,
            )
    return years


def calendar_missing_years_alert(*, calendar: str, years: Iterable[int]) -> int:
    """Tell administrators, once per calendar and year, that holiday data is missing.

    Deadlines in such a year are computed from the weekly hours alone; the administrators are
    asked to enter or import that year's holidays and make-up workdays. Returns how many new
    alerts were raised.
    """
    raised = 0
    admins = list(User.objects.filter(groups__name=Role.ADMIN, is_active=True))
    for year in years:
        kind = f"calendar_missing:{calendar}:{year}"
        if Notification.objects.filter(kind=kind).exists():
            continue
        with transaction.atomic():
            notify_users(
                recipients=admins,
                kind=kind,
                title=f"日历 {calendar} 缺少 {year} 年节假日数据",
                body=(
                    f"kefu computes deadlines in {year} on calendar {calendar!r} from the weekly "
                    "hours only. Enter or import that year's holidays and make-up workdays "
                    f"(kefu calendar import --calendar {calendar} FILE)."
                ),
                dedupe_prefix=kind,
            )
        raised += 1
    return raised

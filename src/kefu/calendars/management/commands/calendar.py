"""``kefu calendar``: deadlines on a working calendar, and its holiday data.

kefu calendar due --calendar office --start 2026-09-30T10:00:00+08:00 --duration 1wd
kefu calendar load-china --calendar office
kefu calendar import --calendar office holidays-2027.yaml
kefu calendar show --calendar office --year 2026
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kefu.calendars.imports import parse_year_file
from kefu.calendars.models import DateOverride, HolidayYear
from kefu.calendars.selectors import calendar_due, calendar_get
from kefu.calendars.services import (
    calendar_load_china,
    calendar_missing_years_alert,
    calendar_year_import,
)
from kefu.core.errors import KefuError


class Command(BaseCommand):
    help = "Working calendars: compute a deadline, load or import holidays, list a year."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        due = sub.add_parser("due", help="print the deadline (ISO 8601) as the last line")
        due.add_argument("--calendar", required=True)
        due.add_argument(
            "--start", required=True, help="ISO 8601 with offset, e.g. 2026-09-30T10:00:00+08:00"
        )
        due.add_argument("--duration", required=True, help="15m, 4h, 2d, 8bh or 3wd")
        load = sub.add_parser(
            "load-china", help="load China's holidays the chinese-calendar package knows"
        )
        load.add_argument("--calendar", required=True)
        imported = sub.add_parser(
            "import", help="import one year's holidays and make-up workdays (YAML)"
        )
        imported.add_argument("--calendar", required=True)
        imported.add_argument("file")
        show = sub.add_parser("show", help="list a year's holidays and make-up workdays")
        show.add_argument("--calendar", required=True)
        show.add_argument("--year", type=int, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, "_" + options["action"].replace("-", "_"))(options)
        except KefuError as exc:
            raise CommandError(
                f"{exc.field}: {exc.message}" if exc.field else exc.message
            ) from None

    def _due(self, options: dict[str, Any]) -> None:
        try:
            start = dt.datetime.fromisoformat(options["start"])
        except ValueError:
            raise CommandError(
                f"--start {options['start']!r} is not an ISO 8601 date-time"
            ) from None
        if start.tzinfo is None:
            raise CommandError("--start needs a UTC offset, e.g. 2026-09-30T10:00:00+08:00")
        calendar = calendar_get(options["calendar"])
        result = calendar_due(calendar.name, start, options["duration"])
        for warning in result.warnings:
            self.stderr.write(f"warning: {warning}")
        if result.unknown_years:
            calendar_missing_years_alert(calendar=calendar.name, years=result.unknown_years)
        self.stdout.write(result.due_at.astimezone(ZoneInfo(calendar.time_zone)).isoformat())

    def _load_china(self, options: dict[str, Any]) -> None:
        calendar = calendar_get(options["calendar"])
        years = calendar_load_china(actor=None, calendar=calendar)
        self.stdout.write(
            f"loaded China's holidays for {years[0]}–{years[-1]} into {calendar.name}"
        )

    def _import(self, options: dict[str, Any]) -> None:
        calendar = calendar_get(options["calendar"])
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        year, holidays, workdays = parse_year_file(path.read_text(encoding="utf-8"))
        calendar_year_import(
            actor=None, calendar=calendar, year=year, holidays=holidays, workdays=workdays
        )
        self.stdout.write(
            f"imported {year}: {len(holidays)} holidays, {len(workdays)} make-up workdays into {calendar.name}"
        )

    def _show(self, options: dict[str, Any]) -> None:
        calendar = calendar_get(options["calendar"])
        year = options["year"]
        known = HolidayYear.objects.filter(calendar=calendar, year=year).first()
        self.stdout.write(
            f"{calendar.name} {year}: "
            + (f"holiday data from {known.source}" if known else "NO holiday data")
        )
        for row in DateOverride.objects.filter(calendar=calendar, date__year=year).order_by("date"):
            hours = ", ".join(f"{start}–{end}" for start, end in row.intervals)
            state = f"open {hours}" if row.is_working else "closed"
            self.stdout.write(f"  {row.date} {row.date.strftime('%a')}  {state}  {row.name}")

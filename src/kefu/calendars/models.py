"""Working calendars: weekly hours, date overrides (holidays and 调休 make-up workdays), years.

A date override either closes a day (a holiday) or opens it with its own intervals (a make-up
workday on a weekend, or shortened hours). ``HolidayYear`` lists the years whose holiday data is
complete; asking about any other year is answered from the weekly hours with a warning.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import pgettext_lazy


class WorkingCalendar(models.Model):
    """A named calendar; ``version`` changes with every edit so cached engines are rebuilt."""

    name = models.CharField(
        max_length=50,
        unique=True,
        validators=[
            RegexValidator(r"^[a-z0-9][a-z0-9_-]*$", "lower-case letters, digits, _ and -")
        ],
    )
    title = models.CharField(max_length=100)
    time_zone = models.CharField(max_length=64, default="Asia/Shanghai")
    always_open = models.BooleanField(
        default=False, help_text="24×7: every instant is working time"
    )
    working_day_minutes = models.PositiveIntegerField(
        default=480,
        validators=[MinValueValidator(1), MaxValueValidator(1440)],
        help_text="nominal length of a working day, for durations in working days (wd)",
    )
    follows_china_holidays = models.BooleanField(
        default=False, help_text="needs China's statutory holidays and make-up workdays"
    )
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.title} ({self.name})"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "周一"
    TUESDAY = 1, "周二"
    WEDNESDAY = 2, "周三"
    THURSDAY = 3, "周四"
    FRIDAY = 4, "周五"
    SATURDAY = 5, "周六"
    SUNDAY = 6, "周日"


class WeeklyInterval(models.Model):
    """One working interval on one weekday (several per day: lunch breaks, split shifts)."""

    calendar = models.ForeignKey(WorkingCalendar, on_delete=models.CASCADE, related_name="weekly")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        ordering = ["calendar", "weekday", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="weekly_interval_ordered"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="weekly_interval_weekday"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class OverrideSource(models.TextChoices):
    STATUTORY = "statutory", pgettext_lazy("override source", "Statutory holiday data")
    MANUAL = "manual", pgettext_lazy("override source", "Entered by hand")


class DateOverride(models.Model):
    """A date that differs from the weekly hours: closed, or open with its own intervals."""

    calendar = models.ForeignKey(
        WorkingCalendar, on_delete=models.CASCADE, related_name="overrides"
    )
    date = models.DateField()
    is_working = models.BooleanField()
    # [["09:00", "12:00"], ["13:00", "18:00"]]; required when is_working, empty otherwise.
    intervals = models.JSONField(default=list, blank=True)
    name = models.CharField(max_length=100, blank=True)
    source = models.CharField(
        max_length=16, choices=OverrideSource.choices, default=OverrideSource.MANUAL
    )

    class Meta:
        ordering = ["calendar", "date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="override_one_per_date"),
        ]

    def __str__(self) -> str:
        state = "上班" if self.is_working else "休息"
        return f"{self.date} {state} {self.name}".strip()


class HolidayYear(models.Model):
    """A year whose holiday and make-up-workday data is complete for a calendar."""

    calendar = models.ForeignKey(
        WorkingCalendar, on_delete=models.CASCADE, related_name="holiday_years"
    )
    year = models.PositiveSmallIntegerField()
    source = models.CharField(max_length=16, choices=OverrideSource.choices)

    class Meta:
        ordering = ["calendar", "year"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "year"], name="holiday_year_once")
        ]

    def __str__(self) -> str:
        return f"{self.calendar.name} {self.year}"

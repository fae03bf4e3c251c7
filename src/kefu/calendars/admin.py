"""Calendar configuration: hours, date overrides and holiday years; every save bumps the version."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import F
from django.http import HttpRequest

from kefu.audit.admin_support import AuditedModelAdmin
from kefu.calendars.models import DateOverride, HolidayYear, WeeklyInterval, WorkingCalendar


class WeeklyIntervalInline(admin.TabularInline):
    model = WeeklyInterval
    extra = 0


class HolidayYearInline(admin.TabularInline):
    model = HolidayYear
    extra = 0


@admin.register(WorkingCalendar)
class WorkingCalendarAdmin(AuditedModelAdmin):
    list_display = ["name", "title", "time_zone", "always_open", "working_day_minutes", "version"]
    readonly_fields = ["version", "updated_at"]
    inlines = [WeeklyIntervalInline, HolidayYearInline]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # Cached deadline engines are keyed by version: any edit must invalidate them.
        WorkingCalendar.objects.filter(pk=form.instance.pk).update(version=F("version") + 1)


@admin.register(DateOverride)
class DateOverrideAdmin(AuditedModelAdmin):
    list_display = ["date", "calendar", "is_working", "intervals", "name", "source"]
    list_filter = ["calendar", "is_working", "source"]
    date_hierarchy = "date"
    search_fields = ["name"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        WorkingCalendar.objects.filter(pk=obj.calendar_id).update(version=F("version") + 1)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        calendar_id = obj.calendar_id
        super().delete_model(request, obj)
        WorkingCalendar.objects.filter(pk=calendar_id).update(version=F("version") + 1)

"""Create the two default calendars: ``office`` (China working days) and ``24x7``.

``office``: Monday–Friday 09:00–12:00 and 13:00–18:00 Asia/Shanghai, a working day of 8 business
hours, China's statutory holidays and make-up workdays for every year the chinese-calendar
package knows. ``24x7``: always open.
"""

import datetime as dt

from django.db import migrations

OFFICE_HOURS = [("09:00", "12:00"), ("13:00", "18:00")]
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


def _time(text):
    hours, minutes = text.split(":")
    return dt.time(int(hours), int(minutes))


def create_calendars(apps, schema_editor):
    import chinese_calendar

    Calendar = apps.get_model("calendars", "WorkingCalendar")
    Weekly = apps.get_model("calendars", "WeeklyInterval")
    Override = apps.get_model("calendars", "DateOverride")
    Year = apps.get_model("calendars", "HolidayYear")

    office, _ = Calendar.objects.get_or_create(
        name="office",
        defaults={
            "title": "办公时间（含法定节假日与调休）",
            "time_zone": "Asia/Shanghai",
            "working_day_minutes": 480,
            "follows_china_holidays": True,
        },
    )
    if not Weekly.objects.filter(calendar=office).exists():
        Weekly.objects.bulk_create(
            Weekly(calendar=office, weekday=weekday, start=_time(start), end=_time(end))
            for weekday in range(5)
            for start, end in OFFICE_HOURS
        )
    overrides = []
    for day, holiday in chinese_calendar.holidays.items():
        overrides.append(Override(calendar=office, date=day, is_working=False, intervals=[], name=HOLIDAY_NAMES.get(holiday, holiday), source="statutory"))
    for day, holiday in chinese_calendar.workdays.items():
        name = HOLIDAY_NAMES.get(holiday, holiday) + "调休上班"
        overrides.append(Override(calendar=office, date=day, is_working=True, intervals=[list(pair) for pair in OFFICE_HOURS], name=name, source="statutory"))
    Override.objects.bulk_create(overrides, ignore_conflicts=True)
    years = sorted({item.date.year for item in overrides})
    Year.objects.bulk_create([Year(calendar=office, year=year, source="statutory") for year in years], ignore_conflicts=True)

    Calendar.objects.get_or_create(
        name="24x7",
        defaults={"title": "全天候（7×24）", "time_zone": "Asia/Shanghai", "always_open": True, "working_day_minutes": 1440},
    )


def remove_calendars(apps, schema_editor):
    apps.get_model("calendars", "WorkingCalendar").objects.filter(name__in=["office", "24x7"]).delete()


class Migration(migrations.Migration):
    dependencies = [("calendars", "0001_initial")]
    operations = [migrations.RunPython(create_calendars, remove_calendars)]

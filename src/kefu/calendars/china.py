"""China's statutory holidays and make-up workdays (调休), from the chinese-calendar package.

The package ships the State Council schedules as data; years it does not know yet (the next
year's schedule is published late in the year) are entered by an administrator or imported.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StatutoryDay:
    date: dt.date
    is_working: bool
    name: str


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


def statutory_days() -> tuple[list[StatutoryDay], list[int]]:
    """Every holiday and make-up workday the package knows, and the years it covers fully."""
    import chinese_calendar

    days: list[StatutoryDay] = []
    for date, holiday in chinese_calendar.holidays.items():
        name = HOLIDAY_NAMES.get(str(holiday), str(holiday))
        days.append(StatutoryDay(date, False, name))
    for date, holiday in chinese_calendar.workdays.items():
        name = HOLIDAY_NAMES.get(str(holiday), str(holiday))
        days.append(StatutoryDay(date, True, f"{name}调休上班"))
    years = sorted({day.date.year for day in days})
    return sorted(days, key=lambda day: day.date), years

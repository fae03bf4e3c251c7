"""Reading a year's holiday schedule from YAML, with errors that say which entry is wrong.

year: 2027
holidays:
  - {date: 2027-01-01, name: 元旦}
  - {from: 2027-02-06, to: 2027-02-13, name: 春节}
workdays:
  - {date: 2027-02-14, name: 春节调休上班}
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml

from kefu.core.errors import InvalidInput


def _date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput(f"{where}: {value!r} is not a date (YYYY-MM-DD)", field=where) from None


def _entries(raw: Any, key: str) -> list[tuple[dt.date, str]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise InvalidInput(f"{key} must be a list", field=key)
    days: list[tuple[dt.date, str]] = []
    for index, item in enumerate(raw):
        where = f"{key}[{index}]"
        if not isinstance(item, dict):
            item = {"date": item}
        name = str(item.get("name", ""))
        if "date" in item:
            days.append((_date(item["date"], where), name))
        elif "from" in item and "to" in item:
            first, last = _date(item["from"], where), _date(item["to"], where)
            if last < first or (last - first).days > 31:
                raise InvalidInput(
                    f"{where}: a range runs forward and at most 31 days", field=where
                )
            days.extend(
                (first + dt.timedelta(days=n), name) for n in range((last - first).days + 1)
            )
        else:
            raise InvalidInput(f"{where}: give a date, or from and to", field=where)
    return days


def parse_year_file(text: str) -> tuple[int, list[tuple[dt.date, str]], list[tuple[dt.date, str]]]:
    try:
        # BaseLoader keeps every scalar a string, so a bad date is reported with its entry
        # instead of failing inside the YAML parser.
        data = yaml.load(text, Loader=yaml.BaseLoader)
    except yaml.YAMLError as exc:
        raise InvalidInput(f"not valid YAML: {exc}", field="file") from None
    if not isinstance(data, dict) or "year" not in data:
        raise InvalidInput("the file needs a top-level 'year'", field="year")
    try:
        year = int(data["year"])
    except (TypeError, ValueError):
        raise InvalidInput(f"year {data['year']!r} is not a number", field="year") from None
    unknown = set(data) - {"year", "holidays", "workdays"}
    if unknown:
        raise InvalidInput(
            f"unknown keys: {', '.join(sorted(map(str, unknown)))}",
            field=sorted(map(str, unknown))[0],
        )
    return (
        year,
        _entries(data.get("holidays"), "holidays"),
        _entries(data.get("workdays"), "workdays"),
    )

"""Base types for API input: bounded ids, storable text and date-times the databases can hold."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.utils import timezone
from ninja import Schema
from pydantic import AfterValidator, Field, field_validator

# Primary keys are 64-bit signed integers in both databases; anything beyond is not an id and
# must be a 422, not an overflow inside the database driver.
MAX_ID = 2**63 - 1
ObjectId = Annotated[int, Field(ge=1, le=MAX_ID)]
EARLIEST_YEAR, LATEST_YEAR = 1970, 9000


def _in_range(moment: dt.datetime) -> dt.datetime:
    try:
        utc = moment.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        raise ValueError("date-time is out of range") from None
    if not EARLIEST_YEAR <= utc.year <= LATEST_YEAR:
        raise ValueError(f"date-time must fall between {EARLIEST_YEAR} and {LATEST_YEAR}")
    return utc


def _local_if_naive(moment: dt.datetime) -> dt.datetime:
    """A date-time without an offset is read in the center's time zone."""
    if timezone.is_naive(moment):
        try:
            moment = timezone.make_aware(moment)
        except (OverflowError, ValueError):
            raise ValueError("date-time is out of range") from None
    return _in_range(moment)


def _offset_required(moment: dt.datetime) -> dt.datetime:
    if timezone.is_naive(moment):
        raise ValueError("date-time needs a UTC offset, e.g. 2026-09-30T10:00:00+08:00")
    return _in_range(moment)


# In UTC after validation; naive input is taken as local time.
LocalDateTime = Annotated[dt.datetime, AfterValidator(_local_if_naive)]
# In UTC after validation; naive input is refused.
OffsetDateTime = Annotated[dt.datetime, AfterValidator(_offset_required)]


def _problem(value: Any) -> str | None:
    if isinstance(value, str):
        if "\x00" in value:
            return "text must not contain NUL characters"
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "text must be valid Unicode (no lone surrogates)"
        return None
    if isinstance(value, dict):
        items: list[Any] = [*value.keys(), *value.values()]
    elif isinstance(value, list | tuple | set):
        items = list(value)
    else:
        return None
    for item in items:
        found = _problem(item)
        if found:
            return found
    return None


class InputSchema(Schema):
    """Base of request bodies and queries: text must be storable in SQLite and PostgreSQL."""

    @field_validator("*", mode="after")
    @classmethod
    def _refuse_unstorable_text(cls, value: Any) -> Any:
        problem = _problem(value)
        if problem:
            raise ValueError(problem)
        return value

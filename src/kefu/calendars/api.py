"""Calendar endpoints: compute a deadline on a named working calendar."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router
from pydantic import Field

from kefu.calendars.selectors import calendar_due, calendar_get
from kefu.calendars.services import calendar_missing_years_alert
from kefu.core.errors import InvalidInput
from kefu.core.schemas import InputSchema, OffsetDateTime

router = Router(tags=["calendars"])


class DueIn(InputSchema):
    start: OffsetDateTime
    duration: str = Field(min_length=1, max_length=20, description="15m, 4h, 2d, 8bh or 3wd")


@router.post("/{name}/due", response=dict[str, Any])
def due(request: HttpRequest, name: str, payload: DueIn) -> dict[str, Any]:
    if timezone.is_naive(payload.start):
        raise InvalidInput(
            "start needs a UTC offset, e.g. 2026-09-30T10:00:00+08:00", field="start"
        )
    calendar = calendar_get(name)
    result = calendar_due(calendar.name, payload.start, payload.duration)
    if result.unknown_years:
        calendar_missing_years_alert(calendar=calendar.name, years=result.unknown_years)
    return {
        "due_at": result.due_at.astimezone(ZoneInfo(calendar.time_zone)).isoformat(),
        "warnings": result.warnings,
    }

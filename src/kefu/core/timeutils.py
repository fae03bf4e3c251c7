"""Time helpers: storage is aware UTC, display is the configured zone (Asia/Shanghai default)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def now() -> dt.datetime:
    return timezone.now()


def local_date(moment: dt.datetime) -> dt.date:
    """The calendar date of ``moment`` in the center's display time zone."""
    return timezone.localtime(moment).date()

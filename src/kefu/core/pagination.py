"""Counting list results without scanning a million rows on every page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet


def bounded_count(queryset: QuerySet[Any]) -> tuple[int, bool]:
    """The number of rows, exact up to ``KEFU_API_EXACT_COUNT_LIMIT``; beyond it, that limit.

    Returns (count, exact). Counting stops at the limit, so a page over a queue of 300,000
    closed tickets costs what a page over 10,000 does; clients show "10,000+".
    """
    limit = settings.KEFU_API_EXACT_COUNT_LIMIT
    counted = queryset.order_by()[: limit + 1].count()
    return (limit, False) if counted > limit else (counted, True)

"""Reads of the training plan (TRN-2): a month's topics for whoever may see the plan."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from kefu.core.errors import PermissionDenied
from kefu.people.models import TrainingTopic


def training_topics(*, user: Any, month: dt.date | None = None) -> QuerySet[TrainingTopic]:
    """The plan's topics (of ``month``, or all), newest month first."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm(
        "people.view_trainingtopic"
    ):
        raise PermissionDenied("you may not read the training plan")
    found = TrainingTopic.objects.select_related("created_by", "done_by").prefetch_related(
        "teams", "agents"
    )
    if month is not None:
        found = found.filter(month=month.replace(day=1))
    return found.order_by("-month", "status", "title", "id")


def training_months(*, user: Any, limit: int = 24) -> list[dt.date]:
    """The months that have topics, newest first (for the month picker)."""
    training_topics(user=user)  # the permission check
    return list(
        TrainingTopic.objects.order_by("-month").values_list("month", flat=True).distinct()[:limit]
    )

"""Saved queue filters: services (write) and the selector (read) for one user's list."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.db import transaction
from django.db.models import QuerySet

from kefu.audit.services import audit_record
from kefu.core.errors import InvalidInput, NotFound
from kefu.core.timeutils import now
from kefu.tickets.models import SavedFilter

# Only these query parameters are kept: a saved filter is a filter, not a page position.
FILTER_PARAMS = (
    "status",
    "urgency",
    "priority",
    "category",
    "channel",
    "assignee",
    "created_from",
    "created_to",
    "q",
    "sort",
)


def filter_query(query: str) -> str:
    """The filter part of a query string, in a stable order."""
    pairs = [(key, value) for key, value in parse_qsl(query) if key in FILTER_PARAMS and value]
    return urlencode(sorted(pairs))


@transaction.atomic
def saved_filter_save(*, actor: Any, name: str, queue: str, query: str) -> SavedFilter:
    """Save (or replace) ``actor``'s filter called ``name``."""
    name = name.strip()
    if not name:
        raise InvalidInput("give the filter a name", field="name")
    if "\x00" in name:
        raise InvalidInput("the name contains a NUL character", field="name")
    if len(name) > 80:
        raise InvalidInput("the name is longer than 80 characters", field="name")
    cleaned = filter_query(query)
    if len(cleaned) > 1000:
        raise InvalidInput("the filter is too long to save", field="query")
    saved, created = SavedFilter.objects.update_or_create(
        user=actor,
        name=name,
        defaults={"queue": queue, "query": cleaned, "created_at": now()},
    )
    audit_record(
        actor=actor,
        verb="saved_filter.create" if created else "saved_filter.update",
        target=saved,
        after={"name": name, "queue": queue, "query": cleaned},
    )
    return saved


@transaction.atomic
def saved_filter_delete(*, actor: Any, filter_id: int) -> None:
    saved = SavedFilter.objects.filter(user=actor, pk=filter_id).first()
    if saved is None:
        raise NotFound(f"saved filter {filter_id} does not exist")
    audit_record(
        actor=actor,
        verb="saved_filter.delete",
        target=saved,
        before={"name": saved.name, "queue": saved.queue, "query": saved.query},
    )
    saved.delete()


def saved_filter_list(*, user: Any) -> QuerySet[SavedFilter]:
    return SavedFilter.objects.filter(user=user).order_by("name")

"""Reading the operation trail: only roles with the audit view permission may browse it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from kefu.audit.models import AccessEvent, AuditEvent
from kefu.core.errors import PermissionDenied


def audit_event_list(
    *,
    user: Any,
    actor_id: int | None = None,
    verb: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> QuerySet[AuditEvent]:
    if not user.has_perm("audit.view_auditevent"):
        raise PermissionDenied("only managers and administrators may read the operation trail")
    events = AuditEvent.objects.all()
    if actor_id is not None:
        events = events.filter(actor_id=actor_id)
    if verb:
        events = events.filter(verb=verb)
    if object_type:
        events = events.filter(object_type=object_type)
    if object_id:
        events = events.filter(object_id=object_id)
    if since:
        events = events.filter(occurred_at__gte=since)
    if until:
        events = events.filter(occurred_at__lt=until)
    return events.order_by("-occurred_at", "-id")


def access_event_list(
    *,
    user: Any,
    actor_id: int | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> QuerySet[AccessEvent]:
    if not user.has_perm("audit.view_accessevent"):
        raise PermissionDenied("only managers and administrators may read the access log")
    events = AccessEvent.objects.all()
    if actor_id is not None:
        events = events.filter(actor_id=actor_id)
    if object_type:
        events = events.filter(object_type=object_type)
    if object_id:
        events = events.filter(object_id=object_id)
    if since:
        events = events.filter(occurred_at__gte=since)
    if until:
        events = events.filter(occurred_at__lt=until)
    return events.order_by("-occurred_at", "-id")

"""Writing the operation trail. Called by other services inside their own transaction."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import connection, models

from kefu.audit.models import AccessEvent, AuditEvent
from kefu.core.context import current_request_id, current_source_ip
from kefu.core.timeutils import now

SYSTEM_LABEL = "system"


def _actor_label(actor: Any) -> str:
    if actor is None:
        return SYSTEM_LABEL
    return str(getattr(actor, "username", actor))[:150]


def _plain(value: Any) -> Any:
    """A JSON-friendly copy of a field value (foreign keys as ids)."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return value


def model_snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The named fields of ``instance`` as a JSON-friendly dict; foreign keys by id."""
    snapshot: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        if isinstance(field, models.ForeignKey):
            snapshot[name] = getattr(instance, field.attname)
        else:
            snapshot[name] = _plain(getattr(instance, name))
    return snapshot


def changed_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[dict, dict]:
    """Only the keys whose values differ, as (before, after)."""
    keys = [key for key in after if before.get(key) != after.get(key)]
    return {key: before.get(key) for key in keys}, {key: after[key] for key in keys}


def _require_transaction() -> None:
    # The audit row must commit or roll back together with the change it describes.
    if not connection.in_atomic_block:
        raise RuntimeError("audit events must be written inside the transaction of their change")


def audit_record(
    *,
    actor: Any,
    verb: str,
    target: models.Model | None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    object_repr: str | None = None,
) -> AuditEvent:
    """Record one write (SEC-3) in the caller's transaction.

    ``target`` is the changed object; None records an operation on the system as a whole
    (seeding, imports) with ``object_repr`` describing it.
    """
    _require_transaction()
    if target is None:
        object_type, object_id = "system", "-"
        label = object_repr or verb
    else:
        object_type, object_id = target._meta.label_lower, str(target.pk)
        label = object_repr if object_repr is not None else str(target)
    return AuditEvent.objects.create(
        occurred_at=now(),
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=_actor_label(actor),
        verb=verb,
        object_type=object_type,
        object_id=object_id,
        object_repr=label[:200],
        before=_plain(dict(before)) if before is not None else None,
        after=_plain(dict(after)) if after is not None else None,
        request_id=current_request_id(),
        source_ip=current_source_ip(),
    )


def access_record(
    *, actor: Any, target: models.Model, fields: Iterable[str], purpose: str = ""
) -> AccessEvent:
    """Record that ``actor`` was shown unmasked personal data of ``target`` (SEC-3)."""
    return AccessEvent.objects.create(
        occurred_at=now(),
        actor=actor,
        actor_label=_actor_label(actor),
        object_type=target._meta.label_lower,
        object_id=str(target.pk),
        object_repr=str(target)[:200],
        fields=sorted(set(fields)),
        purpose=purpose[:200],
        request_id=current_request_id(),
        source_ip=current_source_ip(),
    )


def audit_records_bulk(entries: list[dict[str, Any]]) -> list[AuditEvent]:
    """Many system writes at once (the SLA sweeper): one INSERT, same transaction rule.

    Each entry holds ``verb``, ``target`` and optionally ``actor``, ``before``, ``after``.
    """
    if not entries:
        return []
    _require_transaction()
    moment, request_id, source_ip = now(), current_request_id(), current_source_ip()
    events = []
    for entry in entries:
        target, actor = entry["target"], entry.get("actor")
        events.append(
            AuditEvent(
                occurred_at=moment,
                actor=actor if getattr(actor, "pk", None) else None,
                actor_label=_actor_label(actor),
                verb=entry["verb"],
                object_type=target._meta.label_lower,
                object_id=str(target.pk),
                object_repr=str(target)[:200],
                before=_plain(dict(entry["before"])) if entry.get("before") is not None else None,
                after=_plain(dict(entry["after"])) if entry.get("after") is not None else None,
                request_id=request_id,
                source_ip=source_ip,
            )
        )
    return AuditEvent.objects.bulk_create(events)

"""Notifying staff in-app and by e-mail through the outbox (sent after commit, retried)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction

from kefu.core.timeutils import now
from kefu.notify.models import Notification, OutboundMessage, OutboundStatus

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 8


def notify_users(
    *,
    recipients: Iterable[Any],
    kind: str,
    title: str,
    body: str = "",
    ticket: Any = None,
    dedupe_prefix: str | None = None,
) -> list[Notification]:
    """In-app notification for each recipient, plus an e-mail to those with an address.

    Must run inside the caller's transaction; the e-mails are queued and delivered after commit.
    ``dedupe_prefix`` makes the e-mail idempotent: the same prefix and recipient send once.
    """
    moment = now()
    unique = {user.pk: user for user in recipients if user is not None and user.is_active}
    created = [
        Notification.objects.create(
            recipient=user,
            kind=kind,
            title=title[:200],
            body=body,
            ticket=ticket,
            created_at=moment,
        )
        for user in unique.values()
    ]
    for user in unique.values():
        if user.email:
            outbox_enqueue(
                to_address=user.email,
                subject=title,
                body=body,
                dedupe_key=f"{dedupe_prefix}:{user.pk}" if dedupe_prefix else None,
            )
    return created


def outbox_enqueue(
    *, to_address: str, subject: str, body: str, dedupe_key: str | None = None
) -> OutboundMessage | None:
    """Queue an e-mail; delivery is triggered when the surrounding transaction commits."""
    try:
        with transaction.atomic():
            message = OutboundMessage.objects.create(
                to_address=to_address,
                subject=subject[:200],
                body=body,
                dedupe_key=dedupe_key,
                created_at=now(),
                next_attempt_at=now(),
            )
    except IntegrityError:
        return None  # already queued once under this key
    transaction.on_commit(lambda: _schedule_delivery(message.pk))
    return message


def _schedule_delivery(message_id: int) -> None:
    from kefu.notify.tasks import deliver_outbound_message

    try:
        deliver_outbound_message(message_id)
    except Exception:
        logger.exception("could not queue delivery of outbound message %s", message_id)


def outbox_deliver(message_id: int) -> str:
    """Send one pending message; on failure schedule a retry with exponential back-off."""
    with transaction.atomic():
        message = (
            OutboundMessage.objects.select_for_update()
            .filter(pk=message_id, status=OutboundStatus.PENDING)
            .first()
        )
        if message is None:
            return "skipped"
        try:
            send_mail(
                message.subject,
                message.body,
                settings.KEFU_SUPPORT_EMAIL,
                [message.to_address],
                fail_silently=False,
            )
        except Exception as exc:
            message.attempts += 1
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if message.attempts >= MAX_ATTEMPTS:
                message.status = OutboundStatus.FAILED
                message.next_attempt_at = None
            else:
                message.next_attempt_at = now() + dt.timedelta(minutes=2**message.attempts)
            message.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            return "failed"
        message.attempts += 1
        message.status = OutboundStatus.SENT
        message.sent_at = now()
        message.next_attempt_at = None
        message.save(update_fields=["attempts", "status", "sent_at", "next_attempt_at"])
        return "sent"


def outbox_retry_due(*, limit: int = 200) -> dict[str, int]:
    """Deliver every pending message whose next attempt is due (the periodic safety net)."""
    ids = list(
        OutboundMessage.objects.filter(status=OutboundStatus.PENDING, next_attempt_at__lte=now())
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    counts = {"sent": 0, "failed": 0, "skipped": 0}
    for message_id in ids:
        counts[outbox_deliver(message_id)] += 1
    return counts


def notification_mark_read(*, user: Any, notification_ids: Iterable[int]) -> int:
    return Notification.objects.filter(
        recipient=user, pk__in=list(notification_ids), read_at__isnull=True
    ).update(read_at=now())

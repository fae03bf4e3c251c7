"""Notifying staff in-app, and the outbox: e-mail and SMS sent after commit, at most once."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from kefu.audit.services import audit_record
from kefu.core.errors import Conflict, PermissionDenied
from kefu.core.timeutils import now
from kefu.notify.channels import channel_send
from kefu.notify.models import Notification, OutboundChannel, OutboundMessage, OutboundStatus

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
    *,
    to_address: str,
    subject: str,
    body: str,
    dedupe_key: str | None = None,
    channel: str = OutboundChannel.EMAIL,
    headers: dict[str, str] | None = None,
) -> OutboundMessage | None:
    """Queue a message; delivery is triggered when the surrounding transaction commits.

    ``headers`` are extra e-mail headers (Message-ID, In-Reply-To, References) or channel
    options. Returns None when a message with the same ``dedupe_key`` was queued before.
    """
    moment = now()
    try:
        with transaction.atomic():
            message = OutboundMessage.objects.create(
                channel=channel,
                to_address=to_address,
                subject=subject[:200],
                body=body,
                headers=dict(headers or {}),
                dedupe_key=dedupe_key,
                created_at=moment,
                next_attempt_at=moment,
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


def _claim(message_id: int) -> bool:
    """Take a pending, due message for this worker; only one worker ever wins it."""
    moment = now()
    with transaction.atomic():
        return bool(
            OutboundMessage.objects.filter(
                pk=message_id, status=OutboundStatus.PENDING, next_attempt_at__lte=moment
            ).update(status=OutboundStatus.SENDING, claimed_at=moment, attempts=F("attempts") + 1)
        )


def _record_sent(message: OutboundMessage, moment: dt.datetime) -> bool:
    with transaction.atomic():
        done = OutboundMessage.objects.filter(
            pk=message.pk, status__in=(OutboundStatus.SENDING, OutboundStatus.UNCONFIRMED)
        ).update(status=OutboundStatus.SENT, sent_at=moment, next_attempt_at=None, last_error="")
        if done:
            _after_sent(message, moment)
        return bool(done)


def _after_sent(message: OutboundMessage, moment: dt.datetime) -> None:
    from kefu.channels.delivery import contact_messages_sent
    from kefu.notify.notices import notice_delivered

    notice_delivered(message_id=message.pk, moment=moment)
    contact_messages_sent(message_id=message.pk)


def _record_failure(message: OutboundMessage, error: str) -> None:
    with transaction.atomic():
        current = (
            OutboundMessage.objects.select_for_update()
            .filter(pk=message.pk, status=OutboundStatus.SENDING)
            .first()
        )
        if current is None:
            return
        current.last_error = error[:2000]
        if current.attempts >= MAX_ATTEMPTS:
            from kefu.channels.delivery import contact_messages_failed

            current.status = OutboundStatus.FAILED
            current.next_attempt_at = None
            contact_messages_failed(message_id=current.pk)
        else:
            current.status = OutboundStatus.PENDING
            current.next_attempt_at = now() + dt.timedelta(minutes=2**current.attempts)
        current.save(update_fields=["last_error", "status", "next_attempt_at"])


def outbox_deliver(message_id: int) -> str:
    """Send one pending message at most once; on failure schedule a retry with back-off.

    The claim is committed before the channel is called and the outcome after it, so no
    database lock is held during the network call, and a worker that dies in between leaves
    the message ``sending`` — never sent again by itself (see :func:`outbox_expire_claims`).
    """
    if not _claim(message_id):
        return "skipped"
    message = OutboundMessage.objects.get(pk=message_id)
    try:
        channel_send(message)
    except Exception as exc:
        _record_failure(message, f"{type(exc).__name__}: {exc}")
        return "failed"
    _record_sent(message, now())
    return "sent"


def outbox_expire_claims() -> int:
    """Claims older than the lease got no outcome: the worker died mid-send. Mark them
    unconfirmed for a person to check, instead of risking a second delivery."""
    lease = dt.timedelta(seconds=settings.KEFU_OUTBOX_CLAIM_LEASE_SECONDS)
    with transaction.atomic():
        return OutboundMessage.objects.filter(
            status=OutboundStatus.SENDING, claimed_at__lt=now() - lease
        ).update(
            status=OutboundStatus.UNCONFIRMED,
            last_error="the worker stopped before it recorded whether the message left",
        )


def outbox_retry_due(*, limit: int = 200) -> dict[str, int]:
    """Deliver every pending message whose next attempt is due (the periodic safety net)."""
    counts = {"sent": 0, "failed": 0, "skipped": 0, "unconfirmed": outbox_expire_claims()}
    ids = list(
        OutboundMessage.objects.filter(status=OutboundStatus.PENDING, next_attempt_at__lte=now())
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    for message_id in ids:
        counts[outbox_deliver(message_id)] += 1
    return counts


def _require_outbox_admin(actor: Any) -> None:
    if not actor.has_perm("notify.change_outboundmessage"):
        raise PermissionDenied("only administrators decide about messages in the outbox")


@transaction.atomic
def outbox_resend(*, actor: Any, message: OutboundMessage) -> OutboundMessage:
    """A person decided a failed or unconfirmed message should go (again)."""
    _require_outbox_admin(actor)
    current = OutboundMessage.objects.select_for_update().get(pk=message.pk)
    if current.status not in (OutboundStatus.FAILED, OutboundStatus.UNCONFIRMED):
        raise Conflict(
            f"message {current.pk} is {current.get_status_display()}; only failed or "
            "unconfirmed messages are sent again by hand",
            field="status",
        )
    before = current.status
    current.status = OutboundStatus.PENDING
    current.next_attempt_at = now()
    current.attempts = 0  # a fresh series of tries with back-off
    current.save(update_fields=["status", "next_attempt_at", "attempts"])
    audit_record(
        actor=actor,
        verb="outbox.resend",
        target=current,
        before={"status": before},
        after={"status": current.status},
    )
    transaction.on_commit(lambda: _schedule_delivery(current.pk))
    return current


def outbox_confirm_sent(*, actor: Any, message: OutboundMessage) -> OutboundMessage:
    """A person checked that an unconfirmed message did reach the customer."""
    _require_outbox_admin(actor)
    with transaction.atomic():
        current = OutboundMessage.objects.select_for_update().get(pk=message.pk)
        if current.status != OutboundStatus.UNCONFIRMED:
            raise Conflict(
                f"message {current.pk} is {current.get_status_display()}; only an unconfirmed "
                "message can be confirmed as sent",
                field="status",
            )
        moment = current.claimed_at or now()
        _record_sent(current, moment)
        audit_record(
            actor=actor,
            verb="outbox.confirm_sent",
            target=current,
            before={"status": OutboundStatus.UNCONFIRMED},
            after={"status": OutboundStatus.SENT},
        )
    current.refresh_from_db()
    return current


def notification_mark_read(*, user: Any, notification_ids: Iterable[int]) -> int:
    return Notification.objects.filter(
        recipient=user, pk__in=list(notification_ids), read_at__isnull=True
    ).update(read_at=now())

"""What the outbox tells the channels: a message written to a customer has left, or failed.

Called by :mod:`kefu.notify.services` inside the transaction that records the outbox outcome,
so a contact message's status (queued → sent, or failed) never disagrees with its outbox row.
"""

from __future__ import annotations

from kefu.channels.models import ContactMessage, MessageStatus


def contact_messages_sent(*, message_id: int) -> int:
    """The contact messages carried by outbox message ``message_id`` were handed over."""
    return ContactMessage.objects.filter(
        outbound_id=message_id, status__in=(MessageStatus.QUEUED, MessageStatus.FAILED)
    ).update(status=MessageStatus.SENT)


def contact_messages_failed(*, message_id: int) -> int:
    """The outbox gave up on ``message_id``: its contact messages did not leave."""
    return ContactMessage.objects.filter(
        outbound_id=message_id, status=MessageStatus.QUEUED
    ).update(status=MessageStatus.FAILED)

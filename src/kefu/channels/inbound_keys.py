"""The database's guarantee that an inbound message is stored once (TEC-7).

Reading first ("was this id stored before?") is what makes a repeated delivery cheap, but two
deliveries of the same message at the same moment both read "no". So the transaction that
stores an inbound SMS, WeChat message or e-mail first claims the message's id as an
:class:`~kefu.channels.models.InboundMessageKey`, whose ``(kind, external_id)`` is unique: the
second claim fails (on PostgreSQL after waiting for the first transaction), and that delivery
answers with what the first stored.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from kefu.channels.models import InboundMessageKey
from kefu.core.timeutils import now


def inbound_message_claim(*, kind: str, external_id: str) -> bool:
    """Claim the message ``external_id`` of channel ``kind`` for the current transaction.

    True: this transaction is the first to store it (the claim commits or rolls back with it).
    False: another delivery claimed it and committed; store nothing. Call inside the
    transaction that stores the message, before anything else is written.
    """
    try:
        with transaction.atomic():
            InboundMessageKey.objects.create(kind=kind, external_id=external_id, created_at=now())
    except IntegrityError:
        return False
    return True

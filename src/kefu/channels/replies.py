"""A public reply on a ticket reaches the customer on the channel the ticket came from (TEC-7).

Each channel module that can answer names its sender here: a function
``sender(*, ticket, event)`` called inside the reply's transaction, which queues the message
through the outbox (so a rolled-back reply never leaves). Channels without a sender (phone,
walk-in, portal — the portal shows the reply itself) send nothing.
"""

from __future__ import annotations

from typing import Any

from django.utils.module_loading import import_string

REPLY_SENDERS: dict[str, str] = {
    "email": "kefu.channels.email.outbound.email_reply_send",
    "sms": "kefu.channels.messaging.messaging_reply_send",
    "wechat": "kefu.channels.messaging.messaging_reply_send",
}


def ticket_reply_deliver(*, ticket: Any, event: Any) -> None:
    """Queue ``event`` (a public reply) to the customer on ``ticket``'s channel, if it has one."""
    path = REPLY_SENDERS.get(ticket.channel)
    if path:
        import_string(path)(ticket=ticket, event=event)

"""A public reply on a ticket reaches the customer on the channel the ticket came from (TEC-7).

Each channel module that can answer names its sender here: a function
``sender(*, ticket, event)`` called inside the reply's transaction, which queues the message
through the outbox (so a rolled-back reply never leaves). Channels without a sender (phone,
walk-in, video) send nothing.
"""

from __future__ import annotations

from typing import Any

from django.utils.module_loading import import_string

REPLY_SENDERS: dict[str, str] = {
    "email": "kefu.channels.email.outbound.email_reply_send",
    "sms": "kefu.channels.messaging.messaging_reply_send",
    "wechat": "kefu.channels.messaging.messaging_reply_send",
    # The portal shows the reply; the customer is told by SMS or e-mail with a one-time link.
    # A message left in the chat widget is answered the same way.
    "portal": "kefu.channels.portal.services.portal_reply_notify",
    "chat": "kefu.channels.portal.services.portal_reply_notify",
}


def ticket_reply_deliver(*, ticket: Any, event: Any) -> None:
    """Queue ``event`` (a public reply) to the customer on ``ticket``'s channel, if it has one."""
    path = REPLY_SENDERS.get(ticket.channel)
    if path:
        import_string(path)(ticket=ticket, event=event)

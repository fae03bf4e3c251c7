"""A public reply on a ticket reaches the customer on the channel the ticket came from (TEC-7).

Each channel module that can answer names its sender here: a function
``sender(*, ticket, event)`` called inside the reply's transaction, which queues the message
through the outbox (so a rolled-back reply never leaves). It returns something truthy when it
queued the reply, something falsy when it could not (no address), or a :class:`ReplyDelivery`
saying why not. Channels without a sender (phone, walk-in, video) send nothing.

What happened is kept on the reply event (:func:`reply_delivery_of`), so the screen or the API
that posted the reply can tell the agent: "sent" only when something was queued.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.module_loading import import_string
from django.utils.translation import gettext

REPLY_SENDERS: dict[str, str] = {
    "email": "kefu.channels.email.outbound.email_reply_send",
    "sms": "kefu.channels.messaging.messaging_reply_send",
    "wechat": "kefu.channels.messaging.messaging_reply_send",
    # The portal shows the reply; the customer is told by SMS or e-mail with a one-time link.
    # A message left in the chat widget is answered the same way.
    "portal": "kefu.channels.portal.services.portal_reply_notify",
    "chat": "kefu.channels.portal.services.portal_reply_notify",
}
_EVENT_ATTRIBUTE = "reply_delivery"


@dataclass(frozen=True)
class ReplyDelivery:
    """What became of one public reply: queued to the customer on ``channel``, or not and why.

    Truthy exactly when queued, so a sender may return one in place of its usual result.
    """

    channel: str
    queued: bool
    reason: str = ""  # why it was not sent, for the agent; "" when queued

    def __bool__(self) -> bool:
        return self.queued

    def as_dict(self) -> dict[str, Any]:
        return {"channel": self.channel, "queued": self.queued, "reason": self.reason}


def ticket_reply_deliver(*, ticket: Any, event: Any) -> ReplyDelivery:
    """Queue ``event`` (a public reply) to the customer on ``ticket``'s channel, if it has one.

    Returns what happened and keeps it on ``event`` (see :func:`reply_delivery_of`).
    """
    channel = ticket.channel
    path = REPLY_SENDERS.get(channel)
    if not path:
        delivery = ReplyDelivery(
            channel, False, gettext("replies on this ticket's channel are not sent to the customer")
        )
    else:
        outcome = import_string(path)(ticket=ticket, event=event)
        if isinstance(outcome, ReplyDelivery):
            delivery = outcome
        elif outcome:
            delivery = ReplyDelivery(channel, True)
        else:
            delivery = ReplyDelivery(
                channel, False, gettext("kefu has no address of the customer for this channel")
            )
    setattr(event, _EVENT_ATTRIBUTE, delivery)
    return delivery


def reply_delivery_of(event: Any) -> ReplyDelivery | None:
    """What :func:`ticket_reply_deliver` did with ``event`` in this process (None: not a public
    reply, or not posted here)."""
    delivery = getattr(event, _EVENT_ATTRIBUTE, None)
    return delivery if isinstance(delivery, ReplyDelivery) else None

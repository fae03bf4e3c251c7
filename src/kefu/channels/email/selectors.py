"""Reads on customer e-mail."""

from __future__ import annotations

from kefu.channels.email.outbound import reply_dedupe_key
from kefu.channels.models import ContactMessage


def email_reply_of_event(*, event_id: int) -> ContactMessage | None:
    """The outbound e-mail that carries ticket reply event ``event_id``, if one was queued."""
    return (
        ContactMessage.objects.filter(outbound__dedupe_key=reply_dedupe_key(event_id))
        .select_related("outbound")
        .first()
    )

"""Contacts of every channel for the screen tests, written the way the channels write them.

Calls come through the real CTI service; the written channels' rows are created directly with
the shared model's fields (the e-mail, chat, SMS and WeChat services fill the same fields).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from kefu.channels.models import Contact, ContactMessage, Direction, Speaker
from kefu.core.timeutils import now

_counter = iter(range(1, 1_000_000))


def make_contact(
    *,
    kind: str = "email",
    state: str = "queued",
    at: dt.datetime | None = None,
    **fields: Any,
) -> Contact:
    moment = at or now()
    values: dict[str, Any] = {
        "kind": kind,
        "external_id": f"{kind}-{next(_counter)}",
        "state": state,
        "queued_at": moment,
        "created_at": moment,
        "updated_at": moment,
    }
    values.update(fields)
    return Contact.objects.create(**values)


def add_message(
    contact: Contact,
    body: str,
    *,
    inbound: bool = True,
    at: dt.datetime | None = None,
    author: Any = None,
    html: str = "",
) -> ContactMessage:
    moment = at or now()
    message = ContactMessage.objects.create(
        contact=contact,
        direction=Direction.INBOUND if inbound else Direction.OUTBOUND,
        speaker=Speaker.CUSTOMER if inbound else Speaker.AGENT,
        author=author,
        body=body,
        html=html,
        status="received" if inbound else "sent",
        created_at=moment,
    )
    Contact.objects.filter(pk=contact.pk).update(updated_at=moment)
    return message

"""Which conversation an e-mail belongs to (TEC-7).

1. Its In-Reply-To and References (nearest first) against the Message-IDs kefu has stored —
   the customer's earlier mails and kefu's own replies (``ContactMessage.external_id``).
2. Else a ticket number in the subject (``[20261127-000123]``, as kefu's replies carry it), but
   only a ticket of the sender's own customer: a number is easy to guess, a Message-ID is not,
   so a stranger cannot write onto someone else's ticket — nor onto a ticket without a customer
   (a phone ticket), which would reopen it.
3. Else the mail starts a new thread.

A stored Message-ID that comes again is the same mail delivered twice (see
:func:`email_duplicate`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from kefu.channels.models import Contact, ContactKind, ContactMessage
from kefu.tickets.models import Ticket

# A ticket number is the local creation date and a per-day sequence (kefu.tickets.numbering).
TICKET_NUMBER = re.compile(r"(?<![0-9])([0-9]{8}-[0-9]{6})(?![0-9])")
_REPLY_PREFIX = re.compile(
    r"^\s*((re|fw|fwd|aw|sv|答复|回复|转发)\s*(\[\d+\])?\s*[:：]\s*)+", re.IGNORECASE
)
_NUMBER_TAG = re.compile(r"\s*\[#?[0-9]{8}-[0-9]{6}\]")
EXTERNAL_ID_LIMIT = 500
CONTACT_KEY_LIMIT = 128


def stored_message_id(message_id: str) -> str:
    """The form a Message-ID is stored in: as is, or a digest when it is too long."""
    if len(message_id) <= EXTERNAL_ID_LIMIT:
        return message_id
    return "sha256:" + hashlib.sha256(message_id.encode()).hexdigest()


def thread_key(message_id: str) -> str:
    """A contact's ``external_id`` for a thread started by ``message_id``."""
    if len(message_id) <= CONTACT_KEY_LIMIT:
        return message_id
    return "sha256:" + hashlib.sha256(message_id.encode()).hexdigest()


def subject_ticket_number(subject: str) -> str | None:
    """The last ticket number in the subject (a reply's tag comes at the end)."""
    found = TICKET_NUMBER.findall(subject or "")
    return found[-1] if found else None


def subject_base(subject: str) -> str:
    """The subject without Re:/Fwd:/回复: prefixes and without kefu's ticket number tag."""
    text = _NUMBER_TAG.sub("", subject or "")
    return _REPLY_PREFIX.sub("", text).strip()


def reply_subject(subject: str, number: str) -> str:
    """``Re: <subject> [<number>]``: a clear subject (SCR-5) that threads back by its number."""
    base = subject_base(subject)
    return f"Re: {base} [{number}]" if base else f"Re: [{number}]"


def email_duplicate(message_id: str) -> ContactMessage | None:
    """The stored e-mail with this Message-ID, if it was received (or sent) before."""
    return (
        ContactMessage.objects.filter(
            contact__kind=ContactKind.EMAIL, external_id=stored_message_id(message_id)
        )
        .select_related("contact", "ticket")
        .first()
    )


@dataclass(frozen=True)
class Thread:
    """Where a mail goes: an existing contact (and its ticket), or nowhere yet (new thread)."""

    contact: Contact | None
    ticket: Ticket | None
    parent: ContactMessage | None
    how: str  # "headers", "subject" or "new"


def thread_find(*, thread_ids: list[str], subject: str, customer: Any) -> Thread:
    """The thread of a mail answering ``thread_ids`` (nearest first) with ``subject``."""
    if thread_ids:
        stored = [stored_message_id(value) for value in thread_ids]
        candidates = {
            message.external_id: message
            for message in ContactMessage.objects.filter(
                contact__kind=ContactKind.EMAIL, external_id__in=stored
            ).select_related("contact", "ticket")
        }
        for value in stored:
            parent = candidates.get(value)
            if parent is not None:
                ticket = parent.ticket or parent.contact.tickets.order_by("-created_at").first()
                return Thread(parent.contact, ticket, parent, "headers")
    number = subject_ticket_number(subject)
    if number:
        ticket = Ticket.objects.filter(number=number).first()
        customer_id = getattr(customer, "pk", None)
        if ticket is not None and customer_id is not None and ticket.customer_id == customer_id:
            contact = ticket.contacts.filter(kind=ContactKind.EMAIL).order_by("-updated_at").first()
            return Thread(contact, ticket, None, "subject")
    return Thread(None, None, None, "new")

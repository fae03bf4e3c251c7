"""A customer's e-mail comes in (TEC-7): stored on its thread, its customer found or created,
its ticket opened or continued — in one transaction, so a refused or failed mail leaves nothing.

- A new thread becomes a contact (kind e-mail), its first message and a new ticket on channel
  e-mail in the category ``KEFU_EMAIL_CATEGORY`` (default ``consult``: an e-mail is first read
  as an enquiry; agents re-file it) for the mailbox's team or ``KEFU_EMAIL_TEAM``.
- A follow-up (see :mod:`.threading`) goes on its ticket's timeline through
  ``ticket_customer_message`` (which reopens a resolved ticket); when that ticket no longer
  takes messages (cancelled, closed long ago) a new ticket is opened on the same contact.
- An auto-reply or bounce is stored with ``auto_generated`` and never opens, reopens or
  answers anything (no customer is created for it either).
- A Message-ID seen before is the same mail again: nothing changes. The transaction claims
  the Message-ID first (:mod:`kefu.channels.inbound_keys`), so two deliveries of one mail at
  the same moment (the listener and a poller, two pollers) store it once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from kefu.accounts.models import Team
from kefu.assist.classification_tasks import suggest_after_commit
from kefu.audit.services import audit_record
from kefu.channels.email.mime import MailRejected, ParsedMail, mail_parse
from kefu.channels.email.threading import (
    Thread,
    email_duplicate,
    stored_message_id,
    subject_base,
    thread_find,
    thread_key,
)
from kefu.channels.inbound_keys import inbound_message_claim
from kefu.channels.models import (
    Contact,
    ContactAttachment,
    ContactKind,
    ContactMessage,
    ContactState,
    Direction,
    Mailbox,
    MessageStatus,
    Speaker,
)
from kefu.core.errors import InvalidInput
from kefu.core.files import encrypted_file_write
from kefu.core.timeutils import now
from kefu.customers.identities import IdentityKind
from kefu.customers.models import ContactChannel, Customer
from kefu.customers.selectors import customer_find_by_identity
from kefu.customers.services import customer_find_or_create
from kefu.tickets.models import Ticket
from kefu.tickets.services import (
    ticket_accepts_customer_message,
    ticket_create,
    ticket_customer_message,
)

logger = logging.getLogger(__name__)
ATTACHMENT_FOLDER = "mail-attachments"
TICKET_SUBJECT_LIMIT = 200
TICKET_DESCRIPTION_LIMIT = 20_000
_CONTENT_TYPE = re.compile(r"^[a-z0-9][a-z0-9.+-]{0,40}/[a-z0-9][a-z0-9.+-]{0,60}$")
_UNSAFE_FILENAME = re.compile(r"[^\w.\- ()\u4e00-\u9fff]+")


class Outcome:
    NEW_TICKET = "new_ticket"
    FOLLOW_UP = "follow_up"
    AUTO_GENERATED = "auto_generated"
    DUPLICATE = "duplicate"


@dataclass(frozen=True)
class InboundResult:
    message: ContactMessage
    ticket: Ticket | None
    outcome: str
    threaded_by: str = ""  # headers, subject or new


def email_receive(
    raw: bytes, *, mailbox: Mailbox | None = None, envelope_from: str | None = None
) -> InboundResult:
    """Parse and store one raw e-mail; raises :class:`MailRejected` for a mail kefu refuses."""
    parsed = mail_parse(raw, envelope_from=envelope_from)
    return email_store(parsed, mailbox=mailbox)


def email_store(parsed: ParsedMail, *, mailbox: Mailbox | None = None) -> InboundResult:
    """Store a parsed mail; a concurrent delivery of the same mail ends as a duplicate."""
    for attempt in (1, 2):
        written: list[Path] = []
        try:
            with transaction.atomic():
                return _store(parsed, mailbox, written)
        except IntegrityError:
            _remove(written)
            if attempt == 2:
                raise
            # Another worker stored the same mail (or started the same thread) meanwhile; the
            # second pass finds it.
        except BaseException:
            _remove(written)
            raise
    raise AssertionError("unreachable")


def _remove(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _email_team(mailbox: Mailbox | None) -> Team | None:
    if mailbox is not None and mailbox.team_id:
        return mailbox.team
    name = getattr(settings, "KEFU_EMAIL_TEAM", "")
    return Team.objects.filter(name=name, is_active=True).first() if name else None


def _customer(parsed: ParsedMail) -> Customer | None:
    if parsed.auto_generated:  # a mailer daemon is nobody's customer
        return customer_find_by_identity(kind=IdentityKind.EMAIL, value=parsed.from_address)
    try:
        return customer_find_or_create(actor=None, email=parsed.from_address, name=parsed.from_name)
    except InvalidInput as exc:
        raise MailRejected(f"sender: {exc.message}", field="from") from None


def _new_contact(
    parsed: ParsedMail, customer: Customer | None, team: Team | None, moment: dt.datetime
) -> Contact:
    contact = Contact.objects.create(
        kind=ContactKind.EMAIL,
        direction=Direction.INBOUND,
        external_id=thread_key(parsed.message_id),
        customer=customer,
        address=parsed.from_address,
        state=ContactState.QUEUED,  # waiting for an agent's first answer
        queued_at=moment,
        team=team,
        subject=parsed.subject[:500],
        created_at=moment,
        updated_at=moment,
    )
    suggest_after_commit(contact_id=contact.pk)  # TEC-4: category and urgency suggested
    return contact


def _new_ticket(parsed: ParsedMail, customer: Customer | None, team: Team | None) -> Ticket:
    subject = subject_base(parsed.subject) or gettext("(no subject)")
    description = parsed.text or gettext("(no text)")
    if len(description) > TICKET_DESCRIPTION_LIMIT:
        description = description[: TICKET_DESCRIPTION_LIMIT - 1] + "…"
    return ticket_create(
        actor=None,
        subject=subject[:TICKET_SUBJECT_LIMIT],
        category=settings.KEFU_EMAIL_CATEGORY,
        channel=ContactChannel.EMAIL,
        customer=customer,
        description=description,
        team=team,
    )


def _safe_filename(name: str) -> str:
    base = Path(name.replace("\\", "/")).name.strip()
    cleaned = _UNSAFE_FILENAME.sub("_", base).strip(" .")
    return cleaned[:200] or "attachment"


def _store_attachments(
    message: ContactMessage, parsed: ParsedMail, moment: dt.datetime, written: list[Path]
) -> list[str]:
    limit = settings.KEFU_ATTACHMENT_MAX_BYTES
    rows, names = [], []
    for item in parsed.attachments:
        if not item.content or len(item.content) > limit:
            continue  # empty parts say nothing; the mail as a whole is within its size limit
        filename = _safe_filename(item.filename)
        declared = item.content_type.lower()
        kind = (
            declared
            if _CONTENT_TYPE.fullmatch(declared)
            else mimetypes.guess_type(filename)[0] or "application/octet-stream"
        )
        name, path = encrypted_file_write(ATTACHMENT_FOLDER, item.content, moment)
        written.append(path)
        rows.append(
            ContactAttachment(
                message=message,
                filename=filename,
                content_type=kind,
                size=len(item.content),
                sha256=hashlib.sha256(item.content).hexdigest(),
                storage_name=f"{ATTACHMENT_FOLDER}/{name}",
                created_at=moment,
            )
        )
        names.append(filename)
    if rows:
        ContactAttachment.objects.bulk_create(rows)
    return names


def _store(parsed: ParsedMail, mailbox: Mailbox | None, written: list[Path]) -> InboundResult:
    duplicate = email_duplicate(parsed.message_id)
    if duplicate is not None:
        return InboundResult(duplicate, duplicate.ticket, Outcome.DUPLICATE)
    key = stored_message_id(parsed.message_id)
    if not inbound_message_claim(kind=ContactKind.EMAIL, external_id=key):
        duplicate = email_duplicate(parsed.message_id)
        if duplicate is None:  # claimed by a delivery this transaction cannot see yet
            raise IntegrityError(f"Message-ID {key[:100]!r} is being stored by another delivery")
        return InboundResult(duplicate, duplicate.ticket, Outcome.DUPLICATE)
    moment = now()
    customer = _customer(parsed)
    thread: Thread = thread_find(
        thread_ids=parsed.thread_ids, subject=parsed.subject, customer=customer
    )
    team = _email_team(mailbox)
    contact = thread.contact
    if contact is None:
        contact = _new_contact(parsed, customer, team, moment)
    else:
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
        if contact.customer_id is None and customer is not None:
            contact.customer = customer
        if not contact.address and not parsed.auto_generated:
            contact.address = parsed.from_address
        contact.updated_at = moment
        contact.save(update_fields=["customer", "address", "updated_at"])

    ticket = thread.ticket
    if parsed.auto_generated:
        outcome = Outcome.AUTO_GENERATED
    elif ticket is not None and ticket_accepts_customer_message(ticket):
        outcome = Outcome.FOLLOW_UP
    else:
        ticket = _new_ticket(parsed, customer, team)
        outcome = Outcome.NEW_TICKET
    if ticket is not None:
        contact.tickets.add(ticket)

    message = ContactMessage.objects.create(
        contact=contact,
        direction=Direction.INBOUND,
        speaker=Speaker.SYSTEM if parsed.auto_generated else Speaker.CUSTOMER,
        ticket=ticket,
        subject=parsed.subject[:500],
        body=parsed.text,
        html=parsed.html,
        external_id=stored_message_id(parsed.message_id),
        in_reply_to=" ".join(f"<{value}>" for value in parsed.in_reply_to)[:500],
        references=" ".join(f"<{value}>" for value in parsed.references),
        auto_generated=parsed.auto_generated,
        status=MessageStatus.RECEIVED,
        created_at=moment,
    )
    attachment_names = _store_attachments(message, parsed, moment, written)
    if outcome == Outcome.FOLLOW_UP:
        assert ticket is not None
        data: dict[str, Any] = {"contact_message": message.pk, "subject": parsed.subject[:200]}
        if attachment_names:
            data["attachments"] = attachment_names
        ticket_customer_message(ticket=ticket, body=parsed.text, channel="email", data=data)
    audit_record(
        actor=None,
        verb="contact.email_received",
        target=contact,
        after={
            "message": message.pk,
            "outcome": outcome,
            "threaded_by": thread.how,
            "ticket": ticket.number if ticket is not None else None,
            "auto_generated": parsed.auto_reason or None,
            "attachments": len(attachment_names),
            "size": parsed.size,
            "mailbox": mailbox.name if mailbox is not None else None,
        },
    )
    return InboundResult(message, ticket, outcome, thread.how)

"""Writes of the customer self-service portal (TEC-6): a ticket submitted by the customer, the
one-time codes that let the customer follow it, and the customer's replies.

The customer is no user: every write here has ``actor=None`` and is audited as the system.
A code is delivered by SMS or e-mail through the outbox, in the transaction that issued it, so
a rolled-back submission sends nothing. Only hashes of the link token (sha256) and of the code
(the password hasher, salted) are stored; the clear values exist only in the message.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext

from kefu.accounts.models import Team
from kefu.audit.services import audit_record
from kefu.channels.models import PortalAccess
from kefu.channels.portal import throttle
from kefu.channels.replies import ReplyDelivery
from kefu.core.errors import InvalidInput, KefuError
from kefu.core.masking import mask_email, mask_phone
from kefu.core.timeutils import now
from kefu.customers.identities import IdentityKind, normalize_identity
from kefu.customers.models import ContactChannel
from kefu.customers.selectors import customer_find_by_identity
from kefu.customers.services import customer_find_or_create
from kefu.notify.models import OutboundChannel
from kefu.notify.services import outbox_enqueue
from kefu.tickets.models import HandlingClass, Ticket, TicketEvent, Urgency
from kefu.tickets.selectors import TICKET_NUMBER
from kefu.tickets.services import ticket_create, ticket_customer_message

TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,100}$")
CODE = re.compile(r"^[0-9]{6}$")
REPLY_LIMIT = 5_000
# A code hashed for nobody: a track request that matches no ticket costs the same time as one
# that does, so the answer's timing does not tell whether the ticket and contact belong together.
_DUMMY_CODE = "000000"


class TooManyRequests(KefuError):
    """A portal rate limit is reached; try again after the hour's window."""

    status_code = 429
    code = "rate_limited"


@dataclass(frozen=True)
class PortalType:
    """What a customer's choice of request type becomes on the ticket (HND-2, HND-3)."""

    category: str
    urgency: str
    handling_class: str


# The customer picks one of three kinds; the ticket starts in that root of the category tree
# and an agent files it under the precise child category while handling it.
PORTAL_TYPES: dict[str, PortalType] = {
    "consult": PortalType("consult", Urgency.CONSULT, HandlingClass.INSTANT),
    "after_sales": PortalType("after_sales", Urgency.NORMAL, HandlingClass.TRANSFER),
    "complaint": PortalType("complaint", Urgency.NORMAL, HandlingClass.TRANSFER),
}


class Delivery(enum.StrEnum):
    """Why a code is sent: a new ticket, a returning customer asked for a new link, or staff
    answered the ticket."""

    SUBMITTED = "submitted"
    REQUESTED = "requested"
    REPLIED = "replied"


@dataclass(frozen=True)
class Submitted:
    ticket: Ticket
    sent_via: str
    sent_to: str  # masked


def _portal_team() -> Team | None:
    name = settings.KEFU_PORTAL_TEAM
    if not name:
        return None
    return Team.objects.filter(name=name, is_active=True).first()


def _masked(kind: str, value: str) -> str:
    return mask_phone(value) if kind == IdentityKind.PHONE else mask_email(value)


def _message(
    *, ticket: Ticket, link: str, code: str, delivery: Delivery, channel: str
) -> tuple[str, str]:
    """Subject and body of the code message; the e-mail follows SCR-5 (salutation, polite
    ending with contact details), the SMS stays short."""
    values = {
        "center": settings.KEFU_CENTER_NAME,
        "number": ticket.number,
        "link": link,
        "code": code,
        "hours": settings.KEFU_PORTAL_CODE_HOURS,
        "support": settings.KEFU_SUPPORT_EMAIL,
    }
    subject = gettext("[%(center)s] Follow your ticket %(number)s") % values
    if channel == OutboundChannel.SMS:
        if delivery == Delivery.SUBMITTED:
            text = gettext(
                "[%(center)s] Your ticket %(number)s has been received. Follow it at %(link)s "
                "with the code %(code)s (valid %(hours)s h). Never share the code."
            )
        elif delivery == Delivery.REPLIED:
            text = gettext(
                "[%(center)s] There is a new reply on your ticket %(number)s. Read and answer "
                "it at %(link)s with the code %(code)s (valid %(hours)s h). Never share the code."
            )
        else:
            text = gettext(
                "[%(center)s] New link for ticket %(number)s: %(link)s code %(code)s "
                "(valid %(hours)s h). Never share the code."
            )
        return subject, text % values
    openings = {
        Delivery.SUBMITTED: gettext(
            "Thank you for contacting us. Your ticket %(number)s has been received."
        ),
        Delivery.REPLIED: gettext("There is a new reply from us on your ticket %(number)s."),
        Delivery.REQUESTED: gettext(
            "As you asked, here is a new link to follow your ticket %(number)s."
        ),
    }
    opening = openings[delivery]
    body = "\n\n".join(
        [
            gettext("Dear customer,"),
            opening % values,
            gettext("To see its progress and to reply, open the link below and enter the code."),
            gettext("Link: %(link)s\nCode: %(code)s") % values,
            gettext(
                "The link is valid for %(hours)s hours and works once. Never share the code: "
                "our staff will never ask you for it. If you did not ask for this message, "
                "you can ignore it."
            )
            % values,
            gettext("Kind regards,\n%(center)s\n%(support)s") % values,
        ]
    )
    return subject, body


def _access_issue(
    *, ticket: Ticket, kind: str, address: str, link_base: str, delivery: Delivery
) -> PortalAccess:
    """A new one-time access to ``ticket``, sent to ``address`` through the outbox."""
    token = secrets.token_urlsafe(32)
    code = f"{secrets.randbelow(1_000_000):06d}"
    moment = now()
    channel = OutboundChannel.SMS if kind == IdentityKind.PHONE else OutboundChannel.EMAIL
    access = PortalAccess.objects.create(
        ticket=ticket,
        token_hash=hashlib.sha256(token.encode("ascii")).hexdigest(),
        code_hash=make_password(code),
        sent_via=str(channel),
        created_at=moment,
        expires_at=moment + dt.timedelta(hours=settings.KEFU_PORTAL_CODE_HOURS),
    )
    base = settings.KEFU_PORTAL_BASE_URL or link_base.rstrip("/")
    link = base + reverse("portal-access", kwargs={"token": token})
    subject, body = _message(
        ticket=ticket, link=link, code=code, delivery=delivery, channel=channel
    )
    outbox_enqueue(to_address=address, subject=subject, body=body, channel=channel)
    audit_record(
        actor=None,
        verb="portal.access_issue",
        target=access,
        after={
            "ticket": ticket.number,
            "sent_via": str(channel),
            "to": _masked(kind, address),
            "reason": str(delivery),
            "expires_at": access.expires_at,
        },
    )
    return access


def _contact(phone: str, email: str) -> tuple[str, str]:
    """Where the code goes: the phone when there is one (SMS), else the e-mail."""
    if phone:
        return IdentityKind.PHONE, normalize_identity(IdentityKind.PHONE, phone)
    if email:
        return IdentityKind.EMAIL, normalize_identity(IdentityKind.EMAIL, email)
    raise InvalidInput("give a phone number or an e-mail address", field="phone")


def portal_ticket_submit(
    *,
    name: str,
    phone: str,
    email: str,
    kind: str,
    subject: str,
    description: str,
    link_base: str,
) -> Submitted:
    """A customer submits a ticket on the portal (TEC-6).

    The customer is found by phone or e-mail, or created; the ticket is created on the portal
    channel; a link with a one-time code goes to the phone by SMS (else to the e-mail). All in
    one transaction: a refusal leaves no customer, ticket or message behind. Raises
    TooManyRequests when the contact already received the hour's number of codes.
    """
    portal_type = PORTAL_TYPES.get(kind)
    if portal_type is None:
        raise InvalidInput(f"type must be one of {', '.join(PORTAL_TYPES)}", field="kind")
    phone, email = (phone or "").strip(), (email or "").strip()
    contact_kind, address = _contact(phone, email)
    if not (description or "").strip():
        raise InvalidInput("describe the request", field="description")
    if not throttle.throttle_hit(throttle.codes_per_contact(), f"{contact_kind}:{address}"):
        raise TooManyRequests("this phone or e-mail received too many codes in the last hour")
    with transaction.atomic():
        customer = customer_find_or_create(actor=None, phone=phone, email=email, name=name)
        ticket = ticket_create(
            actor=None,
            subject=subject,
            category=portal_type.category,
            channel=ContactChannel.PORTAL,
            customer=customer,
            description=description,
            urgency=portal_type.urgency,
            handling_class=portal_type.handling_class,
            team=_portal_team(),
        )
        access = _access_issue(
            ticket=ticket,
            kind=contact_kind,
            address=address,
            link_base=link_base,
            delivery=Delivery.SUBMITTED,
        )
    return Submitted(
        ticket=ticket, sent_via=access.sent_via, sent_to=_masked(contact_kind, address)
    )


def portal_access_request(*, number: str, contact: str, link_base: str) -> None:
    """A returning customer asks for a new link to ``number`` by the phone or e-mail on it.

    Sends the link only when the ticket's customer has that phone or e-mail (and the contact
    has codes left this hour); says nothing either way, so the answer does not tell whether a
    ticket exists or whose it is. Raises InvalidInput only for a malformed number or contact.
    """
    number = (number or "").strip()
    if not TICKET_NUMBER.fullmatch(number):
        raise InvalidInput("a ticket number looks like 20260101-000123", field="number")
    text = (contact or "").strip()
    kind = IdentityKind.EMAIL if "@" in text else IdentityKind.PHONE
    address = normalize_identity(kind, text)
    ticket = Ticket.objects.filter(number=number).select_related("customer").first()
    customer = customer_find_by_identity(kind=kind, value=address)
    matches = (
        ticket is not None
        and customer is not None
        and ticket.customer_id == customer.pk
        and throttle.throttle_hit(throttle.codes_per_contact(), f"{kind}:{address}")
    )
    if not matches or ticket is None:
        make_password(_DUMMY_CODE)  # the same work as a real code, see _DUMMY_CODE
        return
    with transaction.atomic():
        _access_issue(
            ticket=ticket,
            kind=kind,
            address=address,
            link_base=link_base,
            delivery=Delivery.REQUESTED,
        )


class Redemption(enum.StrEnum):
    GRANTED = "granted"
    WRONG_CODE = "wrong_code"
    LOCKED = "locked"
    EXPIRED = "expired"
    USED = "used"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Redeemed:
    outcome: Redemption
    ticket: Ticket | None = None
    attempts_left: int = 0


def portal_access_state(access: PortalAccess, moment: dt.datetime) -> Redemption | None:
    """Why ``access`` can no longer be used, or None while it can."""
    if access.used_at is not None:
        return Redemption.USED
    if access.attempts >= settings.KEFU_PORTAL_CODE_ATTEMPTS:
        return Redemption.LOCKED
    if moment >= access.expires_at:
        return Redemption.EXPIRED
    return None


def portal_access_find(token: str) -> PortalAccess | None:
    """The access a link's token opens, or None (only its sha256 is stored)."""
    if not TOKEN.fullmatch(token or ""):
        return None
    digest = hashlib.sha256(token.encode("ascii")).hexdigest()
    return PortalAccess.objects.select_related("ticket").filter(token_hash=digest).first()


def portal_access_redeem(*, token: str, code: str) -> Redeemed:
    """Check the code typed for a link (TEC-6).

    The right code, in time, within the attempts, marks the access used (it works once) and
    returns its ticket for the caller to grant to the browser's session. A wrong code counts an
    attempt — committed, not rolled back — and the last allowed attempt locks the access.
    """
    access = portal_access_find(token)
    if access is None:
        return Redeemed(Redemption.UNKNOWN)
    with transaction.atomic():
        current = (
            PortalAccess.objects.select_for_update().select_related("ticket").get(pk=access.pk)
        )
        moment = now()
        refused = portal_access_state(current, moment)
        if refused is not None:
            return Redeemed(refused, ticket=current.ticket)
        if not (CODE.fullmatch(code or "") and check_password(code, current.code_hash)):
            current.attempts += 1
            current.save(update_fields=["attempts"])
            left = max(settings.KEFU_PORTAL_CODE_ATTEMPTS - current.attempts, 0)
            audit_record(
                actor=None,
                verb="portal.access_wrong_code" if left else "portal.access_lock",
                target=current,
                after={"ticket": current.ticket.number, "attempts": current.attempts},
            )
            if not left:
                return Redeemed(Redemption.LOCKED, ticket=current.ticket)
            return Redeemed(Redemption.WRONG_CODE, ticket=current.ticket, attempts_left=left)
        current.used_at = moment
        current.save(update_fields=["used_at"])
        audit_record(
            actor=None,
            verb="portal.access_grant",
            target=current,
            after={"ticket": current.ticket.number, "used_at": moment},
        )
        return Redeemed(Redemption.GRANTED, ticket=current.ticket)


def portal_ticket_reply(*, ticket: Ticket, body: str) -> TicketEvent:
    """The customer writes on a ticket from the portal; ``ticket_customer_message`` decides
    whether the ticket goes back to work (and refuses a cancelled or long-closed ticket)."""
    text = (body or "").strip()
    if not text:
        raise InvalidInput("the message is empty", field="body")
    if len(text) > REPLY_LIMIT:
        raise InvalidInput(f"the message is longer than {REPLY_LIMIT} characters", field="body")
    return ticket_customer_message(ticket=ticket, body=text, channel=ContactChannel.PORTAL)


def portal_reply_notify(*, ticket: Ticket, event: TicketEvent) -> PortalAccess | ReplyDelivery:
    """Staff answered a portal ticket (or a message left in the chat widget): the customer gets
    an SMS or e-mail with a new one-time link to read the answer and reply (TEC-6).

    Runs inside the reply's transaction, so a rolled-back reply sends nothing. Needs
    ``KEFU_PORTAL_BASE_URL`` (a message needs a full link); without it, or without a phone or
    e-mail of the customer, nothing is sent and the audit trail says why. Returns the access
    sent, or a :class:`ReplyDelivery` saying why nothing was sent.
    """
    reason = shown = ""  # for the audit trail; for the agent, translated
    identity = None
    if not settings.KEFU_PORTAL_BASE_URL:
        reason = "KEFU_PORTAL_BASE_URL is not set"
        shown = gettext("the portal address (KEFU_PORTAL_BASE_URL) is not set")
    elif ticket.customer is None:
        reason = "the ticket has no customer"
        shown = gettext("the ticket has no customer")
    else:
        for kind in (IdentityKind.PHONE, IdentityKind.EMAIL):
            identity = (
                ticket.customer.identities.filter(kind=kind).order_by("-is_primary", "id").first()
            )
            if identity is not None:
                break
        if identity is None:
            reason = "the customer has no phone or e-mail"
            shown = gettext("the customer has no phone number or e-mail address")
    if identity is None:
        audit_record(
            actor=None,
            verb="ticket.reply_undeliverable",
            target=ticket,
            after={"event": event.pk, "channel": ticket.channel, "reason": reason},
        )
        return ReplyDelivery(ticket.channel, False, shown)
    return _access_issue(
        ticket=ticket,
        kind=identity.kind,
        address=identity.value,
        link_base=settings.KEFU_PORTAL_BASE_URL,
        delivery=Delivery.REPLIED,
    )

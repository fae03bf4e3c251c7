"""Staff screens over every channel: the unified inbox, the contact page with its actions and
files, the live wallboard and the answer-rate report (TEC-7, TEC-8, ACC-1, ACC-3, PRF-1).

Thin views: forms validate, ``screens.services`` and the tickets' services write, selectors
read. A refusal becomes a message on the page, never a 500.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kefu.accounts.models import Team
from kefu.accounts.roles import Role
from kefu.accounts.selectors import user_has_role
from kefu.channels.models import Contact, ContactKind
from kefu.channels.replies import REPLY_SENDERS, reply_delivery_of
from kefu.channels.screens import reports, selectors, services
from kefu.channels.screens.forms import (
    AnswerRateForm,
    ContactReplyForm,
    ContactTicketForm,
    InboxFilterForm,
    LinkTicketForm,
    TeamChoiceForm,
)
from kefu.channels.services import contact_link_ticket
from kefu.core.errors import KefuError, NotFound
from kefu.core.errors import PermissionDenied as KefuPermissionDenied
from kefu.core.web import explain
from kefu.customers.models import ContactChannel
from kefu.quality.selectors import auto_check_shown
from kefu.tickets.selectors import ticket_get
from kefu.tickets.states import OPEN_STATUSES

# The agents' chat console (another screen of the channels app) takes chats from here.
CHAT_CONSOLE_URL = "/chat/console/"
REPORT_DEFAULT_DAYS = 7
CONTACT_PAGE_CSP = "img-src 'self' data:"


def _require_contacts(request: HttpRequest) -> None:
    if not request.user.has_perm("channels.view_contact"):
        raise PermissionDenied


def _contact_or_404(request: HttpRequest, contact_id: int) -> Contact:
    _require_contacts(request)
    try:
        return selectors.contact_get(user=request.user, contact_id=contact_id)
    except NotFound:
        raise Http404(_("This contact does not exist or is not visible to you.")) from None


# -- the inbox --------------------------------------------------------------------------------


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """The agent's contacts on every channel, newest activity first; the rows refresh live."""
    _require_contacts(request)
    scopes = selectors.inbox_scopes(request.user)
    form = InboxFilterForm(request.GET or None, scopes=scopes)
    filters = selectors.InboxFilters(scope=scopes[-1])
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = selectors.InboxFilters(
            scope=data["scope"] or scopes[-1],
            kind=data["kind"],
            state=data["state"] or selectors.InboxState.OPEN,
        )
    rows = selectors.inbox_rows(user=request.user, filters=filters)
    fingerprint = selectors.inbox_fingerprint(rows)
    htmx = bool(getattr(request, "htmx", False))
    if htmx and request.GET.get("fp") == fingerprint:
        return HttpResponse(status=204)  # nothing changed: the rows stay as they are
    query = request.GET.copy()
    query.pop("fp", None)
    context = {
        "form": form,
        "filters": filters,
        "rows": rows,
        "limit": selectors.INBOX_LIMIT,
        "fingerprint": fingerprint,
        "query": query.urlencode(),
        "now": timezone.now(),
    }
    template = "channels/_inbox_rows.html" if htmx else "channels/inbox.html"
    return render(request, template, context)


# -- the contact page -------------------------------------------------------------------------


def _contact_context(request: HttpRequest, contact: Contact) -> dict[str, Any]:
    user = request.user
    tickets, hidden = selectors.contact_tickets(user=user, contact=contact)
    open_tickets = [ticket for ticket in tickets if ticket.status in OPEN_STATUSES]
    replyable = contact.kind in selectors.REPLY_KINDS
    channel_labels = dict(ContactChannel.choices)
    return {
        "contact": contact,
        "icon": selectors.CHANNEL_ICONS.get(contact.kind, "fa-solid fa-comment"),
        "address": selectors.masked_address(contact),
        "tickets": tickets,
        "hidden_tickets": hidden,
        "shown_messages": selectors.contact_messages(contact=contact),
        "segments": list(contact.segments.all()),
        "events": list(contact.events.select_related("agent")),
        "recordings": list(contact.recordings.all()),
        "may_hear": selectors.may_hear_recording(user, contact),
        "may_link": user.has_perm("tickets.change_ticket"),
        "may_create": user.has_perm("tickets.add_ticket"),
        # Distinct id prefixes: the three forms share one page.
        "link_form": LinkTicketForm(auto_id="link_%s"),
        "ticket_form": ContactTicketForm(
            auto_id="new_%s", initial={"subject": contact.subject[:200]}
        ),
        "replyable": replyable,
        "reply_form": ContactReplyForm(auto_id="reply_%s", tickets=open_tickets)
        if replyable and open_tickets
        else None,
        # Where each open ticket's replies go: its own channel, if that channel sends.
        "reply_channels": [
            {
                "number": ticket.number,
                "channel": channel_labels.get(ticket.channel, ticket.channel),
                "sends": ticket.channel in REPLY_SENDERS,
            }
            for ticket in open_tickets
        ],
        "chat_console": CHAT_CONSOLE_URL if contact.kind == ContactKind.CHAT else "",
        "quality": auto_check_shown(contact=contact),  # QA-3: the automatic check
    }


@login_required
@require_GET
def contact_page(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = _contact_or_404(request, contact_id)
    response = render(request, "channels/contact.html", _contact_context(request, contact))
    # Customers' HTML mail is shown here: images load from kefu or inline only, so no tracking
    # pixel (even one stored before remote images were stripped) reveals an agent's address.
    response["Content-Security-Policy"] = CONTACT_PAGE_CSP
    return response


def _back(contact: Contact) -> HttpResponse:
    return redirect("contact-page", contact_id=contact.pk)


@login_required
@require_POST
def contact_link_post(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = _contact_or_404(request, contact_id)
    form = LinkTicketForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A ticket number looks like 20261127-000123."))
        return _back(contact)
    try:
        ticket = ticket_get(user=request.user, number=form.cleaned_data["ticket"])
        contact_link_ticket(actor=request.user, contact=contact, ticket=ticket)
    except KefuError as error:
        messages.error(request, explain(error))
    else:
        messages.success(request, _("Linked to ticket %(number)s.") % {"number": ticket.number})
    return _back(contact)


@login_required
@require_POST
def contact_ticket_post(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = _contact_or_404(request, contact_id)
    form = ContactTicketForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the new ticket a subject and a category."))
        return _back(contact)
    try:
        ticket = services.contact_ticket_create(
            actor=request.user,
            contact=contact,
            subject=form.cleaned_data["subject"],
            category=form.cleaned_data["category"],
            description=form.cleaned_data["description"],
        )
    except KefuError as error:
        messages.error(request, explain(error))
        return _back(contact)
    messages.success(request, _("Ticket %(number)s created.") % {"number": ticket.number})
    return redirect("ticket-page", number=ticket.number)


@login_required
@require_POST
def contact_reply_post(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = _contact_or_404(request, contact_id)
    tickets, _hidden = selectors.contact_tickets(user=request.user, contact=contact)
    form = ContactReplyForm(
        request.POST, tickets=[ticket for ticket in tickets if ticket.status in OPEN_STATUSES]
    )
    if not form.is_valid():
        messages.error(request, _("Write a reply and choose an open linked ticket."))
        return _back(contact)
    ticket = next(t for t in tickets if t.number == form.cleaned_data["ticket"])
    try:
        event = services.contact_reply(
            actor=request.user, contact=contact, ticket=ticket, body=form.cleaned_data["body"]
        )
    except KefuError as error:
        messages.error(request, explain(error))
        return _back(contact)
    delivery = reply_delivery_of(event)
    if delivery is not None and delivery.queued:
        messages.success(request, _("Reply sent."))
    else:  # "sent" would be a lie: the reply is only on the ticket
        reason = delivery.reason if delivery is not None else ""
        messages.warning(
            request, _("Saved on the ticket; not sent: %(reason)s") % {"reason": reason}
        )
    return _back(contact)


def _file_response(
    content: bytes, content_type: str, filename: str, *, inline: bool
) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type or "application/octet-stream")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename, safe='')}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def contact_recording(request: HttpRequest, contact_id: int, recording_id: int) -> HttpResponse:
    """A call recording, decrypted for permitted staff (SEC-1); every listen is logged (SEC-3)."""
    contact = _contact_or_404(request, contact_id)
    try:
        recording, content = selectors.contact_recording_content(
            user=request.user, contact=contact, recording_id=recording_id
        )
    except KefuPermissionDenied:
        raise PermissionDenied from None
    except NotFound:
        raise Http404(_("This recording does not exist.")) from None
    return _file_response(content, recording.content_type, recording.filename, inline=True)


@login_required
@require_GET
def contact_attachment(request: HttpRequest, contact_id: int, attachment_id: int) -> HttpResponse:
    contact = _contact_or_404(request, contact_id)
    try:
        attachment, content = selectors.contact_attachment_content(
            user=request.user, contact=contact, attachment_id=attachment_id
        )
    except NotFound:
        raise Http404(_("This file does not exist.")) from None
    return _file_response(content, attachment.content_type, attachment.filename, inline=False)


# -- the wallboard and the answer-rate report -------------------------------------------------


def _require_wallboard(request: HttpRequest) -> None:
    if not reports.may_see_wallboard(request.user):
        raise PermissionDenied


def _chosen_team(request: HttpRequest, form: TeamChoiceForm) -> Team | None:
    """The team asked for; a team lead who asked for nothing sees their own team."""
    if "team" not in request.GET:
        team = getattr(request.user, "team", None)
        if (
            team is not None
            and team.is_active
            and not user_has_role(request.user, Role.MANAGER, Role.ADMIN)
        ):
            return team
        return None
    return form.cleaned_data.get("team") if form.is_valid() else None


@login_required
@require_GET
def wallboard(request: HttpRequest) -> HttpResponse:
    """The live wallboard (TEC-8); HTMX asks for the figures again every few seconds."""
    _require_wallboard(request)
    form = TeamChoiceForm(request.GET or None)
    team = _chosen_team(request, form)
    if "team" not in request.GET:
        form = TeamChoiceForm(initial={"team": team})
    board = reports.wallboard(user=request.user, team=team)
    context = {"form": form, "board": board, "team": team}
    htmx = bool(getattr(request, "htmx", False))
    template = "channels/_wallboard_live.html" if htmx else "channels/wallboard.html"
    return render(request, template, context)


@login_required
@require_GET
def answer_rate_page(request: HttpRequest) -> HttpResponse:
    """ACC-1 and PRF-1 per day for a period (the last week unless asked otherwise)."""
    _require_wallboard(request)
    form = AnswerRateForm(request.GET or None)
    today = timezone.localdate(timezone.now(), timezone.get_default_timezone())
    first, last = today - dt.timedelta(days=REPORT_DEFAULT_DAYS - 1), today
    team = None
    if form.is_bound and form.is_valid():
        first = form.cleaned_data.get("start") or first
        last = form.cleaned_data.get("end") or last
        team = form.cleaned_data.get("team")
    try:
        start, end = reports.report_period(first, last)
        report = reports.answer_rate_report(start=start, end=end, team=team)
    except KefuError as error:
        form.add_error(None, explain(error))
        first, last = today - dt.timedelta(days=REPORT_DEFAULT_DAYS - 1), today
        start, end = reports.report_period(first, last)
        report = reports.answer_rate_report(start=start, end=end, team=team)
    return render(
        request,
        "channels/answer_rate.html",
        {"form": form, "report": report, "first": first, "last": last},
    )

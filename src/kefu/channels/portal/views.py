"""Pages of the customer self-service portal (TEC-6): no login, no staff navigation.

A customer submits a ticket, receives a link with a one-time code by SMS or e-mail, enters the
code and then follows the ticket in this browser and replies. Who may see a ticket is decided
only by the session's grants (:mod:`kefu.channels.portal.grants`); any other ticket number is
a 404 that does not say whether the ticket exists.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from kefu.assist.bot_selectors import bot_session_current
from kefu.assist.bot_services import (
    bot_ask,
    bot_choose,
    bot_feedback,
    bot_handoff,
    bot_question_clean,
    bot_session_for_question,
    bot_throttle_hit,
)
from kefu.assist.bot_web import portal_request_url, portal_visitor_key
from kefu.assist.models import BotChannel
from kefu.channels.portal import throttle
from kefu.channels.portal.forms import (
    PortalCodeForm,
    PortalReplyForm,
    PortalSubmitForm,
    PortalTrackForm,
)
from kefu.channels.portal.grants import grant_ticket, granted_ticket_ids, grants_forget
from kefu.channels.portal.selectors import (
    portal_bot_context,
    portal_faq_answers,
    portal_ticket_get,
    portal_ticket_view,
)
from kefu.channels.portal.services import (
    Redemption,
    TooManyRequests,
    portal_access_find,
    portal_access_redeem,
    portal_access_request,
    portal_access_state,
    portal_ticket_reply,
    portal_ticket_submit,
)
from kefu.core.errors import Conflict, InvalidInput, KefuError, NotFound
from kefu.core.timeutils import now

logger = logging.getLogger(__name__)
SUBMITTED_KEY = "kefu_portal_submitted"
# Service errors on fields the portal form has under another name.
FIELD_OF_ERROR = {"category": "kind", "customer": "phone"}


def _page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    values = {"portal_center": settings.KEFU_CENTER_NAME, **(context or {})}
    return render(request, template, values, status=status)


def _client(request: HttpRequest) -> str:
    # Behind a reverse proxy, the server must put the client's address here (docs/portal.md).
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def _link_base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _too_many(request: HttpRequest) -> HttpResponse:
    response = _page(request, "channels/portal/limited.html", status=429)
    response["Retry-After"] = str(throttle.retry_after_seconds())
    return response


def _not_found(request: HttpRequest) -> HttpResponse:
    return _page(request, "channels/portal/not_found.html", status=404)


@never_cache
@require_http_methods(["GET", "POST"])
def portal_submit(request: HttpRequest) -> HttpResponse:
    """The portal's front page: the FAQ bot, the FAQ search and a new request."""
    # "Talk to a person" from the bot arrives with the last question to describe the request.
    initial = {"description": request.GET.get("describe", "")[:2000]}
    form = PortalSubmitForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST":
        if form.is_bot():
            # Looks like success to the program, creates nothing.
            logger.info("portal: honeypot filled from %s", _client(request))
            return _page(request, "channels/portal/submitted.html", {"submitted": None})
        if form.is_valid():
            if not throttle.throttle_hit(throttle.submits_per_address(), _client(request)):
                return _too_many(request)
            data = form.cleaned_data
            try:
                submitted = portal_ticket_submit(
                    name=data["name"],
                    phone=data["phone"],
                    email=data["email"],
                    kind=data["kind"],
                    subject=data["subject"],
                    description=data["description"],
                    link_base=_link_base(request),
                )
            except TooManyRequests:
                return _too_many(request)
            except InvalidInput as error:
                field = FIELD_OF_ERROR.get(error.field or "", error.field)
                form.add_error(
                    field if field in form.fields else None,
                    _("Please check this entry."),
                )
            except KefuError:
                logger.exception("portal: a submission was refused")
                form.add_error(None, _("Your request could not be saved. Please try again."))
            else:
                request.session[SUBMITTED_KEY] = {
                    "number": submitted.ticket.number,
                    "via": submitted.sent_via,
                    "to": submitted.sent_to,
                }
                return redirect("portal-submitted")
    context: dict[str, Any] = {"form": form, **_bot_context(request)}
    if request.method == "GET" and "q" in request.GET:
        if not throttle.throttle_hit(throttle.searches_per_address(), _client(request)):
            return _too_many(request)
        context.update(portal_faq_answers(request.GET.get("q", "")))
    return _page(
        request,
        "channels/portal/submit.html",
        context,
        status=422 if form.errors or context.get("faq_error") else 200,
    )


def _bot_context(request: HttpRequest) -> dict[str, Any]:
    # A browser without a session has no conversation yet; it gets one at its first question
    # (so a visit alone creates no session row).
    visitor = portal_visitor_key(request) if request.session.session_key else ""
    return {**portal_bot_context(visitor), "bot_error": ""}


BOT_ACTIONS = ("ask", "choose", "feedback", "handoff")


@never_cache
@require_POST
def portal_bot(request: HttpRequest) -> HttpResponse:
    """The bot box without JavaScript (TEC-2): one form per action, then back to the page.

    ``action`` is ask (``question``), choose (``turn``, ``faq``), feedback (``turn``,
    ``helpful`` yes/no) or handoff (then the request form, prefilled with the last question).
    """
    action = request.POST.get("action", "")
    if action not in BOT_ACTIONS:
        return _bot_refused(request, _("Please choose what to do."), 422)
    if action in ("ask", "choose") and not bot_throttle_hit(_client(request)):
        return _too_many(request)
    visitor = portal_visitor_key(request)
    try:
        if action == "ask":
            question = bot_question_clean(request.POST.get("question"))
            session = bot_session_for_question(channel=BotChannel.PORTAL, visitor_key=visitor)
            bot_ask(session=session, question=question)
        else:
            session = bot_session_current(channel=BotChannel.PORTAL, visitor_key=visitor)
            if action == "choose":
                bot_choose(
                    session=session,
                    turn_id=_number(request.POST.get("turn")),
                    faq_id=_number(request.POST.get("faq")),
                )
            elif action == "feedback":
                helpful = {"yes": True, "no": False}.get(request.POST.get("helpful", ""))
                bot_feedback(
                    session=session, turn_id=_number(request.POST.get("turn")), helpful=helpful
                )
            else:
                bot_handoff(session=session)
                return redirect(portal_request_url(session))
    except InvalidInput as error:
        message = (
            _("Please write your question (at most 500 characters).")
            if error.field == "question"
            else _("Please check your entry.")
        )
        return _bot_refused(request, message, 422)
    except (Conflict, NotFound):
        if action == "handoff":  # nothing (left) to hand off: the request form all the same
            return redirect(f"{reverse('portal-submit')}#request")
        return _bot_refused(request, _("This conversation has ended. Ask a new question."), 409)
    return redirect(f"{reverse('portal-submit')}#bot")


def _number(value: Any) -> int | None:
    text = str(value or "")
    return int(text) if text.isdigit() and len(text) < 18 else None


def _bot_refused(request: HttpRequest, message: str, status: int) -> HttpResponse:
    context: dict[str, Any] = {"form": PortalSubmitForm(), **_bot_context(request)}
    context["bot_error"] = message
    return _page(request, "channels/portal/submit.html", context, status=status)


@never_cache
def portal_submitted(request: HttpRequest) -> HttpResponse:
    submitted = request.session.get(SUBMITTED_KEY)
    if not submitted:
        return redirect("portal-submit")
    return _page(request, "channels/portal/submitted.html", {"submitted": submitted})


@never_cache
@require_http_methods(["GET", "POST"])
def portal_access(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the message: enter the one-time code to open the ticket here."""
    access = portal_access_find(token)
    if access is None:
        return _not_found(request)
    refused = portal_access_state(access, now())
    if refused == Redemption.USED and access.ticket_id in granted_ticket_ids(request):
        return redirect("portal-ticket", number=access.ticket.number)
    form = PortalCodeForm(request.POST if request.method == "POST" else None)
    context: dict[str, Any] = {"form": form, "refused": refused}
    if request.method == "POST" and refused is None and form.is_valid():
        redeemed = portal_access_redeem(token=token, code=form.cleaned_data["code"])
        if redeemed.outcome == Redemption.GRANTED and redeemed.ticket is not None:
            grant_ticket(request, redeemed.ticket.pk)
            return redirect("portal-ticket", number=redeemed.ticket.number)
        if redeemed.outcome == Redemption.WRONG_CODE:
            form.add_error(
                "code",
                _("This code is not right. %(left)s attempts left.")
                % {"left": redeemed.attempts_left},
            )
        else:
            context["refused"] = redeemed.outcome
    refused = context["refused"]
    status = 200
    if refused == Redemption.LOCKED:
        status = 403
    elif refused in (Redemption.EXPIRED, Redemption.USED):
        status = 410
    elif form.errors:
        status = 422
    return _page(request, "channels/portal/access.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def portal_track(request: HttpRequest) -> HttpResponse:
    """A returning customer asks for a new link. The answer is the same whether or not the
    ticket and the phone or e-mail belong together."""
    form = PortalTrackForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if not throttle.throttle_hit(throttle.tracks_per_address(), _client(request)):
            return _too_many(request)
        try:
            portal_access_request(
                number=form.cleaned_data["number"],
                contact=form.cleaned_data["contact"],
                link_base=_link_base(request),
            )
        except InvalidInput:
            form.add_error(None, _("Please check the ticket number and the phone or e-mail."))
        else:
            return _page(request, "channels/portal/track_sent.html")
    return _page(
        request,
        "channels/portal/track.html",
        {"form": form},
        status=422 if form.errors else 200,
    )


@never_cache
@require_http_methods(["GET"])
def portal_ticket(request: HttpRequest, number: str) -> HttpResponse:
    try:
        ticket = portal_ticket_get(number=number, granted=granted_ticket_ids(request))
    except NotFound:
        return _not_found(request)
    return _ticket_page(request, ticket, PortalReplyForm())


def _ticket_page(request: HttpRequest, ticket: Any, form: PortalReplyForm) -> HttpResponse:
    return _page(
        request,
        "channels/portal/ticket.html",
        {"view": portal_ticket_view(ticket), "form": form},
        status=422 if form.errors else 200,
    )


@never_cache
@require_POST
def portal_reply(request: HttpRequest, number: str) -> HttpResponse:
    try:
        ticket = portal_ticket_get(number=number, granted=granted_ticket_ids(request))
    except NotFound:
        return _not_found(request)
    form = PortalReplyForm(request.POST)
    if form.is_valid():
        if not throttle.throttle_hit(throttle.replies_per_address(), _client(request)):
            return _too_many(request)
        try:
            portal_ticket_reply(ticket=ticket, body=form.cleaned_data["body"])
        except Conflict:
            form.add_error(
                None,
                _("This request no longer takes messages. Please submit a new request."),
            )
        except InvalidInput:
            form.add_error("body", _("Please check your message."))
        else:
            messages.success(request, _("Your message was sent. Thank you."))
            return redirect("portal-ticket", number=ticket.number)
        ticket.refresh_from_db()
    return _ticket_page(request, ticket, form)


@require_POST
def portal_leave(request: HttpRequest) -> HttpResponse:
    """Forget the tickets opened in this browser (a shared computer)."""
    grants_forget(request)
    messages.info(request, _("This browser no longer shows your requests."))
    return redirect("portal-submit")

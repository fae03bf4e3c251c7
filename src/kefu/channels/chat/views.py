"""Web chat endpoints (TEC-7, ACC-4): the public widget API a customer's browser calls from the
embedding site, and the agent console.

Widget API (``/chat/api/<key>/…``): cross-origin JSON, CSRF-exempt because no cookie
authenticates it — the visitor's token (in the JSON body, so requests stay "simple" and need
no CORS preflight) does. CORS is granted only to the widget's allowed origins; a browser
request from another origin is refused with 403. Unknown or disabled widget keys are 404.

Console (``/chat/console/…``): login required, for agents and team leads; JSON endpoints the
page polls every few hundred milliseconds.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext, pgettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from kefu.assist import bot_selectors, bot_services
from kefu.assist.models import BotChannel
from kefu.channels.chat import routing, selectors, services
from kefu.channels.models import ChatWidget, ContactState, Presence, Speaker
from kefu.channels.portal.throttle import retry_after_seconds
from kefu.core.errors import InvalidInput, KefuError, NotFound, PermissionDenied
from kefu.tickets.models import Category

BODY_LIMIT = 16 * 1024
# Kept with the static files so that it ships in the package; served at /chat/widget.js.
WIDGET_JS = Path(__file__).resolve().parents[1] / "static" / "channels" / "chat_widget.js"
AFTER_LIMIT = selectors.ID_LIMIT

JsonView = Callable[..., JsonResponse]


def _json_body(request: HttpRequest) -> dict[str, Any]:
    if len(request.body) > BODY_LIMIT:
        raise InvalidInput(f"the body is larger than {BODY_LIMIT // 1024} KiB", field="body")
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("the body is not JSON", field="body") from None
    if not isinstance(data, dict):
        raise InvalidInput("the body must be a JSON object", field="body")
    return data


def _id_param(value: Any, *, field: str, reason: str) -> int:
    """A message or chat id from a poll body: absent is 0; anything but a whole number from 0
    below ``AFTER_LIMIT`` is refused with the field (422) — a huge number must not reach the
    database, where it overflows the 64-bit column (a 500 on SQLite)."""
    if value in (None, ""):
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < AFTER_LIMIT:
        raise InvalidInput(f"{field}: {reason}", field=field)
    return value


def _after(value: Any) -> int:
    return _id_param(value, field="after", reason="the id of the last message you hold")


def _read(value: Any) -> int:
    return _id_param(value, field="read", reason="the id of the last message in view")


def _error(exc: KefuError) -> JsonResponse:
    return JsonResponse(exc.as_dict(), status=exc.status_code)


def _client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR") or "-"


def _rate_limited(request: HttpRequest, purpose: str, per_hour: int) -> bool:
    """At most ``per_hour`` of this request per client address and hour (per process)."""
    key = f"kefu-chat-{purpose}-{_client_address(request)}"
    if cache.add(key, 1, timeout=3600):
        return False
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=3600)
        return False
    return count > per_hour


# -- the public widget API -------------------------------------------------------------------
def widget_api(view: Callable[..., JsonResponse]) -> Callable[..., HttpResponse]:
    """Find the widget, check the origin, answer preflights, add CORS headers, map refusals."""

    @csrf_exempt
    @wraps(view)
    def wrapper(request: HttpRequest, key: str) -> HttpResponse:
        origin = request.headers.get("Origin")
        try:
            widget = selectors.widget_by_key(key)
        except NotFound as exc:
            response: HttpResponse = _error(exc)
            if origin:  # readable by the widget, which then hides its launcher
                response["Access-Control-Allow-Origin"] = origin
            return response
        if not selectors.widget_origin_allowed(widget, origin):
            return _error(PermissionDenied("this site may not use the chat widget"))
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
            response["Access-Control-Allow-Headers"] = "Content-Type"
            response["Access-Control-Max-Age"] = "600"
        else:
            try:
                response = view(request, widget)
            except KefuError as exc:
                response = _error(exc)
        if origin:
            response["Access-Control-Allow-Origin"] = origin
        response["Vary"] = "Origin"
        response["Cache-Control"] = "no-store"
        return response

    return wrapper


def _method(request: HttpRequest, method: str) -> None:
    if request.method != method:
        raise InvalidInput(f"use {method}", field="method")


@require_GET
def widget_script(request: HttpRequest) -> HttpResponse:
    """The embeddable widget: one plain script, no build and no outside libraries."""
    response = HttpResponse(
        WIDGET_JS.read_bytes(), content_type="application/javascript; charset=utf-8"
    )
    response["Cache-Control"] = "public, max-age=300"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@widget_api
def widget_config(request: HttpRequest, widget: ChatWidget) -> JsonResponse:
    """Whether the chat is open now (else the widget offers to leave a message)."""
    _method(request, "GET")
    status = selectors.widget_status(widget)
    return JsonResponse(
        {
            "name": widget.name,
            "greeting": widget.greeting,
            "open": status.open,
            "reason": status.reason,
            "poll_ms": settings.KEFU_CHAT_POLL_MS,
            # The FAQ bot answers first when the FAQ has entries for the chat (TEC-2).
            "bot": bot_selectors.bot_available(BotChannel.CHAT),
        }
    )


def _visitor_state(session: Any) -> dict[str, Any]:
    contact = session.contact
    return {
        "state": contact.state,
        "position": selectors.queue_position(contact),
        "agent": selectors.agent_label(contact.agent) if contact.agent_id else "",
    }


@widget_api
def widget_start(request: HttpRequest, widget: ChatWidget) -> JsonResponse:
    _method(request, "POST")
    data = _json_body(request)
    if _rate_limited(request, "start", settings.KEFU_CHAT_STARTS_PER_HOUR):
        return JsonResponse(
            {"error": "rate_limited", "detail": "too many chats from this address"}, status=429
        )
    started = services.chat_start(
        widget=widget,
        name=data.get("name", ""),
        message=data.get("message", ""),
    )  # no skill and no priority from the visitor (ACC-4): see services.chat_start
    session = started.session
    messages = selectors.messages_after(session.contact, 0)
    return JsonResponse(
        {
            "token": started.token,
            **_visitor_state(session),
            "messages": [selectors.message_out(item) for item in messages],
        },
        status=201,
    )


@widget_api
def widget_poll(request: HttpRequest, widget: ChatWidget) -> JsonResponse:
    """What changed since message ``after``: new messages, the agent typing, how far the
    visitor's messages were delivered and read; records the visitor's typing and reading."""
    _method(request, "POST")
    data = _json_body(request)
    session = selectors.session_for_visitor(widget, data.get("token"))
    after = _after(data.get("after"))
    read = _read(data.get("read"))
    contact = session.contact
    if data.get("typing") is True and contact.state != ContactState.ENDED:
        services.chat_typing(session=session, speaker=Speaker.CUSTOMER, after=after)
    services.chat_mark_read(session=session, reader=Speaker.CUSTOMER, upto=read)
    if contact.state == ContactState.QUEUED:
        services.chat_visitor_seen(session=session)
    messages = selectors.messages_after(contact, after)
    undelivered = [
        item.pk for item in messages if item.speaker == Speaker.AGENT and item.delivered_at is None
    ]
    if undelivered:
        services.chat_mark_delivered(session=session, speaker=Speaker.AGENT, upto=max(undelivered))
    return JsonResponse(
        {
            **_visitor_state(session),
            "messages": [selectors.message_out(item) for item in messages],
            "agent_typing": selectors.typing_now(session.agent_typing_at),
            "delivered_upto": selectors.delivered_upto(contact, Speaker.CUSTOMER),
            "read_upto": session.agent_seen_message,
        }
    )


@widget_api
def widget_send(request: HttpRequest, widget: ChatWidget) -> JsonResponse:
    _method(request, "POST")
    data = _json_body(request)
    session = selectors.session_for_visitor(widget, data.get("token"))
    message, created = services.chat_customer_message(
        session=session, body=data.get("body"), client_id=data.get("client_id", "")
    )
    return JsonResponse(selectors.message_out(message), status=201 if created else 200)


@widget_api
def widget_end(request: HttpRequest, widget: ChatWidget) -> JsonResponse:
    _method(request, "POST")
    data = _json_body(request)
    session = selectors.session_for_visitor(widget, data.get("token"))
    contact = services.chat_end(actor=None, session=session)
    return JsonResponse({"state": contact.state})


@widget_api
def widget_offline(request: HttpRequest, widget: ChatWidget) -> JsonResponse:
    """A left message becomes a ticket; every field error is answered at once."""
    _method(request, "POST")
    data = _json_body(request)
    fields = {name: data.get(name, "") for name in ("name", "phone", "email", "message")}
    errors = services.offline_message_errors(**fields)
    if errors:
        return JsonResponse(
            {"error": "invalid", "detail": "check the marked fields", "errors": errors},
            status=422,
        )
    if _rate_limited(request, "offline", settings.KEFU_CHAT_STARTS_PER_HOUR):
        return JsonResponse(
            {"error": "rate_limited", "detail": "too many messages from this address"},
            status=429,
        )
    ticket = services.chat_offline_message(widget=widget, **fields)
    return JsonResponse({"ticket": ticket.number}, status=201)


# -- the FAQ bot in the widget (TEC-2) -------------------------------------------------------
BOT_TOKEN_LIMIT = 100


def _bot_token(value: Any, *, create: bool) -> str:
    """The widget's bot token (kept in localStorage; only its keyed hash is stored)."""
    if value in (None, "") and create:
        return secrets.token_urlsafe(24)
    if not isinstance(value, str) or not 16 <= len(value) <= BOT_TOKEN_LIMIT:
        raise InvalidInput("bot_token: the token the bot gave this browser", field="bot_token")
    if not all(ch.isalnum() or ch in "-_" for ch in value):
        raise InvalidInput("bot_token: letters, digits, - and _", field="bot_token")
    return value


def _bot_limited(request: HttpRequest) -> JsonResponse | None:
    if bot_services.bot_throttle_hit(_client_address(request)):
        return None
    response = JsonResponse(
        {"error": "rate_limited", "detail": "too many questions from this address"}, status=429
    )
    response["Retry-After"] = str(retry_after_seconds())
    return response


def _bot_reply(token: str, session: Any, turn: Any, status: int = 200) -> JsonResponse:
    body = {
        "bot_token": token,
        **bot_selectors.bot_session_out(session),
        **bot_selectors.bot_turn_out(turn),
    }
    return JsonResponse(body, status=status)


def _bot_session(data: dict[str, Any]) -> tuple[str, Any]:
    token = _bot_token(data.get("bot_token"), create=False)
    session = bot_selectors.bot_session_current(
        channel=BotChannel.CHAT, visitor_key=bot_services.bot_visitor_key(token)
    )
    return token, session


@widget_api
def widget_bot_ask(request: HttpRequest, widget: ChatWidget) -> JsonResponse:
    """A question to the bot; the first one gives the browser its ``bot_token``."""
    _method(request, "POST")
    data = _json_body(request)
    token = _bot_token(data.get("bot_token"), create=True)
    question = bot_services.bot_question_clean(data.get("question"))
    limited = _bot_limited(request)
    if limited is not None:
        return limited
    session = bot_services.bot_session_for_question(
        channel=BotChannel.CHAT, visitor_key=bot_services.bot_visitor_key(token)
    )
    turn = bot_services.bot_ask(session=session, question=question)
    return _bot_reply(token, session, turn, status=201)


@widget_api
def widget_bot_choose(request: HttpRequest, widget: ChatWidget) -> JsonResponse:
    _method(request, "POST")
    data = _json_body(request)
    token, session = _bot_session(data)
    limited = _bot_limited(request)
    if limited is not None:
        return limited
    turn = bot_services.bot_choose(
        session=session, turn_id=data.get("turn"), faq_id=data.get("faq")
    )
    return _bot_reply(token, session, turn, status=201)


@widget_api
def widget_bot_feedback(request: HttpRequest, widget: ChatWidget) -> JsonResponse:
    _method(request, "POST")
    data = _json_body(request)
    token, session = _bot_session(data)
    turn = bot_services.bot_feedback(
        session=session, turn_id=data.get("turn"), helpful=data.get("helpful")
    )
    return _bot_reply(token, session, turn)


@widget_api
def widget_bot_handoff(request: HttpRequest, widget: ChatWidget) -> JsonResponse:
    """Talk to a person: a real chat starts with the bot's transcript as its first lines (the
    agent sees what was asked); answered like ``start``. When the chat is closed the session is
    still handed off and the answer is 409 ``chat_closed`` (the widget offers to leave a
    message)."""
    _method(request, "POST")
    data = _json_body(request)
    _token, session = _bot_session(data)
    if _rate_limited(request, "start", settings.KEFU_CHAT_STARTS_PER_HOUR):
        return JsonResponse(
            {"error": "rate_limited", "detail": "too many chats from this address"}, status=429
        )
    started: list[services.StartedChat] = []
    name = data.get("name", "")

    def start_chat() -> Any:
        chat = services.chat_start(widget=widget, name=name)
        started.append(chat)
        return chat.session.contact

    try:
        bot_services.bot_handoff(session=session, start_chat=start_chat)
    except services.ChatClosed as closed:
        bot_services.bot_handoff(session=session)
        return _error(closed)
    chat = started[0]
    messages = selectors.messages_after(chat.session.contact, 0)
    return JsonResponse(
        {
            "token": chat.token,
            **_visitor_state(chat.session),
            "messages": [selectors.message_out(item) for item in messages],
        },
        status=201,
    )


# -- the agent console -----------------------------------------------------------------------
def console_api(view: Callable[..., JsonResponse]) -> Callable[..., HttpResponse]:
    """Logged-in chat staff only; refusals become JSON errors."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not selectors.user_can_chat(request.user):
            return _error(PermissionDenied("your role does not answer chats"))
        try:
            return view(request, *args, **kwargs)
        except KefuError as exc:
            return _error(exc)

    return wrapper


@login_required
@require_GET
def console_page(request: HttpRequest) -> HttpResponse:
    if not selectors.user_can_chat(request.user):
        raise PermissionDenied("your role does not answer chats")
    presence = services.presence_heartbeat(user=request.user)
    categories = Category.objects.filter(is_active=True).order_by("root", "sort_order", "code")
    return render(
        request,
        "channels/chat_console.html",
        {
            "presence": presence.status if presence else Presence.OFFLINE,
            "max_chats": presence.max_chats if presence else settings.KEFU_CHAT_MAX_CONCURRENT,
            "presence_choices": Presence.choices,
            "categories": categories,
            "default_category": settings.KEFU_CHAT_TICKET_CATEGORY,
            "console_strings": {
                "typing": gettext("The customer is typing…"),
                "visitor": gettext("Visitor"),
                "sent": pgettext("chat message", "Sent"),
                "delivered": pgettext("chat message", "Delivered"),
                "read": pgettext("chat message", "Read"),
                "failed": gettext("Not sent"),
                "ended": gettext("The chat has ended."),
                "ticket": gettext("Ticket created:"),
                "error": gettext("The request failed; try again."),
            },
            "console_config": {
                "poll": reverse("chat-console-poll"),
                "presence": reverse("chat-console-presence"),
                "send": reverse("chat-console-send", args=[0]),
                "end": reverse("chat-console-end", args=[0]),
                "ticket": reverse("chat-console-ticket", args=[0]),
                "poll_ms": settings.KEFU_CHAT_POLL_MS,
            },
        },
    )


def _chat_row(session: Any) -> dict[str, Any]:
    contact = session.contact
    return {
        "id": contact.pk,
        "name": session.visitor_name,
        "state": contact.state,
        "unread": getattr(session, "unread", 0),
        "typing": selectors.typing_now(session.customer_typing_at),
        "queued_at": contact.queued_at.isoformat() if contact.queued_at else None,
        "answered": contact.answered_at is not None,
    }


@require_POST
@console_api
def console_poll(request: HttpRequest) -> JsonResponse:
    """The console's heartbeat: presence, queue length, my chats with unread counts, and for
    the open chat its new messages, the customer typing and delivered/read marks."""
    data = _json_body(request)
    # Every id is checked before anything is written (422 with the field, never a 500).
    chat_id = _id_param(data.get("chat"), field="chat", reason="the id of one of your chats")
    after = _after(data.get("after"))
    read = _read(data.get("read"))
    user = request.user
    presence = services.presence_heartbeat(user=user)
    team_id = getattr(user, "team_id", None)
    # The agent's team queue and the pool of widgets without a team, which every agent serves.
    waiting = selectors.waiting_for_agent_count(team_id=team_id)
    if (
        waiting
        and presence is not None
        and presence.status == Presence.AVAILABLE
        and selectors.agent_load(agent=user) < presence.max_chats
    ):
        routing.chat_route_for_team(team_id=team_id)
        waiting = selectors.waiting_for_agent_count(team_id=team_id)
    chats = list(selectors.agent_live_chats(agent=user))
    for row in chats:
        if getattr(row, "undelivered", 0):
            services.chat_mark_delivered(session=row, speaker=Speaker.CUSTOMER, upto=AFTER_LIMIT)
    body: dict[str, Any] = {
        "presence": presence.status if presence else Presence.OFFLINE,
        "max_chats": presence.max_chats if presence else settings.KEFU_CHAT_MAX_CONCURRENT,
        "queue": waiting,
        "chats": [_chat_row(row) for row in chats],
        "open": None,
    }
    if chat_id:
        session = selectors.agent_session(agent=user, contact_id=chat_id)
        if data.get("typing") is True and session.contact.state != ContactState.ENDED:
            services.chat_typing(session=session, speaker=Speaker.AGENT, after=after)
        services.chat_mark_read(session=session, reader=Speaker.AGENT, upto=read)
        contact = session.contact
        messages = selectors.messages_after(contact, after)
        undelivered = [
            item.pk
            for item in messages
            if item.speaker == Speaker.CUSTOMER and item.delivered_at is None
        ]
        if undelivered:
            services.chat_mark_delivered(
                session=session, speaker=Speaker.CUSTOMER, upto=max(undelivered)
            )
        body["open"] = {
            "id": contact.pk,
            "name": session.visitor_name,
            "state": contact.state,
            "messages": [selectors.message_out(item) for item in messages],
            "typing": selectors.typing_now(session.customer_typing_at),
            "delivered_upto": selectors.delivered_upto(contact, Speaker.AGENT),
            "read_upto": session.customer_seen_message,
            "customer": selectors.customer_card(contact),
            "tickets": [
                {"number": number, "url": reverse("ticket-page", args=[number])}
                for number in contact.tickets.values_list("number", flat=True)
            ],
        }
    return JsonResponse(body)


@require_POST
@console_api
def console_presence(request: HttpRequest) -> JsonResponse:
    data = _json_body(request)
    max_chats = data.get("max_chats")
    presence = services.presence_set(
        actor=request.user, status=data.get("status", ""), max_chats=max_chats
    )
    return JsonResponse({"presence": presence.status, "max_chats": presence.max_chats})


@require_POST
@console_api
def console_send(request: HttpRequest, contact_id: int) -> JsonResponse:
    data = _json_body(request)
    session = selectors.agent_session(agent=request.user, contact_id=contact_id)
    message, created = services.chat_agent_message(
        actor=request.user,
        session=session,
        body=data.get("body"),
        client_id=data.get("client_id", ""),
    )
    return JsonResponse(selectors.message_out(message), status=201 if created else 200)


@require_POST
@console_api
def console_end(request: HttpRequest, contact_id: int) -> JsonResponse:
    session = selectors.agent_session(agent=request.user, contact_id=contact_id)
    contact = services.chat_end(actor=request.user, session=session)
    return JsonResponse({"state": contact.state})


@require_POST
@console_api
def console_ticket(request: HttpRequest, contact_id: int) -> JsonResponse:
    """Create a ticket from the chat, linked to its contact (the transcript stays there)."""
    data = _json_body(request)
    session = selectors.agent_session(agent=request.user, contact_id=contact_id)
    ticket = services.chat_ticket_create(
        actor=request.user,
        session=session,
        subject=data.get("subject", ""),
        category=data.get("category", "") or settings.KEFU_CHAT_TICKET_CATEGORY,
        phone=data.get("phone", ""),
        email=data.get("email", ""),
    )
    return JsonResponse(
        {"number": ticket.number, "url": reverse("ticket-page", args=[ticket.number])},
        status=201,
    )


@require_GET
def widget_preview(request: HttpRequest, key: str) -> HttpResponse:
    """A sample customer page carrying only the widget's script tag: try a widget before
    putting the tag on the real site (and play the customer in the demo center)."""
    widget = ChatWidget.objects.filter(key=key, enabled=True).first()
    if widget is None:
        raise Http404("no such chat widget")
    return render(request, "channels/chat_preview.html", {"widget": widget})

"""What the portal's bot pages and API share about the browser (TEC-2): who the visitor is, and
where "talk to a person" leads."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse

from kefu.assist.bot_services import bot_visitor_key
from kefu.assist.models import BotReplyKind


def portal_visitor_key(request: HttpRequest) -> str:
    """The keyed hash of this browser's session key (a session is created when missing)."""
    if not request.session.session_key:
        request.session.save()
    return bot_visitor_key(str(request.session.session_key))


def portal_request_url(session: Any) -> str:
    """The portal's request form, its description prefilled with the last question asked."""
    last = (
        session.turns.exclude(reply_kind=BotReplyKind.HANDOFF)
        .order_by("-created_at", "-id")
        .values_list("question", flat=True)
        .first()
    )
    url = reverse("portal-submit")
    return f"{url}?{urlencode({'describe': last[:500]})}#request" if last else f"{url}#request"

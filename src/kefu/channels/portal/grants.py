"""Which tickets this browser may follow: granted in the session once a one-time code was
entered (TEC-6), each for ``KEFU_PORTAL_SESSION_HOURS``. Nothing else identifies the customer;
the portal has no accounts and no login."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from kefu.core.timeutils import now

SESSION_KEY = "kefu_portal_tickets"


def granted_ticket_ids(request: HttpRequest) -> set[int]:
    """The ids of the tickets this session may see, expired grants left out."""
    grants = request.session.get(SESSION_KEY) or {}
    moment = now().timestamp()
    return {int(ticket_id) for ticket_id, until in grants.items() if until > moment}


def grant_ticket(request: HttpRequest, ticket_id: int) -> None:
    """Let this session follow ``ticket_id``. A new session key is issued (no fixation)."""
    moment = now().timestamp()
    until = moment + settings.KEFU_PORTAL_SESSION_HOURS * 3600
    grants = {
        key: value
        for key, value in (request.session.get(SESSION_KEY) or {}).items()
        if value > moment
    }
    grants[str(ticket_id)] = until
    request.session.cycle_key()
    request.session[SESSION_KEY] = grants


def grants_forget(request: HttpRequest) -> None:
    """The customer leaves: this browser no longer shows any ticket."""
    request.session.pop(SESSION_KEY, None)
    request.session.cycle_key()

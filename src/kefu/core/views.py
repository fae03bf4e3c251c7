"""Health check and the landing page."""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.utils import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from kefu import __version__
from kefu.accounts.selectors import user_roles
from kefu.core.pagination import bounded_count
from kefu.sla.selectors import next_due_by_ticket
from kefu.tickets.selectors import TicketFilters, ticket_list
from kefu.tickets.states import OPEN_STATUSES

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 with ``status: ok`` when the database answers, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        # The reason goes to the log, not to whoever asks: it may name hosts and users.
        logger.exception("health check: database unreachable")
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse(
        {"status": "ok", "database": "ok", "vendor": connection.vendor, "version": __version__}
    )


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    mine = ticket_list(
        user=user, filters=TicketFilters(status=sorted(OPEN_STATUSES), assignee_id=user.pk)
    )
    page = list(mine[:20])
    next_due = next_due_by_ticket(ticket.pk for ticket in page)
    rows = [{"ticket": ticket, "next_due": next_due.get(ticket.pk)} for ticket in page]
    count, exact = bounded_count(mine)
    return render(
        request,
        "core/home.html",
        {
            "roles": sorted(user_roles(user)),
            "rows": rows,
            "my_open_count": count,
            "count_exact": exact,
        },
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """400 page; API clients get the API's JSON error format (e.g. a body over the size limit)."""
    if request.path.startswith("/api/"):
        detail = "the request is malformed or larger than the server accepts"
        return JsonResponse({"error": "bad_request", "detail": detail}, status=400)
    return defaults.bad_request(request, exception or Exception())

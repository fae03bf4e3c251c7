"""Health check and the landing page."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.utils import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from kefu import __version__
from kefu.core.errors import InvalidInput
from kefu.customers.identities import guess_identity_kind
from kefu.customers.selectors import customer_search
from kefu.tickets.selectors import TICKET_NUMBER, TicketFilters, ticket_list, visible_tickets

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
    """The workspace opens on the user's own queue."""
    return redirect("queue", key="mine")


SEARCH_LIMIT = 50


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """The top bar: a ticket number opens the ticket, a phone or e-mail the customer (ACC-2)."""
    text = request.GET.get("q", "").replace("\x00", "").strip()[:200]
    if not text:
        return redirect("home")
    if TICKET_NUMBER.fullmatch(text) and visible_tickets(request.user).filter(number=text).exists():
        return redirect("ticket-page", number=text)
    customers: list[Any] = []
    if request.user.has_perm("customers.view_customer"):
        try:
            customers = list(customer_search(user=request.user, q=text)[:SEARCH_LIMIT])
        except InvalidInput:
            customers = []
        if len(customers) == 1 and guess_identity_kind(text) is not None:
            return redirect("customer-page", customer_id=customers[0].pk)
    tickets = list(ticket_list(user=request.user, filters=TicketFilters(q=text))[:SEARCH_LIMIT])
    return render(
        request,
        "core/search.html",
        {"q": text, "customers": customers, "tickets": tickets, "limit": SEARCH_LIMIT},
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """400 page; API clients get the API's JSON error format (e.g. a body over the size limit)."""
    if request.path.startswith("/api/"):
        detail = "the request is malformed or larger than the server accepts"
        return JsonResponse({"error": "bad_request", "detail": detail}, status=400)
    return defaults.bad_request(request, exception or Exception())

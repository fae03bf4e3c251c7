"""Customer pages: the profile with masked identities (ACC-2 screen pop), reveal, lookup."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from kefu.accounts.selectors import user_may_see_unmasked_pii
from kefu.channels.selectors import customer_contacts
from kefu.core.errors import InvalidInput, NotFound
from kefu.core.errors import PermissionDenied as KefuPermissionDenied
from kefu.customers.identities import guess_identity_kind
from kefu.customers.models import Customer
from kefu.customers.selectors import customer_find_by_identity, customer_get, customer_identities
from kefu.tickets.selectors import visible_tickets
from kefu.tickets.states import OPEN_STATUSES

HISTORY_LIMIT = 50


def _customer_or_404(request: HttpRequest, customer_id: int) -> Customer:
    try:
        return customer_get(user=request.user, customer_id=customer_id)
    except KefuPermissionDenied:
        raise PermissionDenied from None
    except NotFound:
        raise Http404("no such customer") from None


@login_required
@require_GET
def customer_page(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = _customer_or_404(request, customer_id)
    history = list(
        visible_tickets(request.user)
        .filter(customer=customer)
        .order_by("-created_at", "-id")[:HISTORY_LIMIT]
    )
    return render(
        request,
        "customers/customer.html",
        {
            "customer": customer,
            "identities": customer_identities(user=request.user, customer=customer),
            "may_reveal": user_may_see_unmasked_pii(request.user),
            "open_tickets": [ticket for ticket in history if ticket.status in OPEN_STATUSES],
            "history": history,
            "history_limit": HISTORY_LIMIT,
            "contacts": list(customer_contacts(customer_id=customer.pk)[:HISTORY_LIMIT])
            if request.user.has_perm("channels.view_contact")
            else None,
        },
    )


@login_required
@require_POST
def customer_reveal(request: HttpRequest, customer_id: int) -> HttpResponse:
    """The identities in clear, for permitted roles; each reveal is an access event (SEC-3)."""
    customer = _customer_or_404(request, customer_id)
    try:
        identities = customer_identities(user=request.user, customer=customer, reveal=True)
    except KefuPermissionDenied:
        raise PermissionDenied from None
    return render(
        request,
        "customers/_identities.html",
        {"customer": customer, "identities": identities, "may_reveal": False},
    )


@login_required
@require_GET
def customer_lookup(request: HttpRequest) -> HttpResponse:
    """Who has this phone or e-mail (new-ticket form): a masked one-line answer."""
    text = (request.GET.get("phone") or request.GET.get("email") or "").strip()
    customer = None
    kind = guess_identity_kind(text) if text else None
    if kind is not None and request.user.has_perm("customers.view_customer"):
        try:
            customer = customer_find_by_identity(kind=kind, value=text)
        except InvalidInput:
            customer = None
    return render(request, "customers/_lookup.html", {"customer": customer, "searched": bool(text)})

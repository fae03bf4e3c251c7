"""Reads of customers: search by exact identity (blind index) or name; masked unless allowed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, QuerySet

from kefu.accounts.selectors import user_may_see_unmasked_pii
from kefu.audit.services import access_record
from kefu.core.errors import InvalidInput, NotFound, PermissionDenied
from kefu.customers.identities import IdentityKind, guess_identity_kind, mask_identity
from kefu.customers.models import Customer, CustomerIdentity
from kefu.customers.services import identity_lookup_hash


@dataclass(frozen=True, slots=True)
class IdentityView:
    id: int
    kind: str
    value: str
    masked: bool
    is_primary: bool


def _require_view(user: Any) -> None:
    if not user.has_perm("customers.view_customer"):
        raise PermissionDenied("your role may not read customer profiles")


def customer_queryset() -> QuerySet[Customer]:
    return Customer.objects.prefetch_related(
        Prefetch(
            "identities", queryset=CustomerIdentity.objects.order_by("kind", "-is_primary", "id")
        )
    )


def customer_get(*, user: Any, customer_id: int) -> Customer:
    _require_view(user)
    customer = customer_queryset().filter(pk=customer_id).first()
    if customer is None:
        raise NotFound(f"customer {customer_id} does not exist")
    return customer


def customer_find_by_identity(*, kind: str, value: str) -> Customer | None:
    """Exact match through the blind index: one indexed lookup, no decryption."""
    lookup_hash = identity_lookup_hash(kind, value)
    return (
        customer_queryset()
        .filter(identities__kind=kind, identities__lookup_hash=lookup_hash)
        .first()
    )


def customer_search(*, user: Any, q: str) -> QuerySet[Customer]:
    """Customers whose phone or e-mail is exactly ``q``, or whose name contains ``q``."""
    _require_view(user)
    text = q.strip()
    if not text:
        raise InvalidInput("search text is empty", field="q")
    if len(text) > 254:
        raise InvalidInput("search text is longer than 254 characters", field="q")
    kind = guess_identity_kind(text)
    if kind is not None:
        try:
            lookup_hash = identity_lookup_hash(kind, text)
        except InvalidInput:
            lookup_hash = None
        if lookup_hash is not None:
            matches = customer_queryset().filter(
                identities__kind=kind, identities__lookup_hash=lookup_hash
            )
            if kind == IdentityKind.EMAIL or matches.exists():
                return matches
    return customer_queryset().filter(name__icontains=text).order_by("name", "id")


def customer_identities(
    *, user: Any, customer: Customer, reveal: bool = False
) -> list[IdentityView]:
    """The customer's identities, masked; ``reveal`` shows them in clear and logs it (SEC-3)."""
    if reveal and not user_may_see_unmasked_pii(user):
        raise PermissionDenied("your role may not see unmasked personal data")
    identities = list(customer.identities.all())
    if reveal and identities:
        with transaction.atomic():
            access_record(
                actor=user,
                target=customer,
                fields=[identity.kind for identity in identities],
                purpose="customer profile",
            )
    return [
        IdentityView(
            id=identity.pk,
            kind=identity.kind,
            value=identity.value if reveal else mask_identity(identity.kind, identity.value),
            masked=not reveal,
            is_primary=identity.is_primary,
        )
        for identity in identities
    ]

"""Customer endpoints: create, read (masked, or revealed and logged), update, search."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router
from ninja.responses import Status
from pydantic import Field

from kefu.core.errors import PermissionDenied
from kefu.core.schemas import InputSchema, ObjectId
from kefu.customers import selectors, services
from kefu.customers.identities import IdentityKind
from kefu.customers.models import AccountTier, ContactChannel, Customer, MemberLevel

router = Router(tags=["customers"])


class CustomerCreateIn(InputSchema):
    name: str = Field(min_length=1, max_length=100)
    phone: str | None = Field(default=None, max_length=40)
    email: str | None = Field(default=None, max_length=254)
    wechat_openid: str | None = Field(default=None, max_length=64)
    id_number: str | None = Field(default=None, max_length=30)
    member_level: MemberLevel = MemberLevel.NORMAL
    tier: AccountTier = AccountTier.GENERAL
    tags: list[str] = Field(default_factory=list, max_length=30)
    preferred_channel: ContactChannel | None = None
    city: str = Field(default="", max_length=50)
    notes: str = Field(default="", max_length=4000)


class CustomerUpdateIn(InputSchema):
    version: int = Field(
        ge=1, description="the version you loaded; a stale one is refused with 409"
    )
    name: str | None = Field(default=None, min_length=1, max_length=100)
    member_level: MemberLevel | None = None
    tier: AccountTier | None = None
    tags: list[str] | None = Field(default=None, max_length=30)
    preferred_channel: ContactChannel | None = None
    city: str | None = Field(default=None, max_length=50)
    notes: str | None = Field(default=None, max_length=4000)


class IdentityIn(InputSchema):
    kind: IdentityKind
    value: str = Field(min_length=1, max_length=254)
    primary: bool = False


class SearchQuery(InputSchema):
    q: str = Field(min_length=1, max_length=254)
    page: int = Field(default=1, ge=1, le=100_000)
    page_size: int = Field(default=20, ge=1, le=200)


def customer_out(
    request: HttpRequest, customer: Customer, *, reveal: bool = False
) -> dict[str, Any]:
    identities = selectors.customer_identities(user=request.user, customer=customer, reveal=reveal)
    return {
        "id": customer.pk,
        "name": customer.name,
        "member_level": customer.member_level,
        "tier": customer.tier,
        "tags": customer.tags,
        "preferred_channel": customer.preferred_channel,
        "city": customer.city,
        "notes": customer.notes,
        "identities": [
            {
                "id": item.id,
                "kind": item.kind,
                "value": item.value,
                "masked": item.masked,
                "primary": item.is_primary,
            }
            for item in identities
        ],
        "created_at": customer.created_at,
        "updated_at": customer.updated_at,
        "version": customer.version,
    }


@router.post("", response={201: dict[str, Any]})
def create_customer(request: HttpRequest, payload: CustomerCreateIn) -> Status[dict[str, Any]]:
    if not request.user.has_perm("customers.add_customer"):
        raise PermissionDenied("your role may not create customers")
    data = payload.model_dump()
    data["preferred_channel"] = data["preferred_channel"] or ""
    customer = services.customer_create(actor=request.user, **data)
    return Status(
        201,
        customer_out(request, selectors.customer_get(user=request.user, customer_id=customer.pk)),
    )


@router.get("", response=dict[str, Any])
def search_customers(request: HttpRequest, query: Query[SearchQuery]) -> dict[str, Any]:
    customers = selectors.customer_search(user=request.user, q=query.q)
    start = (query.page - 1) * query.page_size
    items = [customer_out(request, item) for item in customers[start : start + query.page_size]]
    return {
        "items": items,
        "count": customers.count(),
        "page": query.page,
        "page_size": query.page_size,
    }


@router.get("/{customer_id}", response=dict[str, Any])
def get_customer(
    request: HttpRequest, customer_id: ObjectId, reveal: bool = False
) -> dict[str, Any]:
    customer = selectors.customer_get(user=request.user, customer_id=customer_id)
    return customer_out(request, customer, reveal=reveal)


@router.patch("/{customer_id}", response=dict[str, Any])
def update_customer(
    request: HttpRequest, customer_id: ObjectId, payload: CustomerUpdateIn
) -> dict[str, Any]:
    if not request.user.has_perm("customers.change_customer"):
        raise PermissionDenied("your role may not edit customers")
    customer = selectors.customer_get(user=request.user, customer_id=customer_id)
    changes = payload.model_dump(exclude_unset=True)
    version = changes.pop("version")
    if "preferred_channel" in changes:
        changes["preferred_channel"] = changes["preferred_channel"] or ""
    services.customer_update(
        actor=request.user, customer=customer, version=version, changes=changes
    )
    return customer_out(request, selectors.customer_get(user=request.user, customer_id=customer_id))


@router.post("/{customer_id}/identities", response={201: dict[str, Any]})
def add_identity(
    request: HttpRequest, customer_id: ObjectId, payload: IdentityIn
) -> Status[dict[str, Any]]:
    if not request.user.has_perm("customers.change_customer"):
        raise PermissionDenied("your role may not edit customers")
    customer = selectors.customer_get(user=request.user, customer_id=customer_id)
    services.customer_identity_add(
        actor=request.user,
        customer=customer,
        kind=payload.kind,
        value=payload.value,
        primary=payload.primary,
    )
    return Status(
        201,
        customer_out(request, selectors.customer_get(user=request.user, customer_id=customer_id)),
    )

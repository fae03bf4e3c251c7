"""Writes on customers and their identities: atomic, audited, personal data never in clear."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction

from kefu.audit.services import audit_record, changed_fields, model_snapshot
from kefu.core.crypto import blind_index
from kefu.core.errors import Conflict, InvalidInput, StaleVersion
from kefu.core.timeutils import now
from kefu.customers.identities import IdentityKind, mask_identity, normalize_identity
from kefu.customers.models import (
    AccountTier,
    ContactChannel,
    Customer,
    CustomerIdentity,
    MemberLevel,
)

PROFILE_FIELDS = ["name", "member_level", "tier", "tags", "preferred_channel", "city", "notes"]
MAX_TAGS = 30
MAX_TAG_LENGTH = 30


def identity_lookup_hash(kind: str, raw: str) -> str:
    """Blind-index hash of an identity as typed by anyone (normalised first)."""
    return blind_index(f"{kind}:{normalize_identity(kind, raw)}")


def _clean_profile(values: Mapping[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for key, value in values.items():
        if key == "name":
            name = (value or "").strip()
            if not name:
                raise InvalidInput("a customer needs a name", field="name")
            if len(name) > 100:
                raise InvalidInput("name is longer than 100 characters", field="name")
            cleaned[key] = name
        elif key == "member_level":
            if value not in MemberLevel.values:
                raise InvalidInput(f"unknown member level {value!r}", field=key)
            cleaned[key] = value
        elif key == "tier":
            if value not in AccountTier.values:
                raise InvalidInput(
                    f"unknown key-account tier {value!r}; one of {', '.join(AccountTier.values)}",
                    field=key,
                )
            cleaned[key] = value
        elif key == "preferred_channel":
            if value and value not in ContactChannel.values:
                raise InvalidInput(f"unknown channel {value!r}", field=key)
            cleaned[key] = value or ""
        elif key == "tags":
            tags = [str(tag).strip() for tag in (value or []) if str(tag).strip()]
            if len(tags) > MAX_TAGS or any(len(tag) > MAX_TAG_LENGTH for tag in tags):
                raise InvalidInput(
                    f"at most {MAX_TAGS} tags of at most {MAX_TAG_LENGTH} characters", field=key
                )
            cleaned[key] = list(dict.fromkeys(tags))
        elif key == "city":
            if len(value or "") > 50:
                raise InvalidInput("city is longer than 50 characters", field=key)
            cleaned[key] = (value or "").strip()
        elif key == "notes":
            if len(value or "") > 4000:
                raise InvalidInput("notes are longer than 4000 characters", field=key)
            cleaned[key] = value or ""
        else:
            raise InvalidInput(f"unknown customer field {key!r}", field=key)
    return cleaned


def _new_identity(customer: Customer, kind: str, raw: str, *, primary: bool) -> CustomerIdentity:
    normalized = normalize_identity(kind, raw)
    lookup_hash = blind_index(f"{kind}:{normalized}")
    owner = (
        CustomerIdentity.objects.filter(kind=kind, lookup_hash=lookup_hash)
        .values_list("customer_id", flat=True)
        .first()
    )
    if owner is not None:
        raise Conflict(f"this {kind} already belongs to customer {owner}", field=kind)
    try:
        with transaction.atomic():
            return CustomerIdentity.objects.create(
                customer=customer,
                kind=kind,
                value=normalized,
                lookup_hash=lookup_hash,
                is_primary=primary,
            )
    except IntegrityError:
        raise Conflict(f"this {kind} already belongs to another customer", field=kind) from None


def _identity_audit_view(identities: list[CustomerIdentity]) -> list[dict[str, str]]:
    # The trail keeps masked values only: it must not become a clear-text copy of personal data.
    return [
        {"kind": item.kind, "value": mask_identity(item.kind, item.value)} for item in identities
    ]


@transaction.atomic
def customer_create(
    *,
    actor: Any,
    name: str,
    phone: str | None = None,
    email: str | None = None,
    wechat_openid: str | None = None,
    id_number: str | None = None,
    member_level: str = MemberLevel.NORMAL,
    tier: str = AccountTier.GENERAL,
    tags: list[str] | None = None,
    preferred_channel: str = "",
    city: str = "",
    notes: str = "",
) -> Customer:
    """Create a customer profile with its identities (CRM-1); identities are encrypted (SEC-1)."""
    profile = _clean_profile(
        {
            "name": name,
            "member_level": member_level,
            "tier": tier,
            "tags": tags or [],
            "preferred_channel": preferred_channel,
            "city": city,
            "notes": notes,
        }
    )
    identities = [
        (kind, raw)
        for kind, raw in (
            (IdentityKind.PHONE, phone),
            (IdentityKind.EMAIL, email),
            (IdentityKind.WECHAT_OPENID, wechat_openid),
            (IdentityKind.ID_NUMBER, id_number),
        )
        if raw
    ]
    for kind, raw in identities:  # validate everything before the first write
        normalize_identity(kind, raw)
    customer = Customer.objects.create(**profile)
    created = [_new_identity(customer, kind, raw, primary=True) for kind, raw in identities]
    audit_record(
        actor=actor,
        verb="customer.create",
        target=customer,
        after=model_snapshot(customer, PROFILE_FIELDS)
        | {"identities": _identity_audit_view(created)},
    )
    return customer


def customer_find_or_create(
    *, actor: Any, phone: str = "", email: str = "", name: str = ""
) -> Customer:
    """The customer with this phone or e-mail, or a new one with them (CRM-1).

    Call inside the transaction of the work that needs the customer, so a refused piece of
    work leaves no new customer behind.
    """
    from kefu.customers.selectors import customer_find_by_identity

    phone, email = (phone or "").strip(), (email or "").strip()
    if not phone and not email:
        raise InvalidInput("give the customer's phone or e-mail", field="customer")
    for kind, value in ((IdentityKind.PHONE, phone), (IdentityKind.EMAIL, email)):
        if value:
            found = customer_find_by_identity(kind=kind, value=value)
            if found is not None:
                return found
    label = (name or "").strip() or phone or email
    return customer_create(actor=actor, name=label, phone=phone or None, email=email or None)


@transaction.atomic
def customer_update(
    *, actor: Any, customer: Customer, version: int | None, changes: Mapping[str, Any]
) -> Customer:
    """Change profile fields; refuses a stale ``version`` (409) instead of overwriting."""
    cleaned = _clean_profile(changes)
    expected = customer.version if version is None else version
    if customer.version != expected:
        customer.refresh_from_db()
    before = model_snapshot(customer, PROFILE_FIELDS)
    if customer.version == expected and all(
        before.get(key) == value for key, value in cleaned.items()
    ):
        return customer  # nothing to change: no new version, no audit row
    updated = Customer.objects.filter(pk=customer.pk, version=expected).update(
        version=expected + 1, updated_at=now(), **cleaned
    )
    if not updated:
        raise StaleVersion(
            f"customer {customer.pk} was changed by someone else (your version {expected}); "
            "reload and apply your change again",
            field="version",
        )
    customer.refresh_from_db()
    old, new = changed_fields(before, model_snapshot(customer, PROFILE_FIELDS))
    audit_record(actor=actor, verb="customer.update", target=customer, before=old, after=new)
    return customer


@transaction.atomic
def customer_identity_add(
    *, actor: Any, customer: Customer, kind: str, value: str, primary: bool = False
) -> CustomerIdentity:
    if kind not in IdentityKind.values:
        raise InvalidInput(f"unknown identity kind {kind!r}", field="kind")
    if primary:
        CustomerIdentity.objects.filter(customer=customer, kind=kind, is_primary=True).update(
            is_primary=False
        )
    elif not CustomerIdentity.objects.filter(customer=customer, kind=kind).exists():
        primary = True
    identity = _new_identity(customer, kind, value, primary=primary)
    audit_record(
        actor=actor,
        verb="customer.identity_add",
        target=customer,
        after={"identities": _identity_audit_view([identity])},
    )
    return identity


@transaction.atomic
def customer_identity_remove(*, actor: Any, identity: CustomerIdentity) -> None:
    customer = identity.customer
    view = _identity_audit_view([identity])
    identity.delete()
    audit_record(
        actor=actor, verb="customer.identity_remove", target=customer, before={"identities": view}
    )

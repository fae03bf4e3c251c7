"""Customers: encryption at rest, blind-index lookup, masking, reveal logging, concurrency."""

from __future__ import annotations

import pytest
from django.db import connection

from kefu.audit.models import AccessEvent, AuditEvent
from kefu.core.errors import Conflict, InvalidInput, PermissionDenied, StaleVersion
from kefu.customers.identities import normalize_identity
from kefu.customers.models import CustomerIdentity
from kefu.customers.selectors import customer_find_by_identity, customer_identities, customer_search
from kefu.customers.services import customer_create, customer_identity_add, customer_update


@pytest.mark.django_db
def test_identities_are_encrypted_at_rest(customer):
    with connection.cursor() as cursor:
        cursor.execute("SELECT value, lookup_hash FROM customers_customeridentity")
        rows = cursor.fetchall()
    assert len(rows) == 2
    for stored, lookup in rows:
        assert "13800138000" not in stored and "li@example.com" not in stored
        assert "13800138000" not in lookup
    assert {identity.value for identity in CustomerIdentity.objects.all()} == {
        "13800138000",
        "li@example.com",
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    "typed", ["13800138000", "+86 138-0013-8000", "0086 13800138000", "138 0013 8000"]
)
def test_phone_lookup_through_blind_index_ignores_formatting(customer, typed):
    assert customer_find_by_identity(kind="phone", value=typed) == customer


@pytest.mark.django_db
def test_email_lookup_is_case_insensitive(customer):
    assert customer_find_by_identity(kind="email", value="LI@Example.COM") == customer


@pytest.mark.django_db
def test_search_by_phone_email_or_name(customer, agent, manager):
    other = customer_create(actor=manager, name="李明华", phone="13900139000")
    assert list(customer_search(user=agent, q="13800138000")) == [customer]
    assert list(customer_search(user=agent, q="li@example.com")) == [customer]
    assert list(customer_search(user=agent, q="李明")) == [customer, other]
    assert list(customer_search(user=agent, q="nobody@example.com")) == []


@pytest.mark.django_db
def test_one_identity_belongs_to_one_customer(customer, manager):
    count = AuditEvent.objects.count()
    with pytest.raises(Conflict, match="already belongs"):
        customer_create(actor=manager, name="冒名者", phone="+8613800138000")
    assert AuditEvent.objects.count() == count


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "value"),
    [("phone", "abc"), ("email", "not-an-address"), ("id_number", "!!"), ("wechat_openid", "x")],
)
def test_bad_identities_are_refused(kind, value):
    with pytest.raises(InvalidInput) as caught:
        normalize_identity(kind, value)
    assert caught.value.field == kind


@pytest.mark.django_db
def test_bad_phone_creates_no_customer(manager):
    with pytest.raises(InvalidInput):
        customer_create(actor=manager, name="王五", phone="12")
    assert not AuditEvent.objects.filter(verb="customer.create").exists()


@pytest.mark.django_db
def test_masked_by_default_and_reveal_is_logged(customer, team_lead):
    masked = {
        item.kind: item.value for item in customer_identities(user=team_lead, customer=customer)
    }
    assert masked == {"phone": "138****8000", "email": "l***@example.com"}
    assert not AccessEvent.objects.exists()
    revealed = {
        item.kind: item.value
        for item in customer_identities(user=team_lead, customer=customer, reveal=True)
    }
    assert revealed == {"phone": "13800138000", "email": "li@example.com"}
    event = AccessEvent.objects.get()
    assert event.actor == team_lead and event.fields == ["email", "phone"]


@pytest.mark.django_db
def test_agents_may_not_reveal(customer, agent):
    with pytest.raises(PermissionDenied):
        customer_identities(user=agent, customer=customer, reveal=True)
    assert not AccessEvent.objects.exists()


@pytest.mark.django_db
def test_audit_keeps_only_masked_identities(customer):
    audit = AuditEvent.objects.get(verb="customer.create")
    assert "13800138000" not in str(audit.after)
    assert {"kind": "phone", "value": "138****8000"} in audit.after["identities"]


@pytest.mark.django_db
def test_update_refuses_stale_version(customer, agent):
    customer_update(actor=agent, customer=customer, version=1, changes={"tier": "core"})
    with pytest.raises(StaleVersion):
        customer_update(actor=agent, customer=customer, version=1, changes={"tier": "strategic"})
    customer.refresh_from_db()
    assert customer.tier == "core" and customer.version == 2


@pytest.mark.django_db
def test_second_phone_is_not_primary_unless_asked(customer, agent):
    second = customer_identity_add(
        actor=agent, customer=customer, kind="phone", value="13700137000"
    )
    assert not second.is_primary
    third = customer_identity_add(
        actor=agent, customer=customer, kind="phone", value="13600136000", primary=True
    )
    assert third.is_primary
    assert (
        CustomerIdentity.objects.filter(customer=customer, kind="phone", is_primary=True).count()
        == 1
    )

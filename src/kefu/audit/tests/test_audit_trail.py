"""The operation trail commits with its change, vanishes with a rollback, cannot be edited."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, transaction

from kefu.audit.models import AuditEvent
from kefu.audit.selectors import audit_event_list
from kefu.audit.services import audit_record
from kefu.core.context import request_context
from kefu.core.errors import PermissionDenied
from kefu.customers.models import Customer
from kefu.customers.services import customer_update


@pytest.mark.django_db
def test_audit_row_commits_with_its_change(customer, agent):
    with request_context(request_id="req-12345678", source_ip="10.0.0.8"):
        customer_update(
            actor=agent, customer=customer, version=1, changes={"notes": "老年客户，请放慢语速"}
        )
    event = AuditEvent.objects.get(verb="customer.update")
    assert event.actor == agent
    assert event.before == {"notes": ""}
    assert event.after == {"notes": "老年客户，请放慢语速"}
    assert event.request_id == "req-12345678"
    assert event.source_ip == "10.0.0.8"


@pytest.mark.django_db
def test_audit_row_is_absent_when_the_change_rolls_back(customer, agent):
    with pytest.raises(RuntimeError), transaction.atomic():
        customer_update(actor=agent, customer=customer, version=1, changes={"notes": "x"})
        raise RuntimeError("boom")
    assert not AuditEvent.objects.filter(verb="customer.update").exists()
    assert Customer.objects.get(pk=customer.pk).notes == ""


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_audit_outside_a_transaction_is_a_programming_error(manager):
    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit_record(actor=manager, verb="x", target=manager)


@pytest.mark.django_db
def test_the_database_refuses_to_edit_audit_events(customer):
    event = AuditEvent.objects.first()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(verb="forged")
    assert AuditEvent.objects.get(pk=event.pk).verb == "customer.create"


@pytest.mark.django_db
def test_only_managers_browse_the_trail(customer, manager, agent):
    assert audit_event_list(user=manager, verb="customer.create").count() == 1
    with pytest.raises(PermissionDenied):
        audit_event_list(user=agent)


@pytest.mark.django_db
def test_admin_screens_are_read_only(admin_client):
    from django.contrib.admin.sites import site

    model_admin = site._registry[AuditEvent]
    request = type("R", (), {"user": None})()
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert admin_client.get("/admin/audit/auditevent/").status_code == 200

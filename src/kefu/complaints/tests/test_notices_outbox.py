"""A complaint's customer notices leave at most once, whatever the worker does (HND-5, HND-8).

These tests commit for real (``transaction=True``), so the outbox's after-commit delivery runs
as in production: the registering transaction commits, the delivery task (run in-process by
the immediate huey of the test settings) claims the message, hands it to the SMS gateway and
records the outcome. Time is moved with the time machine for leases and back-off.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import transaction

from kefu.audit.models import AuditEvent
from kefu.complaints.models import Complaint
from kefu.complaints.services import _auto_notice, complaint_register
from kefu.complaints.tests.conftest import RecordingSmsBackend
from kefu.core.errors import Conflict, PermissionDenied
from kefu.notify import services as outbox
from kefu.notify.models import CustomerNotice, NoticeKind, OutboundMessage, OutboundStatus
from kefu.notify.notices import notice_send
from kefu.notify.services import (
    MAX_ATTEMPTS,
    outbox_confirm_sent,
    outbox_deliver,
    outbox_resend,
    outbox_retry_due,
)
from kefu.notify.tasks import deliver_outbound_message
from kefu.sla.models import Clock
from kefu.tests_support.time_machine import shanghai
from kefu.tickets.models import Ticket, TicketEvent

REAL = pytest.mark.django_db(transaction=True, serialized_rollback=True)
REGISTERED = "2026-09-29 10:20"
NOTHING = {"sent": 0, "failed": 0, "skipped": 0, "unconfirmed": 0}


def register(agent: Any, customer: Any) -> Complaint:
    return complaint_register(
        actor=agent,
        type="business_error",
        severity="general",
        demands="会员费被重复扣取 30 元，要求退还",
        channel="phone",
        customer=customer,
        received_at=shanghai("2026-09-29 10:00"),
    )


def the_notice(complaint: Complaint) -> CustomerNotice:
    return CustomerNotice.objects.select_related("message").get(
        ticket=complaint.ticket_id, kind=NoticeKind.NEED_CONFIRMATION
    )


def need_confirmation(complaint: Complaint) -> Clock:
    return Clock.objects.get(ticket=complaint.ticket_id, milestone="need_confirmation")


def delivered_events(complaint: Complaint) -> int:
    return TicketEvent.objects.filter(
        ticket=complaint.ticket_id, kind="notice", data__delivered=True
    ).count()


@pytest.fixture
def at_registration(time_machine, agent, complaint_specialist, customer):
    time_machine.at(shanghai(REGISTERED))
    return time_machine


@pytest.fixture
def worker_down(monkeypatch):
    """No delivery task is queued at commit (the task queue is down); messages wait pending."""
    monkeypatch.setattr(outbox, "_schedule_delivery", lambda message_id: None)


# -- (a) the delivery task runs twice ---------------------------------------------------------


@REAL
def test_a_delivery_task_that_runs_twice_sends_one_sms(
    at_registration, settings, tmp_path, agent, customer
):
    settings.KEFU_SMS_BACKEND = "kefu.notify.sms.LoggingSmsBackend"
    settings.DATA_DIR = tmp_path
    complaint = register(agent, customer)  # commits; the delivery task runs after the commit
    message = the_notice(complaint).message
    assert message.status == OutboundStatus.SENT and message.attempts == 1
    # The same task delivered again (a duplicate in the queue, a retry of the task runner) …
    deliver_outbound_message(message.pk)
    assert outbox_deliver(message.pk) == "skipped"
    at_registration.move(dt.timedelta(minutes=5))
    assert outbox_retry_due() == NOTHING
    # … wrote one SMS line, with the masked number and the message's reference.
    lines = (tmp_path / "sms" / "2026-09-29.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    sent = json.loads(lines[0])
    assert sent["reference"] == f"kefu-outbox-{message.pk}"
    assert "13800138000" not in sent["to"] and sent["to"].endswith("8000")
    # The log proves the sending, not a second copy of the text (personal data stays inside).
    message.refresh_from_db()
    assert sent["characters"] == len(message.body) and "会员费被重复扣取" in message.body
    assert "会员费" not in lines[0] and "李明" not in lines[0]
    assert message.status == OutboundStatus.SENT and message.attempts == 1
    notice = the_notice(complaint)
    assert notice.sent_at == shanghai(REGISTERED)
    assert delivered_events(complaint) == 1
    assert need_confirmation(complaint).state == "met"


@REAL
def test_two_workers_taking_the_same_pending_message_send_it_once(
    at_registration, sms, worker_down, agent, customer
):
    complaint = register(agent, customer)
    message = the_notice(complaint).message
    assert message.status == OutboundStatus.PENDING and sms == []
    assert [outbox_deliver(message.pk), outbox_deliver(message.pk)] == ["sent", "skipped"]
    assert outbox_retry_due() == NOTHING
    assert len(sms) == 1 and RecordingSmsBackend.attempts == [f"kefu-outbox-{message.pk}"]
    assert delivered_events(complaint) == 1


# -- (b) the worker dies between the gateway and the record -----------------------------------


@REAL
def test_a_worker_dying_after_the_gateway_accepted_never_sends_again(
    at_registration, sms, settings, worker_down, monkeypatch, agent, customer, admin, manager
):
    settings.KEFU_OUTBOX_CLAIM_LEASE_SECONDS = 300
    complaint = register(agent, customer)
    message = the_notice(complaint).message

    def killed(*args: Any, **kwargs: Any) -> bool:
        raise SystemExit("worker killed")

    monkeypatch.setattr(outbox, "_record_sent", killed)
    with pytest.raises(SystemExit):
        outbox_deliver(message.pk)
    monkeypatch.undo()  # the next worker runs the real code
    assert len(sms) == 1  # the gateway took it
    message.refresh_from_db()
    assert message.status == OutboundStatus.SENDING and message.attempts == 1
    assert message.claimed_at == shanghai(REGISTERED)

    # Within the lease the periodic run leaves it alone; a second delivery is skipped.
    at_registration.move(dt.timedelta(seconds=299))
    assert outbox_retry_due() == NOTHING
    assert outbox_deliver(message.pk) == "skipped"
    message.refresh_from_db()
    assert message.status == OutboundStatus.SENDING and len(sms) == 1

    # After the lease the claim is unconfirmed — for a person to check, never resent by itself.
    at_registration.move(dt.timedelta(seconds=2))
    assert outbox_retry_due() == {**NOTHING, "unconfirmed": 1}
    message.refresh_from_db()
    assert message.status == OutboundStatus.UNCONFIRMED and "worker stopped" in message.last_error
    at_registration.move(dt.timedelta(hours=1))
    assert outbox_retry_due() == NOTHING
    assert outbox_deliver(message.pk) == "skipped"
    assert len(sms) == 1 and len(RecordingSmsBackend.attempts) == 1
    assert the_notice(complaint).sent_at is None
    assert need_confirmation(complaint).state == "running"
    assert delivered_events(complaint) == 0

    # A manager may look but not decide; the administrator confirms it left. The notice counts
    # from the moment the worker took it, so the HND-5 clock is met in time.
    with pytest.raises(PermissionDenied):
        outbox_confirm_sent(actor=manager, message=message)
    confirmed = outbox_confirm_sent(actor=admin, message=message)
    assert confirmed.status == OutboundStatus.SENT and confirmed.sent_at == shanghai(REGISTERED)
    assert the_notice(complaint).sent_at == shanghai(REGISTERED)
    clock = need_confirmation(complaint)
    assert clock.state == "met" and clock.met_at == shanghai(REGISTERED)
    assert delivered_events(complaint) == 1
    assert AuditEvent.objects.filter(verb="outbox.confirm_sent", object_id=str(message.pk)).exists()
    with pytest.raises(Conflict):
        outbox_confirm_sent(actor=admin, message=confirmed)
    assert outbox_retry_due() == NOTHING and len(sms) == 1


# -- (c) a gateway that keeps failing ---------------------------------------------------------


@REAL
def test_a_failing_gateway_is_retried_with_back_off_and_finally_failed(
    at_registration, sms, agent, customer, admin
):
    RecordingSmsBackend.failure = ConnectionError("SMS gateway unreachable")
    complaint = register(agent, customer)  # the first attempt runs at commit and fails
    message = the_notice(complaint).message
    waits = []
    for attempt in range(1, MAX_ATTEMPTS):
        message.refresh_from_db()
        assert (message.status, message.attempts) == (OutboundStatus.PENDING, attempt)
        assert "SMS gateway unreachable" in message.last_error
        waits.append(message.next_attempt_at - at_registration.now())
        # Not before its time …
        at_registration.at(message.next_attempt_at - dt.timedelta(seconds=1))
        assert outbox_retry_due() == NOTHING
        # … then once.
        at_registration.at(message.next_attempt_at)
        assert outbox_retry_due() == {**NOTHING, "failed": 1}
    assert waits == [dt.timedelta(minutes=2**n) for n in range(1, MAX_ATTEMPTS)]
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboundStatus.FAILED, MAX_ATTEMPTS)
    assert message.next_attempt_at is None
    assert len(RecordingSmsBackend.attempts) == MAX_ATTEMPTS and sms == []
    at_registration.move(dt.timedelta(days=1))
    assert outbox_retry_due() == NOTHING
    assert the_notice(complaint).sent_at is None
    assert need_confirmation(complaint).state == "running"

    # The gateway is back and an administrator sends it by hand: it goes, late (HND-5 breached).
    RecordingSmsBackend.failure = None
    outbox_resend(actor=admin, message=message)  # delivered after its commit
    message.refresh_from_db()
    assert message.status == OutboundStatus.SENT and len(sms) == 1
    assert the_notice(complaint).sent_at == at_registration.now()
    clock = need_confirmation(complaint)
    assert clock.state == "breached" and clock.stopped_at == at_registration.now()


# -- (d) a rolled-back registration -----------------------------------------------------------


@REAL
def test_a_rolled_back_registration_sends_nothing(at_registration, sms, agent, customer):
    with pytest.raises(RuntimeError, match="after the complaint"), transaction.atomic():
        complaint = register(agent, customer)
        assert the_notice(complaint).message.status == OutboundStatus.PENDING
        raise RuntimeError("something after the complaint failed")
    assert not Complaint.objects.exists() and not Ticket.objects.exists()
    assert not OutboundMessage.objects.exists() and not CustomerNotice.objects.exists()
    at_registration.move(dt.timedelta(minutes=10))
    assert outbox_retry_due() == NOTHING
    assert sms == [] and RecordingSmsBackend.attempts == []


# -- (e) the same automatic notice again ------------------------------------------------------


@REAL
def test_the_same_automatic_notice_is_queued_once(at_registration, sms, agent, customer):
    complaint = register(agent, customer)
    assert len(sms) == 1
    events = TicketEvent.objects.filter(ticket=complaint.ticket_id, kind="notice").count()
    at_registration.move(dt.timedelta(minutes=3))
    # The registration step's notice re-run (a retried step, a double submit) …
    with transaction.atomic():
        _auto_notice(agent, Complaint.objects.get(pk=complaint.pk), NoticeKind.NEED_CONFIRMATION)
    with transaction.atomic():
        again = notice_send(
            actor=agent,
            ticket=Ticket.objects.get(pk=complaint.ticket_id),
            kind=NoticeKind.NEED_CONFIRMATION,
            dedupe_key=f"complaint:{complaint.pk}:need_confirmation:{complaint.version}",
        )
    # … queues nothing new and sends nothing new.
    assert again is None
    assert OutboundMessage.objects.filter(channel="sms").count() == 1
    assert CustomerNotice.objects.filter(ticket=complaint.ticket_id).count() == 1
    assert TicketEvent.objects.filter(ticket=complaint.ticket_id, kind="notice").count() == events
    assert outbox_retry_due() == NOTHING
    assert len(sms) == 1

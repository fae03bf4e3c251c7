"""The notification list (page and API) and the outbox's retry."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client

from kefu.accounts.services import api_token_create
from kefu.notify.models import Notification, OutboundMessage
from kefu.notify.services import notify_users, outbox_deliver, outbox_retry_due


@pytest.fixture
def notified(agent, manager):
    with transaction.atomic():
        notify_users(recipients=[agent], kind="test", title="工单即将超时", body="请尽快处理")
        notify_users(recipients=[manager], kind="test", title="给经理的消息")
    return Notification.objects.get(recipient=agent)


@pytest.mark.django_db
def test_api_lists_only_my_notifications_and_marks_them_read(agent, notified):
    _, key = api_token_create(actor=None, user=agent)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    page = client.get("/api/v1/notifications", {"unread": "true"}).json()
    assert [item["title"] for item in page["items"]] == ["工单即将超时"]
    others = Notification.objects.exclude(recipient=agent).values_list("pk", flat=True)
    marked = client.post(
        "/api/v1/notifications/read",
        {"ids": [notified.pk, *others]},
        content_type="application/json",
    ).json()
    assert marked == {"marked": 1}  # someone else's notification is not mine to mark
    assert client.get("/api/v1/notifications", {"unread": "true"}).json()["count"] == 0
    assert (
        client.post(
            "/api/v1/notifications/read", {"ids": []}, content_type="application/json"
        ).status_code
        == 422
    )


@pytest.mark.django_db
def test_page_lists_and_marks_all_read(client, agent, notified):
    client.force_login(agent)
    assert "工单即将超时" in client.get("/notifications/").content.decode()
    assert client.post("/notifications/read/").status_code == 302
    assert Notification.objects.get(pk=notified.pk).read_at is not None


@pytest.mark.django_db
def test_failed_delivery_is_retried_then_given_up(settings, agent):
    settings.EMAIL_BACKEND = "kefu.notify.tests.failing_backend.FailingBackend"
    agent.email = "agent@example.com"
    agent.save()
    with transaction.atomic():
        notify_users(recipients=[agent], kind="test", title="t", body="b", dedupe_prefix="x")
    message = OutboundMessage.objects.get()
    assert outbox_deliver(message.pk) == "failed"
    message.refresh_from_db()
    assert (
        message.status == "pending" and message.attempts == 1 and "SMTP down" in message.last_error
    )
    assert message.next_attempt_at > message.created_at
    OutboundMessage.objects.filter(pk=message.pk).update(
        attempts=7, next_attempt_at=message.created_at
    )
    assert outbox_retry_due() == {"sent": 0, "failed": 1, "skipped": 0, "unconfirmed": 0}
    assert OutboundMessage.objects.get(pk=message.pk).status == "failed"


@pytest.mark.django_db
def test_same_dedupe_key_queues_one_mail(agent):
    agent.email = "agent@example.com"
    agent.save()
    with transaction.atomic():
        for _ in range(3):
            notify_users(
                recipients=[agent],
                kind="test",
                title="t",
                body="b",
                dedupe_prefix="clock:1:warning",
            )
    assert OutboundMessage.objects.count() == 1

"""The customer notice administration screens: templates with live preview, and the outbox."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kefu.audit.models import AuditEvent
from kefu.notify.models import NoticeTemplate, OutboundMessage, OutboundStatus
from kefu.notify.notices import SAMPLE, template_update
from kefu.tests_support.factories import UserFactory
from kefu.tests_support.html import unlabelled_controls

PHONE = "13912345678"
EMAIL = "wang.fang@example.com"


@pytest.fixture
def administrator(db):
    return UserFactory(username="root", roles=["admin"])


@pytest.fixture
def sms_template(db):
    return NoticeTemplate.objects.get(kind="progress", channel="sms")


@pytest.fixture
def email_template(db):
    return NoticeTemplate.objects.get(kind="result", channel="email")


def _message(status: str, *, channel: str = "sms", to: str = PHONE, **kwargs):
    return OutboundMessage.objects.create(
        channel=channel,
        to_address=to,
        subject=kwargs.pop("subject", f"{status} 消息"),
        body="正文",
        status=status,
        created_at=timezone.now(),
        **kwargs,
    )


def _edit(template: NoticeTemplate, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "subject": template.subject,
        "body": template.body,
        "version": template.version,
    }
    data.update(changes)
    return data


# -- permissions ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_agents_see_neither_templates_nor_outbox(client, agent, sms_template):
    client.force_login(agent)
    for url in (
        "/manage/notices/",
        f"/manage/notices/{sms_template.pk}/",
        "/manage/notices/outbox/",
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/manage/notices/{sms_template.pk}/preview/", {}).status_code == 403
    message = _message(OutboundStatus.FAILED)
    assert client.post(f"/manage/notices/outbox/{message.pk}/resend/").status_code == 403
    assert OutboundMessage.objects.get(pk=message.pk).status == OutboundStatus.FAILED


@pytest.mark.django_db
def test_managers_read_templates_but_may_not_save(client, manager, sms_template):
    client.force_login(manager)
    listing = client.get("/manage/notices/")
    assert listing.status_code == 200
    assert f"/manage/notices/{sms_template.pk}/" in listing.content.decode()
    edit = client.get(f"/manage/notices/{sms_template.pk}/")
    assert edit.status_code == 200 and not edit.context["may_change"]
    refused = client.post(
        f"/manage/notices/{sms_template.pk}/", _edit(sms_template, body="改了 {ticket_number}")
    )
    assert refused.status_code == 403
    assert NoticeTemplate.objects.get(pk=sms_template.pk).body == sms_template.body


@pytest.mark.django_db
def test_managers_read_the_outbox_without_buttons(client, manager):
    message = _message(OutboundStatus.FAILED)
    client.force_login(manager)
    page = client.get("/manage/notices/outbox/")
    assert page.status_code == 200
    assert f"/outbox/{message.pk}/resend/" not in page.content.decode()
    assert client.post(f"/manage/notices/outbox/{message.pk}/resend/").status_code == 403


# -- templates --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_list_shows_each_template_with_its_version(client, administrator):
    client.force_login(administrator)
    page = client.get("/manage/notices/").content.decode()
    for template in NoticeTemplate.objects.all():
        assert f'href="/manage/notices/{template.pk}/"' in page
    assert len(NoticeTemplate.objects.all()) == 10


@pytest.mark.django_db
def test_edit_page_lists_variables_and_previews_sample_values(client, administrator, sms_template):
    client.force_login(administrator)
    page = client.get(f"/manage/notices/{sms_template.pk}/").content.decode()
    assert "{customer_name}" in page and "{rectification_result}" in page
    assert f'hx-post="/manage/notices/{sms_template.pk}/preview/"' in page
    # The stored text already rendered with the sample values.
    assert SAMPLE["customer_name"] in page and SAMPLE["ticket_number"] in page


@pytest.mark.django_db
def test_edit_saves_bumps_the_version_and_audits(client, administrator, email_template):
    client.force_login(administrator)
    response = client.post(
        f"/manage/notices/{email_template.pk}/",
        _edit(email_template, subject="结果通知 {ticket_number}", body="您好 {customer_name}"),
    )
    assert response.status_code == 302 and response["Location"] == "/manage/notices/"
    saved = NoticeTemplate.objects.get(pk=email_template.pk)
    assert (saved.subject, saved.body) == ("结果通知 {ticket_number}", "您好 {customer_name}")
    assert saved.version == email_template.version + 1 and saved.updated_by == administrator
    event = AuditEvent.objects.get(verb="notice_template.update")
    assert event.actor == administrator and event.after["body"] == "您好 {customer_name}"


@pytest.mark.django_db
def test_unknown_variable_is_refused_with_a_message(client, administrator, sms_template):
    client.force_login(administrator)
    response = client.post(
        f"/manage/notices/{sms_template.pk}/", _edit(sms_template, body="您好 {nickname}")
    )
    assert response.status_code == 422
    assert "nickname" in " ".join(response.context["form"].errors["body"])
    assert "您好 {nickname}" in response.content.decode()  # the typed text stays
    assert NoticeTemplate.objects.get(pk=sms_template.pk).version == sms_template.version


@pytest.mark.django_db
def test_email_template_needs_a_subject(client, administrator, email_template):
    client.force_login(administrator)
    response = client.post(
        f"/manage/notices/{email_template.pk}/", _edit(email_template, subject="")
    )
    assert response.status_code == 422 and response.context["form"].errors["subject"]


@pytest.mark.django_db
def test_preview_renders_sample_values_and_shows_errors_inline(
    client, manager, sms_template, email_template
):
    client.force_login(manager)  # reading is enough to try a text
    url = f"/manage/notices/{email_template.pk}/preview/"
    good = client.post(
        url,
        {"subject": "工单 {ticket_number}", "body": "{customer_name}，{solution}"},
        headers={"HX-Request": "true"},
    )
    assert good.status_code == 200
    text = good.content.decode()
    assert (
        SAMPLE["ticket_number"] in text
        and f"{SAMPLE['customer_name']}，{SAMPLE['solution']}" in text
    )
    assert "<html" not in text  # a fragment for HTMX
    bad = client.post(url, {"subject": "s", "body": "{oops}"}, headers={"HX-Request": "true"})
    assert bad.status_code == 422 and "oops" in bad.content.decode()
    assert 'role="alert"' in bad.content.decode()
    sms = client.post(
        f"/manage/notices/{sms_template.pk}/preview/",
        {"body": "{center}：{progress}"},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert f"{SAMPLE['center']}：{SAMPLE['progress']}" in sms and "500" in sms
    # Without JavaScript the preview button shows the whole page with the preview.
    page = client.post(url, {"subject": "x", "body": "{customer_name}"})
    assert page.status_code == 200 and "<html" in page.content.decode()
    assert SAMPLE["customer_name"] in page.content.decode()
    assert NoticeTemplate.objects.get(pk=email_template.pk).body == email_template.body


@pytest.mark.django_db
def test_stale_version_keeps_the_typed_text(client, administrator, sms_template):
    client.force_login(administrator)
    opened = sms_template.version
    other = UserFactory(username="root2", roles=["admin"])
    template_update(
        actor=other,
        template=sms_template,
        subject="",
        body="同事改过的 {ticket_number}",
        version=opened,
    )
    typed = "我写的新内容 {customer_name}"
    response = client.post(
        f"/manage/notices/{sms_template.pk}/", _edit(sms_template, body=typed, version=opened)
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert typed in page and "同事改过的" in page
    assert response.context["conflict"]["message"] in page
    assert response.context["form"].initial["version"] == opened + 1
    assert NoticeTemplate.objects.get(pk=sms_template.pk).body == "同事改过的 {ticket_number}"
    # Saving again, on purpose, replaces the colleague's text.
    again = client.post(
        f"/manage/notices/{sms_template.pk}/", _edit(sms_template, body=typed, version=opened + 1)
    )
    assert again.status_code == 302
    assert NoticeTemplate.objects.get(pk=sms_template.pk).body == typed


@pytest.mark.django_db
def test_edit_page_labels_its_controls(client, administrator, sms_template):
    client.force_login(administrator)
    for url in (f"/manage/notices/{sms_template.pk}/", "/manage/notices/outbox/"):
        page = client.get(url).content.decode()
        assert not unlabelled_controls(page), (url, unlabelled_controls(page))


@pytest.mark.django_db
def test_missing_template_is_404(client, administrator):
    client.force_login(administrator)
    assert client.get("/manage/notices/999999/").status_code == 404


# -- outbox -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_outbox_never_shows_the_clear_address(client, administrator):
    _message(OutboundStatus.SENT, to=PHONE, sent_at=timezone.now())
    _message(
        OutboundStatus.FAILED,
        channel="email",
        to=EMAIL,
        last_error=f"SMTPRecipientsRefused: {EMAIL} rejected",
    )
    client.force_login(administrator)
    page = client.get("/manage/notices/outbox/").content.decode()
    assert PHONE not in page and EMAIL not in page and "wang.fang" not in page
    assert "139****5678" in page and "w***@example.com" in page
    assert "SMTPRecipientsRefused" in page


@pytest.mark.django_db
def test_outbox_is_newest_first_filtered_and_paged(client, administrator):
    old = _message(OutboundStatus.SENT, subject="旧消息")
    old.created_at = timezone.now() - dt.timedelta(days=1)
    old.save()
    _message(OutboundStatus.FAILED, subject="新消息")
    _message(OutboundStatus.PENDING, channel="email", to=EMAIL, subject="邮件消息")
    client.force_login(administrator)
    page = client.get("/manage/notices/outbox/").content.decode()
    assert page.index("新消息") < page.index("旧消息")
    failed = client.get("/manage/notices/outbox/?status=failed").content.decode()
    assert "新消息" in failed and "旧消息" not in failed
    email = client.get("/manage/notices/outbox/?channel=email").content.decode()
    assert "邮件消息" in email and "新消息" not in email
    assert client.get("/manage/notices/outbox/?status=bogus&page=x").status_code == 200
    for number in range(55):
        _message(OutboundStatus.SENT, subject=f"批量{number}")
    first = client.get("/manage/notices/outbox/")
    assert len(first.context["rows"]) == 50 and first.context["has_next"]
    second = client.get("/manage/notices/outbox/?page=2")
    assert len(second.context["rows"]) == 8 and not second.context["has_next"]


@pytest.mark.django_db
def test_send_again_requeues_failed_and_unconfirmed(client, administrator):
    failed = _message(OutboundStatus.FAILED, attempts=8)
    unknown = _message(OutboundStatus.UNCONFIRMED, attempts=1)
    client.force_login(administrator)
    page = client.get("/manage/notices/outbox/").content.decode()
    assert f"/outbox/{failed.pk}/resend/" in page and f"/outbox/{unknown.pk}/resend/" in page
    assert f"/outbox/{unknown.pk}/confirm/" in page and f"/outbox/{failed.pk}/confirm/" not in page
    response = client.post(
        f"/manage/notices/outbox/{failed.pk}/resend/", {"back": "status=failed&evil=1"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/manage/notices/outbox/?status=failed"
    assert OutboundMessage.objects.get(pk=failed.pk).status == OutboundStatus.PENDING
    client.post(f"/manage/notices/outbox/{unknown.pk}/resend/")
    assert OutboundMessage.objects.get(pk=unknown.pk).status == OutboundStatus.PENDING
    assert AuditEvent.objects.filter(verb="outbox.resend").count() == 2


@pytest.mark.django_db
def test_confirm_sent_records_the_delivery(client, administrator):
    claimed = timezone.now() - dt.timedelta(hours=1)
    unknown = _message(OutboundStatus.UNCONFIRMED, attempts=1, claimed_at=claimed)
    client.force_login(administrator)
    response = client.post(f"/manage/notices/outbox/{unknown.pk}/confirm/", follow=True)
    assert response.status_code == 200
    confirmed = OutboundMessage.objects.get(pk=unknown.pk)
    assert confirmed.status == OutboundStatus.SENT and confirmed.sent_at == claimed
    assert AuditEvent.objects.filter(verb="outbox.confirm_sent").exists()


@pytest.mark.django_db
def test_a_sent_message_is_never_sent_twice(client, administrator):
    sent = _message(OutboundStatus.SENT, attempts=1, sent_at=timezone.now())
    failed = _message(OutboundStatus.FAILED, attempts=8)
    client.force_login(administrator)
    page = client.get("/manage/notices/outbox/").content.decode()
    assert f"/outbox/{sent.pk}/resend/" not in page
    for action in ("resend", "confirm"):
        response = client.post(f"/manage/notices/outbox/{sent.pk}/{action}/", follow=True)
        assert response.status_code == 200
        shown = [str(message) for message in response.context["messages"]]
        assert shown and str(sent.pk) in shown[-1]
        assert OutboundMessage.objects.get(pk=sent.pk).status == OutboundStatus.SENT
    # A failed message is not "confirmed" either: nobody knows it arrived.
    client.post(f"/manage/notices/outbox/{failed.pk}/confirm/")
    assert OutboundMessage.objects.get(pk=failed.pk).status == OutboundStatus.FAILED
    assert not AuditEvent.objects.filter(verb__startswith="outbox.").exists()
    assert client.post("/manage/notices/outbox/999999/resend/").status_code == 404
    assert client.get(f"/manage/notices/outbox/{sent.pk}/resend/").status_code == 405

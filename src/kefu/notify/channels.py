"""Handing one outbox message to its channel: e-mail through Django's backend, SMS through the
adapter. Both carry a reference stable per message, so a receiver can spot a duplicate."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage

from kefu.notify.models import OutboundChannel, OutboundMessage
from kefu.notify.sms import sms_backend


def message_reference(message: OutboundMessage) -> str:
    return f"kefu-outbox-{message.pk}"


def channel_send(message: OutboundMessage) -> None:
    """Deliver ``message`` or raise; no database writes here."""
    reference = message_reference(message)
    if message.channel == OutboundChannel.SMS:
        sms_backend().send(to=message.to_address, body=message.body, reference=reference)
        return
    if message.channel == OutboundChannel.WECHAT:
        # A customer-service message to the follower's openid (kefu.channels.wechat_api).
        from kefu.channels.wechat_api import wechat_send_text

        wechat_send_text(openid=message.to_address, text=message.body)
        return
    domain = settings.KEFU_SUPPORT_EMAIL.rpartition("@")[2] or "localhost"
    # The sender's headers (a customer reply's Message-ID, In-Reply-To, References) win: the
    # Message-ID it recorded is what the customer's answer will refer to.
    headers = {"Message-ID": f"<{reference}@{domain}>"}
    headers.update({str(k): str(v) for k, v in (message.headers or {}).items() if v})
    email = EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=settings.KEFU_SUPPORT_EMAIL,
        to=[message.to_address],
        headers=headers,
    )
    email.send(fail_silently=False)

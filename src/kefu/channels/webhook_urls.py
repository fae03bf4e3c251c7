"""URLs the SMS gateway and the WeChat Official Account call (mounted under ``/channels/``)."""

from __future__ import annotations

from django.urls import path

from kefu.channels import webhook_views

urlpatterns = [
    path("sms/inbound", webhook_views.sms_inbound_view, name="sms-inbound"),
    path("wechat/callback", webhook_views.wechat_callback_view, name="wechat-callback"),
]

"""Administration of customer notices: templates with preview, and the outbox."""

from __future__ import annotations

from django.urls import URLPattern, path

from kefu.notify import admin_views

urlpatterns: list[URLPattern] = [
    path("", admin_views.notice_template_list, name="notice-templates"),
    path("outbox/", admin_views.outbox_list, name="outbox"),
    path("outbox/<int:message_id>/resend/", admin_views.outbox_resend_post, name="outbox-resend"),
    path(
        "outbox/<int:message_id>/confirm/",
        admin_views.outbox_confirm_post,
        name="outbox-confirm",
    ),
    path("<int:template_id>/", admin_views.notice_template_edit, name="notice-template-edit"),
    path(
        "<int:template_id>/preview/",
        admin_views.notice_template_preview,
        name="notice-template-preview",
    ),
]

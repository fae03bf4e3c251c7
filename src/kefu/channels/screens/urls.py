"""Staff screens over every channel: inbox, contact page, wallboard, answer-rate report."""

from __future__ import annotations

from django.urls import path

from kefu.channels.screens import views

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("contacts/<int:contact_id>/", views.contact_page, name="contact-page"),
    path("contacts/<int:contact_id>/link/", views.contact_link_post, name="contact-link"),
    path("contacts/<int:contact_id>/ticket/", views.contact_ticket_post, name="contact-ticket"),
    path("contacts/<int:contact_id>/reply/", views.contact_reply_post, name="contact-reply"),
    path(
        "contacts/<int:contact_id>/recordings/<int:recording_id>/",
        views.contact_recording,
        name="contact-recording",
    ),
    path(
        "contacts/<int:contact_id>/attachments/<int:attachment_id>/",
        views.contact_attachment,
        name="contact-attachment",
    ),
    path("wallboard/", views.wallboard, name="wallboard"),
    path("wallboard/answer-rate/", views.answer_rate_page, name="answer-rate"),
]

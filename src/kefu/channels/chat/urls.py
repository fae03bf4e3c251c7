"""Web chat URLs (TEC-7): the embeddable widget, its public API and the agent console."""

from __future__ import annotations

from django.urls import path

from kefu.channels.chat import views

urlpatterns = [
    path("widget.js", views.widget_script, name="chat-widget-js"),
    path("preview/<slug:key>/", views.widget_preview, name="chat-widget-preview"),
    path("api/<str:key>/config", views.widget_config, name="chat-api-config"),
    path("api/<str:key>/start", views.widget_start, name="chat-api-start"),
    path("api/<str:key>/poll", views.widget_poll, name="chat-api-poll"),
    path("api/<str:key>/send", views.widget_send, name="chat-api-send"),
    path("api/<str:key>/end", views.widget_end, name="chat-api-end"),
    path("api/<str:key>/offline", views.widget_offline, name="chat-api-offline"),
    path("api/<str:key>/bot/ask", views.widget_bot_ask, name="chat-api-bot-ask"),
    path("api/<str:key>/bot/choose", views.widget_bot_choose, name="chat-api-bot-choose"),
    path("api/<str:key>/bot/feedback", views.widget_bot_feedback, name="chat-api-bot-feedback"),
    path("api/<str:key>/bot/handoff", views.widget_bot_handoff, name="chat-api-bot-handoff"),
    path("console/", views.console_page, name="chat-console"),
    path("console/poll", views.console_poll, name="chat-console-poll"),
    path("console/presence", views.console_presence, name="chat-console-presence"),
    path("console/<int:contact_id>/send", views.console_send, name="chat-console-send"),
    path("console/<int:contact_id>/end", views.console_end, name="chat-console-end"),
    path("console/<int:contact_id>/ticket", views.console_ticket, name="chat-console-ticket"),
]

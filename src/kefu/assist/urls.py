"""/assist/: the FAQ bot's pages and reports (TEC-2), ticket classification (TEC-4) and agent
assist (TEC-1)."""

from __future__ import annotations

from django.urls import URLPattern

from kefu.assist import agent_assist_views, bot_views, classification_views

urlpatterns: list[URLPattern] = [
    *bot_views.urlpatterns,
    *classification_views.urlpatterns,
    *agent_assist_views.urlpatterns,
]

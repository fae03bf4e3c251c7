"""Administration of customer notices: templates with preview, and the outbox."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

"""Complaint screens: queue, registration, complaint page, departments, dashboard (CMP-1…6)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

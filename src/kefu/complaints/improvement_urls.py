"""The improvement register (IMP-3): list, entry, export."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

"""Placeholder: filled in by the sampling work of issue 7."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

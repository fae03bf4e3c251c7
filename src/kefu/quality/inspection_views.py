"""Placeholder: filled in by the inspection work of issue 7."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

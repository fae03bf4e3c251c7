"""Placeholder: filled in by the rules work of issue 7."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

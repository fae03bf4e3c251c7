"""Placeholder: filled in by the article work of issue 8."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

"""The improvement register (IMP-3): list, entry, export."""

from __future__ import annotations

from django.urls import URLPattern, path

from kefu.complaints import improvement_views

urlpatterns: list[URLPattern] = [
    path("", improvement_views.improvement_list, name="improvements"),
    path("new/", improvement_views.improvement_new, name="improvement-new"),
    path("export.xlsx", improvement_views.improvement_export, name="improvements-export"),
    path("<int:improvement_id>/", improvement_views.improvement_edit, name="improvement-edit"),
]

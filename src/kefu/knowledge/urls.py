"""/knowledge/: the script library (SCR-1, SCR-4), articles, FAQ entries and search (TEC-5)."""

from __future__ import annotations

from django.urls import URLPattern, path

from kefu.knowledge import article_views, faq_views, search_views, views

urlpatterns: list[URLPattern] = [
    path("scripts/", views.script_list, name="knowledge-scripts"),
    path("scripts/new/", views.script_new, name="knowledge-script-new"),
    path("scripts/<int:script_id>/", views.script_edit, name="knowledge-script-edit"),
    path("scripts/<int:script_id>/active/", views.script_active, name="knowledge-script-active"),
    *article_views.urlpatterns,
    *faq_views.urlpatterns,
    *search_views.urlpatterns,
]

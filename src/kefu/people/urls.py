"""The training plan (TRN-2) under /people/."""

from __future__ import annotations

from django.urls import URLPattern, path

from kefu.people import views

urlpatterns: list[URLPattern] = [
    path("training/", views.training_plan, name="people-training"),
    path("training/new/", views.training_topic_new, name="people-training-new"),
    path("training/<int:topic_id>/done/", views.training_topic_done, name="people-training-done"),
]

"""Complaint screens: queue, registration, complaint page, departments, dashboard (CMP-1…6)."""

from __future__ import annotations

from django.urls import path

from kefu.complaints import views

urlpatterns = [
    path("", views.complaint_queue, name="complaint-queue"),
    path("new/", views.complaint_new, name="complaint-new"),
    path("dashboard/", views.complaint_dashboard, name="complaint-dashboard"),
    path("departments/", views.department_view, name="complaint-departments"),
    path("requests/<int:request_id>/reply/", views.department_reply_post, name="complaint-reply"),
    path("<int:complaint_id>/", views.complaint_page, name="complaint-page"),
    path(
        "<int:complaint_id>/transition/",
        views.complaint_transition_post,
        name="complaint-transition",
    ),
    path(
        "<int:complaint_id>/departments/",
        views.complaint_department_post,
        name="complaint-department-add",
    ),
    path("<int:complaint_id>/notice/", views.complaint_notice_post, name="complaint-notice"),
]

"""URL map: health, web pages, admin, API."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from kefu.api import api
from kefu.core import views as core_views
from kefu.notify import views as notify_views
from kefu.sla import views as sla_views
from kefu.standard import views as standard_views

admin.site.site_header = "kefu 客服 — 配置"
admin.site.site_title = "kefu"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("", core_views.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="core/login.html"),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("standard/", standard_views.standard_rules, name="standard-rules"),
    path("tickets/<str:number>/", sla_views.ticket_page, name="ticket-page"),
    path("sla/at-risk/", sla_views.at_risk, name="sla-at-risk"),
    path("sla/compliance/", sla_views.compliance, name="sla-compliance"),
    path("notifications/", notify_views.notification_list, name="notifications"),
    path("notifications/read/", notify_views.notification_read_all, name="notifications-read-all"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]

handler400 = "kefu.core.views.bad_request"

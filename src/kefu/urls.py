"""URL map: health, the agent workspace, manager pages, admin, API."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from kefu.accounts import views as account_views
from kefu.api import api
from kefu.audit import views as audit_views
from kefu.channels import views as channel_views
from kefu.core import views as core_views
from kefu.customers import views as customer_views
from kefu.notify import views as notify_views
from kefu.sla import views as sla_views
from kefu.standard import views as standard_views
from kefu.tickets import views as ticket_views

admin.site.site_header = "kefu 客服 — 配置"
admin.site.site_title = "kefu"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("", core_views.home, name="home"),
    path("search/", core_views.search, name="search"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="core/login.html"),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("qa/", include("kefu.quality.urls")),
    path("knowledge/", include("kefu.knowledge.urls")),  # script library (SCR-1, SCR-4)
    path("people/", include("kefu.people.urls")),  # training plan (TRN-2)
    path("assist/", include("kefu.assist.urls")),  # FAQ bot, classification, agent assist
    # Queues and tickets
    path("queues/<slug:key>/", ticket_views.queue_page, name="queue"),
    path("queues/<slug:key>/next/", ticket_views.queue_next, name="queue-next"),
    path("queues/<slug:key>/filters/", ticket_views.saved_filter_create, name="filter-save"),
    path("filters/<int:filter_id>/delete/", ticket_views.saved_filter_remove, name="filter-delete"),
    path("tickets/new/", ticket_views.ticket_new, name="ticket-new"),
    path("tickets/<str:number>/", ticket_views.ticket_page, name="ticket-page"),
    path("tickets/<str:number>/live/", ticket_views.ticket_live, name="ticket-live"),
    path("tickets/<str:number>/comment/", ticket_views.ticket_comment_post, name="ticket-comment"),
    path(
        "tickets/<str:number>/transition/",
        ticket_views.ticket_transition_post,
        name="ticket-transition",
    ),
    path("tickets/<str:number>/routing/", ticket_views.ticket_routing_post, name="ticket-routing"),
    path("tickets/<str:number>/record/", ticket_views.ticket_record_post, name="ticket-record"),
    path("tickets/<str:number>/attach/", ticket_views.ticket_attach_post, name="ticket-attach"),
    # Customers
    path("customers/lookup/", customer_views.customer_lookup, name="customer-lookup"),
    path("customers/<int:customer_id>/", customer_views.customer_page, name="customer-page"),
    path(
        "customers/<int:customer_id>/reveal/",
        customer_views.customer_reveal,
        name="customer-reveal",
    ),
    # Service standard and SLA
    path("standard/", standard_views.standard_rules, name="standard-rules"),
    path("sla/at-risk/", sla_views.at_risk, name="sla-at-risk"),
    path("sla/compliance/", sla_views.compliance, name="sla-compliance"),
    path("notifications/", notify_views.notification_list, name="notifications"),
    path("notifications/read/", notify_views.notification_read_all, name="notifications-read-all"),
    path("calls/current/", channel_views.current_call_panel, name="current-call"),
    path("", include("kefu.channels.screens.urls")),  # inbox, contact page, wallboard
    path("channels/", include("kefu.channels.webhook_urls")),  # SMS gateway, WeChat callback
    # Complaints (CMP-1…6), the improvement register (IMP-3), customer notices
    path("complaints/", include("kefu.complaints.urls")),
    path("improvements/", include("kefu.complaints.improvement_urls")),
    path("manage/notices/", include("kefu.notify.urls")),
    path("portal/", include("kefu.channels.portal.urls")),  # customer self-service (TEC-6)
    path("chat/", include("kefu.channels.chat.urls")),  # web chat widget and console
    # Manager pages
    path("manage/audit/", audit_views.audit_browser, name="manage-audit"),
    path("manage/users/", account_views.user_list_page, name="manage-users"),
    path("manage/users/new/", account_views.user_new_page, name="manage-user-new"),
    path("manage/users/<int:user_id>/", account_views.user_edit_page, name="manage-user-edit"),
    path("manage/teams/", account_views.team_list_page, name="manage-teams"),
    path("manage/teams/new/", account_views.team_new, name="manage-team-new"),
    path("manage/teams/<int:team_id>/lead/", account_views.team_lead, name="manage-team-lead"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]

handler400 = "kefu.core.views.bad_request"

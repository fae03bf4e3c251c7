"""The customer self-service portal under /portal/ (TEC-6)."""

from __future__ import annotations

from django.urls import path

from kefu.channels.portal import views

urlpatterns = [
    path("", views.portal_submit, name="portal-submit"),
    path("bot/", views.portal_bot, name="portal-bot"),
    path("submitted/", views.portal_submitted, name="portal-submitted"),
    path("a/<str:token>/", views.portal_access, name="portal-access"),
    path("track/", views.portal_track, name="portal-track"),
    path("tickets/<str:number>/", views.portal_ticket, name="portal-ticket"),
    path("tickets/<str:number>/reply/", views.portal_reply, name="portal-reply"),
    path("leave/", views.portal_leave, name="portal-leave"),
]

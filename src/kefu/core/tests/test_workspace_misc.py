"""Search, language switch, manager pages, error pages."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from kefu.accounts.models import Team, User
from kefu.audit.models import AuditEvent
from kefu.tests_support.html import unlabelled_controls


@pytest.mark.django_db
def test_search_opens_ticket_customer_or_results(client, agent, ticket, customer):
    client.force_login(agent)
    assert client.get(f"/search/?q={ticket.number}")["Location"] == f"/tickets/{ticket.number}/"
    assert client.get("/search/?q=13800138000")["Location"] == f"/customers/{customer.pk}/"
    results = client.get("/search/?q=冰箱")
    assert results.status_code == 200 and ticket.number in results.content.decode()
    assert client.get("/search/?q=").status_code == 302


@pytest.mark.django_db
def test_search_does_not_open_invisible_tickets(client, other_agent, ticket):
    client.force_login(other_agent)
    response = client.get(f"/search/?q={ticket.number}")
    assert response.status_code == 200
    assert f"/tickets/{ticket.number}/" not in response.content.decode()


@pytest.mark.django_db
def test_language_switch_to_english_and_back(client, agent):
    client.force_login(agent)
    assert "我的工单" in client.get("/queues/mine/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/queues/mine/"})
    english = client.get("/queues/mine/").content.decode()
    assert "My tickets" in english and "我的工单" not in english
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/queues/mine/"})
    assert "我的工单" in client.get("/queues/mine/").content.decode()


@pytest.mark.django_db
def test_validation_messages_follow_the_language(client, agent):
    client.force_login(agent)
    client.post("/i18n/setlang/", {"language": "en"})
    english = client.post("/tickets/new/", {}).content.decode()
    assert "This field is required." in english
    client.post("/i18n/setlang/", {"language": "zh-hans"})
    chinese = client.post("/tickets/new/", {}).content.decode()
    assert "这个字段是必填项。" in chinese


@pytest.mark.django_db
def test_audit_browser_is_for_managers(client, agent, manager, ticket):
    client.force_login(agent)
    assert client.get("/manage/audit/").status_code == 403
    client.force_login(manager)
    page = client.get("/manage/audit/?verb=ticket.create").content.decode()
    assert "ticket.create" in page and ticket.number in page
    empty = client.get("/manage/audit/?verb=nothing.like.this").content.decode()
    assert "ticket.create" not in empty
    assert client.get("/manage/audit/?log=access&since=bad").status_code == 200


@pytest.mark.django_db
def test_manager_creates_and_edits_users_and_teams(client, manager, team, agent):
    client.force_login(manager)
    assert client.get("/manage/users/").status_code == 200
    response = client.post(
        "/manage/users/new/",
        {
            "username": "newbie",
            "display_name": "新人",
            "password": "a-long-password",
            "roles": ["agent"],
            "team": team.pk,
            "skill_level": "junior",
            "certification_level": 1,
        },
    )
    assert response.status_code == 302
    newbie = User.objects.get(username="newbie")
    assert newbie.team == team and newbie.groups.filter(name="agent").exists()
    client.post(
        f"/manage/users/{newbie.pk}/",
        {
            "display_name": "新人",
            "roles": ["agent", "team_lead"],
            "team": team.pk,
            "skill_level": "intermediate",
            "certification_level": 3,
            "is_active": "on",
        },
    )
    newbie.refresh_from_db()
    assert newbie.skill_level == "intermediate" and newbie.certification_level == 3
    assert set(newbie.groups.values_list("name", flat=True)) == {"agent", "team_lead"}
    assert AuditEvent.objects.filter(verb="user.update").exists()
    duplicate = client.post(
        "/manage/users/new/",
        {
            "username": "newbie",
            "password": "a-long-password",
            "skill_level": "junior",
            "certification_level": 9,
        },
    )
    assert duplicate.status_code == 200 and duplicate.context["form"].errors
    client.post("/manage/teams/new/", {"name": "三组", "lead": newbie.pk})
    created = Team.objects.get(name="三组")
    assert created.lead == newbie
    client.post(f"/manage/teams/{created.pk}/lead/", {"lead": ""})
    created.refresh_from_db()
    assert created.lead is None


@pytest.mark.django_db
def test_agents_cannot_manage_people(client, agent, team):
    client.force_login(agent)
    assert client.get("/manage/users/").status_code == 403
    assert client.post("/manage/teams/new/", {"name": "x"}).status_code == 403
    assert not Team.objects.filter(name="x").exists()


@pytest.mark.django_db
def test_error_pages_are_in_the_product_style(client, agent):
    client.force_login(agent)
    missing = client.get("/tickets/20990101-000001/")
    assert missing.status_code == 404 and "kefu-error-page" in missing.content.decode()
    assert "kefu-error-page" in client.get("/manage/users/").content.decode()


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_server_error_page_is_static_and_bilingual(monkeypatch, agent):
    from kefu.tickets import views

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(views, "queue_counts", explode)
    client = Client(raise_request_exception=False)
    client.force_login(agent)
    response = client.get("/queues/mine/")
    assert response.status_code == 500
    assert "服务器出错了" in response.content.decode()


@pytest.mark.django_db
def test_every_page_labels_its_form_controls(client, manager, ticket):

    client.force_login(manager)
    for url in ("/queues/all/", f"/tickets/{ticket.number}/", "/tickets/new/", "/manage/audit/"):
        page = client.get(url).content.decode()
        assert not unlabelled_controls(page), (url, unlabelled_controls(page))


@pytest.mark.django_db
def test_audit_pages_are_clamped_and_filters_only_for_own_queues(client, manager, agent):
    client.force_login(manager)
    assert client.get("/manage/audit/?page=99999999999999999999999").status_code == 200
    client.force_login(agent)
    assert client.post("/queues/all/filters/", {"name": "x", "query": ""}).status_code == 404


@pytest.mark.django_db
def test_dates_at_the_ends_of_the_calendar_are_refused_not_500(client, agent, manager):
    client.force_login(agent)
    for query in ("created_to=9999-12-31", "created_from=0001-01-01"):
        response = client.get(f"/queues/mine/?{query}")
        assert response.status_code == 200 and "is-invalid" in response.content.decode()
    client.force_login(manager)
    for query in ("until=9999-12-31", "log=access&until=9999-12-31", "since=0001-01-01"):
        assert client.get(f"/manage/audit/?{query}").status_code == 200


@pytest.mark.django_db
def test_odd_form_values_are_refused_not_500(client, agent, manager, team):
    from kefu.tickets.models import SavedFilter

    client.force_login(agent)
    client.post("/queues/mine/filters/", {"name": "紧急", "query": "urgency=urgent"})
    saved = SavedFilter.objects.get()
    response = client.post(f"/filters/{saved.pk}/delete/", {"queue": "a b"})
    assert response.status_code == 302 and response["Location"] == "/queues/mine/"
    assert client.post("/filters/999999/delete/", {"queue": "../x"}).status_code == 302
    assert client.post("/queues/mine/filters/", {"name": "a\x00b", "query": ""}).status_code == 302
    assert not SavedFilter.objects.filter(name__contains="a").exists()
    assert client.get("/search/?q=ab%00c").status_code == 200
    assert client.get("/queues/mine/next/?current=x%00y").status_code == 302
    client.force_login(manager)
    for lead in ("²", "9" * 5000):
        assert client.post(f"/manage/teams/{team.pk}/lead/", {"lead": lead}).status_code == 302


@pytest.mark.django_db
def test_a_user_without_ticket_rights_gets_403_not_500(client):
    from kefu.tests_support.factories import UserFactory

    nobody = UserFactory(username="nobody", roles=[])
    client.force_login(nobody)
    assert client.get("/queues/mine/").status_code == 403
    assert client.get("/search/?q=abc").status_code == 403
    assert client.get("/search/?q=20261128-000001").status_code == 403


@pytest.mark.django_db
def test_only_admins_grant_admin_or_change_admins(client, manager):
    from kefu.tests_support.factories import UserFactory

    UserFactory(username="root", roles=["admin"])
    admin = User.objects.get(username="root")
    client.force_login(manager)
    mine = client.post(
        f"/manage/users/{manager.pk}/",
        {
            "roles": ["manager", "admin"],
            "skill_level": "senior",
            "certification_level": 5,
            "is_active": "on",
        },
    )
    assert mine.status_code == 200 and mine.context["form"].errors
    assert not manager.groups.filter(name="admin").exists()
    created = client.post(
        "/manage/users/new/",
        {
            "username": "sneaky",
            "password": "a-long-password",
            "roles": ["admin"],
            "skill_level": "junior",
            "certification_level": 1,
        },
    )
    assert created.status_code == 200 and not User.objects.filter(username="sneaky").exists()
    edit_admin = client.post(
        f"/manage/users/{admin.pk}/",
        {"roles": ["admin"], "skill_level": "junior", "certification_level": 1},
    )
    assert edit_admin.status_code == 200
    admin.refresh_from_db()
    assert admin.is_active
    client.force_login(admin)
    granted = client.post(
        f"/manage/users/{manager.pk}/",
        {
            "roles": ["manager", "admin"],
            "skill_level": "senior",
            "certification_level": 5,
            "is_active": "on",
        },
    )
    assert granted.status_code == 302 and manager.groups.filter(name="admin").exists()


@pytest.mark.django_db
def test_a_refused_new_ticket_leaves_no_new_customer(client, agent):
    from kefu.customers.models import Customer

    client.force_login(agent)
    before = Customer.objects.count()
    response = client.post(
        "/tickets/new/",
        {
            "phone": "13700001111",
            "customer_name": "新客户",
            "subject": "测试",
            "category": "consult",
            "channel": "phone",
            "urgency": "normal",
            "priority": "B",
            "handling_class": "instant",
            "need_points": "长" * 100_000,
        },
    )
    assert response.status_code == 422
    assert Customer.objects.count() == before

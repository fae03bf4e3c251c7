"""The web chat endpoints over HTTP (TEC-7): the public widget API with CORS and visitor tokens,
and the agent console's JSON endpoints. Bad input is a 4xx naming the field, never a 500.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from kefu.accounts.roles import Role
from kefu.channels.chat import services
from kefu.channels.models import (
    AgentPresence,
    ChatSession,
    ChatWidget,
    Contact,
    ContactMessage,
    ContactState,
    MessageStatus,
    Presence,
)
from kefu.tests_support.factories import UserFactory
from kefu.tickets.models import Ticket

pytestmark = pytest.mark.django_db
SHOP = "https://shop.example.com"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """The start and offline limits count per client address in the process cache."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def widget(team):
    return ChatWidget.objects.create(
        key="shop",
        name="商城",
        team=team,
        greeting="您好",
        allowed_origins=f"{SHOP} https://m.example.com",
    )


@pytest.fixture
def online(agent):
    services.presence_set(actor=agent, status=Presence.AVAILABLE)
    return agent


@pytest.fixture
def console(online):
    client = Client()
    client.force_login(online)
    return client


def api(
    client: Client, path: str, body: Any = None, *, origin: str | None = SHOP, key: str = "shop"
):
    headers = {"Origin": origin} if origin else {}
    url = f"/chat/api/{key}/{path}"
    if body is None:
        return client.get(url, headers=headers)
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(url, data=data, content_type="text/plain;charset=UTF-8", headers=headers)


def console_post(client: Client, path: str, body: Any = None):
    return client.post(
        f"/chat/console/{path}", data=json.dumps(body or {}), content_type="application/json"
    )


# -- the widget script and CORS --------------------------------------------------------------
def test_widget_script_is_served_as_javascript(client):
    response = client.get("/chat/widget.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert b"data-widget" in response.content and b"attachShadow" in response.content


def test_config_with_cors_for_an_allowed_origin(client, widget, online):
    response = api(client, "config")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == SHOP and "Origin" in response["Vary"]
    body = response.json()
    assert body["open"] is True and body["greeting"] == "您好" and body["poll_ms"] > 0


def test_other_origins_are_refused(client, widget, online):
    response = api(client, "config", origin="https://evil.example.net")
    assert response.status_code == 403
    assert "Access-Control-Allow-Origin" not in response
    response = api(client, "start", {"message": "hi"}, origin="https://evil.example.net")
    assert response.status_code == 403 and not Contact.objects.exists()


def test_any_origin_when_the_widget_lists_none(client, widget, online):
    widget.allowed_origins = ""
    widget.save()
    response = api(client, "config", origin="https://anywhere.example.org")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "https://anywhere.example.org"


def test_preflight(client, widget):
    response = client.options(
        "/chat/api/shop/send",
        headers={"Origin": SHOP, "Access-Control-Request-Method": "POST"},
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == SHOP
    assert "POST" in response["Access-Control-Allow-Methods"]
    assert "Content-Type" in response["Access-Control-Allow-Headers"]


def test_unknown_or_disabled_widget_is_404(client, widget):
    missing = api(client, "config", key="nope")
    assert missing.status_code == 404 and missing["Access-Control-Allow-Origin"] == SHOP
    assert api(client, "config", key="x" * 80).status_code == 404
    widget.enabled = False
    widget.save()
    response = api(client, "start", {"message": "hi"})
    assert response.status_code == 404 and response.json()["error"] == "not_found"


def test_closed_widget_answers_409_with_the_reason(client, widget):
    response = api(client, "config")
    assert response.json() == {**response.json(), "open": False, "reason": "no_agent"}
    response = api(client, "start", {"message": "在吗"})
    assert response.status_code == 409
    assert response.json()["error"] == "chat_closed" and response.json()["reason"] == "no_agent"


# -- a visitor's conversation ----------------------------------------------------------------
def test_visitor_conversation_with_delivered_and_read(client, widget, online, console):
    started = api(client, "start", {"name": "张先生", "message": "你好"})
    assert started.status_code == 201
    token = started.json()["token"]
    assert started.json()["state"] == ContactState.ACTIVE and started.json()["position"] == 0
    contact = Contact.objects.get()
    assert ChatSession.objects.get().visitor_hash != token

    sent = api(client, "send", {"token": token, "body": "订单没到", "client_id": "v-1"})
    assert sent.status_code == 201
    repeat = api(client, "send", {"token": token, "body": "订单没到", "client_id": "v-1"})
    assert repeat.status_code == 200 and repeat.json()["id"] == sent.json()["id"]

    # The agent's console sees the chat, unread, and the customer typing.
    api(client, "poll", {"token": token, "after": sent.json()["id"], "typing": True})
    poll = console_post(console, "poll", {}).json()
    assert poll["queue"] == 0 and poll["presence"] == "available"
    [row] = poll["chats"]
    assert row["id"] == contact.pk and row["unread"] == 2 and row["typing"] is True
    assert ContactMessage.objects.filter(status=MessageStatus.DELIVERED).count() == 2
    opened = console_post(console, "poll", {"chat": contact.pk, "after": 0}).json()["open"]
    assert [m["body"] for m in opened["messages"]] == ["你好", "订单没到"]
    last = opened["messages"][-1]["id"]
    console_post(console, "poll", {"chat": contact.pk, "after": last, "read": last})
    assert console_post(console, "poll", {}).json()["chats"][0]["unread"] == 0

    # The visitor sees their messages read, the agent typing, then the answer.
    view = api(client, "poll", {"token": token, "after": last}).json()
    assert view["read_upto"] == last and view["delivered_upto"] == last
    console_post(console, "poll", {"chat": contact.pk, "after": last, "typing": True})
    assert api(client, "poll", {"token": token, "after": last}).json()["agent_typing"] is True
    answer = console_post(
        console, f"{contact.pk}/send", {"body": "马上为您查询", "client_id": "a-1"}
    )
    assert answer.status_code == 201
    view = api(client, "poll", {"token": token, "after": last}).json()
    assert [m["body"] for m in view["messages"]] == ["马上为您查询"]
    assert view["agent_typing"] is False and view["agent"] == online.display_name
    answer_id = view["messages"][0]["id"]
    assert ContactMessage.objects.get(pk=answer_id).status == MessageStatus.DELIVERED
    api(client, "poll", {"token": token, "after": answer_id, "read": answer_id})
    opened = console_post(console, "poll", {"chat": contact.pk, "after": answer_id}).json()["open"]
    assert opened["read_upto"] == answer_id and opened["delivered_upto"] == answer_id
    assert Contact.objects.get().answered_at is not None

    ended = api(client, "end", {"token": token})
    assert ended.status_code == 200 and ended.json()["state"] == "ended"
    assert api(client, "send", {"token": token, "body": "还在吗"}).status_code == 409


def test_queue_position_shown_while_waiting(client, widget, online):
    AgentPresence.objects.filter(user=online).update(max_chats=1)
    first = api(client, "start", {"message": "一"}).json()
    second = api(client, "start", {"message": "二"}).json()
    third = api(client, "start", {"message": "三"}).json()
    assert first["state"] == "active"
    assert (second["state"], second["position"]) == ("queued", 1)
    assert api(client, "poll", {"token": third["token"]}).json()["position"] == 2


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ("not json", 422, "body"),
        ("[1, 2]", 422, "body"),
        ({"token": "short"}, 404, None),
        ({"token": "x" * 43}, 404, None),
        ({"token": None}, 404, None),
    ],
)
def test_poll_bad_input_and_wrong_tokens(client, widget, online, body, status, field):
    response = api(client, "poll", body)
    assert response.status_code == status
    if field:
        assert response.json()["field"] == field


def test_token_of_another_widget_does_not_work(client, widget, online, team):
    ChatWidget.objects.create(key="other", name="其他", team=team)
    token = api(client, "start", {"message": "你好"}).json()["token"]
    assert api(client, "poll", {"token": token}, key="other").status_code == 404
    assert api(client, "poll", {"token": token}).status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"body": ""}, "body"),
        ({"body": "x" * 4001}, "body"),
        ({"body": ["list"]}, "body"),
        ({"body": "好", "client_id": "a b"}, "client_id"),
    ],
)
def test_send_bad_input(client, widget, online, body, field):
    token = api(client, "start", {}).json()["token"]
    response = api(client, "send", {"token": token, **body})
    assert response.status_code == 422 and response.json()["field"] == field
    assert not ContactMessage.objects.exists()


def test_after_must_be_a_message_id(client, widget, online):
    token = api(client, "start", {}).json()["token"]
    for after in (-1, "1", 1.5, True):
        response = api(client, "poll", {"token": token, "after": after})
        assert response.status_code == 422 and response.json()["field"] == "after"


HUGE_OR_NEGATIVE = (2**62, 2**63, 2**70, -(2**70), -1)


@pytest.mark.parametrize("field", ["after", "read"])
@pytest.mark.parametrize("value", HUGE_OR_NEGATIVE)
def test_widget_poll_ids_out_of_range_are_422_not_500(client, widget, online, field, value):
    """A huge id would overflow SQLite's 64-bit integer (OverflowError, a 500)."""
    token = api(client, "start", {"message": "你好"}).json()["token"]
    session = ChatSession.objects.get()
    response = api(client, "poll", {"token": token, field: value})
    assert response.status_code == 422
    assert response.json()["field"] == field
    assert ChatSession.objects.get().customer_seen_message == session.customer_seen_message


@pytest.mark.parametrize("field", ["chat", "after", "read"])
@pytest.mark.parametrize("value", HUGE_OR_NEGATIVE)
def test_console_poll_ids_out_of_range_are_422_not_500(client, console, widget, field, value):
    api(client, "start", {"message": "你好"})
    contact = Contact.objects.get()
    body = {"chat": contact.pk, "after": 0, "read": 0, field: value}
    response = console_post(console, "poll", body)
    assert response.status_code == 422
    assert response.json()["field"] == field
    assert ChatSession.objects.get().agent_seen_message == 0


def test_console_chat_ids_in_the_path_out_of_range_are_404(console, widget):
    for value in (2**63, 2**70):
        assert console_post(console, f"{value}/send", {"body": "好"}).status_code == 404
        assert console_post(console, f"{value}/end").status_code == 404


def test_visitor_cannot_choose_skill_or_priority(client, widget, online):
    """ACC-4/TRN-3: the routing priority and skill are kefu's, never the visitor's."""
    body = {"message": "你好", "skill": "senior", "priority": 9}
    assert api(client, "start", body).status_code == 201
    contact = Contact.objects.get()
    assert contact.priority == 0 and ChatSession.objects.get().required_skill == ""
    assert contact.agent == online  # a junior agent takes it


def test_console_queue_counts_the_team_less_pool(client, console, online):
    """The agent's queue figure: their team's waiting chats and those of widgets without a
    team (which every agent serves); the console poll routes both."""
    ChatWidget.objects.create(key="shared", name="公共", team=None)
    AgentPresence.objects.filter(user=online).update(max_chats=1)
    api(client, "start", {"message": "一"}, key="shared", origin=None)
    api(client, "start", {"message": "二"}, key="shared", origin=None)
    assert console_post(console, "poll").json()["queue"] == 1
    AgentPresence.objects.filter(user=online).update(max_chats=2)
    polled = console_post(console, "poll").json()
    assert polled["queue"] == 0 and len(polled["chats"]) == 2


def test_oversized_body(client, widget, online):
    response = api(client, "start", {"message": "x" * 20_000})
    assert response.status_code == 422 and response.json()["field"] == "body"


def test_start_rate_limit(settings, client, widget, online):
    settings.KEFU_CHAT_STARTS_PER_HOUR = 2
    assert [api(client, "start", {}).status_code for _ in range(3)] == [201, 201, 429]


# -- offline ---------------------------------------------------------------------------------
def test_offline_message_to_ticket_and_field_errors(client, widget):
    response = api(client, "offline", {"name": "", "phone": "12", "email": "x", "message": ""})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"name", "phone", "email", "message"}
    assert not Ticket.objects.exists()
    response = api(
        client,
        "offline",
        {"name": "王女士", "phone": "", "email": "wang@example.com", "message": "请联系我"},
    )
    assert response.status_code == 201
    ticket = Ticket.objects.get(number=response.json()["ticket"])
    assert ticket.channel == "chat" and ticket.customer.name == "王女士"


# -- the console -----------------------------------------------------------------------------
def test_console_page_and_navbar(console, online):
    response = console.get("/chat/console/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="chat-presence"' in html and 'href="/chat/console/"' in html
    assert "chat_console.js" in html


def test_console_refused_to_roles_that_do_not_chat(qa):
    client = Client()
    client.force_login(qa)
    assert client.get("/chat/console/").status_code == 403
    assert console_post(client, "poll").status_code == 403
    assert 'href="/chat/console/"' not in client.get("/").content.decode()
    anonymous = Client()
    assert anonymous.get("/chat/console/").status_code == 302


def test_console_presence_end_and_ticket(client, console, widget, online, team):
    response = console_post(console, "presence", {"status": "busy", "max_chats": 2})
    assert response.json() == {"presence": "busy", "max_chats": 2}
    assert console_post(console, "presence", {"status": "nap"}).json()["field"] == "status"
    token = api(client, "start", {"message": "在吗"}).json()["token"]
    assert console_post(console, "poll").json()["queue"] == 1
    console_post(console, "presence", {"status": "available"})
    contact = Contact.objects.get()
    assert contact.agent == online
    bad = console_post(console, f"{contact.pk}/ticket", {"subject": "咨询", "phone": "123"})
    assert bad.status_code == 422 and bad.json()["field"] == "phone"
    made = console_post(
        console, f"{contact.pk}/ticket", {"subject": "咨询", "phone": "13700137000"}
    )
    assert made.status_code == 201 and made.json()["url"].startswith("/tickets/")
    opened = console_post(console, "poll", {"chat": contact.pk}).json()["open"]
    assert opened["tickets"][0]["number"] == made.json()["number"]
    assert opened["customer"]["identities"][0]["value"] == "137****7000"
    assert console_post(console, f"{contact.pk}/end").json()["state"] == "ended"
    assert api(client, "poll", {"token": token}).json()["state"] == "ended"


def test_console_cannot_touch_another_agent_s_chat(client, widget, online):
    api(client, "start", {"message": "在吗"})
    contact = Contact.objects.get()
    colleague = UserFactory(username="colleague", roles=[Role.AGENT], team=online.team)
    other = Client()
    other.force_login(colleague)
    assert console_post(other, f"{contact.pk}/send", {"body": "抢答"}).status_code == 404
    assert console_post(other, f"{contact.pk}/end").status_code == 404
    assert console_post(other, "poll", {"chat": contact.pk}).status_code == 404
    assert console_post(other, "poll", {"chat": "abc"}).json()["field"] == "chat"


# -- configuration ---------------------------------------------------------------------------
def test_widget_admin_screens_and_origin_check(admin_client, widget, team):
    assert admin_client.get("/admin/channels/chatwidget/").status_code == 200
    assert admin_client.get(f"/admin/channels/chatwidget/{widget.pk}/change/").status_code == 200
    assert admin_client.get("/admin/channels/agentpresence/").status_code == 200
    form = {
        "key": "help",
        "name": "帮助中心",
        "team": team.pk,
        "greeting": "",
        "enabled": "on",
        "required_skill": "",
        "priority": 0,
    }
    too_high = admin_client.post(
        "/admin/channels/chatwidget/add/", {**form, "priority": 5, "allowed_origins": ""}
    )
    assert too_high.status_code == 200 and not ChatWidget.objects.filter(key="help").exists()
    refused = admin_client.post(
        "/admin/channels/chatwidget/add/", {**form, "allowed_origins": "shop.example.com/path"}
    )
    assert refused.status_code == 200 and not ChatWidget.objects.filter(key="help").exists()
    saved = admin_client.post(
        "/admin/channels/chatwidget/add/",
        {**form, "allowed_origins": "https://help.example.com/ https://m.example.com"},
    )
    assert saved.status_code == 302
    created = ChatWidget.objects.get(key="help")
    assert created.allowed_origins == "https://help.example.com\nhttps://m.example.com"


def test_preview_page_carries_the_widget_tag_and_unknown_keys_are_404(client, widget):
    page = client.get(f"/chat/preview/{widget.key}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'src="/chat/widget.js" data-widget="{widget.key}"' in html
    assert client.get("/chat/preview/nope/").status_code == 404
    ChatWidget.objects.filter(pk=widget.pk).update(enabled=False)
    assert client.get(f"/chat/preview/{widget.key}/").status_code == 404

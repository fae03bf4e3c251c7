"""The unified inbox (TEC-7): every channel in one list, each agent sees their own and their
team's waiting contacts, leads their team, managers everyone; masked, live, filtered."""

from __future__ import annotations

import datetime as dt

import pytest

from kefu.channels.services import cti_event_record
from kefu.channels.tests.inbox_data import add_message, make_contact
from kefu.tests_support.factories import UserFactory
from kefu.tests_support.time_machine import TimeMachine, shanghai

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock():
    with TimeMachine(shanghai("2026-11-27 10:00")) as machine:
        yield machine


def _ids(page: str) -> set[int]:
    import re

    return {int(value) for value in re.findall(r'data-contact="(\d+)"', page)}


@pytest.fixture
def world(clock, agent, other_agent, team, other_team, customer):
    teammate = UserFactory(username="teammate", roles=["agent"], team=team)
    contacts = {
        "mine": make_contact(
            kind="email",
            state="active",
            agent=agent,
            team=team,
            customer=customer,
            address="li@example.com",
        ),
        "team_waiting": make_contact(kind="chat", state="queued", team=team),
        "unrouted": make_contact(kind="sms", state="queued", address="13800138000"),
        "teammate": make_contact(kind="wechat", state="active", agent=teammate, team=team),
        "other_team": make_contact(kind="chat", state="queued", team=other_team),
        "other_agent": make_contact(kind="email", state="active", agent=other_agent),
        "ended": make_contact(kind="sms", state="ended", agent=agent),
    }
    return contacts


def test_an_agent_sees_own_contacts_and_those_waiting_for_the_team(client, agent, world):
    client.force_login(agent)
    page = client.get("/inbox/").content.decode()
    shown = _ids(page)
    assert shown == {world["mine"].pk, world["team_waiting"].pk, world["unrouted"].pk}
    # An agent cannot widen the view to everyone's contacts.
    wider = client.get("/inbox/?scope=all").content.decode()
    assert world["other_team"].pk not in _ids(wider)
    assert world["other_agent"].pk not in _ids(wider)


def test_a_team_lead_sees_the_team_and_a_manager_everyone(client, team_lead, manager, world):
    client.force_login(team_lead)
    shown = _ids(client.get("/inbox/").content.decode())
    assert world["teammate"].pk in shown and world["mine"].pk in shown
    assert world["other_team"].pk not in shown and world["other_agent"].pk not in shown
    client.force_login(manager)
    shown = _ids(client.get("/inbox/").content.decode())
    open_ones = {c.pk for name, c in world.items() if name != "ended"}
    assert shown == open_ones


def test_filters_by_channel_and_state(client, agent, world):
    client.force_login(agent)
    only_chat = _ids(client.get("/inbox/?kind=chat").content.decode())
    assert only_chat == {world["team_waiting"].pk}
    waiting = _ids(client.get("/inbox/?state=waiting").content.decode())
    assert waiting == {world["team_waiting"].pk, world["unrouted"].pk}
    ended = _ids(client.get("/inbox/?state=ended").content.decode())
    assert ended == {world["ended"].pk}


def test_newest_activity_first_with_excerpt_and_unanswered_count(client, clock, agent, team):
    older = make_contact(kind="email", state="active", agent=agent, subject="发票")
    newer = make_contact(kind="wechat", state="active", agent=agent)
    add_message(newer, "你好")
    clock.move(dt.timedelta(minutes=5))
    add_message(older, "我的发票什么时候开？")
    add_message(older, "您好，今天开出。", inbound=False, author=agent)
    clock.move(dt.timedelta(minutes=1))
    add_message(older, "谢谢")
    add_message(older, "还有一个问题")
    client.force_login(agent)
    page = client.get("/inbox/").content.decode()
    assert page.index(f'data-contact="{older.pk}"') < page.index(f'data-contact="{newer.pk}"')
    row = page.split(f'data-contact="{older.pk}"')[1].split("</tr>")[0]
    assert "还有一个问题" in row
    assert "inbox-unanswered" in row and ">2" in row  # two customer messages since the answer
    newer_row = page.split(f'data-contact="{newer.pk}"')[1].split("</tr>")[0]
    assert ">1" in newer_row and "inbox-unanswered" in newer_row


def test_calls_appear_with_a_masked_caller(client, clock, agent, customer):
    cti_event_record(
        actor=None,
        call_id="in-1",
        event="ringing",
        at=clock.now(),
        caller="13800138000",
        agent=agent.username,
    )
    client.force_login(agent)
    page = client.get("/inbox/?kind=call").content.decode()
    assert "138****8000" in page and "13800138000" not in page
    assert customer.name in page and "fa-phone" in page
    assert "inbox-waiting" in page  # ringing at the desk: shown as waiting
    # A call whose end never came leaves the desk after the desk window (4 h).
    cti_event_record(
        actor=None,
        call_id="lost-1",
        event="ringing",
        at=clock.now() - dt.timedelta(hours=5),
        caller="13900139000",
        agent=agent.username,
    )
    page = client.get("/inbox/?kind=call").content.decode()
    assert "139****9000" not in page and "138****8000" in page


def test_live_refresh_answers_204_while_nothing_changed(client, clock, agent, world):
    client.force_login(agent)
    page = client.get("/inbox/").content.decode()
    fingerprint = page.split("fp=")[1].split('"')[0]
    htmx = {"HTTP_HX_REQUEST": "true"}
    assert client.get(f"/inbox/?fp={fingerprint}", **htmx).status_code == 204
    clock.move(dt.timedelta(seconds=30))
    add_message(world["mine"], "在吗？")
    fresh = client.get(f"/inbox/?fp={fingerprint}", **htmx)
    assert fresh.status_code == 200
    body = fresh.content.decode()
    assert 'id="inbox-rows"' in body and "<html" not in body and "在吗？" in body


def test_navigation_shows_the_inbox_to_agents_and_the_wallboard_to_leads(client, agent, team_lead):
    client.force_login(agent)
    page = client.get("/queues/mine/").content.decode()
    assert 'href="/inbox/"' in page and 'href="/wallboard/"' not in page
    client.force_login(team_lead)
    page = client.get("/queues/mine/").content.decode()
    assert 'href="/inbox/"' in page and 'href="/wallboard/"' in page


def test_users_without_contact_permission_get_403(client, department_member):
    client.force_login(department_member)
    assert client.get("/inbox/").status_code == 403


def test_inbox_query_count_does_not_grow_with_rows(
    client, agent, clock, django_assert_max_num_queries
):
    for index in range(30):
        contact = make_contact(kind="sms", state="active", agent=agent, address="13800138000")
        add_message(contact, f"消息{index}")
    client.force_login(agent)
    client.get("/inbox/")
    with django_assert_max_num_queries(8):
        response = client.get("/inbox/")
    assert response.status_code == 200 and response.content.decode().count("data-contact=") == 30

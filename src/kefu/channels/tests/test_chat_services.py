"""Web chat services (TEC-7, ACC-4): presence, routing by team, skill, priority and capacity,
the waiting queue, first-response timing, delivered/read marks, offline messages and tickets.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from kefu.accounts.roles import Role
from kefu.audit.models import AuditEvent
from kefu.calendars.services import calendar_create
from kefu.channels.chat import routing, selectors, services
from kefu.channels.models import (
    AgentPresence,
    ChatSession,
    ChatWidget,
    Contact,
    ContactMessage,
    ContactState,
    MessageStatus,
    Presence,
    Speaker,
)
from kefu.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from kefu.customers.models import AccountTier, Customer, MemberLevel
from kefu.tests_support.factories import UserFactory, make_customer
from kefu.tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def widget(team):
    return ChatWidget.objects.create(key="shop", name="商城", team=team, greeting="您好")


def chat_agent(team, username, *, skill="junior", max_chats=None, status=Presence.AVAILABLE):
    user = UserFactory(username=username, roles=[Role.AGENT], team=team, skill_level=skill)
    services.presence_set(actor=user, status=status, max_chats=max_chats)
    return user


def start(widget, text="你好，我想咨询订单", **kwargs):
    return services.chat_start(widget=widget, message=text, **kwargs).session


def reload(session):
    return Contact.objects.get(pk=session.pk)


# -- presence --------------------------------------------------------------------------------
def test_presence_set_creates_with_the_configured_limit(settings, agent):
    settings.KEFU_CHAT_MAX_CONCURRENT = 4
    presence = services.presence_set(actor=agent, status=Presence.BUSY)
    assert presence.status == Presence.BUSY and presence.max_chats == 4
    presence = services.presence_set(actor=agent, status=Presence.AWAY, max_chats=2)
    assert (presence.status, presence.max_chats) == (Presence.AWAY, 2)
    latest = AuditEvent.objects.filter(verb="chat.presence").first()
    assert latest is not None and latest.after == {"status": "away", "max_chats": 2}


@pytest.mark.parametrize(
    ("status", "max_chats", "field"),
    [("sleeping", None, "status"), ("available", 0, "max_chats"), ("available", 99, "max_chats")],
)
def test_presence_bad_input(agent, status, max_chats, field):
    with pytest.raises(InvalidInput) as caught:
        services.presence_set(actor=agent, status=status, max_chats=max_chats)
    assert caught.value.field == field
    assert not AgentPresence.objects.exists()


def test_presence_refused_to_roles_that_do_not_chat(qa):
    with pytest.raises(PermissionDenied):
        services.presence_set(actor=qa, status=Presence.AVAILABLE)


def test_heartbeat_keeps_an_agent_online_and_a_stale_one_counts_offline(widget, team):
    agent = chat_agent(team, "a1")
    assert selectors.widget_status(widget).open
    AgentPresence.objects.filter(user=agent).update(
        last_seen_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    )
    assert selectors.widget_status(widget) == selectors.WidgetStatus(False, "no_agent")
    services.presence_heartbeat(user=agent)
    assert selectors.widget_status(widget).open


# -- opening hours ---------------------------------------------------------------------------
def test_closed_without_an_online_agent_or_outside_the_calendar(widget, team, manager):
    with pytest.raises(services.ChatClosed) as caught:
        start(widget)
    assert caught.value.reason == "no_agent" and caught.value.status_code == 409
    chat_agent(team, "a1", status=Presence.AWAY)
    assert selectors.widget_status(widget).reason == "no_agent"  # away answers nothing
    chat_agent(team, "a2", status=Presence.BUSY)
    assert selectors.widget_status(widget).open  # busy agents are online: chats wait
    widget.calendar = calendar_create(actor=manager, name="chat-never", title="关闭", weekly={})
    widget.save()
    assert selectors.widget_status(widget) == selectors.WidgetStatus(False, "hours")
    assert not Contact.objects.exists()


def test_calendar_working_time(manager):
    calendar = calendar_create(
        actor=manager, name="chat-office", title="办公", weekly={0: [["09:00", "18:00"]]}
    )
    shanghai = dt.timezone(dt.timedelta(hours=8))
    monday = dt.datetime(2026, 11, 23, 9, 0, tzinfo=shanghai)
    assert selectors.calendar_is_working_time(calendar, monday)
    assert not selectors.calendar_is_working_time(calendar, monday - dt.timedelta(seconds=1))
    assert not selectors.calendar_is_working_time(calendar, monday.replace(hour=18))
    assert not selectors.calendar_is_working_time(calendar, monday + dt.timedelta(days=1))
    always = calendar_create(actor=manager, name="chat-always", title="全天", always_open=True)
    assert selectors.calendar_is_working_time(always, monday + dt.timedelta(days=1))


# -- starting and routing --------------------------------------------------------------------
def test_start_stores_only_the_token_hash_and_routes_at_once(widget, team):
    agent = chat_agent(team, "a1")
    started = services.chat_start(widget=widget, name="张先生", message="在吗？")
    contact = reload(started.session)
    assert contact.state == ContactState.ACTIVE and contact.agent == agent
    assert contact.queued_at and contact.offered_at and contact.answered_at is None
    assert contact.team == team and contact.kind == "chat"
    session = ChatSession.objects.get(pk=contact.pk)
    assert session.visitor_hash == selectors.visitor_hash(started.token)
    assert started.token not in session.visitor_hash and len(started.token) >= 40
    assert [m.body for m in contact.messages.all()] == ["在吗？"]
    assert set(AuditEvent.objects.values_list("verb", flat=True)) >= {"chat.start", "chat.assign"}


def test_capacity_queue_position_and_next_chat_when_one_ends(widget, team):
    agent = chat_agent(team, "a1", max_chats=2)
    first, second, third, fourth = (start(widget, f"问题{n}") for n in range(4))
    assert [reload(s).state for s in (first, second)] == [ContactState.ACTIVE] * 2
    assert reload(third).state == ContactState.QUEUED
    assert selectors.queue_position(reload(third)) == 1
    assert selectors.queue_position(reload(fourth)) == 2
    assert selectors.queue_position(reload(first)) == 0
    services.chat_end(actor=agent, session=first)
    assert reload(third).state == ContactState.ACTIVE and reload(third).agent == agent
    assert selectors.queue_position(reload(fourth)) == 1
    assert selectors.agent_load(agent=agent) == 2


def test_a_key_account_s_chat_is_routed_before_an_earlier_ordinary_one(widget, team, manager):
    """ACC-4: priority A contacts first. The priority comes from the identified customer's
    key-account tier (CRM-3), never from the visitor."""
    agent = chat_agent(team, "a1", max_chats=1)
    start(widget)  # occupies the agent
    ordinary = make_customer(actor=manager, name="普通客户", phone="13900139001")
    key_account = make_customer(
        actor=manager, name="大客户", phone="13900139002", tier=AccountTier.STRATEGIC
    )
    normal = services.chat_start(widget=widget, message="普通", customer=ordinary).session
    urgent = services.chat_start(widget=widget, message="大客户", customer=key_account).session
    assert reload(normal).queued_at <= reload(urgent).queued_at
    assert (reload(normal).priority, reload(urgent).priority) == (0, selectors.PRIORITY_A)
    assert reload(urgent).customer == key_account
    assert selectors.queue_position(reload(urgent)) == 1
    assert selectors.queue_position(reload(normal)) == 2
    services.presence_set(actor=agent, status=Presence.AVAILABLE, max_chats=2)
    assert reload(urgent).state == ContactState.ACTIVE and reload(urgent).agent == agent
    assert reload(normal).state == ContactState.QUEUED


@pytest.mark.parametrize(
    ("tier", "level", "priority"),
    [
        (AccountTier.STRATEGIC, MemberLevel.NORMAL, 2),
        (AccountTier.CORE, MemberLevel.NORMAL, 2),
        (AccountTier.POTENTIAL, MemberLevel.NORMAL, 1),
        (AccountTier.GENERAL, MemberLevel.PLATINUM, 1),
        (AccountTier.GENERAL, MemberLevel.GOLD, 1),
        (AccountTier.GENERAL, MemberLevel.SILVER, 0),
        (AccountTier.GENERAL, MemberLevel.NORMAL, 0),
    ],
)
def test_chat_priority_from_tier_and_member_level(manager, tier, level, priority):
    customer = make_customer(actor=manager, phone="13900139003", tier=tier, member_level=level)
    assert selectors.chat_priority_for(customer) == priority
    assert selectors.chat_priority_for(None) == 0  # an anonymous visitor


def test_team_less_chats_are_served_by_agents_of_any_team(team):
    """A widget without a team: its chats go to any team's agent; when that agent is full the
    chat waits, counts in the agent's queue figure, and is assigned when the agent ends a chat
    (routing for the agent's team routes the team-less pool too)."""
    shared = ChatWidget.objects.create(key="shared", name="公共", team=None)
    agent = chat_agent(team, "a1", max_chats=1)
    first = start(shared, "一")
    assert reload(first).agent == agent  # an agent of a team takes a team-less chat
    waiting = start(shared, "二")
    assert reload(waiting).state == ContactState.QUEUED
    assert selectors.waiting_for_agent_count(team_id=team.pk) == 1
    assert selectors.waiting_chats(team_id=team.pk).count() == 0
    services.chat_end(actor=agent, session=first)
    assert reload(waiting).state == ContactState.ACTIVE and reload(waiting).agent == agent
    assert selectors.waiting_for_agent_count(team_id=team.pk) == 0


def test_team_less_chat_waits_while_full_and_is_assigned_after_a_team_chat_ends(widget, team):
    """The agent is full with their team's chat; the team-less chat waits until it ends."""
    shared = ChatWidget.objects.create(key="shared", name="公共", team=None)
    agent = chat_agent(team, "a1", max_chats=1)
    own = start(widget, "本组")
    assert reload(own).agent == agent
    waiting = start(shared, "公共")
    assert reload(waiting).state == ContactState.QUEUED
    services.chat_end(actor=agent, session=own)
    assert reload(waiting).state == ContactState.ACTIVE and reload(waiting).agent == agent


def test_team_queue_goes_before_the_team_less_pool_and_presence_routes_both(widget, team):
    shared = ChatWidget.objects.create(key="shared", name="公共", team=None)
    agent = chat_agent(team, "a1", max_chats=1, status=Presence.BUSY)
    team_less = start(shared, "公共")
    own = start(widget, "本组")
    assert selectors.waiting_for_agent_count(team_id=team.pk) == 2
    services.presence_set(actor=agent, status=Presence.AVAILABLE)
    assert reload(own).agent == agent  # the team's own queue first
    assert reload(team_less).state == ContactState.QUEUED
    services.presence_set(actor=agent, status=Presence.AVAILABLE, max_chats=2)
    assert reload(team_less).agent == agent


def test_skill_level_and_team(widget, team, other_team):
    junior = chat_agent(team, "junior")
    chat_agent(other_team, "elsewhere", skill="senior")
    hard = services.chat_start(widget=widget, message="复杂问题", required_skill="senior").session
    assert reload(hard).state == ContactState.QUEUED  # the senior agent is in another team
    easy = start(widget)
    assert reload(easy).agent == junior
    senior = chat_agent(team, "senior", skill="senior")
    assert reload(hard).agent == senior
    with pytest.raises(InvalidInput) as caught:
        services.chat_start(widget=widget, message="x", required_skill="guru")
    assert caught.value.field == "skill"


def test_least_loaded_agent_first(widget, team):
    one = chat_agent(team, "one")
    two = chat_agent(team, "two")
    agents = [reload(start(widget, f"问{n}")).agent for n in range(4)]
    assert sorted(a.username for a in agents) == ["one", "one", "two", "two"]
    assert selectors.agent_load(agent=one) == selectors.agent_load(agent=two) == 2


def test_busy_and_away_agents_get_no_new_chats(widget, team):
    agent = chat_agent(team, "a1", status=Presence.BUSY)
    waiting = start(widget)
    assert reload(waiting).state == ContactState.QUEUED
    services.presence_set(actor=agent, status=Presence.AVAILABLE)
    assert reload(waiting).agent == agent


def test_a_waiting_visitor_who_left_is_abandoned(settings, widget, team):
    agent = chat_agent(team, "a1", status=Presence.BUSY)
    waiting = start(widget)
    Contact.objects.filter(pk=waiting.pk).update(updated_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    services.presence_set(actor=agent, status=Presence.AVAILABLE)
    contact = reload(waiting)
    assert contact.state == ContactState.ENDED and contact.agent is None
    assert AuditEvent.objects.filter(verb="chat.abandon").count() == 1


# Real commits from several threads; the serialized rollback restores the role groups after.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_routing_runs_never_hand_out_the_same_chat(widget, team):
    if connection.vendor == "sqlite" and "memory" in str(connection.settings_dict["NAME"]):
        pytest.skip("needs a file database shared by threads")
    agents = [chat_agent(team, f"a{n}", status=Presence.BUSY) for n in range(4)]
    chats = [start(widget, f"问{n}") for n in range(3)]
    AgentPresence.objects.update(status=Presence.AVAILABLE, max_chats=1)
    results: list[list[tuple[int, int]]] = []
    barrier = threading.Barrier(4)

    def run() -> None:
        barrier.wait()
        try:
            results.append(routing.chat_route(team_id=team.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    handed = [pair for result in results for pair in result]
    assert sorted(contact for contact, _ in handed) == sorted(c.pk for c in chats)
    assert len({agent for _, agent in handed}) == 3  # each agent at most one (max_chats=1)
    assert {c.agent_id for c in Contact.objects.all()} <= {a.pk for a in agents}


# -- messages --------------------------------------------------------------------------------
def test_first_response_time_and_retries(widget, team):
    agent = chat_agent(team, "a1")
    session = start(widget)
    message, created = services.chat_customer_message(
        session=session, body="还在吗", client_id="c-1"
    )
    again, created_again = services.chat_customer_message(
        session=session, body="还在吗", client_id="c-1"
    )
    assert created and not created_again and again.pk == message.pk
    services.chat_agent_message(actor=agent, session=session, body="您好，请讲")
    contact = reload(session)
    assert contact.answered_at is not None
    assert contact.wait_seconds == pytest.approx(
        (contact.answered_at - contact.queued_at).total_seconds()
    )
    first = contact.answered_at
    services.chat_agent_message(actor=agent, session=session, body="还有别的问题吗？")
    assert reload(session).answered_at == first
    services.chat_end(actor=agent, session=session)
    contact = reload(session)
    assert contact.handle_seconds is not None and contact.ended_at is not None
    assert [m.speaker for m in contact.messages.all()] == ["customer", "customer", "agent", "agent"]


def test_only_the_chat_s_agent_answers_and_ended_chats_take_nothing(widget, team, other_agent):
    agent = chat_agent(team, "a1")
    colleague = chat_agent(team, "a2", status=Presence.BUSY)
    session = start(widget)
    with pytest.raises(PermissionDenied):
        services.chat_agent_message(actor=colleague, session=session, body="抢答")
    with pytest.raises(PermissionDenied):
        services.chat_agent_message(actor=other_agent, session=session, body="抢答")
    with pytest.raises(PermissionDenied):
        services.chat_end(actor=colleague, session=session)
    services.chat_end(actor=None, session=session)
    services.chat_end(actor=None, session=session)  # again: nothing changes
    with pytest.raises(Conflict):
        services.chat_customer_message(session=session, body="还在吗")
    with pytest.raises(Conflict):
        services.chat_agent_message(actor=agent, session=session, body="在")
    assert ContactMessage.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "client_id", "field"),
    [
        ("", "", "body"),
        ("   ", "", "body"),
        ("x" * 4001, "", "body"),
        ("a\x00b", "", "body"),
        (123, "", "body"),
        ("好", "bad id!", "client_id"),
        ("好", "x" * 65, "client_id"),
    ],
)
def test_bad_messages_write_nothing(widget, team, body, client_id, field):
    chat_agent(team, "a1")
    session = start(widget, "")
    with pytest.raises(InvalidInput) as caught:
        services.chat_customer_message(session=session, body=body, client_id=client_id)
    assert caught.value.field == field
    assert not ContactMessage.objects.exists()


def test_start_bad_input(widget, team):
    chat_agent(team, "a1")
    for kwargs, field in (
        ({"name": "名" * 101}, "name"),
        ({"message": "x" * 4001}, "message"),
        ({"required_skill": "guru"}, "skill"),
    ):
        with pytest.raises(InvalidInput) as caught:
            services.chat_start(widget=widget, **kwargs)
        assert caught.value.field == field
    widget.enabled = False
    with pytest.raises(NotFound):
        services.chat_start(widget=widget)
    assert not Contact.objects.exists()


def test_delivered_and_read_marks(widget, team):
    agent = chat_agent(team, "a1")
    session = start(widget, "")
    question, _ = services.chat_customer_message(session=session, body="问")
    answer, _ = services.chat_agent_message(actor=agent, session=session, body="答")
    assert answer.status == MessageStatus.SENT
    services.chat_mark_delivered(session=session, speaker=Speaker.AGENT, upto=answer.pk)
    answer.refresh_from_db()
    assert answer.status == MessageStatus.DELIVERED and answer.delivered_at
    assert services.chat_mark_read(session=session, reader=Speaker.AGENT, upto=question.pk)
    question.refresh_from_db()
    assert question.status == MessageStatus.READ and question.read_at and question.delivered_at
    assert not services.chat_mark_read(session=session, reader=Speaker.AGENT, upto=question.pk)
    assert not services.chat_mark_read(session=session, reader=Speaker.AGENT, upto="9")
    for huge in (2**62, 2**63, 2**70, -1):  # would overflow SQLite's integer: ignored
        assert not services.chat_mark_read(session=session, reader=Speaker.AGENT, upto=huge)
    assert services.chat_mark_delivered(session=session, speaker=Speaker.AGENT, upto=2**70) == 0
    assert ChatSession.objects.get(pk=session.pk).agent_seen_message == question.pk


def test_typing_stamps(widget, team):
    chat_agent(team, "a1")
    session = start(widget, "")
    services.chat_typing(session=session, speaker=Speaker.CUSTOMER)
    session.refresh_from_db()
    assert selectors.typing_now(session.customer_typing_at)
    assert not selectors.typing_now(session.agent_typing_at)
    services.chat_customer_message(session=session, body="好了")
    session.refresh_from_db()
    assert session.customer_typing_at is None  # a sent message ends the typing


def test_a_poll_that_left_before_the_typist_s_message_does_not_restart_typing(widget, team):
    agent = chat_agent(team, "a1")
    session = start(widget, "")
    sent, _ = services.chat_agent_message(actor=agent, session=session, body="您好")
    # The console's poll set off (typing, holding nothing newer than 0) before the send.
    services.chat_typing(session=session, speaker=Speaker.AGENT, after=sent.pk - 1)
    session.refresh_from_db()
    assert session.agent_typing_at is None
    services.chat_typing(session=session, speaker=Speaker.AGENT, after=sent.pk)
    session.refresh_from_db()
    assert selectors.typing_now(session.agent_typing_at)  # typing again after the message


# -- offline messages and tickets ------------------------------------------------------------
def test_offline_message_becomes_a_chat_ticket(widget, team):
    ticket = services.chat_offline_message(
        widget=widget,
        name="王女士",
        phone="13900139000",
        email="",
        message="晚上想咨询退货流程\n请回电",
    )
    assert ticket.channel == "chat" and ticket.team == team
    assert ticket.customer.name == "王女士" and "晚上想咨询退货流程" in ticket.subject
    contact = Contact.objects.get(tickets=ticket)
    assert contact.customer == ticket.customer and contact.state == ContactState.ENDED
    assert contact.messages.get().ticket == ticket
    again = services.chat_offline_message(
        widget=widget, name="王", phone="+86 139-0013-9000", email="", message="再问一下"
    )
    assert again.customer == ticket.customer  # the same phone is the same customer
    assert Customer.objects.count() == 1


def test_offline_message_errors_per_field_and_nothing_written(widget):
    errors = services.offline_message_errors(name="", phone="12", email="nope", message="")
    assert set(errors) == {"name", "phone", "email", "message"}
    errors = services.offline_message_errors(name="王", phone="", email="", message="在吗")
    assert set(errors) == {"phone"}
    with pytest.raises(InvalidInput) as caught:
        services.chat_offline_message(widget=widget, name="王", phone="", email="", message="x")
    assert caught.value.field == "phone"
    assert not Ticket.objects.exists() and not Customer.objects.exists()


def test_ticket_from_chat_links_the_contact_and_keeps_the_transcript(widget, team):
    agent = chat_agent(team, "a1")
    session = start(widget, "冰箱坏了")
    services.chat_agent_message(actor=agent, session=session, body="请留下电话")
    services.chat_customer_message(session=session, body="13800138000")
    ticket = services.chat_ticket_create(
        actor=agent,
        session=session,
        subject="冰箱不制冷",
        category="after_sales.repair",
        phone="13800138000",
    )
    contact = reload(session)
    assert list(contact.tickets.all()) == [ticket]
    assert contact.customer == ticket.customer and ticket.assignee == agent
    assert ticket.channel == "chat" and "冰箱坏了" in ticket.description
    assert contact.messages.count() == 3
    assert set(contact.messages.values_list("ticket", flat=True)) == {ticket.pk}
    customer = selectors.customer_card(contact)
    assert customer and customer["identities"][0]["value"] == "138****8000"


def test_ticket_from_chat_bad_input_and_foreign_chat(widget, team):
    agent = chat_agent(team, "a1")
    colleague = chat_agent(team, "a2", status=Presence.BUSY)
    session = start(widget)
    with pytest.raises(InvalidInput) as caught:
        services.chat_ticket_create(actor=agent, session=session, subject="", category="consult")
    assert caught.value.field == "subject"
    with pytest.raises(InvalidInput) as caught:
        services.chat_ticket_create(
            actor=agent, session=session, subject="x", category="consult", phone="abc"
        )
    assert caught.value.field == "phone"
    with pytest.raises(InvalidInput) as caught:
        services.chat_ticket_create(actor=agent, session=session, subject="x", category="nope")
    assert caught.value.field == "category"
    with pytest.raises(PermissionDenied):
        services.chat_ticket_create(
            actor=colleague, session=session, subject="x", category="consult"
        )
    assert not Ticket.objects.exists() and not Customer.objects.exists()


def test_a_members_widget_asks_for_senior_agents_and_goes_first(widget, team):
    """Skill and priority of the public widget are the administrator's configuration."""
    members = ChatWidget.objects.create(
        key="members", name="会员专区", team=team, required_skill="senior", priority=1
    )
    junior = chat_agent(team, "junior", max_chats=1)
    ordinary = start(widget, "普通")  # the junior agent takes it and is full
    assert reload(ordinary).agent == junior
    later_ordinary = start(widget, "普通二")
    member = start(members, "会员")
    assert reload(member).priority == 1 and reload(member).chat.required_skill == "senior"
    assert selectors.queue_position(reload(member)) == 1  # ahead of the earlier ordinary chat
    services.chat_end(actor=junior, session=ordinary)
    # The junior agent is free again but may not take the members' chat: the ordinary one.
    assert reload(later_ordinary).agent == junior
    assert reload(member).state == ContactState.QUEUED
    senior = chat_agent(team, "senior", skill="senior")
    assert reload(member).agent == senior
    # A caller may ask for more than the widget, never for less.
    asked = services.chat_start(widget=members, message="x", required_skill="junior").session
    assert reload(asked).chat.required_skill == "senior"

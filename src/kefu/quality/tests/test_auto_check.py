"""Every contact is checked automatically once it ends (QA-1, QA-3, SCR-2): the transcript
built from a call's segments or a conversation's messages, the worker task, the triggers in the
CTI and chat services, and the results on the contact and ticket pages."""

from __future__ import annotations

import datetime as dt

import pytest

from kefu.audit.models import AuditEvent
from kefu.channels.chat import services as chat
from kefu.channels.models import ChatWidget, ContactMessage, ContactState, Presence, Speaker
from kefu.channels.services import Segment, contact_link_ticket, cti_event_record
from kefu.channels.tests.inbox_data import add_message, make_contact
from kefu.quality.models import AutoCheck
from kefu.quality.services import contact_auto_check, contact_transcript
from kefu.quality.tasks import check_contact, contacts_check_missed

pytestmark = pytest.mark.django_db

AT = dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)
RUDE = "这不是我的职责，你自己去问财务。"


def _event(call_id: str, event: str, seconds: float, **extra):
    return cti_event_record(
        actor=None, call_id=call_id, event=event, at=AT + dt.timedelta(seconds=seconds), **extra
    )


def _call(agent, call_id: str = "qa-call-1"):
    _event(call_id, "ringing", 0, caller="13800138000", agent=agent.username)
    _event(call_id, "answered", 5, agent=agent.username)
    return _event(
        call_id,
        "transcript",
        20,
        segments=[
            Segment("agent", 0.0, 3.0, "您好，很高兴为您服务。"),
            Segment("customer", 3.5, 6.0, "我的冰箱不制冷。"),
            Segment("agent", 6.5, 10.0, RUDE),
        ],
    ).contact


def _chat(agent, team):
    widget = ChatWidget.objects.create(key="qa-shop", name="商城", team=team)
    chat.presence_set(actor=agent, status=Presence.AVAILABLE)
    session = chat.chat_start(widget=widget, message="你好，我想咨询订单").session
    assert session.contact.agent_id == agent.pk
    chat.chat_agent_message(actor=agent, session=session, body=RUDE)
    return session


# -- the transcript ----------------------------------------------------------------------------


def test_a_call_transcript_is_its_segments_on_the_phone_channel(agent):
    contact = _call(agent)
    transcript = contact_transcript(contact)
    assert transcript.channel == "phone"
    assert [(s.speaker, s.start, s.end) for s in transcript.segments] == [
        ("agent", 0.0, 3.0),
        ("customer", 3.5, 6.0),
        ("agent", 6.5, 10.0),
    ]
    assert transcript.segments[2].text == RUDE


def test_a_conversation_transcript_is_its_messages_timed_from_the_first(agent):
    contact = make_contact(kind="wechat", state=ContactState.ENDED)
    add_message(contact, "你好", at=AT)
    add_message(
        contact, "您好，请问有什么可以帮您？", inbound=False, at=AT + dt.timedelta(seconds=30)
    )
    ContactMessage.objects.create(
        contact=contact,
        direction="outbound",
        speaker=Speaker.SYSTEM,
        body="会话已转接",
        status="sent",
        created_at=AT + dt.timedelta(seconds=40),
    )
    add_message(contact, "   ", at=AT + dt.timedelta(seconds=50))  # nothing to check
    add_message(contact, RUDE, inbound=False, at=AT + dt.timedelta(seconds=90))
    transcript = contact_transcript(contact)
    assert transcript.channel == "chat"
    assert [(s.speaker, s.start, s.text) for s in transcript.segments] == [
        ("customer", 0.0, "你好"),
        ("agent", 30.0, "您好，请问有什么可以帮您？"),
        ("agent", 90.0, RUDE),
    ]


# -- the check and the task ----------------------------------------------------------------------


def test_the_task_stores_findings_with_the_turn_and_rechecking_replaces(agent):
    contact = _call(agent)
    assert check_contact.call_local(contact.pk) == "checked"
    first = AutoCheck.objects.get(contact=contact)
    shirking = next(f for f in first.findings if f["category"] == "shirking")
    assert shirking["standard"] == "SCR-2" and shirking["segment"] == 2
    assert shirking["text"] == RUDE and shirking["speaker"] == "agent"
    start, end = shirking["span"]
    assert RUDE[start:end] == shirking["evidence"] == "这不是我的职责"
    assert set(first.dimensions) == {"process", "communication", "script", "result"}
    assert first.score < 100 and first.rules_version.startswith("p1:1:")
    # The agent's turn is corrected and the call checked again: one row, replaced.
    contact.segments.filter(start=6.5).update(text="我会帮您转接至相关同事，请您稍等。")
    second = contact_auto_check(contact=contact)
    assert AutoCheck.objects.filter(contact=contact).count() == 1
    assert second.pk == first.pk
    assert not any(f["category"] == "shirking" for f in second.findings)
    assert second.score > first.score
    audits = AuditEvent.objects.filter(verb="quality.auto_check").order_by("id")
    assert [a.after["replaced"] for a in audits] == [False, True]
    assert all(a.actor_id is None for a in audits)
    assert check_contact.call_local(999_999) == "gone"


def test_the_safety_net_checks_ended_contacts_without_a_check(agent):
    ended = make_contact(kind="sms", state=ContactState.ENDED, ended_at=AT)
    add_message(ended, RUDE, inbound=False, at=AT)
    make_contact(kind="sms", state=ContactState.ACTIVE)  # not ended: not checked
    old = make_contact(kind="sms", state=ContactState.ENDED, ended_at=AT - dt.timedelta(days=3))
    assert contacts_check_missed(since=AT - dt.timedelta(hours=24)) == 1
    assert AutoCheck.objects.filter(contact=ended).exists()
    assert not AutoCheck.objects.filter(contact=old).exists()
    assert contacts_check_missed(since=AT - dt.timedelta(hours=24)) == 0  # done already


# -- triggers ----------------------------------------------------------------------------------


def test_ending_a_call_and_a_late_transcript_schedule_the_check(
    agent, django_capture_on_commit_callbacks
):
    contact = _call(agent)
    assert not AutoCheck.objects.filter(contact=contact).exists()  # not ended yet
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _event("qa-call-1", "ended", 60, agent=agent.username)
    assert len(callbacks) == 1
    check = AutoCheck.objects.get(contact=contact)
    assert any(f["category"] == "shirking" for f in check.findings)
    # A repeated end changes nothing and schedules nothing.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _event("qa-call-1", "ended", 60, agent=agent.username)
    assert callbacks == []
    # The transcript of the ended call arrives later: it is checked again.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _event(
            "qa-call-1",
            "transcript",
            70,
            segments=[Segment("agent", 40.0, 44.0, "请问还有其他可以帮您的吗？")],
        )
    assert len(callbacks) == 1
    assert AutoCheck.objects.get(contact=contact).checked_at >= check.checked_at


def test_ending_a_chat_schedules_the_check(agent, team, django_capture_on_commit_callbacks):
    session = _chat(agent, team)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        chat.chat_end(actor=agent, session=session)
    assert callbacks  # the check (and nothing fails without a worker: huey runs immediately)
    check = AutoCheck.objects.get(contact_id=session.pk)
    assert any(f["evidence"] == "这不是我的职责" for f in check.findings)


# -- pages -------------------------------------------------------------------------------------


def test_the_contact_page_shows_the_evidence_highlighted_and_escaped(client, agent, settings):
    settings.LANGUAGE_CODE = "en"  # the texts checked below are the English msgids
    contact = make_contact(kind="chat", state=ContactState.ENDED, agent=agent, team=agent.team)
    add_message(contact, "<b>客户</b>你好", at=AT)
    add_message(contact, "<script>x</script>这不是我的职责&", inbound=False, at=AT, author=agent)
    client.force_login(agent)
    page = client.get(f"/contacts/{contact.pk}/").content.decode()
    assert 'id="contact-quality"' in page and "pending" in page
    contact_auto_check(contact=contact)
    page = client.get(f"/contacts/{contact.pk}/").content.decode()
    panel = page.split('id="contact-quality"')[1].split('id="contact-events"')[0]
    assert "&lt;script&gt;x&lt;/script&gt;<mark>这不是我的职责</mark>&amp;" in panel
    assert "<script>x" not in panel
    assert "SCR-2" in panel and "我会帮您转接至相关同事，请您稍等。" in panel
    assert 'data-dimension="communication"' in panel and 'id="quality-score"' in panel


def test_the_ticket_page_lists_the_linked_contacts_checks(client, agent, ticket, settings):
    settings.LANGUAGE_CODE = "en"  # the texts checked below are the English msgids
    checked = make_contact(kind="chat", state=ContactState.ENDED, agent=agent, team=agent.team)
    add_message(checked, RUDE, inbound=False, at=AT, author=agent)
    unchecked = make_contact(kind="sms", state=ContactState.ACTIVE, agent=agent, team=agent.team)
    for contact in (checked, unchecked):
        contact_link_ticket(actor=None, contact=contact, ticket=ticket)
    result = contact_auto_check(contact=checked)
    client.force_login(agent)
    page = client.get(f"/tickets/{ticket.number}/").content.decode()
    panel = page.split('id="ticket-quality"')[1].split("</ul>")[0]
    assert f'href="/contacts/{checked.pk}/#contact-quality"' in panel
    assert f'data-score="{result.score:g}"' in panel
    count = len(result.findings)
    assert f"{count} findings" in panel
    assert "not checked yet" in panel

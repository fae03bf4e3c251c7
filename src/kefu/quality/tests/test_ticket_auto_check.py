"""A ticket handled only by written replies is checked automatically once it is resolved
(QA-1, QA-3, SCR-2): its public staff replies as the agent's turns, the customer's messages as
the customer's; the result is the ticket's own AutoCheck, shown on the ticket page with the
evidence highlighted and the suggested wording. A ticket with contacts is checked per contact.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from kefu.audit.models import AuditEvent
from kefu.channels.models import ContactState
from kefu.channels.services import contact_link_ticket
from kefu.channels.tests.inbox_data import add_message, make_contact
from kefu.core.timeutils import now
from kefu.quality.models import AutoCheck
from kefu.quality.services import contact_auto_check, ticket_auto_check, ticket_transcript
from kefu.quality.tasks import check_ticket, tickets_check_missed
from kefu.tickets.models import Ticket
from kefu.tickets.services import (
    ticket_comment,
    ticket_customer_message,
    ticket_transition,
    ticket_update,
)
from kefu.tickets.states import TicketStatus

pytestmark = pytest.mark.django_db

RUDE = "这不是我的职责，你自己去问财务。"
EVIDENCE = "这不是我的职责"
SUGGESTED = "我会帮您转接至相关同事，请您稍等。"


def _resolve(ticket: Ticket, agent) -> Ticket:
    ticket = Ticket.objects.get(pk=ticket.pk)  # replies moved its version on
    ticket = ticket_update(
        actor=agent, ticket=ticket, version=ticket.version, changes={"solution": "已退款"}
    )
    return ticket_transition(actor=agent, ticket=ticket, to=TicketStatus.RESOLVED)


def _shirking(check: AutoCheck) -> list[dict]:
    return [f for f in check.findings if f["category"] == "shirking"]


def test_resolving_a_ticket_handled_in_writing_checks_its_replies(
    agent, ticket, django_capture_on_commit_callbacks
):
    ticket_comment(actor=agent, ticket=ticket, body="您好，请问有什么可以帮您？", public=True)
    ticket_comment(actor=agent, ticket=ticket, body=RUDE, public=True)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _resolve(ticket, agent)
    assert callbacks  # the check is queued on commit (huey runs it at once in tests)
    check = AutoCheck.objects.get(ticket=ticket)
    assert check.contact_id is None
    [finding] = _shirking(check)
    assert finding["standard"] == "SCR-2" and finding["speaker"] == "agent"
    assert finding["text"] == RUDE and finding["segment"] == 1
    start, end = finding["span"]
    assert RUDE[start:end] == finding["evidence"] == EVIDENCE
    assert finding["suggestion"] == SUGGESTED
    assert set(check.dimensions) == {"process", "communication", "script", "result"}
    assert check.score < 100 and check.rules_version.startswith("p1:1:")
    audit = AuditEvent.objects.get(verb="quality.auto_check")
    assert audit.actor_id is None and audit.after["replaced"] is False


def test_the_customers_words_internal_notes_and_other_moves_are_not_findings(
    agent, ticket, django_capture_on_commit_callbacks
):
    ticket_customer_message(ticket=ticket, body=f"你们说{RUDE}太过分了", channel="email")
    ticket_comment(actor=agent, ticket=ticket, body=RUDE, public=False)  # an internal note
    ticket_comment(actor=agent, ticket=ticket, body="您好，已为您核实退款进度。", public=True)
    transcript = ticket_transcript(ticket)
    assert [s.speaker for s in transcript.segments] == ["customer", "agent"]
    # Moving the ticket anywhere but to resolved checks nothing.
    with django_capture_on_commit_callbacks(execute=True):
        ticket_transition(actor=agent, ticket=ticket, to=TicketStatus.PENDING_CUSTOMER)
    assert not AutoCheck.objects.filter(ticket=ticket).exists()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _resolve(Ticket.objects.get(pk=ticket.pk), agent)
    assert callbacks
    check = AutoCheck.objects.get(ticket=ticket)
    assert _shirking(check) == []


def test_a_ticket_with_a_contact_gets_no_check_of_its_own(
    agent, ticket, django_capture_on_commit_callbacks
):
    contact = make_contact(kind="sms", state=ContactState.ENDED, agent=agent, team=agent.team)
    add_message(contact, RUDE, inbound=False, at=now(), author=agent)
    contact_link_ticket(actor=None, contact=contact, ticket=ticket)
    ticket_comment(actor=agent, ticket=ticket, body=RUDE, public=True)
    with django_capture_on_commit_callbacks(execute=True):
        _resolve(ticket, agent)
    assert not AutoCheck.objects.filter(ticket=ticket).exists()
    assert check_ticket.call_local(ticket.pk) == "skipped"
    assert ticket_auto_check(ticket=ticket) is None
    assert check_ticket.call_local(999_999) == "gone"


def test_a_ticket_without_a_staff_reply_is_not_checked(ticket):
    ticket_customer_message(ticket=ticket, body=RUDE, channel="email")
    assert ticket_auto_check(ticket=ticket) is None
    assert not AutoCheck.objects.exists()


def test_checking_again_replaces_the_tickets_check(agent, ticket):
    event = ticket_comment(actor=agent, ticket=ticket, body=RUDE, public=True)
    first = ticket_auto_check(ticket=ticket)
    assert first is not None and _shirking(first)
    type(event).objects.filter(pk=event.pk).update(body=SUGGESTED)
    second = ticket_auto_check(ticket=ticket)
    assert second is not None and second.pk == first.pk
    assert AutoCheck.objects.filter(ticket=ticket).count() == 1
    assert _shirking(second) == [] and second.score > first.score


def test_a_check_belongs_to_exactly_one_contact_or_ticket(agent, ticket):
    contact = make_contact(kind="sms", state=ContactState.ENDED, agent=agent, team=agent.team)
    fields = {"score": 100.0, "rules_version": "test", "checked_at": now()}
    for owners in ({}, {"contact": contact, "ticket": ticket}):
        with pytest.raises(IntegrityError), transaction.atomic():
            AutoCheck.objects.create(**owners, **fields)
    AutoCheck.objects.create(contact=contact, **fields)
    AutoCheck.objects.create(ticket=ticket, **fields)
    assert AutoCheck.objects.count() == 2


def test_the_ticket_page_shows_the_evidence_highlighted_and_the_suggestion(
    client, agent, ticket, settings
):
    settings.LANGUAGE_CODE = "en"  # the texts checked below are the English msgids
    ticket_comment(actor=agent, ticket=ticket, body=f"<script>x</script>{EVIDENCE}&", public=True)
    client.force_login(agent)
    page = client.get(f"/tickets/{ticket.number}/").content.decode()
    assert (
        "checked automatically once the ticket is resolved"
        in page.split('id="ticket-auto-check"')[1]
    )
    ticket_auto_check(ticket=ticket)
    page = client.get(f"/tickets/{ticket.number}/").content.decode()
    panel = page.split('id="ticket-auto-check"')[1]
    assert f"&lt;script&gt;x&lt;/script&gt;<mark>{EVIDENCE}</mark>&amp;" in panel
    assert "<script>x" not in panel
    assert "SCR-2" in panel and f'<span class="quality-suggestion">{SUGGESTED}</span>' in panel
    assert 'data-dimension="communication"' in panel and 'id="quality-score"' in panel


def test_the_ticket_page_shows_no_own_check_for_a_ticket_with_contacts(client, agent, ticket):
    contact = make_contact(kind="chat", state=ContactState.ENDED, agent=agent, team=agent.team)
    add_message(contact, RUDE, inbound=False, at=now(), author=agent)
    contact_link_ticket(actor=None, contact=contact, ticket=ticket)
    ticket_comment(actor=agent, ticket=ticket, body=RUDE, public=True)
    contact_auto_check(contact=contact)
    client.force_login(agent)
    page = client.get(f"/tickets/{ticket.number}/").content.decode()
    assert 'id="ticket-quality"' in page  # the contact's check, listed as before
    assert 'id="ticket-auto-check"' not in page


def test_the_safety_net_checks_resolved_tickets_whose_check_was_lost(agent, customer, ticket):
    from kefu.tests_support import factories

    ticket_comment(actor=agent, ticket=ticket, body=RUDE, public=True)
    # Resolved, but the check queued on commit never ran (the test's transaction never commits:
    # as if the worker had been down).
    assert _resolve(ticket, agent).resolved_at is not None
    # An open ticket with a reply and a resolved one without a reply are not for the sweep.
    open_ticket = factories.make_ticket(actor=agent, customer=customer)
    ticket_comment(actor=agent, ticket=open_ticket, body=RUDE, public=True)
    silent = _resolve(factories.make_ticket(actor=agent, customer=customer), agent)
    assert not AutoCheck.objects.exists()
    since = now() - dt.timedelta(hours=24)
    assert tickets_check_missed(since=since) == 1
    assert _shirking(AutoCheck.objects.get(ticket=ticket))
    assert not AutoCheck.objects.filter(ticket__in=[open_ticket, silent]).exists()
    assert tickets_check_missed(since=since) == 0  # done already
    # Tickets resolved before the window are left alone; the batch limit holds.
    AutoCheck.objects.all().delete()
    assert tickets_check_missed(since=now() + dt.timedelta(minutes=1)) == 0
    assert tickets_check_missed(since=since, limit=0) == 0
    assert tickets_check_missed(since=since, limit=1) == 1


def test_a_ticket_reopened_and_resolved_again_is_checked_again_by_the_sweep(agent, ticket):
    ticket_comment(actor=agent, ticket=ticket, body="您好，已为您处理。", public=True)
    resolved = _resolve(ticket, agent)
    first = ticket_auto_check(ticket=resolved)
    assert first is not None and not _shirking(first)
    reopened = ticket_transition(actor=agent, ticket=resolved, to=TicketStatus.OPEN)
    ticket_comment(actor=agent, ticket=reopened, body=RUDE, public=True)
    # Resolved again, the on-commit check lost: the check is older than the resolution.
    AutoCheck.objects.filter(pk=first.pk).update(checked_at=now() - dt.timedelta(minutes=5))
    ticket_transition(
        actor=agent, ticket=Ticket.objects.get(pk=ticket.pk), to=TicketStatus.RESOLVED
    )
    assert tickets_check_missed(since=now() - dt.timedelta(hours=24)) == 1
    assert _shirking(AutoCheck.objects.get(ticket=ticket))


def test_the_insights_count_contacts_only(agent, ticket):
    from kefu.quality.insight_selectors import frequent_violations

    ticket_comment(actor=agent, ticket=ticket, body=RUDE, public=True)
    assert ticket_auto_check(ticket=ticket) is not None
    contact = make_contact(kind="sms", state=ContactState.ENDED, agent=agent, team=agent.team)
    add_message(contact, RUDE, inbound=False, at=now(), author=agent)
    contact_auto_check(contact=contact)
    today = now().date()
    day = dt.timedelta(days=1)  # a day either side: the period is in local days
    result = frequent_violations(start=today - day, end=today + day)
    assert result["checked"] == 1
    shirking = next(v for v in result["violations"] if v["category"] == "shirking")
    assert shirking["count"] == 1
    assert [e["contact_id"] for e in shirking["examples"]] == [contact.pk]

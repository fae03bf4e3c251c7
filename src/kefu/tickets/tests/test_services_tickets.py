"""Creating and editing tickets: numbers, validation, optimistic concurrency, timeline, files."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction

from kefu.audit.models import AuditEvent
from kefu.core.errors import InvalidInput, NotFound, PermissionDenied, StaleVersion
from kefu.tests_support.factories import make_ticket
from kefu.tickets.models import Ticket, TicketEvent, TicketNumberSequence
from kefu.tickets.numbering import format_ticket_number
from kefu.tickets.selectors import ticket_attachment_content
from kefu.tickets.services import ticket_attachment_add, ticket_comment, ticket_update


@pytest.mark.django_db
def test_numbers_are_local_date_and_daily_sequence(agent):
    first = make_ticket(actor=agent)
    second = make_ticket(actor=agent)
    day, sequence = first.number.split("-")
    assert len(day) == 8 and len(sequence) == 6
    assert second.number == f"{day}-{int(sequence) + 1:06d}"
    assert format_ticket_number(dt.date(2026, 11, 27), 123) == "20261127-000123"


@pytest.mark.django_db
def test_rolled_back_creation_leaves_no_ticket_audit_or_number(agent):
    before = list(TicketNumberSequence.objects.values_list("last", flat=True))
    with pytest.raises(RuntimeError), transaction.atomic():
        make_ticket(actor=agent)
        raise RuntimeError("crash after the write")
    assert Ticket.objects.count() == 0
    assert not AuditEvent.objects.filter(verb="ticket.create").exists()
    assert list(TicketNumberSequence.objects.values_list("last", flat=True)) == before


@pytest.mark.django_db
def test_create_defaults_team_from_the_creator_and_records_timeline(agent, team):
    ticket = make_ticket(actor=agent)
    assert ticket.team == team
    assert ticket.status == "new"
    assert list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True)) == [
        "created"
    ]
    audit = AuditEvent.objects.get(verb="ticket.create")
    assert audit.actor == agent
    assert audit.after["subject"] == "冰箱不制冷"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"subject": ""}, "subject"),
        ({"subject": "x" * 201}, "subject"),
        ({"description": "x" * 20_001}, "description"),
        ({"urgency": "whenever"}, "urgency"),
        ({"priority": "Z"}, "priority"),
        ({"category": "no.such"}, "category"),
        ({"assignee": 999_999}, "assignee"),
        ({"promised_at": dt.datetime(2026, 12, 1, 12, 0)}, "promised_at"),  # noqa: DTZ001 - naive on purpose
        ({"status": "closed"}, "status"),
        ({"number": "x"}, "number"),
    ],
)
def test_bad_edits_name_the_field_and_change_nothing(ticket, agent, changes, field):
    with pytest.raises(InvalidInput) as caught:
        ticket_update(actor=agent, ticket=ticket, version=ticket.version, changes=changes)
    assert caught.value.field == field
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert fresh.version == ticket.version
    assert fresh.subject == ticket.subject


@pytest.mark.django_db
def test_stale_version_is_refused_not_overwritten(ticket, agent, team_lead):
    loaded_by_agent = Ticket.objects.get(pk=ticket.pk)
    loaded_by_lead = Ticket.objects.get(pk=ticket.pk)
    ticket_update(
        actor=team_lead,
        ticket=loaded_by_lead,
        version=loaded_by_lead.version,
        changes={"urgency": "urgent"},
    )
    with pytest.raises(StaleVersion) as caught:
        ticket_update(
            actor=agent,
            ticket=loaded_by_agent,
            version=loaded_by_agent.version,
            changes={"urgency": "consult"},
        )
    assert caught.value.status_code == 409
    assert Ticket.objects.get(pk=ticket.pk).urgency == "urgent"


@pytest.mark.django_db
def test_update_records_field_and_assignment_events_and_only_changed_fields(
    ticket, agent, team_lead
):
    updated = ticket_update(
        actor=team_lead,
        ticket=ticket,
        version=ticket.version,
        changes={"need_points": "1. 上门检修", "assignee": agent.pk, "subject": ticket.subject},
    )
    kinds = list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True))
    assert kinds == ["created", "assignment", "field_change"]
    audit = AuditEvent.objects.filter(verb="ticket.update").get()
    assert set(audit.after) == {"need_points", "assignee", "version"}
    assert audit.before["assignee"] is None and audit.after["assignee"] == agent.pk
    # A no-op edit writes nothing.
    again = ticket_update(
        actor=team_lead,
        ticket=updated,
        version=updated.version,
        changes={"need_points": "1. 上门检修"},
    )
    assert again.version == updated.version
    assert AuditEvent.objects.filter(verb="ticket.update").count() == 1


@pytest.mark.django_db
def test_first_public_reply_sets_first_response(ticket, agent):
    ticket_comment(actor=agent, ticket=ticket, body="内部：已联系物流", public=False)
    assert Ticket.objects.get(pk=ticket.pk).first_response_at is None
    ticket_comment(actor=agent, ticket=ticket, body="您好，师傅明天上午上门。", public=True)
    first = Ticket.objects.get(pk=ticket.pk).first_response_at
    assert first is not None
    ticket_comment(actor=agent, ticket=ticket, body="再次确认时间", public=True)
    assert Ticket.objects.get(pk=ticket.pk).first_response_at == first


@pytest.mark.django_db
def test_empty_comment_is_refused(ticket, agent):
    with pytest.raises(InvalidInput, match="empty"):
        ticket_comment(actor=agent, ticket=ticket, body="   ", public=True)


@pytest.mark.django_db
def test_attachment_is_encrypted_on_disk_and_reads_back(ticket, agent):
    content = "发票照片".encode() * 100
    attachment = ticket_attachment_add(
        actor=agent, ticket=ticket, filename="../../发票.jpg", content=content
    )
    assert attachment.filename == "发票.jpg"
    stored = (Path(settings.DATA_DIR) / "attachments" / attachment.storage_name).read_bytes()
    assert content not in stored
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert ticket_attachment_content(attachment=attachment) == content
    assert TicketEvent.objects.filter(ticket=ticket, kind="attachment").exists()


@pytest.mark.django_db
def test_oversized_attachment_is_refused(ticket, agent, settings):
    settings.KEFU_ATTACHMENT_MAX_BYTES = 10
    with pytest.raises(InvalidInput, match="larger"):
        ticket_attachment_add(actor=agent, ticket=ticket, filename="a.txt", content=b"x" * 11)


@pytest.mark.django_db
def test_editing_an_invisible_ticket_is_not_found(ticket, other_agent):
    with pytest.raises(NotFound):
        ticket_update(
            actor=other_agent, ticket=ticket, version=ticket.version, changes={"urgency": "urgent"}
        )


@pytest.mark.django_db
def test_read_only_roles_cannot_edit(ticket, qa):
    with pytest.raises(PermissionDenied):
        ticket_update(
            actor=qa, ticket=ticket, version=ticket.version, changes={"urgency": "urgent"}
        )

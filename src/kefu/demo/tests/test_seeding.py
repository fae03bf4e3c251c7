"""The demo center and synthetic volume seed consistent data through the same rules."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db.models import Max

from kefu.accounts.models import Department, Team, User
from kefu.audit.models import AuditEvent
from kefu.customers.models import Customer, CustomerIdentity
from kefu.customers.selectors import customer_find_by_identity
from kefu.demo.channels import MAILS, TEXTS, WECHAT
from kefu.demo.complaints import CASES
from kefu.demo.seeding import DEMO_PASSWORD, demo_center_exists, seed_demo_center
from kefu.tests_support.factories import make_ticket
from kefu.tickets.models import Ticket, TicketEvent
from kefu.tickets.states import OPEN_STATUSES, TicketStatus

# Every demo e-mail, SMS and WeChat message opens a ticket of its own.
MESSAGE_TICKETS = len(MAILS) + len(TEXTS) + len(WECHAT)


@pytest.fixture
def demo(db):
    seed_demo_center(customers=40, tickets=300, days=60)


@pytest.mark.django_db
def test_demo_center_has_the_promised_people(demo):
    assert demo_center_exists()
    admin = User.objects.get(username="admin")
    assert admin.check_password(DEMO_PASSWORD)
    assert set(admin.groups.values_list("name", flat=True)) == {"manager", "admin"}
    assert Team.objects.count() == 3
    assert all(team.lead is not None for team in Team.objects.all())
    assert User.objects.filter(groups__name="agent").count() == 20
    assert Department.objects.count() == 3
    assert all(department.members.exists() for department in Department.objects.all())
    assert User.objects.filter(groups__name="qa_specialist").count() == 1
    assert User.objects.filter(groups__name="complaint_specialist").count() == 1
    assert AuditEvent.objects.filter(verb="user.create").count() == User.objects.count()


@pytest.mark.django_db
def test_demo_tickets_are_consistent_with_the_rules(demo):
    # The 300 seeded tickets and the demo complaints registered through the services.
    assert Ticket.objects.count() == 300 + len(CASES) + MESSAGE_TICKETS
    assert Customer.objects.count() >= 35
    numbers = list(Ticket.objects.values_list("number", flat=True))
    assert len(set(numbers)) == len(numbers)
    for ticket in Ticket.objects.all():
        if ticket.status in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
            assert ticket.solution and ticket.resolved_at >= ticket.created_at
        if ticket.status == TicketStatus.CLOSED:
            assert ticket.closed_at >= ticket.resolved_at
        if ticket.status == TicketStatus.PENDING_DEPARTMENT:
            assert ticket.department_id is not None
        complaint = ticket.category.root == "complaint" and hasattr(ticket, "complaint")
        if ticket.status != TicketStatus.NEW and ticket.status in OPEN_STATUSES and not complaint:
            # (A registered complaint's first answer is its need-confirmation letter, which the
            # worker delivers after the seed.)
            assert ticket.first_response_at is not None
        assert ticket.updated_at >= ticket.created_at
    assert TicketEvent.objects.filter(kind="reply").exists()
    assert TicketEvent.objects.filter(kind="created").count() == 300 + len(CASES) + MESSAGE_TICKETS


@pytest.mark.django_db
def test_demo_unfinished_tickets_run_their_clocks(demo):
    from kefu.sla.models import Clock

    unfinished = Ticket.objects.filter(
        status__in=["new", "open", "pending_customer", "pending_department"]
    )
    assert unfinished.exists()
    for ticket in unfinished:
        assert Clock.objects.filter(ticket=ticket).exists(), ticket.number
    answered = unfinished.filter(first_response_at__isnull=False).first()
    if answered is not None:
        response = Clock.objects.filter(
            ticket=answered, milestone__startswith="first_response_"
        ).first()
        assert response is None or response.stopped_at == answered.first_response_at
    assert not Clock.objects.filter(next_action_at__lte=dt.datetime.now(dt.UTC)).exists()  # swept


@pytest.mark.django_db
def test_new_tickets_continue_the_seeded_numbering(demo):

    admin = User.objects.get(username="admin")
    fresh = make_ticket(actor=admin)
    day = fresh.number.split("-")[0]
    seeded_today = Ticket.objects.filter(number__startswith=day).exclude(pk=fresh.pk)
    assert all(ticket.number < fresh.number for ticket in seeded_today)


@pytest.mark.django_db
def test_seed_command_adds_volume_with_searchable_encrypted_customers(demo):
    out = io.StringIO()
    call_command(
        "seed",
        "--tickets",
        "500",
        "--customers",
        "50",
        "--seed",
        "3",
        stdout=out,
        stderr=io.StringIO(),
    )
    assert "seeded 500 tickets and 50 customers" in out.getvalue()
    assert Ticket.objects.count() == 800 + len(CASES) + MESSAGE_TICKETS
    identity = CustomerIdentity.objects.filter(kind="phone").order_by("-pk").first()
    assert customer_find_by_identity(kind="phone", value=identity.value) == identity.customer
    assert AuditEvent.objects.filter(verb="seed.volume").exists()
    # Ids continue after the bulk insert (sequences were reset on PostgreSQL).
    previous_top = Ticket.objects.aggregate(top=Max("pk"))["top"]
    assert make_ticket(actor=User.objects.get(username="admin")).pk > previous_top


@pytest.mark.django_db
def test_seed_command_refuses_an_empty_center():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no teams"):
        call_command("seed", "--tickets", "10", stdout=io.StringIO(), stderr=io.StringIO())


@pytest.mark.django_db
def test_demo_timelines_are_in_order_and_follow_the_state_machine(demo):
    from kefu.tickets.states import ALLOWED_TRANSITIONS

    for ticket in Ticket.objects.prefetch_related("events"):
        events = sorted(ticket.events.all(), key=lambda event: (event.created_at, event.id))
        assert events[0].kind == "created" and events[0].created_at == ticket.created_at
        assert all(ticket.created_at <= event.created_at <= ticket.updated_at for event in events)
        state = "new"
        for event in events:
            if event.kind == "status_change":
                assert event.data["from"] == state, ticket.number
                assert event.data["to"] in ALLOWED_TRANSITIONS[state], ticket.number
                state = event.data["to"]
        assert state == ticket.status, ticket.number
        if ticket.cancelled_at:
            assert events[-1].created_at == ticket.cancelled_at
        if ticket.resolved_at:
            talk = [event for event in events if event.kind in ("reply", "note")]
            assert all(event.created_at <= ticket.resolved_at for event in talk), ticket.number


@pytest.mark.django_db
def test_an_interrupted_volume_seed_leaves_a_working_center(demo, monkeypatch):
    from kefu.demo import seeding

    calls = {"count": 0}
    original = seeding.BulkInserter.insert

    def failing_insert(self, rows):
        if self.model is Ticket:
            calls["count"] += 1
            if calls["count"] == 2:
                raise KeyboardInterrupt
        return original(self, rows)

    monkeypatch.setattr(seeding.BulkInserter, "insert", failing_insert)
    with pytest.raises(KeyboardInterrupt):
        seeding.seed_volume(tickets=300, customers=0, days=1, seed=5, batch_size=100)
    monkeypatch.undo()
    # The demo's 300, its complaints and the first committed batch.
    assert Ticket.objects.count() == 400 + len(CASES) + MESSAGE_TICKETS
    fresh = make_ticket(actor=User.objects.get(username="admin"))
    assert Ticket.objects.filter(number=fresh.number).count() == 1


@pytest.mark.django_db
def test_customers_can_be_seeded_twice(demo):
    from kefu.demo.seeding import seed_bulk_customers

    before = Customer.objects.count()
    import random

    seed_bulk_customers(random.Random(11), 300)
    seed_bulk_customers(random.Random(11), 300)  # the same draws again: duplicates are skipped
    assert Customer.objects.count() == before + 600


@pytest.mark.django_db
def test_demo_complaints_cover_every_stage_of_the_loop(demo):
    from kefu.complaints.models import Complaint, Improvement

    stages = set(Complaint.objects.values_list("stage", flat=True))
    assert stages == {
        "registered",
        "investigating",
        "plan_proposed",
        "solved",
        "rectifying",
        "closed",
    }
    assert Improvement.objects.filter(status="done").exists()
    assert Improvement.objects.filter(status="open").exists()
    assert all(c.ticket.assignee_id for c in Complaint.objects.select_related("ticket"))


@pytest.mark.django_db
def test_demo_contacts_give_the_wallboard_a_working_day(demo):
    from kefu.channels.models import AgentPresence, Contact, ContactKind, ContactState

    # Today's calls (last month's calls of the QA demo are demo-history-N).
    calls = Contact.objects.filter(kind=ContactKind.CALL, external_id__startswith="demo-call-")
    assert calls.count() == 25
    assert calls.filter(state=ContactState.OFFERED).count() == 1  # one caller waits right now
    answered = calls.exclude(answered_at=None)
    assert answered.filter(wait_seconds__lte=15).exists()
    assert answered.filter(wait_seconds__gt=15).exists()
    assert calls.filter(answered_at=None, state=ContactState.ENDED).exists()  # abandoned
    assert calls.filter(segments__isnull=False).distinct().count() >= 5
    for kind, count in ((ContactKind.EMAIL, len(MAILS)), (ContactKind.SMS, len(TEXTS))):
        assert Contact.objects.filter(kind=kind).count() == count
    assert Contact.objects.filter(kind=ContactKind.WECHAT).count() == len(WECHAT)
    assert AgentPresence.objects.count() >= 20  # the agents and their leads

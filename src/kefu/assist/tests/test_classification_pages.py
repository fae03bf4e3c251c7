"""Classification pages (TEC-4): the admin page, the suggestion panel, confirm / correct."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from kefu.assist.classification_services import classification_suggest, classifier_train
from kefu.assist.models import ClassifierRun, SuggestionDecision
from kefu.assist.tests.classification_support import seed_training_tickets, use_data_dir
from kefu.channels.models import Contact, ContactKind, ContactMessage, Direction, Speaker
from kefu.core.timeutils import now
from kefu.tests_support.factories import UserFactory, make_ticket
from kefu.tests_support.html import unlabelled_controls

pytestmark = pytest.mark.django_db

PAGE = "/assist/classification/"


@pytest.fixture
def data_dir(settings, tmp_path: Path) -> Path:
    return use_data_dir(settings, tmp_path)


@pytest.fixture
def suggestion(data_dir: Path, agent):
    seed_training_tickets()
    classifier_train(embedding=None)
    ticket = make_ticket(
        actor=agent, category="consult.product", subject="退款", description="我要退款"
    )
    made = classification_suggest(ticket=ticket)
    assert made is not None
    return made


def test_admin_page_for_managers_and_admins_only(client, manager, agent, suggestion) -> None:
    client.force_login(agent)
    assert client.get(PAGE).status_code == 403
    client.force_login(manager)
    page = client.get(PAGE)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="classification-runs"' in html and "v1" in html
    assert 'id="classification-heldout-categories"' in html
    admin = UserFactory(username="boss", roles=["admin"])
    client.force_login(admin)
    assert client.get(PAGE).status_code == 200


def test_train_now_button_queues_a_training(client, manager, agent, data_dir: Path) -> None:
    client.force_login(agent)
    assert client.post(reverse("assist-classification-train")).status_code == 403
    assert not ClassifierRun.objects.exists()
    client.force_login(manager)
    response = client.post(reverse("assist-classification-train"))
    assert response.status_code == 302
    run = ClassifierRun.objects.get()  # the test worker runs tasks at once
    assert run.status == "skipped" and run.trained_by == manager


def test_ticket_page_shows_the_suggestion_with_buttons(client, agent, suggestion) -> None:
    client.force_login(agent)
    html = client.get(reverse("ticket-page", args=[suggestion.ticket.number])).content.decode()
    assert 'id="classification-ticket"' in html
    assert 'data-category="after_sales.refund"' in html
    assert reverse("assist-suggestion-confirm", args=[suggestion.pk]) in html
    assert reverse("assist-suggestion-correct", args=[suggestion.pk]) in html
    assert not {i for i in unlabelled_controls(html) if i.startswith("classification-")}


def test_confirm_button(client, agent, suggestion) -> None:
    client.force_login(agent)
    response = client.post(reverse("assist-suggestion-confirm", args=[suggestion.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("ticket-page", args=[suggestion.ticket.number])
    suggestion.refresh_from_db()
    suggestion.ticket.refresh_from_db()
    assert suggestion.decision == SuggestionDecision.CONFIRMED
    assert suggestion.ticket.category.code == "after_sales.refund"
    # Decided: the panel shows the decision, no more buttons.
    html = client.get(response["Location"]).content.decode()
    assert reverse("assist-suggestion-confirm", args=[suggestion.pk]) not in html
    # A second decision goes back with the reason; nothing changes.
    again = client.post(
        reverse("assist-suggestion-correct", args=[suggestion.pk]),
        {"category": "after_sales.repair", "urgency": "urgent"},
        follow=True,
    )
    assert again.status_code == 200
    suggestion.refresh_from_db()
    assert suggestion.decision == SuggestionDecision.CONFIRMED


def test_correct_button_and_permissions(client, agent, other_agent, suggestion) -> None:
    url = reverse("assist-suggestion-correct", args=[suggestion.pk])
    client.force_login(other_agent)  # another team: does not see the ticket
    assert (
        client.post(url, {"category": "after_sales.repair", "urgency": "urgent"}).status_code == 404
    )
    client.force_login(agent)
    bad = client.post(url, {"category": "after_sales.repair", "urgency": "soon"})
    assert bad.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.decision == SuggestionDecision.PENDING
    client.post(url, {"category": "after_sales.repair", "urgency": "urgent"})
    suggestion.refresh_from_db()
    suggestion.ticket.refresh_from_db()
    assert suggestion.decision == SuggestionDecision.CORRECTED
    assert (suggestion.ticket.category.code, suggestion.ticket.urgency) == (
        "after_sales.repair",
        "urgent",
    )
    assert client.post(reverse("assist-suggestion-confirm", args=[999999])).status_code == 404


def test_contact_page_panel_and_confirm(client, agent, other_agent, data_dir: Path) -> None:
    seed_training_tickets()
    classifier_train(embedding=None)
    moment = now()
    contact = Contact.objects.create(
        kind=ContactKind.SMS,
        direction=Direction.INBOUND,
        external_id="sms-panel",
        agent=agent,
        team=agent.team,
        created_at=moment,
        updated_at=moment,
    )
    ContactMessage.objects.create(
        contact=contact,
        direction=Direction.INBOUND,
        speaker=Speaker.CUSTOMER,
        body="热水器坏了，麻烦安排维修",
        created_at=moment,
    )
    suggestion = classification_suggest(contact=contact)
    assert suggestion is not None and suggestion.category.code == "after_sales.repair"
    client.force_login(agent)
    html = client.get(reverse("contact-page", args=[contact.pk])).content.decode()
    assert 'id="classification-contact"' in html
    assert reverse("assist-suggestion-confirm", args=[suggestion.pk]) in html
    client.force_login(other_agent)
    confirm = reverse("assist-suggestion-confirm", args=[suggestion.pk])
    assert client.post(confirm).status_code == 404  # does not see the contact
    client.force_login(agent)
    response = client.post(confirm)
    assert response["Location"] == reverse("contact-page", args=[contact.pk])
    suggestion.refresh_from_db()
    assert suggestion.decision == SuggestionDecision.CONFIRMED
    assert suggestion.final_category.code == "after_sales.repair"

"""Classification hooks and commands (TEC-4): a new ticket or contact gets a suggestion through
the task queued on commit; ``kefu assist train``; the safety-net sweep."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from kefu.assist.classification_services import classifier_train
from kefu.assist.classification_tasks import suggest_missed, train_weekly
from kefu.assist.models import ClassificationSuggestion, ClassifierRun, ClassifierRunStatus
from kefu.assist.tests.classification_support import seed_training_tickets, use_data_dir
from kefu.channels.models import Contact, ContactKind, ContactMessage, Direction, Speaker
from kefu.core.models import TaskRun
from kefu.core.timeutils import now
from kefu.tests_support.factories import make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def data_dir(settings, tmp_path: Path) -> Path:
    return use_data_dir(settings, tmp_path)


def test_a_new_ticket_gets_a_suggestion_once_committed(
    data_dir: Path, agent, django_capture_on_commit_callbacks
) -> None:
    seed_training_tickets()
    classifier_train(embedding=None)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        ticket = make_ticket(actor=agent, subject="退款没到账", description="申请退款一周了")
    assert callbacks  # queued on commit, not before
    suggestion = ClassificationSuggestion.objects.get(ticket=ticket)
    assert suggestion.category.code == "after_sales.refund"


def test_without_a_model_a_new_ticket_gets_nothing(
    data_dir: Path, agent, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(actor=agent)
    assert not ClassificationSuggestion.objects.filter(ticket=ticket).exists()


def _contact(text: str) -> Contact:
    moment = now()
    contact = Contact.objects.create(
        kind=ContactKind.SMS,
        direction=Direction.INBOUND,
        external_id=f"sms-{text}",
        subject="",
        created_at=moment,
        updated_at=moment,
    )
    ContactMessage.objects.create(
        contact=contact,
        direction=Direction.INBOUND,
        speaker=Speaker.CUSTOMER,
        body=text,
        created_at=moment,
    )
    return contact


def test_the_sweep_suggests_for_contacts_with_text(data_dir: Path) -> None:
    seed_training_tickets()
    classifier_train(embedding=None)
    talked = _contact("空调坏了，需要上门维修")
    silent = Contact.objects.create(
        kind=ContactKind.CALL,
        direction=Direction.INBOUND,
        external_id="call-1",
        created_at=now(),
        updated_at=now(),
    )
    counts = suggest_missed(since=now().replace(year=2000))
    assert counts["contacts"] == 1
    suggestion = ClassificationSuggestion.objects.get(contact=talked)
    assert suggestion.category.code == "after_sales.repair" and suggestion.ticket is None
    assert not ClassificationSuggestion.objects.filter(contact=silent).exists()
    assert suggest_missed(since=now().replace(year=2000))["contacts"] == 0  # once only


def test_train_command_prints_json_and_exits_2_when_skipped(data_dir: Path) -> None:
    out = StringIO()
    with pytest.raises(SystemExit) as stopped:
        call_command("assist", "train", "--no-embeddings", stdout=out)
    assert stopped.value.code == 2
    summary = json.loads(out.getvalue())
    assert summary["status"] == "skipped" and summary["version"] == 1


def test_train_command_trains(data_dir: Path) -> None:
    seed_training_tickets()
    out = StringIO()
    call_command("assist", "train", "--no-embeddings", stdout=out)
    summary = json.loads(out.getvalue())
    assert summary["status"] == "trained" and summary["active"] is True
    assert summary["examples"] == 36 and 0 <= summary["category_accuracy"] <= 1


def test_weekly_task_leaves_rows(data_dir: Path) -> None:
    train_weekly.call_local()
    assert ClassifierRun.objects.get().status == ClassifierRunStatus.SKIPPED
    assert TaskRun.objects.filter(name="assist.classifier_train").count() == 1

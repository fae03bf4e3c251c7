"""Classification API (TEC-4) at /api/v1/assist/classification: roles, 409, 422."""

from __future__ import annotations

from pathlib import Path

import pytest

from kefu.assist.classification_services import classification_suggest, classifier_train
from kefu.assist.models import ClassifierRun
from kefu.assist.tests.classification_support import seed_training_tickets, use_data_dir
from kefu.tests_support.factories import make_ticket

pytestmark = pytest.mark.django_db

URL = "/api/v1/assist/classification"


@pytest.fixture
def data_dir(settings, tmp_path: Path) -> Path:
    return use_data_dir(settings, tmp_path)


@pytest.fixture
def suggestion(data_dir: Path, agent):
    seed_training_tickets()
    classifier_train(embedding=None)
    ticket = make_ticket(actor=agent, subject="维修", description="洗衣机坏了要维修")
    made = classification_suggest(ticket=ticket)
    assert made is not None
    return made


def test_runs_metrics_and_train_are_for_managers(client, agent, manager, suggestion) -> None:
    client.force_login(agent)
    for path in ("/runs", "/metrics"):
        assert client.get(URL + path).status_code == 403
    assert client.post(URL + "/train").status_code == 403
    client.force_login(manager)
    runs = client.get(URL + "/runs").json()
    assert [r["version"] for r in runs] == [1] and runs[0]["is_active"] is True
    metrics = client.get(URL + "/metrics").json()
    assert metrics["active"]["version"] == 1
    assert "accuracy" in metrics["held_out"]["category"]
    assert metrics["live"]["decided"] == 0 and metrics["hot_spots"] == []
    queued = client.post(URL + "/train")
    assert queued.status_code == 202
    assert [r["version"] for r in client.get(URL + "/runs").json()] == [2, 1]


def test_unauthenticated_is_401(client) -> None:
    assert client.get(URL + "/runs").status_code == 401


def test_get_confirm_correct_and_409(client, agent, other_agent, suggestion) -> None:
    number = suggestion.ticket.number
    client.force_login(other_agent)
    assert client.get(URL + "/suggestion", {"ticket": number}).status_code == 404  # not visible
    # a suggestion on a ticket one does not see is not found (its id reveals nothing)
    assert client.post(f"{URL}/suggestions/{suggestion.pk}/confirm").status_code == 404
    client.force_login(agent)
    got = client.get(URL + "/suggestion", {"ticket": number}).json()
    assert got["id"] == suggestion.pk and got["category_code"] == "after_sales.repair"
    assert got["decision"] == "pending" and got["may_decide"] is True
    assert client.get(URL + "/suggestion").status_code == 422
    bad = client.post(
        f"{URL}/suggestions/{suggestion.pk}/correct",
        {"category": "after_sales.refund", "urgency": "later"},
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad.json()["field"] == "urgency"
    corrected = client.post(
        f"{URL}/suggestions/{suggestion.pk}/correct",
        {"category": "after_sales.refund", "urgency": "normal"},
        content_type="application/json",
    )
    assert corrected.status_code == 200
    assert corrected.json()["decision"] == "corrected" and corrected.json()["decided_by"] == "agent"
    again = client.post(f"{URL}/suggestions/{suggestion.pk}/confirm")
    assert again.status_code == 409
    assert client.post(f"{URL}/suggestions/999999/confirm").status_code == 404


def test_no_suggestion_is_404(client, agent, data_dir: Path) -> None:
    ticket = make_ticket(actor=agent)
    client.force_login(agent)
    assert client.get(URL + "/suggestion", {"ticket": ticket.number}).status_code == 404


def test_a_second_train_while_one_is_queued_is_409(client, manager) -> None:
    """Repeated "Train now" does not stack trainings: the queued marker refuses a second one
    until the training finishes (here the marker stands for a training still on the queue)."""
    from django.core.cache import cache

    from kefu.assist.classification_tasks import TRAINING_QUEUED_KEY

    client.force_login(manager)
    cache.set(TRAINING_QUEUED_KEY, manager.pk, timeout=60)
    try:
        refused = client.post(URL + "/train")
        assert refused.status_code == 409
        assert not ClassifierRun.objects.exists()
    finally:
        cache.delete(TRAINING_QUEUED_KEY)
    assert client.post(URL + "/train").status_code == 202
    assert ClassifierRun.objects.count() == 1
    assert cache.get(TRAINING_QUEUED_KEY) is None  # freed when the training ended

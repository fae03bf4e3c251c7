"""Ticket classification services (TEC-4): train, suggest, confirm, correct."""

from __future__ import annotations

from pathlib import Path

import pytest

from kefu.assist.classification_services import (
    classification_confirm,
    classification_correct,
    classification_suggest,
    classifier_train,
    training_examples,
)
from kefu.assist.models import (
    ClassificationSuggestion,
    ClassifierRun,
    ClassifierRunStatus,
    SuggestionDecision,
)
from kefu.assist.tests.classification_support import (
    resolved_ticket,
    seed_training_tickets,
    use_data_dir,
)
from kefu.core.errors import InvalidInput, NotFound, PermissionDenied, TransitionNotAllowed
from kefu.tests_support.factories import make_ticket
from kefu.tickets.models import Category, TicketEvent, TicketEventKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def data_dir(settings, tmp_path: Path) -> Path:
    return use_data_dir(settings, tmp_path)


def _train(actor=None) -> ClassifierRun:
    return classifier_train(actor=actor, embedding=None)


def test_train_and_suggest_round_trip(data_dir: Path, manager, agent) -> None:
    seed_training_tickets()
    run = _train(manager)
    assert run.status == ClassifierRunStatus.TRAINED and run.is_active
    assert run.examples == 36 and run.corrections == 0
    assert (data_dir / run.artifact).is_file() and run.artifact.startswith("assist/")
    assert not list((data_dir / "assist").glob(".classifier-*"))  # no temporary file left
    metrics = run.metrics
    assert metrics["holdout"] == 3 * 2 and metrics["train"] == 30  # 20 % of 12 per category
    refund = str(Category.objects.get(code="after_sales.refund").pk)
    assert metrics["category"]["per_label"][refund]["n"] == 2
    assert 0.0 <= metrics["category"]["accuracy"] <= 1.0
    assert set(metrics["urgency"]["per_label"]) == {"normal", "urgent", "consult"}

    ticket = make_ticket(
        actor=agent, subject="退款还没到账", description="上周申请的退款一直没有退回来"
    )
    suggestion = classification_suggest(ticket=ticket)
    assert suggestion is not None and suggestion.run == run
    assert suggestion.category.code == "after_sales.refund"
    assert suggestion.urgency == "normal"
    assert 0.0 < suggestion.category_confidence <= 1.0
    assert suggestion.decision == SuggestionDecision.PENDING
    # A second call (the task ran twice) keeps the one suggestion.
    assert classification_suggest(ticket=ticket) == suggestion
    assert ClassificationSuggestion.objects.filter(ticket=ticket).count() == 1


def test_second_training_replaces_the_active_run(data_dir: Path) -> None:
    seed_training_tickets()
    first = _train()
    second = _train()
    first.refresh_from_db()
    assert (first.version, second.version) == (1, 2)
    assert second.is_active and not first.is_active
    assert ClassifierRun.objects.filter(is_active=True).count() == 1


def test_too_few_examples_skip_and_leave_a_row(data_dir: Path, agent) -> None:
    seed_training_tickets(per_category=5)  # 15 < 30
    run = _train()
    assert run.status == ClassifierRunStatus.SKIPPED and not run.is_active
    assert "30" in run.message and run.examples == 15
    assert not run.artifact
    # Without an active model nothing is suggested.
    assert classification_suggest(ticket=make_ticket(actor=agent)) is None


def test_a_single_category_is_skipped(data_dir: Path) -> None:
    for i in range(31):
        resolved_ticket("after_sales.refund", f"退款问题{i}", "normal")
    run = _train()
    assert run.status == ClassifierRunStatus.SKIPPED
    assert "two categories" in run.message


def test_rare_categories_are_left_out(data_dir: Path) -> None:
    seed_training_tickets()
    resolved_ticket("complaint.attitude", "客服态度很差", "urgent")  # the only one
    examples, _ = training_examples()
    assert len(examples) == 37
    run = _train()
    attitude = str(Category.objects.get(code="complaint.attitude").pk)
    assert run.status == ClassifierRunStatus.TRAINED and run.examples == 36
    assert attitude not in run.metrics["category"]["per_label"]


def test_open_and_cancelled_tickets_are_not_examples(data_dir: Path) -> None:
    resolved_ticket("after_sales.refund", "退款", "normal", status="open")
    resolved_ticket("after_sales.refund", "退款", "normal", status="cancelled")
    resolved_ticket("after_sales.refund", "退款", "normal", status="closed")
    assert len(training_examples()[0]) == 1


def test_a_failure_is_recorded(data_dir: Path, monkeypatch) -> None:
    seed_training_tickets()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("kefu.assist.classification_services.artifact_write", broken)
    run = _train()
    assert run.status == ClassifierRunStatus.FAILED and "disk full" in run.message
    assert not run.is_active


def _suggestion(agent, **kwargs) -> ClassificationSuggestion:
    seed_training_tickets()
    _train()
    values = {"subject": "冰箱坏了", "description": "冰箱不制冷，请安排维修师傅上门维修"}
    values.update(kwargs)
    ticket = make_ticket(actor=agent, category="consult.product", urgency="normal", **values)
    suggestion = classification_suggest(ticket=ticket)
    assert suggestion is not None
    return suggestion


def test_confirm_applies_the_suggestion_through_the_ticket_service(data_dir: Path, agent) -> None:
    suggestion = _suggestion(agent)
    assert suggestion.category.code == "after_sales.repair" and suggestion.urgency == "urgent"
    decided = classification_confirm(actor=agent, suggestion=suggestion)
    assert decided.decision == SuggestionDecision.CONFIRMED and decided.decided_by == agent
    assert decided.final_category == suggestion.category and decided.final_urgency == "urgent"
    ticket = decided.ticket
    ticket.refresh_from_db()
    assert ticket.category.code == "after_sales.repair" and ticket.urgency == "urgent"
    assert ticket.version == 2
    change = TicketEvent.objects.get(ticket=ticket, kind=TicketEventKind.FIELD_CHANGE)
    assert set(change.data["changes"]) == {"category", "urgency"}


def test_a_second_decision_is_a_conflict(data_dir: Path, agent) -> None:
    suggestion = _suggestion(agent)
    classification_confirm(actor=agent, suggestion=suggestion)
    with pytest.raises(TransitionNotAllowed) as refused:
        classification_correct(
            actor=agent, suggestion=suggestion, category="after_sales.refund", urgency="normal"
        )
    assert refused.value.status_code == 409
    with pytest.raises(TransitionNotAllowed):
        classification_confirm(actor=agent, suggestion=suggestion)


def test_correct_validates_and_applies(data_dir: Path, agent) -> None:
    suggestion = _suggestion(agent)
    with pytest.raises(InvalidInput) as bad:
        classification_correct(
            actor=agent, suggestion=suggestion, category="after_sales.refund", urgency="soon"
        )
    assert bad.value.field == "urgency"
    with pytest.raises(InvalidInput) as missing:
        classification_correct(
            actor=agent, suggestion=suggestion, category="nope", urgency="normal"
        )
    assert missing.value.field == "category"
    decided = classification_correct(
        actor=agent, suggestion=suggestion, category="after_sales.refund", urgency="normal"
    )
    assert decided.decision == SuggestionDecision.CORRECTED
    decided.ticket.refresh_from_db()
    assert decided.ticket.category.code == "after_sales.refund"
    assert decided.ticket.urgency == "normal"


def test_only_agents_who_may_edit_the_ticket_decide(data_dir: Path, agent, other_agent, qa) -> None:
    suggestion = _suggestion(agent)
    with pytest.raises(NotFound):  # another team's ticket: its suggestion is not found
        classification_confirm(actor=other_agent, suggestion=suggestion)
    with pytest.raises(PermissionDenied):
        classification_confirm(actor=qa, suggestion=suggestion)  # sees it, may not edit it
    suggestion.refresh_from_db()
    assert suggestion.decision == SuggestionDecision.PENDING


def test_corrections_feed_the_next_training(data_dir: Path, agent) -> None:
    suggestion = _suggestion(agent)
    classification_correct(
        actor=agent, suggestion=suggestion, category="after_sales.refund", urgency="normal"
    )
    examples, from_decisions = training_examples()
    assert from_decisions == 1
    refund = str(Category.objects.get(code="after_sales.refund").pk)
    corrected = [e for e in examples if e.source == "suggestion"]
    assert len(corrected) == 1
    assert corrected[0].category == refund and corrected[0].urgency == "normal"
    assert "冰箱" in corrected[0].text
    run = _train()
    assert run.corrections == 1 and run.examples == 37


def test_a_suggestion_made_meanwhile_is_kept_not_doubled(
    data_dir: Path, agent, monkeypatch
) -> None:
    """The task and the sweep suggest for the same new ticket at once: while one runs the model
    (outside the lock) the other stores its suggestion; the first finds it and adds none."""
    from kefu.assist import classification_services
    from kefu.core.timeutils import now

    seed_training_tickets()
    _train()
    ticket = make_ticket(actor=agent, subject="维修", description="洗衣机坏了要维修")
    loaded = classification_services.active_classifier()
    assert loaded is not None
    run, model = loaded

    class OtherWorkerMeanwhile:
        def suggest(self, texts):
            ClassificationSuggestion.objects.create(ticket=ticket, run=run, created_at=now())
            return model.suggest(texts)

    monkeypatch.setattr(
        classification_services, "active_classifier", lambda: (run, OtherWorkerMeanwhile())
    )
    kept = classification_suggest(ticket=ticket)
    assert ClassificationSuggestion.objects.filter(ticket=ticket).count() == 1
    assert kept is not None and kept.category is None  # the other worker's row, not a second


def test_suggest_needs_exactly_one_target(agent) -> None:
    with pytest.raises(InvalidInput):
        classification_suggest()


def test_deleted_suggestion_is_not_found(data_dir: Path, agent) -> None:
    suggestion = _suggestion(agent)
    ClassificationSuggestion.objects.filter(pk=suggestion.pk).delete()
    with pytest.raises(NotFound):
        classification_confirm(actor=agent, suggestion=suggestion)

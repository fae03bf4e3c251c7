"""Classification figures (TEC-4): live accuracy arithmetic, hot spots, held-out metrics."""

from __future__ import annotations

import pytest

from kefu.assist.classification_model import label_metrics, stratified_holdout
from kefu.assist.classification_selectors import (
    correction_hot_spots,
    held_out_table,
    live_accuracy,
)
from kefu.assist.models import ClassificationSuggestion, ClassifierRun, SuggestionDecision
from kefu.core.timeutils import now
from kefu.tests_support.factories import make_ticket
from kefu.tickets.models import Category, Urgency


def test_label_metrics_arithmetic() -> None:
    truth = ["a", "a", "a", "b", "b", "c"]
    predicted = ["a", "a", "b", "b", "a", "a"]
    metrics = label_metrics(truth, predicted)
    assert metrics["n"] == 6 and metrics["accuracy"] == pytest.approx(3 / 6)
    assert metrics["per_label"]["a"] == {"n": 3, "correct": 2, "accuracy": pytest.approx(2 / 3)}
    assert metrics["per_label"]["b"]["accuracy"] == 0.5
    assert metrics["per_label"]["c"]["accuracy"] == 0.0
    assert metrics["confusion"][0] == {"true": "a", "predicted": "b", "n": 1}
    assert {(c["true"], c["predicted"]) for c in metrics["confusion"]} == {
        ("a", "b"),
        ("b", "a"),
        ("c", "a"),
    }


def test_stratified_holdout_keeps_every_label_on_both_sides() -> None:
    labels = ["a"] * 10 + ["b"] * 2 + ["c"] * 5
    train, held = stratified_holdout(labels)
    assert sorted(train + held) == list(range(len(labels)))
    held_labels = [labels[i] for i in held]
    assert held_labels.count("a") == 2 and held_labels.count("b") == 1
    assert held_labels.count("c") == 1
    assert {labels[i] for i in train} == {"a", "b", "c"}


@pytest.mark.django_db
def test_live_accuracy_is_confirmed_over_decided(agent) -> None:
    run = ClassifierRun.objects.create(version=1, status="trained", started_at=now())
    refund = Category.objects.get(code="after_sales.refund")
    repair = Category.objects.get(code="after_sales.repair")

    def suggestion(category, urgency, decision, final_category=None, final_urgency=""):
        return ClassificationSuggestion.objects.create(
            ticket=make_ticket(actor=agent),
            run=run,
            category=category,
            urgency=urgency,
            decision=decision,
            final_category=final_category,
            final_urgency=final_urgency,
            created_at=now(),
        )

    confirmed, corrected = SuggestionDecision.CONFIRMED, SuggestionDecision.CORRECTED
    suggestion(refund, "normal", confirmed, refund, "normal")
    suggestion(refund, "normal", confirmed, refund, "normal")
    suggestion(refund, "normal", corrected, repair, "normal")  # wrong category
    suggestion(refund, "normal", corrected, refund, "urgent")  # right category, wrong urgency
    suggestion(repair, "urgent", confirmed, repair, "urgent")
    suggestion(repair, "urgent", SuggestionDecision.PENDING)

    live = live_accuracy()
    assert (live["decided"], live["confirmed"], live["pending"]) == (5, 3, 1)
    assert live["accuracy"] == pytest.approx(3 / 5)
    assert live["category_accuracy"] == pytest.approx(4 / 5)
    assert live["urgency_accuracy"] == pytest.approx(4 / 5)
    rows = {row.category_id: row for row in live["per_category"]}
    assert (rows[refund.pk].decided, rows[refund.pk].confirmed) == (4, 2)
    assert rows[refund.pk].accuracy == 0.5
    assert rows[repair.pk].accuracy == 1.0
    assert correction_hot_spots() == [{"suggested": str(refund), "chosen": str(repair), "n": 1}]


@pytest.mark.django_db
def test_live_accuracy_without_decisions() -> None:
    live = live_accuracy()
    assert live["accuracy"] is None and live["decided"] == 0 and live["per_category"] == []


@pytest.mark.django_db
def test_held_out_table_names_the_labels() -> None:
    refund = Category.objects.get(code="after_sales.refund")
    repair = Category.objects.get(code="after_sales.repair")
    run = ClassifierRun(
        version=1,
        status="trained",
        started_at=now(),
        metrics={
            "holdout": 3,
            "category": label_metrics(
                [str(refund.pk)] * 2 + [str(repair.pk)], [str(refund.pk)] + [str(repair.pk)] * 2
            ),
            "urgency": label_metrics(["urgent", "normal", "normal"], ["urgent"] * 3),
        },
    )
    table = held_out_table(run)
    assert table["holdout"] == 3
    assert table["category"]["rows"][0]["label"] == str(refund)
    assert table["category"]["rows"][0]["accuracy"] == 0.5
    assert table["category"]["confusion"] == [
        {"true": str(refund), "predicted": str(repair), "n": 1}
    ]
    labels = {row["label"] for row in table["urgency"]["rows"]}
    assert labels == {str(Urgency.URGENT.label), str(Urgency.NORMAL.label)}
    assert held_out_table(None) == {}

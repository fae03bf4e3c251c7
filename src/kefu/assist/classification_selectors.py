"""Reads of the ticket classification (TEC-4): suggestions, runs and the accuracy figures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet

from kefu.accounts.roles import Role
from kefu.accounts.selectors import user_has_role
from kefu.assist.models import ClassificationSuggestion, ClassifierRun, SuggestionDecision
from kefu.channels.models import Contact
from kefu.tickets.models import Category, Ticket, Urgency

RUNS_SHOWN = 20
HOT_SPOTS = 10


def may_manage_classifier(user: Any) -> bool:
    """Administrators and service managers see the runs and metrics and start a training."""
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and user_has_role(user, Role.ADMIN, Role.MANAGER)
    )


def suggestion_for(
    *, ticket: Ticket | None = None, contact: Contact | None = None
) -> ClassificationSuggestion | None:
    """The latest suggestion of the ticket or contact, with its category and decider."""
    rows = ClassificationSuggestion.objects.select_related(
        "category", "final_category", "decided_by", "run"
    )
    if ticket is not None:
        rows = rows.filter(ticket=ticket)
    elif contact is not None:
        rows = rows.filter(contact=contact)
    else:
        return None
    return rows.order_by("-created_at", "-id").first()


def suggestion_get(*, suggestion_id: int) -> ClassificationSuggestion | None:
    return (
        ClassificationSuggestion.objects.select_related("ticket", "contact", "category")
        .filter(pk=suggestion_id)
        .first()
    )


def classifier_runs(limit: int = RUNS_SHOWN) -> QuerySet[ClassifierRun]:
    return ClassifierRun.objects.select_related("trained_by").order_by("-version")[:limit]


def active_run() -> ClassifierRun | None:
    return ClassifierRun.objects.filter(is_active=True).first()


@dataclass(frozen=True)
class LiveAccuracy:
    """Agents' decisions on one suggested category: confirmed ÷ decided."""

    category_id: int | None
    name: str
    decided: int
    confirmed: int

    @property
    def accuracy(self) -> float | None:
        return self.confirmed / self.decided if self.decided else None


def live_accuracy() -> dict[str, Any]:
    """Per suggested category, how many decided suggestions the agents confirmed unchanged;
    plus the totals and the category accuracy alone (the final category equals the
    suggested one, whatever happened to the urgency)."""
    decided = ClassificationSuggestion.objects.exclude(decision=SuggestionDecision.PENDING)
    rows = (
        decided.values("category_id")
        .annotate(
            decided=Count("id"),
            confirmed=Count("id", filter=Q(decision=SuggestionDecision.CONFIRMED)),
        )
        .order_by("category_id")
    )
    names = {c.pk: str(c) for c in Category.objects.select_related("parent")}
    per = [
        LiveAccuracy(
            row["category_id"],
            names.get(row["category_id"], "—"),
            row["decided"],
            row["confirmed"],
        )
        for row in rows
    ]
    per.sort(key=lambda item: (-item.decided, item.name))
    total = sum(item.decided for item in per)
    confirmed = sum(item.confirmed for item in per)
    category_right = decided.filter(final_category_id=F("category_id")).count()
    urgency_right = decided.filter(final_urgency=F("urgency")).count()
    return {
        "per_category": per,
        "decided": total,
        "confirmed": confirmed,
        "pending": ClassificationSuggestion.objects.filter(
            decision=SuggestionDecision.PENDING
        ).count(),
        "accuracy": confirmed / total if total else None,
        "category_accuracy": category_right / total if total else None,
        "urgency_accuracy": urgency_right / total if total else None,
    }


def correction_hot_spots(limit: int = HOT_SPOTS) -> list[dict[str, Any]]:
    """The most frequent corrections: suggested category → the agent's category."""
    names = {c.pk: str(c) for c in Category.objects.select_related("parent")}
    rows = (
        ClassificationSuggestion.objects.filter(decision=SuggestionDecision.CORRECTED)
        .exclude(final_category_id=F("category_id"))
        .values("category_id", "final_category_id")
        .annotate(n=Count("id"))
        .order_by("-n", "category_id", "final_category_id")[:limit]
    )
    return [
        {
            "suggested": names.get(row["category_id"], "—"),
            "chosen": names.get(row["final_category_id"], "—"),
            "n": row["n"],
        }
        for row in rows
    ]


def _label_name(kind: str, label: str, names: dict[int, str]) -> str:
    if kind == "urgency":
        return str(dict(Urgency.choices).get(label, label))
    return names.get(int(label), label) if label.isdigit() else label


def held_out_table(run: ClassifierRun | None) -> dict[str, Any]:
    """The run's held-out metrics with category names: per label rows and confusions."""
    if run is None or not run.metrics:
        return {}
    names = {c.pk: str(c) for c in Category.objects.select_related("parent")}
    table: dict[str, Any] = {"holdout": run.metrics.get("holdout", 0)}
    for kind in ("category", "urgency"):
        block = run.metrics.get(kind)
        if not block:
            continue
        table[kind] = {
            "accuracy": block.get("accuracy"),
            "n": block.get("n"),
            "rows": [
                {"label": _label_name(kind, label, names), **values}
                for label, values in sorted(
                    block.get("per_label", {}).items(), key=lambda kv: -kv[1].get("n", 0)
                )
            ],
            "confusion": [
                {
                    "true": _label_name(kind, c["true"], names),
                    "predicted": _label_name(kind, c["predicted"], names),
                    "n": c["n"],
                }
                for c in block.get("confusion", [])
            ],
        }
    return table

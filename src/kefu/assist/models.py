"""Records of the FAQ bot (TEC-2) and of ticket classification (TEC-4).

* :class:`BotSession` / :class:`BotTurn` — one customer conversation with the FAQ bot on the
  portal or in the chat widget, and each question in it with what the bot did. The session's
  ``outcome`` is what the deflection rate is measured from.
* :class:`ClassifierRun` — one training of the ticket classifier on the center's own resolved
  tickets (``kefu assist train`` or the weekly task), with its held-out metrics.
* :class:`ClassificationSuggestion` — the category and urgency suggested for a new ticket or
  contact, and the agent's confirmation or correction (which feeds the next training).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import pgettext_lazy


class BotChannel(models.TextChoices):
    PORTAL = "portal", pgettext_lazy("bot channel", "Portal")
    CHAT = "chat", pgettext_lazy("bot channel", "Chat widget")


class BotOutcome(models.TextChoices):
    """How a bot session ended; ``open`` until the customer leaves, rates or is handed off."""

    OPEN = "open", pgettext_lazy("bot outcome", "Open")
    ANSWERED = "answered", pgettext_lazy("bot outcome", "Answered")
    HELPFUL = "helpful", pgettext_lazy("bot outcome", "Answered, helpful")
    UNHELPFUL = "unhelpful", pgettext_lazy("bot outcome", "Answered, not helpful")
    HANDED_OFF = "handed_off", pgettext_lazy("bot outcome", "Handed off to a person")
    ABANDONED = "abandoned", pgettext_lazy("bot outcome", "Left without an answer")


class BotReplyKind(models.TextChoices):
    ANSWER = "answer", pgettext_lazy("bot reply", "Answer")
    CHOICES = "choices", pgettext_lazy("bot reply", "Top matches offered")
    OUT_OF_SCOPE = "out_of_scope", pgettext_lazy("bot reply", "Out of scope")
    HANDOFF = "handoff", pgettext_lazy("bot reply", "Hand-off")


class BotSession(models.Model):
    """One customer conversation with the FAQ bot (TEC-2)."""

    channel = models.CharField(max_length=16, choices=BotChannel.choices)
    # The browser session's keyed hash (no personal data), to find the session again.
    visitor_key = models.CharField(max_length=64, db_index=True)
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="bot_sessions",
    )
    # The chat contact created when the bot hands off in the chat widget.
    contact = models.ForeignKey(
        "channels.Contact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="bot_sessions",
    )
    outcome = models.CharField(max_length=16, choices=BotOutcome.choices, default=BotOutcome.OPEN)
    questions = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["channel", "started_at"], name="botsession_channel_idx"),
            models.Index(fields=["outcome", "started_at"], name="botsession_outcome_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=BotOutcome.values), name="botsession_outcome_known"
            ),
        ]

    def __str__(self) -> str:
        return f"bot {self.channel} {self.pk} {self.outcome}"


class BotTurn(models.Model):
    """One question to the bot and what it did with it."""

    session = models.ForeignKey(BotSession, on_delete=models.CASCADE, related_name="turns")
    question = models.TextField()
    reply_kind = models.CharField(max_length=16, choices=BotReplyKind.choices)
    faq = models.ForeignKey(
        "knowledge.Faq", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # FAQ ids offered, best first, with their scores: [{"faq": id, "score": s}, ...].
    candidates = models.JSONField(default=list, blank=True)
    confidence = models.FloatField(default=0.0)
    helpful = models.BooleanField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["session", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.reply_kind} {self.question[:30]}"


class ClassifierRunStatus(models.TextChoices):
    TRAINED = "trained", pgettext_lazy("classifier run", "Trained")
    SKIPPED = "skipped", pgettext_lazy("classifier run", "Skipped (too few tickets)")
    FAILED = "failed", pgettext_lazy("classifier run", "Failed")


class ClassifierRun(models.Model):
    """One training of the ticket classifier (TEC-4) and its held-out metrics."""

    version = models.PositiveIntegerField(unique=True)
    status = models.CharField(max_length=16, choices=ClassifierRunStatus.choices)
    message = models.TextField(blank=True)
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    examples = models.PositiveIntegerField(default=0)
    corrections = models.PositiveIntegerField(default=0)
    # {"category": {"accuracy": .., "per_label": {"<id>": {"n": .., "accuracy": ..}}},
    #  "urgency": {...}} on the held-out part of the training data.
    metrics = models.JSONField(default=dict, blank=True)
    # The trained model file, relative to the data directory.
    artifact = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=False)
    seconds = models.FloatField(default=0.0)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="classifierrun_one_active"
            ),
        ]

    def __str__(self) -> str:
        return f"classifier v{self.version} {self.status}"


class SuggestionDecision(models.TextChoices):
    PENDING = "pending", pgettext_lazy("suggestion", "Waiting for the agent")
    CONFIRMED = "confirmed", pgettext_lazy("suggestion", "Confirmed")
    CORRECTED = "corrected", pgettext_lazy("suggestion", "Corrected")


class ClassificationSuggestion(models.Model):
    """Category and urgency suggested for a new ticket or contact (exactly one of them)."""

    ticket = models.ForeignKey(
        "tickets.Ticket",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="classification_suggestions",
    )
    contact = models.ForeignKey(
        "channels.Contact",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="classification_suggestions",
    )
    run = models.ForeignKey(ClassifierRun, on_delete=models.PROTECT, related_name="suggestions")
    category = models.ForeignKey(
        "tickets.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    category_confidence = models.FloatField(default=0.0)
    urgency = models.CharField(max_length=16, blank=True)
    urgency_confidence = models.FloatField(default=0.0)
    decision = models.CharField(
        max_length=16, choices=SuggestionDecision.choices, default=SuggestionDecision.PENDING
    )
    final_category = models.ForeignKey(
        "tickets.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    final_urgency = models.CharField(max_length=16, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["decision", "created_at"], name="suggestion_decision_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(ticket__isnull=False) & Q(contact__isnull=True))
                | (Q(ticket__isnull=True) & Q(contact__isnull=False)),
                name="suggestion_ticket_xor_contact",
            ),
            models.CheckConstraint(
                condition=Q(decision__in=SuggestionDecision.values),
                name="suggestion_decision_known",
            ),
        ]

    def __str__(self) -> str:
        return f"suggestion {self.pk} {self.decision}"


__all__ = [
    "BotChannel",
    "BotOutcome",
    "BotReplyKind",
    "BotSession",
    "BotTurn",
    "ClassificationSuggestion",
    "ClassifierRun",
    "ClassifierRunStatus",
    "SuggestionDecision",
]

"""Stored results of the automatic quality check (QA-1, QA-3, SCR-2).

Every contact is checked by the rule engine once it ends (:mod:`kefu.quality.tasks`), and so is
a ticket handled only by written replies once it is resolved; the result is kept here, one row
per contact or ticket, replaced when it is checked again.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class AutoCheck(models.Model):
    """The automatic check of one contact, or of one ticket handled without any contact (its
    public replies): the engine's findings, four dimensions and score.

    Invariant: exactly one of ``contact`` and ``ticket`` is set. Each finding is the engine's
    (``standard``, ``category``, ``segment``, ``evidence``, ``suggestion``, ``rule``, ``span``,
    ``detail``) plus the ``speaker`` and ``text`` of the turn it points at, so the result still
    shows what was checked if the transcript changes.
    """

    contact = models.OneToOneField(
        "channels.Contact",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="auto_check",
    )
    # A ticket's own check: only for a ticket with public staff replies and no contact.
    ticket = models.OneToOneField(
        "tickets.Ticket",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="auto_check",
    )
    findings = models.JSONField(default=list, blank=True)
    dimensions = models.JSONField(default=dict, blank=True)
    score = models.FloatField()
    # The rule data's own version and a digest of its content: which rules gave this result.
    rules_version = models.CharField(max_length=64)
    checked_at = models.DateTimeField()

    class Meta:
        ordering = ["-checked_at", "-id"]
        indexes = [
            models.Index(fields=["score", "-checked_at"], name="autocheck_score_idx"),
            models.Index(fields=["-checked_at"], name="autocheck_checked_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(contact__isnull=False, ticket__isnull=True)
                | models.Q(contact__isnull=True, ticket__isnull=False),
                name="autocheck_contact_xor_ticket",
            )
        ]

    def __str__(self) -> str:
        target = f"ticket {self.ticket_id}" if self.contact_id is None else self.contact_id
        return f"{target} {self.score:g}"

    @property
    def findings_count(self) -> int:
        return len(self.findings)


class Dimension(models.TextChoices):
    """The four QA-1 dimensions of an inspection."""

    PROCESS = "process", _("Process")
    COMMUNICATION = "communication", _("Communication")
    SCRIPT = "script", _("Script")
    RESULT = "result", _("Result")


class ItemKind(models.TextChoices):
    AUTO = "auto", _("Automatic")
    MANUAL = "manual", _("Manual")


class Scorecard(models.Model):
    """A versioned scorecard (QA-1). A version is never edited once created: a new version is
    added instead (:func:`kefu.quality.services.scorecard_new_version`), so an inspection keeps
    the version it was scored with."""

    name = models.CharField(_("name"), max_length=200)
    version = models.PositiveIntegerField(_("version"), default=1)
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark"), default=80, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="scorecard_name_version_uniq"),
            models.CheckConstraint(
                condition=models.Q(pass_mark__lte=100), name="scorecard_pass_mark_lte_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class ScorecardItem(models.Model):
    """One item of a scorecard: automatic (fails when the engine finds its ``rule_category``)
    or manual (scored 0..1 by a QA specialist); a fatal item (红线) fails the whole
    inspection."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="items")
    dimension = models.CharField(_("dimension"), max_length=20, choices=Dimension.choices)
    title = models.CharField(_("title"), max_length=200)
    weight = models.DecimalField(
        _("weight"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ItemKind.choices)
    rule_category = models.CharField(_("rule category"), max_length=64, blank=True)
    fatal = models.BooleanField(_("fatal (红线)"), default=False)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["scorecard", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weight__gt=0), name="scorecarditem_weight_gt_0"
            )
        ]

    def __str__(self) -> str:
        return self.title


# --- Inspections by people (QA-2), appeals and calibration -----------------------------------


class InspectionState(models.TextChoices):
    """pending → in_review → scored → appealed → re_reviewed → final (and scored → final when
    the appeal window passes or the agent accepts). Changes only through
    :func:`kefu.quality.inspection_services.inspection_transition`."""

    PENDING = "pending", _("Pending")
    IN_REVIEW = "in_review", _("In review")
    SCORED = "scored", _("Scored")
    APPEALED = "appealed", _("Appealed")
    RE_REVIEWED = "re_reviewed", _("Re-reviewed")
    FINAL = "final", _("Final")


class InspectionReason(models.TextChoices):
    """Why a contact or ticket is inspected (QA-2)."""

    COMPLAINT = "complaint", _("Complaint (100 %)")
    SAMPLE = "sample", _("Sample")
    FATAL = "fatal", _("Fatal finding")
    MANUAL = "manual", _("Chosen by a person")


class SamplingPeriod(models.TextChoices):
    DAY = "day", _("Day")
    WEEK = "week", _("Week")
    MONTH = "month", _("Month")


class SamplingPlan(models.Model):
    """Which contacts people inspect (QA-2): every complaint, ``ordinary_percent`` of the other
    contacts stratified by agent with at least ``agent_minimum`` per agent and period, and every
    contact whose automatic check has a fatal finding. The percentage must lie inside the
    standard profile's ``qa_ordinary_coverage_min``…``max`` band."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    ordinary_percent = models.DecimalField(
        _("share of ordinary contacts (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("25"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    agent_minimum = models.PositiveSmallIntegerField(_("minimum per agent and period"), default=2)
    period = models.CharField(
        _("period"), max_length=8, choices=SamplingPeriod.choices, default=SamplingPeriod.WEEK
    )
    include_complaints = models.BooleanField(_("every complaint"), default=True)
    include_fatal = models.BooleanField(_("every contact with a fatal finding"), default=True)
    # Contact kinds the plan samples from (empty: all kinds).
    channels = models.JSONField(_("channels"), default=list, blank=True)
    scorecard = models.ForeignKey(
        Scorecard, on_delete=models.PROTECT, related_name="+", verbose_name=_("scorecard")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ordinary_percent__gte=0, ordinary_percent__lte=100),
                name="samplingplan_percent_0_100",
            )
        ]

    def __str__(self) -> str:
        return self.name


class SamplingRun(models.Model):
    """One run of a sampling plan over one period; the record of what it considered and chose
    (a plan runs once per period: a second run adds only what the first could not see)."""

    plan = models.ForeignKey(SamplingPlan, on_delete=models.CASCADE, related_name="runs")
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    ran_at = models.DateTimeField()
    considered = models.PositiveIntegerField(default=0)
    selected = models.PositiveIntegerField(default=0)
    # Per reason and per agent counts, for the plan's page.
    stats = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-period_start", "-id"]
        indexes = [models.Index(fields=["plan", "-period_start"], name="samplingrun_plan_idx")]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.period_start:%Y-%m-%d}"


class Inspection(models.Model):
    """A person's inspection of one contact or one ticket against a scorecard version.

    Invariants: it targets a contact or a ticket (at least one); a contact or ticket has at
    most one inspection (calibration scores live in :class:`CalibrationScore`); ``score``,
    ``passed`` and ``scored_at`` are set from state ``scored`` on.
    """

    contact = models.ForeignKey(
        "channels.Contact",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    # The inspected agent and their team at the time of selection.
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections_received",
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    scorecard = models.ForeignKey(Scorecard, on_delete=models.PROTECT, related_name="inspections")
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections_assigned",
    )
    reason = models.CharField(max_length=12, choices=InspectionReason.choices)
    sampling_run = models.ForeignKey(
        SamplingRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="inspections"
    )
    state = models.CharField(
        max_length=12, choices=InspectionState.choices, default=InspectionState.PENDING
    )
    # Manual item scores {item_id: fraction 0..1} and comments {item_id: text}.
    manual_scores = models.JSONField(default=dict, blank=True)
    item_comments = models.JSONField(default=dict, blank=True)
    # The automatic findings the score was computed from (copied from the AutoCheck).
    findings = models.JSONField(default=list, blank=True)
    result = models.JSONField(default=dict, blank=True)  # ScorecardResult.as_dict()
    score = models.FloatField(null=True, blank=True)
    passed = models.BooleanField(null=True, blank=True)
    fatal = models.BooleanField(default=False)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    scored_at = models.DateTimeField(null=True, blank=True)
    appeal_deadline = models.DateTimeField(null=True, blank=True)
    final_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(contact__isnull=False) | models.Q(ticket__isnull=False),
                name="inspection_has_target",
            ),
            models.UniqueConstraint(
                fields=["contact"],
                condition=models.Q(contact__isnull=False),
                name="inspection_contact_uniq",
            ),
            models.UniqueConstraint(
                fields=["ticket"],
                condition=models.Q(ticket__isnull=False, contact__isnull=True),
                name="inspection_ticket_uniq",
            ),
        ]
        indexes = [
            models.Index(fields=["inspector", "state"], name="inspection_inspector_idx"),
            models.Index(fields=["agent", "state"], name="inspection_agent_idx"),
            models.Index(fields=["state", "appeal_deadline"], name="inspection_appeal_idx"),
            models.Index(fields=["scored_at"], name="inspection_scored_idx"),
            # The QA queue and a lead's team list: filtered by state or team, newest first.
            models.Index(fields=["state", "-created_at", "-id"], name="inspection_state_queue_idx"),
            models.Index(fields=["team", "-created_at", "-id"], name="inspection_team_queue_idx"),
        ]
        permissions = [
            ("inspect_contact", "Can inspect contacts and tickets"),
            ("assign_inspection", "Can assign inspections and run sampling plans"),
        ]

    def __str__(self) -> str:
        return f"QA-{self.pk}"


class AppealOutcome(models.TextChoices):
    UPHELD = "upheld", _("Result kept")
    CHANGED = "changed", _("Result changed")


class Appeal(models.Model):
    """An agent's appeal against a scored inspection, and the re-review's decision."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="appeals")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    created_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision = models.TextField(blank=True)
    outcome = models.CharField(max_length=10, choices=AppealOutcome.choices, blank=True)
    score_before = models.FloatField(null=True, blank=True)
    score_after = models.FloatField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"appeal {self.pk} of QA-{self.inspection_id}"


class CalibrationSession(models.Model):
    """Several QA specialists score the same contact or ticket with the same scorecard; the
    spread of their scores shows how consistently the center inspects (QA-1)."""

    title = models.CharField(_("title"), max_length=200)
    contact = models.ForeignKey(
        "channels.Contact", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    scorecard = models.ForeignKey(Scorecard, on_delete=models.PROTECT, related_name="+")
    participants = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(contact__isnull=False) | models.Q(ticket__isnull=False),
                name="calibration_has_target",
            )
        ]

    def __str__(self) -> str:
        return self.title


class CalibrationScore(models.Model):
    """One specialist's score in a calibration session."""

    session = models.ForeignKey(CalibrationSession, on_delete=models.CASCADE, related_name="scores")
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    manual_scores = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    score = models.FloatField()
    passed = models.BooleanField()
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["session", "submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "inspector"], name="calibrationscore_once_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.session_id} {self.inspector_id} {self.score:g}"


# --- Insights → script update and training (QA-5, IMP-1) -------------------------------------


class SuggestionKind(models.TextChoices):
    SCRIPT = "script", _("Script update")
    TRAINING = "training", _("Training topic")


class SuggestionState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted")
    DISMISSED = "dismissed", _("Dismissed")


class ImprovementSuggestion(models.Model):
    """A monthly suggestion drawn from the month's findings (QA-5): a script to update or a
    training topic; a trainer accepts it into the script library or the training plan."""

    month = models.DateField()  # the first day of the month it was drawn from
    kind = models.CharField(max_length=10, choices=SuggestionKind.choices)
    title = models.CharField(max_length=200)
    detail = models.TextField(blank=True)
    # What it rests on: category, counts, example evidence, agents concerned.
    evidence = models.JSONField(default=dict, blank=True)
    state = models.CharField(
        max_length=10, choices=SuggestionState.choices, default=SuggestionState.PROPOSED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # What accepting it created ("knowledge.Script:12", "people.TrainingTopic:3").
    accepted_as = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-month", "kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "kind", "title"], name="suggestion_month_kind_title_uniq"
            )
        ]

    def __str__(self) -> str:
        return self.title

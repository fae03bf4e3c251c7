"""The complaint state machine (CMP-1…4).

registered → investigating → plan_proposed → solved → rectifying → closed. A general complaint
(CMP-5: solved within 1 h) may go straight to solved; a solved complaint that needs no
rectification may close with the reason recorded; solved and closed complaints can be reopened
(back to investigating); any open complaint can be withdrawn by the customer.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import pgettext_lazy


class ComplaintStage(models.TextChoices):
    REGISTERED = "registered", pgettext_lazy("complaint stage", "Registered")
    INVESTIGATING = "investigating", pgettext_lazy("complaint stage", "Investigating")
    PLAN_PROPOSED = "plan_proposed", pgettext_lazy("complaint stage", "Plan proposed")
    SOLVED = "solved", pgettext_lazy("complaint stage", "Solved")
    RECTIFYING = "rectifying", pgettext_lazy("complaint stage", "Rectifying")
    CLOSED = "closed", pgettext_lazy("complaint stage", "Closed")
    WITHDRAWN = "withdrawn", pgettext_lazy("complaint stage", "Withdrawn")


S = ComplaintStage

ALLOWED_STAGES: dict[str, frozenset[str]] = {
    S.REGISTERED: frozenset({S.INVESTIGATING, S.SOLVED, S.WITHDRAWN}),
    S.INVESTIGATING: frozenset({S.PLAN_PROPOSED, S.SOLVED, S.WITHDRAWN}),
    S.PLAN_PROPOSED: frozenset({S.SOLVED, S.INVESTIGATING, S.WITHDRAWN}),
    S.SOLVED: frozenset({S.RECTIFYING, S.CLOSED, S.INVESTIGATING}),
    S.RECTIFYING: frozenset({S.CLOSED}),
    S.CLOSED: frozenset({S.INVESTIGATING}),
    S.WITHDRAWN: frozenset(),
}
OPEN_STAGES = frozenset({S.REGISTERED, S.INVESTIGATING, S.PLAN_PROPOSED})
ACTIVE_STAGES = frozenset({S.REGISTERED, S.INVESTIGATING, S.PLAN_PROPOSED, S.SOLVED, S.RECTIFYING})
STAGE_LABELS = {stage.value: stage.label for stage in ComplaintStage}

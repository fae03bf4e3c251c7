"""Reads of the quality app: a contact's or a ticket's automatic check as the screens show it
(QA-3, SCR-2)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper
from django.utils.translation import pgettext_lazy

from kefu.quality.engine import DIMENSIONS
from kefu.quality.models import AutoCheck
from kefu.quality.services import ticket_handled_in_writing
from kefu.tickets.models import Ticket

CATEGORY_LABELS = {
    "shirking": pgettext_lazy("quality category", "Shirking (推诿)"),
    "vague_promise": pgettext_lazy("quality category", "Vague promise (模糊承诺)"),
    "doubting_customer": pgettext_lazy("quality category", "Doubting the customer (质疑客户)"),
    "blunt": pgettext_lazy("quality category", "Blunt wording (生硬话术)"),
    "impatience": pgettext_lazy("quality category", "Impatience (不耐烦)"),
    "missing_greeting": pgettext_lazy("quality category", "Missing greeting"),
    "missing_restatement": pgettext_lazy("quality category", "Missing restatement"),
    "missing_satisfaction_check": pgettext_lazy("quality category", "Missing satisfaction check"),
    "missing_closing": pgettext_lazy("quality category", "Missing closing"),
    "no_empathy": pgettext_lazy("quality category", "No empathy"),
    "speech_rate": pgettext_lazy("quality category", "Speech rate"),
}
DIMENSION_LABELS = {
    "process": pgettext_lazy("quality dimension", "Process"),
    "communication": pgettext_lazy("quality dimension", "Communication"),
    "script": pgettext_lazy("quality dimension", "Script"),
    "result": pgettext_lazy("quality dimension", "Result"),
}


@dataclass(frozen=True)
class ShownFinding:
    """A finding with the turn's text cut around the evidence: ``before``, ``marked``,
    ``after`` are plain text (the template escapes them); ``marked`` is empty without a span."""

    standard: str
    category: str
    label: Any
    suggestion: str
    speaker: str
    segment: int | None
    before: str
    marked: str
    after: str


def _shown(finding: dict[str, Any]) -> ShownFinding:
    text = str(finding.get("text") or "")
    span = finding.get("span")
    before, marked, after = text, "", ""
    if (
        isinstance(span, list)
        and len(span) == 2
        and all(isinstance(value, int) for value in span)
        and 0 <= span[0] < span[1] <= len(text)
    ):
        before, marked, after = text[: span[0]], text[span[0] : span[1]], text[span[1] :]
    elif not text:
        before = str(finding.get("evidence") or "")
    category = str(finding.get("category") or "")
    return ShownFinding(
        standard=str(finding.get("standard") or ""),
        category=category,
        label=CATEGORY_LABELS.get(category, category),
        suggestion=str(finding.get("suggestion") or ""),
        speaker=str(finding.get("speaker") or ""),
        segment=finding.get("segment"),
        before=before,
        marked=marked,
        after=after,
    )


def _check_shown(check: AutoCheck) -> dict[str, Any]:
    return {
        "check": check,
        "dimensions": [
            {"name": name, "label": DIMENSION_LABELS[name], "value": check.dimensions.get(name)}
            for name in DIMENSIONS
        ],
        "findings": [_shown(finding) for finding in check.findings],
    }


def auto_check_shown(*, contact: Any) -> dict[str, Any] | None:
    """The contact's automatic check for its page, or None when it has not been checked yet."""
    check = AutoCheck.objects.filter(contact=contact).first()
    return None if check is None else _check_shown(check)


def ticket_auto_check_shown(*, ticket: Any) -> dict[str, Any] | None:
    """A ticket's own automatic check (its written replies, QA-3) for the ticket page, in one
    query.

    None for a ticket with linked contacts (they carry the checks) or without a public reply
    by a person; otherwise ``{"check": AutoCheck | None, ...}`` — without a check yet,
    ``pending`` says whether the ticket is resolved (the check is on its way) or not.
    """
    found = (
        Ticket.objects.filter(pk=ticket.pk)
        .select_related("auto_check")
        .annotate(
            written_only=ExpressionWrapper(ticket_handled_in_writing(), output_field=BooleanField())
        )
        .first()
    )
    if found is None:
        return None
    check = getattr(found, "auto_check", None)
    if check is not None:
        return _check_shown(check)
    if not found.written_only:
        return None
    return {"check": None, "pending": found.resolved_at is not None}

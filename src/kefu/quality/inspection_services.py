"""Writes of inspections by people, appeals and the re-review (QA-2, QA-1).

An inspection moves only along :data:`TRANSITIONS`::

    pending → in_review → scored → appealed → re_reviewed → final
                          scored → final   (the agent accepts, or the appeal window passed)

anything else is refused with :class:`~kefu.core.errors.TransitionNotAllowed` (409). Every
service is keyword-only, runs in one transaction, checks who may act and writes an audit
event in the same transaction. The appeal window is the standard's ``qa_appeal_window``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import User
from kefu.audit.services import audit_record
from kefu.calendars.durations import parse_duration
from kefu.calendars.selectors import calendar_due
from kefu.channels.models import Contact
from kefu.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from kefu.core.state_machine import check_transition
from kefu.core.text_input import text_input_clean
from kefu.core.timeutils import now
from kefu.quality.inspection_selectors import (
    inspection_is_visible,
    user_is_inspection_manager,
)
from kefu.quality.models import (
    Appeal,
    AppealOutcome,
    AutoCheck,
    Inspection,
    InspectionReason,
    InspectionState,
    ItemKind,
    Scorecard,
    ScorecardItem,
)
from kefu.quality.scoring import scorecard_score
from kefu.quality.services import (
    contact_auto_check,
    rules_in_force,
    ticket_transcript,
    transcript_findings,
)
from kefu.standard.selectors import standard_value
from kefu.tickets.models import Ticket

S = InspectionState
TRANSITIONS: dict[str, frozenset[str]] = {
    S.PENDING: frozenset({S.IN_REVIEW}),
    S.IN_REVIEW: frozenset({S.SCORED}),
    S.SCORED: frozenset({S.APPEALED, S.FINAL}),
    S.APPEALED: frozenset({S.RE_REVIEWED}),
    S.RE_REVIEWED: frozenset({S.FINAL}),
    S.FINAL: frozenset(),
}
TERMINAL_STATES = frozenset({S.FINAL})
STATE_LABELS = dict(InspectionState.choices)

INSPECT_PERM = "quality.inspect_contact"
ASSIGN_PERM = "quality.assign_inspection"
TEXT_LIMIT = 4_000
COMMENT_LIMIT = 2_000
# Business-time windows (bh, wd) are counted on this working calendar.
APPEAL_CALENDAR = "office"
# Scores a person gives a manual item (the pages offer these; the API accepts any 0..1).
MANUAL_STEPS = (Decimal(0), Decimal("0.5"), Decimal(1))


# -- checks -----------------------------------------------------------------------------------


def _text(value: Any, field: str, *, required: bool, limit: int = TEXT_LIMIT) -> str:
    return text_input_clean(value, field, required=required, limit=limit)


def _may_inspect(actor: Any) -> bool:
    return actor is not None and actor.has_perm(INSPECT_PERM)


def _require_visible(actor: Any, inspection: Inspection) -> None:
    if actor is not None and not inspection_is_visible(actor, inspection):
        raise NotFound(f"inspection {inspection.pk} does not exist or is not visible to you")


def _locked(inspection: Inspection) -> Inspection:
    current = (
        Inspection.objects.select_for_update(of=("self",))
        .select_related("contact", "ticket", "scorecard")
        .filter(pk=inspection.pk)
        .first()
    )
    if current is None:
        raise NotFound(f"inspection {inspection.pk} does not exist")
    return current


def _locked_visible(actor: Any, inspection: Inspection) -> Inspection:
    """The current row, locked; absent (404) when ``actor`` may not see it in its current
    state (the caller's copy may be older)."""
    current = _locked(inspection)
    _require_visible(actor, current)
    return current


def _snapshot(inspection: Inspection) -> dict[str, Any]:
    return {
        "state": inspection.state,
        "inspector": inspection.inspector_id,
        "score": inspection.score,
        "passed": inspection.passed,
        "fatal": inspection.fatal,
        "appeal_deadline": inspection.appeal_deadline,
    }


def inspection_check_transition(inspection: Inspection, target: str) -> None:
    """Raise a 409 unless ``inspection`` may move to ``target`` (see :data:`TRANSITIONS`)."""
    check_transition(
        allowed=TRANSITIONS,
        current=inspection.state,
        target=target,
        labels=STATE_LABELS,
        noun="inspection",
    )


def _move(
    inspection: Inspection,
    *,
    actor: Any,
    target: str,
    verb: str,
    moment: dt.datetime,
    before: dict[str, Any],
    extra: Mapping[str, Any] | None = None,
    fields: tuple[str, ...] = (),
) -> Inspection:
    inspection_check_transition(inspection, target)
    inspection.state = target
    inspection.updated_at = moment
    if target == S.FINAL:
        inspection.final_at = moment
    inspection.save(update_fields=["state", "updated_at", "final_at", *fields])
    audit_record(
        actor=actor,
        verb=verb,
        target=inspection,
        before=before,
        after={**_snapshot(inspection), **(extra or {})},
    )
    return inspection


# -- the appeal window -----------------------------------------------------------------------


def appeal_deadline_after(moment: dt.datetime) -> dt.datetime:
    """``moment`` + the standard's ``qa_appeal_window`` (QA-2; default 72h).

    Wall-clock units (m, h, d) are added as they are; business units (bh, wd) are counted on
    the ``office`` working calendar.
    """
    window = str(standard_value("qa_appeal_window"))
    parsed = parse_duration(window, field="qa_appeal_window")
    if not parsed.is_business:
        return moment + dt.timedelta(seconds=parsed.seconds(working_day_seconds=0))
    return calendar_due(APPEAL_CALENDAR, moment, window).due_at


# -- create and assign -----------------------------------------------------------------------


def _default_scorecard() -> Scorecard:
    card = Scorecard.objects.filter(is_active=True).order_by("name", "-version").first()
    if card is None:
        raise Conflict("there is no active scorecard to inspect with", field="scorecard")
    return card


def _inspector(value: Any, field: str = "inspector") -> User:
    if isinstance(value, User):
        user: User | None = value
    else:
        try:
            user = User.objects.filter(pk=int(value)).first()
        except (TypeError, ValueError):
            raise InvalidInput(f"{field} must be a user id, not {value!r}", field=field) from None
    if user is None or not user.is_active:
        raise InvalidInput(f"{field}: no active user {value!r}", field=field)
    if not user.has_perm(INSPECT_PERM):
        raise InvalidInput(f"{user.username} may not inspect (QA specialists do)", field=field)
    return user


@transaction.atomic
def inspection_create(
    *,
    actor: Any,
    contact: Contact | None = None,
    ticket: Ticket | None = None,
    reason: str,
    scorecard: Scorecard | None = None,
    inspector: Any = None,
    sampling_run: Any = None,
) -> Inspection:
    """Put a contact or a ticket up for inspection by a person (QA-2).

    Returns the existing inspection when the contact (or, without a contact, the ticket)
    already has one — a contact is inspected once. The inspected agent and team are the
    contact's agent and team, or the ticket's assignee and team. The scorecard is the given
    one or the active default. ``actor`` None is the system (the sampling plans); a person
    needs the inspect or assign permission, and only an assigner may name another inspector.
    """
    if actor is not None and not (actor.has_perm(INSPECT_PERM) or actor.has_perm(ASSIGN_PERM)):
        raise PermissionDenied("only QA specialists and managers put contacts up for inspection")
    if contact is None and ticket is None:
        raise InvalidInput("give a contact or a ticket to inspect", field="contact")
    if reason not in InspectionReason.values:
        raise InvalidInput(
            f"unknown reason {reason!r}; one of {', '.join(InspectionReason.values)}",
            field="reason",
        )
    if contact is not None:
        existing = Inspection.objects.filter(contact=contact).first()
    else:
        existing = Inspection.objects.filter(ticket=ticket, contact__isnull=True).first()
    if existing is not None:
        return existing
    if scorecard is None:
        scorecard = _default_scorecard()
    elif not scorecard.is_active:
        raise InvalidInput(f"scorecard {scorecard} is not active", field="scorecard")
    chosen = None
    if inspector is not None:
        if actor is not None and not actor.has_perm(ASSIGN_PERM) and inspector != actor:
            raise PermissionDenied("only managers and assigners give inspections to others")
        chosen = _inspector(inspector)
    if contact is not None:
        agent_id, team_id = contact.agent_id, contact.team_id
        if ticket is None:
            ticket = contact.tickets.order_by("id").first()
    else:
        assert ticket is not None
        agent_id, team_id = ticket.assignee_id, ticket.team_id
    if chosen is not None and chosen.pk == agent_id:
        raise InvalidInput("nobody inspects their own work", field="inspector")
    if team_id is None and agent_id is not None:
        team_id = User.objects.filter(pk=agent_id).values_list("team_id", flat=True).first()
    moment = now()
    inspection = Inspection.objects.create(
        contact=contact,
        ticket=ticket,
        agent_id=agent_id,
        team_id=team_id,
        scorecard=scorecard,
        inspector=chosen,
        reason=reason,
        sampling_run=sampling_run,
        state=S.PENDING,
        created_at=moment,
        updated_at=moment,
    )
    audit_record(
        actor=actor,
        verb="inspection.create",
        target=inspection,
        after={
            "contact": inspection.contact_id,
            "ticket": inspection.ticket_id,
            "agent": agent_id,
            "reason": reason,
            "scorecard": scorecard.pk,
            "inspector": inspection.inspector_id,
        },
    )
    return inspection


@transaction.atomic
def inspection_assign(*, actor: Any, inspection: Inspection, inspector: Any) -> Inspection:
    """Give a pending or in-review inspection to a QA specialist (assigners only)."""
    if actor is not None and not actor.has_perm(ASSIGN_PERM):
        raise PermissionDenied("only managers and assigners give inspections to others")
    inspection = _locked_visible(actor, inspection)
    if inspection.state not in (S.PENDING, S.IN_REVIEW):
        raise Conflict(
            f"inspection {inspection.pk} is {inspection.get_state_display()}; only pending or "
            "in-review inspections are (re)assigned",
            field="inspector",
        )
    chosen = _inspector(inspector)
    if chosen.pk == inspection.agent_id:
        raise InvalidInput("nobody inspects their own work", field="inspector")
    before = _snapshot(inspection)
    inspection.inspector = chosen
    inspection.updated_at = now()
    inspection.save(update_fields=["inspector", "updated_at"])
    audit_record(
        actor=actor,
        verb="inspection.assign",
        target=inspection,
        before=before,
        after=_snapshot(inspection),
    )
    return inspection


# -- inspect ---------------------------------------------------------------------------------


def _require_inspector(actor: Any, inspection: Inspection, doing: str) -> None:
    if actor is None:
        return
    if actor.pk == inspection.agent_id:
        raise PermissionDenied("nobody inspects their own work")
    if user_is_inspection_manager(actor):
        return
    if not _may_inspect(actor):
        raise PermissionDenied(f"only QA specialists and managers {doing}")
    if inspection.inspector_id is not None and inspection.inspector_id != actor.pk:
        raise PermissionDenied(f"only the assigned inspector or a manager may {doing}")


@transaction.atomic
def inspection_start(*, actor: Any, inspection: Inspection) -> Inspection:
    """pending → in_review, by the assigned inspector or a manager; a QA specialist starting
    an unassigned inspection takes it."""
    inspection = _locked_visible(actor, inspection)
    _require_inspector(actor, inspection, "start this inspection")
    before = _snapshot(inspection)
    fields: tuple[str, ...] = ()
    if inspection.inspector_id is None and actor is not None:
        inspection.inspector = actor
        fields = ("inspector",)
    return _move(
        inspection,
        actor=actor,
        target=S.IN_REVIEW,
        verb="inspection.start",
        moment=now(),
        before=before,
        fields=fields,
    )


def _ticket_findings(ticket: Ticket) -> list[dict[str, Any]]:
    # The ticket's own automatic check when it has one (a ticket handled only in writing,
    # checked once resolved); otherwise its replies checked now as a chat, not stored.
    check = AutoCheck.objects.filter(ticket=ticket).first()
    if check is not None:
        return list(check.findings)
    findings, _result = transcript_findings(ticket_transcript(ticket), rules_in_force().rule_set)
    return findings


def target_findings(*, contact: Contact | None, ticket: Ticket | None) -> list[dict[str, Any]]:
    """The automatic findings a contact or ticket is scored from: the contact's AutoCheck
    (checked now when missing), or for a ticket without a contact the ticket's own AutoCheck
    (its replies checked as a chat, now when it has none)."""
    if contact is not None:
        check = AutoCheck.objects.filter(contact=contact).first()
        if check is None:
            check = contact_auto_check(contact=contact)
        return list(check.findings)
    if ticket is None:
        raise InvalidInput("give a contact or a ticket", field="contact")
    return _ticket_findings(ticket)


def inspection_findings(inspection: Inspection) -> list[dict[str, Any]]:
    """The automatic findings an inspection is scored from (see :func:`target_findings`)."""
    return target_findings(contact=inspection.contact, ticket=inspection.ticket)


def _item_key(raw: Any, items: Mapping[str, ScorecardItem], field: str) -> str:
    key = str(raw).strip()
    if key not in items:
        raise InvalidInput(f"{raw!r} is not an item of this scorecard", field=f"{field}.{key}")
    return key


def clean_manual_scores(
    scorecard: Scorecard, manual_scores: Any, *, field: str = "manual_scores"
) -> dict[str, float]:
    """``{item_id: fraction 0..1}`` for every manual item of ``scorecard``; 422 naming the item
    for an unknown item, an automatic item, a missing one or a value outside 0..1."""
    if not isinstance(manual_scores, Mapping):
        raise InvalidInput("must be an object {item id: score 0..1}", field=field)
    items = {str(item.pk): item for item in scorecard.items.all()}
    cleaned: dict[str, float] = {}
    for raw, value in manual_scores.items():
        key = _item_key(raw, items, field)
        if items[key].kind != ItemKind.MANUAL:
            raise InvalidInput(
                f"{items[key].title} is scored automatically", field=f"{field}.{key}"
            )
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
            raise InvalidInput("must be a number from 0 to 1", field=f"{field}.{key}")
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise InvalidInput("must be a number from 0 to 1", field=f"{field}.{key}") from None
        if not number.is_finite() or not Decimal(0) <= number <= Decimal(1):
            raise InvalidInput("must be a number from 0 to 1", field=f"{field}.{key}")
        cleaned[key] = float(number)
    for key, item in items.items():
        if item.kind == ItemKind.MANUAL and key not in cleaned:
            raise InvalidInput(f"{item.title} needs a score", field=f"{field}.{key}")
    return cleaned


def clean_item_comments(scorecard: Scorecard, comments: Any) -> dict[str, str]:
    if comments is None:
        return {}
    if not isinstance(comments, Mapping):
        raise InvalidInput("must be an object {item id: text}", field="item_comments")
    items = {str(item.pk): item for item in scorecard.items.all()}
    cleaned = {}
    for raw, value in comments.items():
        key = _item_key(raw, items, "item_comments")
        text = _text(value, f"item_comments.{key}", required=False, limit=COMMENT_LIMIT)
        if text:
            cleaned[key] = text
    return cleaned


def _apply_score(
    inspection: Inspection, manual: dict[str, float], findings: list[dict[str, Any]]
) -> None:
    card = inspection.scorecard
    result = scorecard_score(
        list(card.items.all()), findings=findings, manual=manual, pass_mark=card.pass_mark
    )
    inspection.manual_scores = manual
    inspection.findings = findings
    inspection.result = result.as_dict()
    inspection.score = float(result.total)
    inspection.passed = result.passed
    inspection.fatal = bool(result.fatal_failed)


@transaction.atomic
def inspection_score(
    *,
    actor: Any,
    inspection: Inspection,
    manual_scores: Any,
    item_comments: Any = None,
    comment: str = "",
) -> Inspection:
    """in_review → scored (QA-1, QA-2): the automatic items from the contact's findings, the
    manual items from ``manual_scores``, the total, pass/fail (a failed fatal item fails the
    inspection) and the appeal deadline (scored_at + ``qa_appeal_window``)."""
    inspection = _locked_visible(actor, inspection)
    _require_inspector(actor, inspection, "score this inspection")
    inspection_check_transition(inspection, S.SCORED)
    manual = clean_manual_scores(inspection.scorecard, manual_scores)
    comments = clean_item_comments(inspection.scorecard, item_comments)
    text = _text(comment, "comment", required=False)
    before = _snapshot(inspection)
    _apply_score(inspection, manual, inspection_findings(inspection))
    moment = now()
    inspection.item_comments = comments
    inspection.comment = text
    inspection.scored_at = moment
    inspection.appeal_deadline = appeal_deadline_after(moment)
    if inspection.inspector_id is None and actor is not None:
        inspection.inspector = actor
    return _move(
        inspection,
        actor=actor,
        target=S.SCORED,
        verb="inspection.score",
        moment=moment,
        before=before,
        extra={"manual_scores": manual},
        fields=(
            "inspector",
            "manual_scores",
            "item_comments",
            "findings",
            "result",
            "score",
            "passed",
            "fatal",
            "comment",
            "scored_at",
            "appeal_deadline",
        ),
    )


# -- the agent's answer: accept or appeal ------------------------------------------------------


def _require_agent(actor: Any, inspection: Inspection, doing: str) -> None:
    if actor is None or actor.pk != inspection.agent_id:
        raise PermissionDenied(f"only the inspected agent may {doing}")


@transaction.atomic
def inspection_accept(*, actor: Any, inspection: Inspection) -> Inspection:
    """scored → final: the inspected agent accepts the result."""
    inspection = _locked_visible(actor, inspection)
    _require_agent(actor, inspection, "accept this result")
    before = _snapshot(inspection)
    return _move(
        inspection,
        actor=actor,
        target=S.FINAL,
        verb="inspection.accept",
        moment=now(),
        before=before,
    )


@transaction.atomic
def inspection_appeal(*, actor: Any, inspection: Inspection, reason: str) -> Appeal:
    """scored → appealed (QA-2): only the inspected agent, only before the appeal deadline."""
    inspection = _locked_visible(actor, inspection)
    _require_agent(actor, inspection, "appeal this result")
    text = _text(reason, "reason", required=True)
    inspection_check_transition(inspection, S.APPEALED)
    moment = now()
    if inspection.appeal_deadline is not None and moment >= inspection.appeal_deadline:
        raise Conflict(
            f"the appeal window closed at {inspection.appeal_deadline.isoformat()}; "
            "this result can no longer be appealed",
            field="appeal_deadline",
        )
    before = _snapshot(inspection)
    appeal = Appeal.objects.create(
        inspection=inspection,
        agent=actor,
        reason=text,
        created_at=moment,
        score_before=inspection.score,
    )
    _move(
        inspection,
        actor=actor,
        target=S.APPEALED,
        verb="inspection.appeal",
        moment=moment,
        before=before,
        extra={"appeal": appeal.pk, "reason": text},
    )
    return appeal


@transaction.atomic
def inspection_re_review(
    *, actor: Any, inspection: Inspection, manual_scores: Any, decision: str
) -> Inspection:
    """appealed → re_reviewed: a QA specialist or manager other than the original inspector
    (the original inspector only when they are a manager) scores the manual items again; the
    appeal records the decision, the score before and after, and whether it changed."""
    inspection = _locked_visible(actor, inspection)
    if actor is not None:
        if not (_may_inspect(actor) or user_is_inspection_manager(actor)):
            raise PermissionDenied("only QA specialists and managers re-review an appeal")
        if actor.pk == inspection.agent_id:
            raise PermissionDenied("nobody re-reviews their own appeal")
        if actor.pk == inspection.inspector_id and not user_is_inspection_manager(actor):
            raise PermissionDenied(
                "the original inspector may not re-review the appeal; another QA specialist "
                "or a manager does"
            )
    inspection_check_transition(inspection, S.RE_REVIEWED)
    text = _text(decision, "decision", required=True)
    manual = clean_manual_scores(inspection.scorecard, manual_scores)
    appeal = inspection.appeals.filter(decided_at__isnull=True).order_by("-created_at").first()
    if appeal is None:
        raise Conflict("this inspection has no open appeal", field="appeal")
    before = _snapshot(inspection)
    score_before = inspection.score
    _apply_score(inspection, manual, list(inspection.findings))
    moment = now()
    appeal.decided_by = actor if getattr(actor, "pk", None) else None
    appeal.decision = text
    appeal.score_before = score_before
    appeal.score_after = inspection.score
    appeal.outcome = (
        AppealOutcome.UPHELD
        if score_before == inspection.score and before["passed"] == inspection.passed
        else AppealOutcome.CHANGED
    )
    appeal.decided_at = moment
    appeal.save(
        update_fields=[
            "decided_by",
            "decision",
            "score_before",
            "score_after",
            "outcome",
            "decided_at",
        ]
    )
    return _move(
        inspection,
        actor=actor,
        target=S.RE_REVIEWED,
        verb="inspection.re_review",
        moment=moment,
        before=before,
        extra={"appeal": appeal.pk, "outcome": appeal.outcome, "manual_scores": manual},
        fields=("manual_scores", "findings", "result", "score", "passed", "fatal"),
    )


@transaction.atomic
def inspection_finalize(*, actor: Any, inspection: Inspection) -> Inspection:
    """re_reviewed → final, by a QA specialist or manager."""
    inspection = _locked_visible(actor, inspection)
    if actor is not None and not (_may_inspect(actor) or user_is_inspection_manager(actor)):
        raise PermissionDenied("only QA specialists and managers finalize an inspection")
    if inspection.state == S.SCORED:
        # scored → final is the agent's acceptance or the window passing, not an inspector's.
        raise Conflict(
            "a scored inspection becomes final when the agent accepts it or the appeal "
            "window passes",
            field="to",
        )
    before = _snapshot(inspection)
    return _move(
        inspection,
        actor=actor,
        target=S.FINAL,
        verb="inspection.finalize",
        moment=now(),
        before=before,
    )


def inspections_finalize_expired(*, now: dt.datetime, limit: int = 500) -> int:
    """scored → final for every inspection whose appeal window has passed (the periodic
    task); each in its own transaction, found by the (state, appeal_deadline) index."""
    ids = list(
        Inspection.objects.filter(state=S.SCORED, appeal_deadline__lte=now)
        .order_by("appeal_deadline", "id")
        .values_list("id", flat=True)[:limit]
    )
    done = 0
    for inspection_id in ids:
        with transaction.atomic():
            inspection = (
                Inspection.objects.select_for_update()
                .filter(pk=inspection_id, state=S.SCORED, appeal_deadline__lte=now)
                .first()
            )
            if inspection is None:
                continue
            before = _snapshot(inspection)
            _move(
                inspection,
                actor=None,
                target=S.FINAL,
                verb="inspection.window_passed",
                moment=now,
                before=before,
            )
            done += 1
    return done


# Labels the pages use for audit verbs in an inspection's history.
VERB_LABELS = {
    "inspection.create": _("Put up for inspection"),
    "inspection.assign": _("Assigned"),
    "inspection.start": _("Review started"),
    "inspection.score": _("Scored"),
    "inspection.accept": _("Accepted by the agent"),
    "inspection.appeal": _("Appealed"),
    "inspection.re_review": _("Re-reviewed"),
    "inspection.finalize": _("Finalized"),
    "inspection.window_passed": _("Final: the appeal window passed"),
}

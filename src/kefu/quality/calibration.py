"""Calibration sessions (QA-1, QA-2): several QA specialists score the same contact or ticket
with the same scorecard, and the spread of their scores shows how consistently the center
inspects.

A participant submits once and, to avoid anchoring, sees the others' scores only after
submitting their own (managers and administrators always; everyone once it is closed).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet

from kefu.accounts.models import User
from kefu.audit.services import audit_record
from kefu.channels.models import Contact
from kefu.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from kefu.core.timeutils import now
from kefu.quality.inspection_selectors import user_is_inspection_manager
from kefu.quality.inspection_services import (
    INSPECT_PERM,
    clean_manual_scores,
    target_findings,
)
from kefu.quality.models import CalibrationScore, CalibrationSession, Scorecard
from kefu.quality.scoring import scorecard_score
from kefu.tickets.models import Ticket

TITLE_LIMIT = 200
PARTICIPANTS_MAX = 50


def _may_calibrate(user: Any) -> bool:
    return user is not None and (user.has_perm(INSPECT_PERM) or user_is_inspection_manager(user))


# -- reads ------------------------------------------------------------------------------------


def calibrations_visible(*, user: Any) -> QuerySet[CalibrationSession]:
    """Sessions ``user`` may see: managers and administrators all; a QA specialist the ones
    they take part in or created."""
    rows = CalibrationSession.objects.select_related("contact", "ticket", "scorecard", "created_by")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return rows.none()
    if user_is_inspection_manager(user):
        return rows.order_by("-created_at", "-id")
    if not user.has_perm(INSPECT_PERM):
        return rows.none()
    return rows.filter(Q(participants=user) | Q(created_by=user)).distinct().order_by("-created_at")


def calibration_get(*, user: Any, session_id: int) -> CalibrationSession:
    session = calibrations_visible(user=user).filter(pk=session_id).first()
    if session is None:
        raise NotFound(f"calibration session {session_id} does not exist or is not visible to you")
    return session


def calibration_may_see_scores(user: Any, session: CalibrationSession) -> bool:
    """No anchoring: the others' scores once you submitted yours (or the session closed);
    managers always."""
    if user_is_inspection_manager(user) or session.closed_at is not None:
        return True
    return session.scores.filter(inspector=user).exists()


def calibration_scores_shown(user: Any, session: CalibrationSession) -> list[CalibrationScore]:
    """The scores ``user`` may see: all of them, or only their own before they submitted."""
    scores = session.scores.select_related("inspector").order_by("submitted_at", "id")
    if calibration_may_see_scores(user, session):
        return list(scores)
    return list(scores.filter(inspector=user))


@dataclass(frozen=True)
class ItemSpread:
    item_id: str
    title: str
    kind: str
    fractions: dict[str, float]  # inspector username → fraction 0..1
    low: float
    high: float

    @property
    def disagree(self) -> bool:
        return self.high != self.low


@dataclass(frozen=True)
class Spread:
    n: int
    mean: float | None
    minimum: float | None
    maximum: float | None
    range: float | None
    stdev: float | None  # population standard deviation of the totals
    passed: int
    failed: int
    items: list[ItemSpread] = field(default_factory=list)

    @property
    def disagreements(self) -> list[ItemSpread]:
        return [item for item in self.items if item.disagree]

    def as_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "mean": self.mean,
            "min": self.minimum,
            "max": self.maximum,
            "range": self.range,
            "stdev": self.stdev,
            "passed": self.passed,
            "failed": self.failed,
            "items": [
                {
                    "item_id": item.item_id,
                    "title": item.title,
                    "kind": item.kind,
                    "scores": item.fractions,
                    "min": item.low,
                    "max": item.high,
                    "disagree": item.disagree,
                }
                for item in self.items
            ],
            "disagreements": [item.item_id for item in self.disagreements],
        }


def _round(value: float) -> float:
    return round(value, 2)


def spread_of(scores: Iterable[CalibrationScore]) -> Spread:
    """n, mean, min, max, range and population standard deviation of the totals; per item
    the fractions each inspector gave and whether they differ; the passed/failed split."""
    rows = list(scores)
    totals = [row.score for row in rows]
    passed = sum(1 for row in rows if row.passed)
    per_item: dict[str, dict[str, Any]] = {}
    for row in rows:
        name = row.inspector.username
        for item in row.result.get("items", []):
            key = str(item.get("item_id"))
            entry = per_item.setdefault(
                key,
                {"title": item.get("title", ""), "kind": item.get("kind", ""), "fractions": {}},
            )
            entry["fractions"][name] = float(item.get("fraction", 0))
    items = [
        ItemSpread(
            item_id=key,
            title=entry["title"],
            kind=entry["kind"],
            fractions=entry["fractions"],
            low=min(entry["fractions"].values()),
            high=max(entry["fractions"].values()),
        )
        for key, entry in per_item.items()
    ]
    if not totals:
        return Spread(0, None, None, None, None, None, 0, 0, items)
    mean = sum(totals) / len(totals)
    stdev = math.sqrt(sum((total - mean) ** 2 for total in totals) / len(totals))
    return Spread(
        n=len(totals),
        mean=_round(mean),
        minimum=min(totals),
        maximum=max(totals),
        range=_round(max(totals) - min(totals)),
        stdev=_round(stdev),
        passed=passed,
        failed=len(totals) - passed,
        items=items,
    )


def calibration_spread(session: CalibrationSession) -> Spread:
    """The spread of every submitted score of ``session`` (callers check who may see it)."""
    return spread_of(session.scores.select_related("inspector"))


# -- writes -----------------------------------------------------------------------------------


def _own_work(contact: Contact | None, ticket: Ticket | None) -> set[int]:
    """Who did the work calibrated on: the contact's agent and the ticket's assignee."""
    people = {contact.agent_id if contact is not None else None}
    people.add(ticket.assignee_id if ticket is not None else None)
    return {pk for pk in people if pk is not None}


def _participants(values: Iterable[Any], *, own_work: set[int]) -> list[User]:
    found: dict[int, User] = {}
    for value in values:
        if isinstance(value, User):
            user: User | None = value
        else:
            try:
                user = User.objects.filter(pk=int(value)).first()
            except (TypeError, ValueError):
                raise InvalidInput(f"{value!r} is not a user id", field="participants") from None
        if user is None or not user.is_active:
            raise InvalidInput(f"no active user {value!r}", field="participants")
        if not _may_calibrate(user):
            raise InvalidInput(
                f"{user.username} may not inspect (QA specialists and managers do)",
                field="participants",
            )
        if user.pk in own_work:
            raise InvalidInput(
                f"{user.username} handled this contact: nobody inspects their own work",
                field="participants",
            )
        found[user.pk] = user
    if len(found) < 2:
        raise InvalidInput("a calibration needs at least two participants", field="participants")
    if len(found) > PARTICIPANTS_MAX:
        raise InvalidInput(f"at most {PARTICIPANTS_MAX} participants", field="participants")
    return list(found.values())


@transaction.atomic
def calibration_create(
    *,
    actor: Any,
    title: str,
    contact: Contact | None = None,
    ticket: Ticket | None = None,
    scorecard: Scorecard | None = None,
    participants: Iterable[Any],
) -> CalibrationSession:
    """A calibration session on one contact or ticket (QA specialists and managers). The
    contact's agent and the ticket's assignee may not take part: nobody inspects their own
    work (QA-2)."""
    if not _may_calibrate(actor):
        raise PermissionDenied("only QA specialists and managers run calibration sessions")
    text = str(title or "").strip()
    if not text:
        raise InvalidInput("title is required", field="title")
    if len(text) > TITLE_LIMIT or "\x00" in text:
        raise InvalidInput(f"title: at most {TITLE_LIMIT} characters", field="title")
    if contact is None and ticket is None:
        raise InvalidInput("give a contact or a ticket to calibrate on", field="contact")
    if scorecard is None:
        scorecard = Scorecard.objects.filter(is_active=True).order_by("name", "-version").first()
        if scorecard is None:
            raise Conflict("there is no active scorecard", field="scorecard")
    people = _participants(participants, own_work=_own_work(contact, ticket))
    session = CalibrationSession.objects.create(
        title=text,
        contact=contact,
        ticket=ticket,
        scorecard=scorecard,
        created_by=actor,
        created_at=now(),
    )
    session.participants.set(people)
    audit_record(
        actor=actor,
        verb="calibration.create",
        target=session,
        after={
            "contact": session.contact_id,
            "ticket": session.ticket_id,
            "scorecard": scorecard.pk,
            "participants": sorted(user.pk for user in people),
        },
    )
    return session


@transaction.atomic
def calibration_score_submit(
    *, actor: Any, session: CalibrationSession, manual_scores: Any
) -> CalibrationScore:
    """One participant's score, once, while the session is open."""
    if actor is None or not session.participants.filter(pk=actor.pk).exists():
        raise PermissionDenied("only the session's participants score in it")
    session = CalibrationSession.objects.select_for_update().get(pk=session.pk)
    if session.closed_at is not None:
        raise Conflict("the calibration session is closed", field="session")
    if session.scores.filter(inspector=actor).exists():
        raise Conflict("you already scored in this session; a score is given once", field="score")
    manual = clean_manual_scores(session.scorecard, manual_scores)
    findings = target_findings(contact=session.contact, ticket=session.ticket)
    card = session.scorecard
    result = scorecard_score(
        list(card.items.all()), findings=findings, manual=manual, pass_mark=card.pass_mark
    )
    try:
        with transaction.atomic():
            score = CalibrationScore.objects.create(
                session=session,
                inspector=actor,
                manual_scores=manual,
                result=result.as_dict(),
                score=float(result.total),
                passed=result.passed,
                submitted_at=now(),
            )
    except IntegrityError:
        raise Conflict("you already scored in this session", field="score") from None
    audit_record(
        actor=actor,
        verb="calibration.score",
        target=session,
        after={"score": score.score, "passed": score.passed, "manual_scores": manual},
    )
    return score


@transaction.atomic
def calibration_close(*, actor: Any, session: CalibrationSession) -> CalibrationSession:
    """Close the session (its creator or a manager); no score is taken afterwards."""
    if actor is None or not (
        actor.pk == session.created_by_id or user_is_inspection_manager(actor)
    ):
        raise PermissionDenied("only the session's creator or a manager closes it")
    session = CalibrationSession.objects.select_for_update().get(pk=session.pk)
    if session.closed_at is not None:
        raise Conflict("the calibration session is already closed", field="session")
    session.closed_at = now()
    session.save(update_fields=["closed_at"])
    audit_record(
        actor=actor,
        verb="calibration.close",
        target=session,
        after={"closed_at": session.closed_at, "scores": session.scores.count()},
    )
    return session

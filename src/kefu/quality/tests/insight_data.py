"""Builders for the insight and suggestion tests (QA-3, QA-4, QA-5): contacts with customer and
agent turns, automatic checks with findings, inspections with a result."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.test import Client
from django.utils import timezone

from kefu.accounts.roles import Role
from kefu.accounts.services import api_token_create
from kefu.channels.models import Contact, ContactSegment
from kefu.quality.models import AutoCheck, Inspection, Scorecard
from kefu.tests_support import factories

_numbers = itertools.count(1)


def client_for(user: Any) -> Client:
    _, key = api_token_create(actor=None, user=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def trainer() -> Any:
    return factories.UserFactory(username="trainer", roles=[Role.TRAINER])


def moment(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour)).replace(tzinfo=timezone.get_current_timezone())


def contact(
    *,
    agent: Any = None,
    at: dt.datetime,
    turns: list[tuple[str, str]] = (),  # type: ignore[assignment]
    team: Any = None,
    ended: bool = True,
) -> Contact:
    number = next(_numbers)
    row = Contact.objects.create(
        kind="call",
        external_id=f"insight-{number}",
        agent=agent,
        state="ended" if ended else "active",
        team=team,
        created_at=at,
        updated_at=at,
        ended_at=at + dt.timedelta(minutes=5) if ended else None,
    )
    ContactSegment.objects.bulk_create(
        ContactSegment(contact=row, speaker=speaker, start=i * 5.0, end=i * 5.0 + 4, text=text)
        for i, (speaker, text) in enumerate(turns)
    )
    return row


def finding(
    category: str, evidence: str = "", suggestion: str = "", standard: str = "SCR-2"
) -> dict[str, Any]:
    return {
        "standard": standard,
        "category": category,
        "segment": 1,
        "evidence": evidence,
        "suggestion": suggestion,
        "rule": category,
        "span": [0, len(evidence)] if evidence else None,
        "detail": {},
        "speaker": "agent",
        "text": evidence,
    }


def auto_check(row: Contact, findings: list[dict[str, Any]], *, at: dt.datetime) -> AutoCheck:
    return AutoCheck.objects.create(
        contact=row,
        findings=findings,
        dimensions={},
        score=100.0 - 10 * len(findings),
        rules_version="1:test",
        checked_at=at,
    )


def inspection(
    *,
    agent: Any,
    passed: bool,
    at: dt.datetime,
    state: str = "scored",
    failed_items: list[str] = (),  # type: ignore[assignment]
) -> Inspection:
    row = contact(agent=agent, at=at)
    return Inspection.objects.create(
        contact=row,
        agent=agent,
        team=getattr(agent, "team", None),
        scorecard=Scorecard.objects.order_by("id")[0],
        reason="sample",
        state=state,
        score=90.0 if passed else 60.0,
        passed=passed,
        scored_at=at,
        created_at=at,
        updated_at=at,
        result={
            "items": [
                {"title": title, "dimension": "script", "failed": True, "fatal": False}
                for title in failed_items
            ],
            "passed": passed,
        },
    )

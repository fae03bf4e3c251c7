"""The monthly "script update and training topics" list (QA-5, IMP-1, SCR-4, TRN-2).

On the first of each month (:mod:`kefu.quality.insight_tasks`), or when someone asks, the
previous month's findings are turned into :class:`ImprovementSuggestion` rows:

- a *script* suggestion for each of the most frequent violation categories, with the
  recommended replacement (SCR-2) and example evidence — title ``话术更新：推诿``;
- a *training* suggestion for the most frequent violations, the most often failed scorecard
  items and the most frequent customer topics — titles ``培训：…`` and ``业务培训：…``.

Drawing is idempotent: a month has one row per kind and title; drawing again refreshes the
figures of rows still proposed and leaves decided ones alone. A trainer, QA specialist or
manager accepts a suggestion into the script library (:mod:`kefu.knowledge`) or the training
plan (:mod:`kefu.people`), editing it first, or dismisses it: proposed → accepted | dismissed,
nothing else (409).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction

from kefu.audit.services import audit_record
from kefu.core.errors import InvalidInput, PermissionDenied, TransitionNotAllowed
from kefu.core.timeutils import local_date, now
from kefu.knowledge.models import ScriptStage
from kefu.knowledge.services import script_create
from kefu.people.services import month_start, training_topic_create
from kefu.quality.insight_selectors import customer_topics, frequent_violations
from kefu.quality.models import ImprovementSuggestion, SuggestionKind, SuggestionState
from kefu.quality.services import rules_data

# How many of each the monthly list proposes.
SCRIPT_TOP = 5
TRAINING_VIOLATIONS_TOP = 3
TRAINING_ITEMS_TOP = 2
TRAINING_TOPICS_TOP = 2
DETAIL_LIMIT = 4_000

TRANSITIONS: dict[str, frozenset[str]] = {
    SuggestionState.PROPOSED: frozenset({SuggestionState.ACCEPTED, SuggestionState.DISMISSED}),
    SuggestionState.ACCEPTED: frozenset(),
    SuggestionState.DISMISSED: frozenset(),
}

# The Chinese name of each engine category: suggestion titles are data (unique per month), so
# they do not follow the reader's language.
CATEGORY_NAMES = {
    "shirking": "推诿",
    "vague_promise": "模糊承诺",
    "doubting_customer": "质疑客户",
    "blunt": "生硬话术",
    "impatience": "不耐烦语气",
    "missing_greeting": "缺少开场问候",
    "missing_restatement": "未复述客户需求",
    "missing_satisfaction_check": "未确认满意度",
    "missing_closing": "缺少结束语",
    "no_empathy": "缺少共情安抚",
    "speech_rate": "语速不当",
    "long_silence": "长时间静音",
    "long_hold": "等待超时",
    "interruption": "打断客户",
}
# The conversation stage (SCR-4) whose script answers a category.
CATEGORY_STAGES = {
    "missing_greeting": ScriptStage.OPENING,
    "missing_restatement": ScriptStage.NEED_CONFIRMATION,
    "no_empathy": ScriptStage.EMPATHY,
    "shirking": ScriptStage.ANSWER,
    "vague_promise": ScriptStage.ANSWER,
    "doubting_customer": ScriptStage.ANSWER,
    "blunt": ScriptStage.ANSWER,
    "impatience": ScriptStage.ANSWER,
    "missing_satisfaction_check": ScriptStage.CLOSING,
    "missing_closing": ScriptStage.CLOSING,
}


def category_name(category: str) -> str:
    """A category's Chinese name: the built-in one, the rule's own label, or its key."""
    if category in CATEGORY_NAMES:
        return CATEGORY_NAMES[category]
    for rule in rules_data().get("forbidden", []) or []:
        if isinstance(rule, dict) and rule.get("category") == category and rule.get("label"):
            return str(rule["label"])
    return category


def _month_period(month: Any) -> tuple[dt.date, dt.date]:
    first = month_start(month)
    today = local_date(now())
    if first > today:
        raise InvalidInput("the month has not begun", field="month")
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, min(following - dt.timedelta(days=1), today)


def _next_month(month: dt.date) -> dt.date:
    return (month + dt.timedelta(days=32)).replace(day=1)


def _script_rows(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for row in [v for v in violations if v["suggestion"]][:SCRIPT_TOP]:
        name = category_name(row["category"])
        avoid = "、".join(f"“{phrase}”" for phrase in row["phrases"][:3])
        lines = [f"推荐话术：{row['suggestion']}"]
        if avoid:
            lines.append(f"避免：{avoid}")
        lines.append(
            f"本月 {row['count']} 次，涉及 {row['contacts']} 通联络（占已检 {row['share']}%）。"
        )
        rows.append(
            {
                "kind": SuggestionKind.SCRIPT,
                "title": f"话术更新：{name}",
                "detail": "\n".join(lines),
                "evidence": {
                    "source": "violation",
                    "category": row["category"],
                    "standard": row["standard"],
                    "stage": CATEGORY_STAGES.get(row["category"], ScriptStage.OTHER),
                    "replacement": row["suggestion"],
                    "phrases": row["phrases"],
                    "count": row["count"],
                    "contacts": row["contacts"],
                    "share": row["share"],
                    "examples": row["examples"],
                },
            }
        )
    return rows


def _training_rows(
    violations: list[dict[str, Any]],
    failed_items: list[dict[str, Any]],
    keywords: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for row in violations[:TRAINING_VIOLATIONS_TOP]:
        name = category_name(row["category"])
        seen.add(name)
        detail = f"常见质检问题（{row['standard'] or 'QA-3'}）：本月 {row['count']} 次，涉及 {row['contacts']} 通联络。"
        if row["suggestion"]:
            detail += f"\n推荐做法：{row['suggestion']}"
        rows.append(
            {
                "kind": SuggestionKind.TRAINING,
                "title": f"培训：{name}",
                "detail": detail,
                "evidence": {
                    "source": "violation",
                    "category": row["category"],
                    "count": row["count"],
                    "contacts": row["contacts"],
                    "share": row["share"],
                    "examples": row["examples"],
                },
            }
        )
    for item in failed_items[:TRAINING_ITEMS_TOP]:
        if item["title"] in seen:
            continue
        seen.add(item["title"])
        rows.append(
            {
                "kind": SuggestionKind.TRAINING,
                "title": f"培训：{item['title']}",
                "detail": (
                    f"评分表项目“{item['title']}”本月在 {item['count']} 次质检中未达标"
                    f"（占 {item['share']}%）。"
                ),
                "evidence": {"source": "scorecard_item", **item},
            }
        )
    for keyword in keywords[:TRAINING_TOPICS_TOP]:
        rows.append(
            {
                "kind": SuggestionKind.TRAINING,
                "title": f"业务培训：{keyword['term']}",
                "detail": (
                    f"客户高频话题“{keyword['term']}”：本月 {keyword['contacts']} 通联络提及。"
                    "建议更新相关业务知识并组织培训。"
                ),
                "evidence": {
                    "source": "customer_topic",
                    "term": keyword["term"],
                    "contacts": keyword["contacts"],
                    "count": keyword["count"],
                    "examples": keyword["examples"],
                },
            }
        )
    return rows


def _may_draw(actor: Any) -> bool:
    # None is the monthly task (the system); a person needs the permission.
    return actor is None or (
        actor.is_active and actor.has_perm("quality.add_improvementsuggestion")
    )


def _may_decide(actor: Any) -> bool:
    return (
        actor is not None
        and actor.is_active
        and actor.has_perm("quality.change_improvementsuggestion")
    )


@transaction.atomic
def suggestions_draw(*, actor: Any, month: dt.date) -> list[ImprovementSuggestion]:
    """Draw ``month``'s suggestions from its findings (QA-5); the month's rows, new and old.

    Idempotent: a row exists once per month, kind and title; a proposed row gets the new
    figures, an accepted or dismissed one is left as decided. Trainers, QA specialists,
    managers, or the monthly task (``actor=None``).
    """
    if not _may_draw(actor):
        raise PermissionDenied("only trainers, QA specialists and managers draw suggestions")
    first, last = _month_period(month)
    found = frequent_violations(start=first, end=last, limit=max(SCRIPT_TOP * 2, 10))
    topics = customer_topics(start=first, end=last, limit=TRAINING_TOPICS_TOP)
    drafts = _script_rows(found["violations"]) + _training_rows(
        found["violations"], found["failed_items"], topics["keywords"]
    )
    created = refreshed = 0
    for draft in drafts:
        draft["detail"] = draft["detail"][:DETAIL_LIMIT]
        draft["title"] = draft["title"][:200]
        row = ImprovementSuggestion.objects.filter(
            month=first, kind=draft["kind"], title=draft["title"]
        ).first()
        if row is None:
            try:
                with transaction.atomic():
                    ImprovementSuggestion.objects.create(
                        month=first, created_at=now(), state=SuggestionState.PROPOSED, **draft
                    )
                created += 1
                continue
            except IntegrityError:
                # A concurrent draw created it first: refresh it like any existing row.
                row = ImprovementSuggestion.objects.get(
                    month=first, kind=draft["kind"], title=draft["title"]
                )
        if row.state == SuggestionState.PROPOSED and (
            row.detail != draft["detail"] or row.evidence != draft["evidence"]
        ):
            ImprovementSuggestion.objects.filter(pk=row.pk, state=SuggestionState.PROPOSED).update(
                detail=draft["detail"], evidence=draft["evidence"]
            )
            refreshed += 1
    audit_record(
        actor=actor,
        verb="improvement_suggestion.draw",
        target=None,
        object_repr=f"suggestions {first:%Y-%m}",
        after={
            "month": first.isoformat(),
            "created": created,
            "refreshed": refreshed,
            "checked": found["checked"],
            "inspected": found["inspected"],
            "contacts_with_customer_text": topics["contacts"],
        },
    )
    return list(ImprovementSuggestion.objects.filter(month=first).order_by("kind", "id"))


def _decidable(actor: Any, suggestion: ImprovementSuggestion, to: str) -> ImprovementSuggestion:
    if not _may_decide(actor):
        raise PermissionDenied("only trainers, QA specialists and managers decide suggestions")
    locked = ImprovementSuggestion.objects.select_for_update().get(pk=suggestion.pk)
    if to not in TRANSITIONS[locked.state]:
        raise TransitionNotAllowed(f"the suggestion is already {locked.state}")
    return locked


def _decided(actor: Any, locked: ImprovementSuggestion, to: str, accepted_as: str = "") -> None:
    locked.state = to
    locked.decided_by = actor
    locked.decided_at = now()
    locked.accepted_as = accepted_as
    locked.save(update_fields=["state", "decided_by", "decided_at", "accepted_as"])


@transaction.atomic
def suggestion_accept(
    *,
    actor: Any,
    suggestion: ImprovementSuggestion,
    title: str | None = None,
    text: str | None = None,
    stage: str | None = None,
    category: str | None = None,
    replaces: str | None = None,
    month: dt.date | None = None,
    teams: Iterable[Any] = (),
    agents: Iterable[Any] = (),
) -> ImprovementSuggestion:
    """Accept a proposed suggestion (QA-5): a script suggestion becomes a script of the library
    (SCR-1, SCR-4), a training suggestion a topic of the training plan (TRN-2) — of the month
    after the one it was drawn from unless ``month`` is given. Anything not given is taken
    from the suggestion; ``text`` is the script's text or the topic's detail. Records what was
    created in ``accepted_as``. A decided suggestion is a 409."""
    locked = _decidable(actor, suggestion, SuggestionState.ACCEPTED)
    evidence = locked.evidence if isinstance(locked.evidence, dict) else {}
    created: Any
    if locked.kind == SuggestionKind.SCRIPT:
        phrases = evidence.get("phrases") or []
        created = script_create(
            actor=actor,
            stage=stage or str(evidence.get("stage") or ScriptStage.OTHER),
            title=title if title is not None else locked.title.split("：", 1)[-1],
            text=text if text is not None else str(evidence.get("replacement") or locked.detail),
            category=category if category is not None else str(evidence.get("category") or ""),
            replaces=replaces if replaces is not None else (str(phrases[0]) if phrases else ""),
            suggestion=locked,
        )
        label = f"knowledge.Script:{created.pk}"
    else:
        created = training_topic_create(
            actor=actor,
            month=month if month is not None else _next_month(locked.month),
            title=title if title is not None else locked.title,
            detail=text if text is not None else locked.detail,
            teams=teams,
            agents=agents,
            suggestion=locked,
        )
        label = f"people.TrainingTopic:{created.pk}"
    _decided(actor, locked, SuggestionState.ACCEPTED, label)
    audit_record(
        actor=actor,
        verb="improvement_suggestion.accept",
        target=locked,
        before={"state": SuggestionState.PROPOSED},
        after={"state": locked.state, "accepted_as": label},
    )
    return locked


@transaction.atomic
def suggestion_dismiss(
    *, actor: Any, suggestion: ImprovementSuggestion, reason: str = ""
) -> ImprovementSuggestion:
    """Dismiss a proposed suggestion (the reason goes to the audit trail). A decided
    suggestion is a 409."""
    if not isinstance(reason, str) or len(reason) > DETAIL_LIMIT:
        raise InvalidInput(f"at most {DETAIL_LIMIT} characters of text", field="reason")
    locked = _decidable(actor, suggestion, SuggestionState.DISMISSED)
    _decided(actor, locked, SuggestionState.DISMISSED)
    audit_record(
        actor=actor,
        verb="improvement_suggestion.dismiss",
        target=locked,
        before={"state": SuggestionState.PROPOSED},
        after={"state": locked.state, "reason": reason.strip()},
    )
    return locked

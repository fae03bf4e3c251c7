"""Writes of FAQ entries (TEC-2, TEC-5): a standard question, its similar questions (相似问法),
a Markdown answer, an optional linked article and category, and the channels where it may be
used (empty: every channel).

Trainers, QA specialists, managers and administrators keep the FAQ, and so does anyone granted
``knowledge.change_faq``; everyone on staff reads it. Every write is audited in its own
transaction; an edit of an older version than the stored one is refused (409).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction

from kefu.accounts.roles import Role
from kefu.accounts.selectors import user_has_role
from kefu.audit.services import audit_record
from kefu.core.errors import InvalidInput, PermissionDenied, StaleVersion
from kefu.core.timeutils import now
from kefu.knowledge.markdown import render_markdown
from kefu.knowledge.models import Article, Faq, FaqChannel, FaqSimilarQuestion, KnowledgeCategory
from kefu.knowledge.services import knowledge_text_clean

QUESTION_LIMIT = 300
ANSWER_LIMIT = 20_000
SIMILAR_LIMIT = 200  # similar questions per FAQ
SIMILAR_TEXT_LIMIT = 300
CATEGORY_NAME_LIMIT = 100
CATEGORY_DEPTH_LIMIT = 5
EDITABLE = ("question", "answer", "similar_questions", "category", "channels", "article")
EDITOR_ROLES = (Role.TRAINER, Role.QA_SPECIALIST, Role.MANAGER, Role.ADMIN)


def may_edit_faqs(user: Any) -> bool:
    """Trainers, QA specialists, managers, administrators, or ``knowledge.change_faq``."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.has_perm("knowledge.change_faq") or user_has_role(user, *EDITOR_ROLES)


def may_read_faqs(user: Any) -> bool:
    """Everyone on staff with an active account reads the FAQ."""
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def _require_editor(actor: Any) -> None:
    if not may_edit_faqs(actor):
        raise PermissionDenied(
            "only trainers, QA specialists, managers and administrators edit FAQs"
        )


def render_answer(markdown: str) -> str:
    """The answer as sanitized HTML (:func:`kefu.knowledge.markdown.render_markdown`)."""
    return render_markdown(markdown)


def clean_similar_questions(values: Any, *, question: str = "") -> list[str]:
    """Trimmed, without blanks, duplicates or the standard question itself, in given order;
    at most :data:`SIMILAR_LIMIT` of at most :data:`SIMILAR_TEXT_LIMIT` characters each."""
    if values is None:
        return []
    if isinstance(values, str):
        values = values.splitlines()
    if not isinstance(values, list | tuple):
        raise InvalidInput("must be a list of questions", field="similar_questions")
    seen = {question.strip()} if question else set()
    cleaned: list[str] = []
    for value in values:
        text = knowledge_text_clean(
            value, field="similar_questions", limit=SIMILAR_TEXT_LIMIT, required=False
        )
        if text and text not in seen:
            seen.add(text)
            cleaned.append(text)
    if len(cleaned) > SIMILAR_LIMIT:
        raise InvalidInput(
            f"at most {SIMILAR_LIMIT} similar questions per FAQ", field="similar_questions"
        )
    return cleaned


def clean_channels(values: Any) -> list[str]:
    """Known channels in their canonical order; an empty list means every channel."""
    if values is None:
        return []
    if not isinstance(values, list | tuple):
        raise InvalidInput("must be a list of channels", field="channels")
    unknown = [str(value) for value in values if value not in FaqChannel.values]
    if unknown:
        raise InvalidInput(
            f"unknown channel {', '.join(unknown)}; one of {', '.join(FaqChannel.values)}",
            field="channels",
        )
    return [channel for channel in FaqChannel.values if channel in values]


def category_path(category: KnowledgeCategory | None) -> str:
    """``售后/退换货`` for a category and its ancestors (empty for none)."""
    names: list[str] = []
    while category is not None and len(names) <= CATEGORY_DEPTH_LIMIT:
        names.append(category.name)
        category = category.parent
    return "/".join(reversed(names))


def split_category_path(path: str) -> list[str]:
    names = [name.strip() for name in (path or "").split("/")]
    if not any(names):
        return []
    if not all(names):
        raise InvalidInput("a category path has no empty parts", field="category")
    if len(names) > CATEGORY_DEPTH_LIMIT:
        raise InvalidInput(f"at most {CATEGORY_DEPTH_LIMIT} levels", field="category")
    for name in names:
        if len(name) > CATEGORY_NAME_LIMIT:
            raise InvalidInput(
                f"at most {CATEGORY_NAME_LIMIT} characters a level", field="category"
            )
    return names


@transaction.atomic
def category_create(*, actor: Any, path: str) -> KnowledgeCategory | None:
    """The category at ``path`` (``售后/退换货``), creating each missing level; None for an
    empty path. Existing levels are reused, so the call is idempotent."""
    if actor is not None:  # None: the operator at the command line (``kefu knowledge``)
        _require_editor(actor)
    parent: KnowledgeCategory | None = None
    for name in split_category_path(path):
        found = KnowledgeCategory.objects.filter(parent=parent, name=name).first()
        if found is None:
            found = KnowledgeCategory.objects.create(parent=parent, name=name)
            audit_record(
                actor=actor,
                verb="knowledge_category.create",
                target=found,
                after={"name": name, "parent": parent.pk if parent else None},
            )
        parent = found
    return parent


def _snapshot(faq: Faq) -> dict[str, Any]:
    return {
        "question": faq.question,
        "answer": faq.answer,
        "similar_questions": [s.text for s in faq.similar_questions.all()],
        "category": faq.category_id,
        "channels": list(faq.channels),
        "article": faq.article_id,
        "is_active": faq.is_active,
        "version": faq.version,
    }


def _clean(values: Mapping[str, Any], *, question: str) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    if "question" in values:
        cleaned["question"] = knowledge_text_clean(
            values["question"], field="question", limit=QUESTION_LIMIT
        )
    if "answer" in values:
        cleaned["answer"] = knowledge_text_clean(
            values["answer"], field="answer", limit=ANSWER_LIMIT
        )
    if "similar_questions" in values:
        cleaned["similar_questions"] = clean_similar_questions(
            values["similar_questions"], question=cleaned.get("question", question)
        )
    if "channels" in values:
        cleaned["channels"] = clean_channels(values["channels"])
    if "category" in values:
        category = values["category"]
        if category is not None and not isinstance(category, KnowledgeCategory):
            category = KnowledgeCategory.objects.filter(pk=category).first()
            if category is None:
                raise InvalidInput("no such category", field="category")
        cleaned["category"] = category
    if "article" in values:
        article = values["article"]
        if article is not None and not isinstance(article, Article):
            article = Article.objects.filter(pk=article).first()
            if article is None:
                raise InvalidInput("no such article", field="article")
        cleaned["article"] = article
    return cleaned


def _question_free(question: str, *, faq: Faq | None = None) -> None:
    taken = Faq.objects.filter(question=question)
    if faq is not None:
        taken = taken.exclude(pk=faq.pk)
    if taken.exists():
        raise InvalidInput("another FAQ already has this standard question", field="question")


def _set_similar(faq: Faq, texts: list[str]) -> None:
    faq.similar_questions.all().delete()
    FaqSimilarQuestion.objects.bulk_create([FaqSimilarQuestion(faq=faq, text=t) for t in texts])


@transaction.atomic
def faq_create(
    *,
    actor: Any,
    question: str,
    answer: str,
    similar_questions: Iterable[str] = (),
    category: KnowledgeCategory | int | None = None,
    channels: Iterable[str] = (),
    article: Article | int | None = None,
    is_active: bool = True,
) -> Faq:
    """Add an FAQ entry (TEC-2); its standard question is unique."""
    _require_editor(actor)
    fields = _clean(
        {
            "question": question,
            "answer": answer,
            "similar_questions": list(similar_questions),
            "category": category,
            "channels": list(channels),
            "article": article,
        },
        question="",
    )
    _question_free(fields["question"])
    similar = fields.pop("similar_questions")
    moment = now()
    faq = Faq.objects.create(
        **fields, is_active=is_active, created_by=actor, created_at=moment, updated_at=moment
    )
    _set_similar(faq, similar)
    audit_record(actor=actor, verb="faq.create", target=faq, after=_snapshot(faq))
    return faq


@transaction.atomic
def faq_update(
    *, actor: Any, faq: Faq, changes: Mapping[str, Any], version: int | None = None
) -> Faq:
    """Change any of :data:`EDITABLE` (and ``is_active``); ``version`` is the one the editor
    read — an older one is refused with 409. Nothing changed: nothing written."""
    _require_editor(actor)
    faq = Faq.objects.select_for_update().get(pk=faq.pk)
    if version is not None and version != faq.version:
        raise StaleVersion(
            f"this FAQ was changed meanwhile (version {faq.version}); reload and edit again",
            field="version",
        )
    unknown = set(changes) - set(EDITABLE) - {"is_active"}
    if unknown:
        raise InvalidInput("not editable", field=sorted(unknown)[0])
    fields = _clean(changes, question=faq.question)
    if "is_active" in changes:
        if not isinstance(changes["is_active"], bool):
            raise InvalidInput("must be true or false", field="is_active")
        fields["is_active"] = changes["is_active"]
    if "question" in fields:
        _question_free(fields["question"], faq=faq)
    before = _snapshot(faq)
    similar = fields.pop("similar_questions", None)
    for name, value in fields.items():
        setattr(faq, name, value)
    after_fields = {**before}
    after_fields.update({k: getattr(faq, k + "_id", getattr(faq, k)) for k in fields})
    if similar is not None:
        after_fields["similar_questions"] = similar
    if all(after_fields[key] == before[key] for key in before):
        return faq
    faq.version += 1
    faq.updated_at = now()
    faq.save()
    if similar is not None and similar != before["similar_questions"]:
        _set_similar(faq, similar)
    audit_record(actor=actor, verb="faq.update", target=faq, before=before, after=_snapshot(faq))
    return faq


def faq_deactivate(*, actor: Any, faq: Faq, version: int | None = None) -> Faq:
    """Take an FAQ out of the bot, search and assist; it stays for history."""
    return faq_update(actor=actor, faq=faq, changes={"is_active": False}, version=version)


def faq_activate(*, actor: Any, faq: Faq, version: int | None = None) -> Faq:
    return faq_update(actor=actor, faq=faq, changes={"is_active": True}, version=version)

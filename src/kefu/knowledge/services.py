"""Writes of the script library (SCR-1, SCR-4): add, edit, deactivate and reactivate a script.

Trainers, QA specialists and managers keep the library (``knowledge.add_script`` /
``knowledge.change_script``). A script may also be added by whoever may decide a monthly QA
suggestion (QA-5) when it comes from that suggestion (:mod:`kefu.quality.suggestions`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from kefu.audit.services import audit_record
from kefu.core.errors import InvalidInput, PermissionDenied, StaleVersion
from kefu.core.timeutils import now
from kefu.knowledge.models import Script, ScriptSource, ScriptStage

TITLE_LIMIT = 200
TEXT_LIMIT = 4_000
REPLACES_LIMIT = 500
CATEGORY_LIMIT = 64
EDITABLE = ("stage", "title", "text", "category", "replaces")


def _snapshot(script: Script) -> dict[str, Any]:
    return {
        "stage": script.stage,
        "title": script.title,
        "text": script.text,
        "category": script.category,
        "replaces": script.replaces,
        "is_active": script.is_active,
        "version": script.version,
    }


def knowledge_text_clean(value: Any, *, field: str, limit: int, required: bool = True) -> str:
    """Free text of the knowledge base: a string, trimmed, required unless told, bounded, no
    NUL; InvalidInput naming ``field`` otherwise (shared by scripts, articles and FAQs)."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput("must be text", field=field)
    value = value.strip()
    if required and not value:
        raise InvalidInput("must not be empty", field=field)
    if len(value) > limit:
        raise InvalidInput(f"at most {limit} characters", field=field)
    if "\x00" in value:
        raise InvalidInput("must not contain NUL characters", field=field)
    return value


def _clean(values: Mapping[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    if "stage" in values:
        if values["stage"] not in ScriptStage.values:
            raise InvalidInput(f"one of {', '.join(ScriptStage.values)}", field="stage")
        cleaned["stage"] = values["stage"]
    limits = {
        "title": (TITLE_LIMIT, True),
        "text": (TEXT_LIMIT, True),
        "category": (CATEGORY_LIMIT, False),
        "replaces": (REPLACES_LIMIT, False),
    }
    for name, (limit, required) in limits.items():
        if name in values:
            cleaned[name] = knowledge_text_clean(
                values[name], field=name, limit=limit, required=required
            )
    return cleaned


def _may_keep(actor: Any, codename: str) -> bool:
    return actor is not None and actor.is_active and actor.has_perm(f"knowledge.{codename}")


@transaction.atomic
def script_create(
    *,
    actor: Any,
    stage: str,
    title: str,
    text: str,
    category: str = "",
    replaces: str = "",
    suggestion: Any = None,
) -> Script:
    """Add a script to the library (SCR-4). With ``suggestion`` it records that it came from a
    monthly QA suggestion (QA-5); the caller decides that suggestion in the same transaction."""
    allowed = _may_keep(actor, "add_script") or (
        suggestion is not None
        and actor is not None
        and actor.has_perm("quality.change_improvementsuggestion")
    )
    if not allowed:
        raise PermissionDenied("only trainers, QA specialists and managers add scripts")
    fields = _clean(
        {"stage": stage, "title": title, "text": text, "category": category, "replaces": replaces}
    )
    moment = now()
    script = Script.objects.create(
        **fields,
        source=ScriptSource.QA_SUGGESTION if suggestion is not None else ScriptSource.MANUAL,
        suggestion=suggestion,
        created_by=actor,
        created_at=moment,
        updated_at=moment,
    )
    audit_record(
        actor=actor,
        verb="script.create",
        target=script,
        after={**_snapshot(script), "source": script.source, "suggestion": script.suggestion_id},
    )
    return script


@transaction.atomic
def script_update(
    *, actor: Any, script: Script, changes: Mapping[str, Any], version: int | None = None
) -> Script:
    """Edit a script's stage, title, text, category or replaced phrase; the version goes up
    and the audit trail keeps the previous wording. ``version`` (optional) is the version the
    editor saw: a newer stored version is a 409 (someone else edited it meanwhile)."""
    if not _may_keep(actor, "change_script"):
        raise PermissionDenied("only trainers, QA specialists and managers edit scripts")
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise InvalidInput(f"cannot change {', '.join(sorted(unknown))}", field=sorted(unknown)[0])
    fields = _clean(changes)
    locked = Script.objects.select_for_update().get(pk=script.pk)
    if version is not None and version != locked.version:
        raise StaleVersion(f"script is at version {locked.version}, not {version}")
    fields = {name: value for name, value in fields.items() if getattr(locked, name) != value}
    if not fields:
        return locked
    before = _snapshot(locked)
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.version += 1
    locked.updated_at = now()
    locked.save(update_fields=[*fields, "version", "updated_at"])
    audit_record(
        actor=actor, verb="script.update", target=locked, before=before, after=_snapshot(locked)
    )
    return locked


@transaction.atomic
def script_set_active(*, actor: Any, script: Script, active: bool) -> Script:
    """Deactivate a script (agents no longer see it) or bring it back. A repeat is a no-op."""
    if not _may_keep(actor, "change_script"):
        raise PermissionDenied("only trainers, QA specialists and managers change scripts")
    locked = Script.objects.select_for_update().get(pk=script.pk)
    if locked.is_active == active:
        return locked
    before = _snapshot(locked)
    locked.is_active = active
    locked.updated_at = now()
    locked.save(update_fields=["is_active", "updated_at"])
    audit_record(
        actor=actor,
        verb="script.activate" if active else "script.deactivate",
        target=locked,
        before=before,
        after=_snapshot(locked),
    )
    return locked

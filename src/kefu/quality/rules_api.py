"""The quality rules over HTTP (QA-3, SCR-2…5): ``GET`` and ``PUT /api/v1/qa/rules``.

The rules are the ``quality_rules`` section of the standard profile in force. ``PUT`` with
``{"rules": {...}, "note": "..."}`` saves them as a new profile version — only that section
changes. A bad rule answers 422 naming it (``quality_rules.forbidden.3.phrases``), unchanged
rules 409, a role that may not edit the rules 403 (QA specialists, managers and
administrators may).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import ConfigDict, Field

from kefu.core.errors import PermissionDenied
from kefu.core.schemas import InputSchema
from kefu.quality.rules_services import quality_rules_may_edit, quality_rules_update
from kefu.quality.services import rules_in_force

router = Router(tags=["quality"])


class RulesOut(Schema):
    profile_version: int = Field(description="the standard profile version in force")
    rules_version: str = Field(description="what an automatic check stores, p7:1:ab12cd34ef56")
    rules: dict[str, Any]


class RulesIn(InputSchema):
    # Only the rules: a body that also names parameters or milestones is refused (422).
    model_config = ConfigDict(extra="forbid")

    rules: dict[str, Any]
    note: str = Field(default="", max_length=180)
    profile_version: int | None = Field(
        default=None, description="the version the edit started from; 409 if it is not current"
    )


def _rules_out() -> dict[str, Any]:
    rules = rules_in_force()
    return {
        "profile_version": rules.profile_version,
        "rules_version": rules.version,
        "rules": rules.data,
    }


@router.get("", response=RulesOut, summary="The quality rules in force (standard profile)")
def rules_get(request: HttpRequest) -> dict[str, Any]:
    if not quality_rules_may_edit(request.user):
        raise PermissionDenied("only QA specialists, managers and administrators see the rules")
    return _rules_out()


@router.put("", response=RulesOut, summary="Save the quality rules as a new profile version")
def rules_put(request: HttpRequest, payload: RulesIn) -> dict[str, Any]:
    quality_rules_update(
        actor=request.user,
        rules=payload.rules,
        note=payload.note,
        base_version=payload.profile_version,
    )
    return _rules_out()

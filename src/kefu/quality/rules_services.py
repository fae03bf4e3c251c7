"""Editing the quality rules in the standard profile (QA-3, SCR-2…5).

The rules live in the ``quality_rules`` section of the standard profile document. Every change
is a new profile version written by :func:`kefu.standard.services.profile_version_create`
(validated, audited); here only that section is replaced — the parameters and milestones are
copied from the version in force, so a QA specialist cannot change an SLA number this way.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from django.db import transaction

from kefu.accounts.roles import Role
from kefu.accounts.selectors import user_has_role
from kefu.audit.services import audit_record
from kefu.core.errors import Conflict, InvalidInput, PermissionDenied, StaleVersion
from kefu.quality.defaults import DEFAULT_RULES
from kefu.quality.engine import DIMENSIONS
from kefu.standard.document import validate_quality_rules
from kefu.standard.models import ProfileVersion, StandardProfile
from kefu.standard.selectors import profile_current_version
from kefu.standard.services import profile_version_create

# Who edits the rules: QA specialists (QA-3), the manager, the administrator.
RULE_EDITOR_ROLES = (Role.QA_SPECIALIST, Role.MANAGER, Role.ADMIN)
# A new forbidden-phrase category deducts from the script dimension unless told otherwise.
FORBIDDEN_DIMENSION = "script"
# The numeric thresholds the rules page edits: (block, key) — None is the top level.
THRESHOLDS: tuple[tuple[str | None, str], ...] = (
    ("speech_rate", "min_cpm"),
    ("speech_rate", "max_cpm"),
    ("speech_rate", "min_seconds"),
    ("speech_rate", "min_chars"),
    ("silence", "max_seconds"),
    ("silence", "max_hold_seconds"),
    ("interruption", "min_overlap_seconds"),
    ("empathy", "exclamation_ratio"),
    ("stages", "opening_turns"),
    ("stages", "closing_turns"),
    (None, "max_gap"),
)
SWITCHES = ("speech_rate", "silence", "interruption")


def quality_rules_may_edit(user: Any) -> bool:
    return user_has_role(user, *RULE_EDITOR_ROLES)


def quality_rules_of(version: ProfileVersion) -> dict[str, Any]:
    """The rules of a profile version (the defaults when it predates the section)."""
    rules = version.document.get("quality_rules")
    return rules if isinstance(rules, dict) else copy.deepcopy(DEFAULT_RULES)


def _keys(rules: Mapping[str, Any], kind: str) -> dict[str, Any]:
    return {str(rule.get("key")): rule for rule in rules.get(kind, []) if isinstance(rule, Mapping)}


def _changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[str]]:
    """Which rules were added, removed or changed — for the note and the audit trail."""
    added: list[str] = []
    removed: list[str] = []
    changed: list[str] = []
    for kind in ("forbidden", "required"):
        old, new = _keys(before, kind), _keys(after, kind)
        added += [f"{kind}.{key}" for key in new if key not in old]
        removed += [f"{kind}.{key}" for key in old if key not in new]
        changed += [f"{kind}.{key}" for key in new if key in old and new[key] != old[key]]
    for name in sorted(set(before) | set(after)):
        if name not in ("forbidden", "required") and before.get(name) != after.get(name):
            changed.append(name)
    return {"added": added, "removed": removed, "changed": changed}


def _summary(changes: Mapping[str, list[str]]) -> str:
    parts = [
        f"{verb} {', '.join(names)}"
        for verb, names in (
            ("added", changes["added"]),
            ("removed", changes["removed"]),
            ("changed", changes["changed"]),
        )
        if names
    ]
    return "; ".join(parts)


@transaction.atomic
def quality_rules_update(
    *,
    actor: Any,
    rules: Any,
    note: str = "",
    base_version: int | None = None,
    profile_name: str = "default",
) -> ProfileVersion:
    """Save ``rules`` as the quality rules of a new standard profile version (QA-3).

    Only the ``quality_rules`` section changes: parameters and milestones are those of the
    version in force. ``base_version`` (the profile version the editor started from) guards
    against overwriting a change saved meanwhile (409). Unchanged rules are a Conflict; a bad
    rule is InvalidInput naming it (``quality_rules.forbidden.3.phrases``).
    """
    if not quality_rules_may_edit(actor):
        raise PermissionDenied("only QA specialists, managers and administrators edit the rules")
    # Lock the profile before reading the version in force: no parameter change is lost.
    profile = StandardProfile.objects.select_for_update().get(name=profile_name)
    current = profile_current_version(profile.name)
    if base_version is not None and base_version != current.number:
        raise StaleVersion(
            f"the rules were changed meanwhile (version {current.number}); reload and retry",
            field="profile_version",
        )
    cleaned = validate_quality_rules(rules)
    before = quality_rules_of(current)
    if cleaned == before and "quality_rules" in current.document:
        raise Conflict(
            f"the rules equal those of version {current.number}; nothing to save", field="rules"
        )
    changes = _changes(before, cleaned)
    summary = note.strip() or _summary(changes) or "the defaults written out"
    version = profile_version_create(
        actor=actor,
        profile=profile,
        document={**current.document, "quality_rules": cleaned},
        note=f"quality rules: {summary}"[:200],
    )
    audit_record(
        actor=actor,
        verb="quality.rules_update",
        target=version,
        before={"profile_version": current.number},
        after={"profile_version": version.number, **changes},
    )
    return version


# --- edits the rules page makes ----------------------------------------------------------------


def _lines(value: Any) -> list[str]:
    if isinstance(value, str):
        value = value.splitlines()
    return [str(item).strip() for item in value or [] if str(item).strip()]


def forbidden_rule_put(
    rules: Mapping[str, Any],
    rule: Mapping[str, Any],
    *,
    replaces: str | None = None,
    dimension: str = FORBIDDEN_DIMENSION,
) -> dict[str, Any]:
    """``rules`` with a forbidden-phrase rule added (or the one keyed ``replaces`` replaced).

    A category the scoring does not know yet joins ``dimension`` (SCR-2 phrases: script).
    """
    if dimension not in DIMENSIONS:
        raise InvalidInput(f"one of {', '.join(DIMENSIONS)}", field="dimension")
    result = copy.deepcopy(dict(rules))
    entry: dict[str, Any] = {
        "key": str(rule.get("key", "")).strip(),
        "standard": str(rule.get("standard", "") or "SCR-2").strip(),
        "category": str(rule.get("category", "")).strip(),
        "label": str(rule.get("label", "")).strip(),
        "phrases": _lines(rule.get("phrases")),
        "gaps": _lines(rule.get("gaps")),
        "standalone": _lines(rule.get("standalone")),
        "examples": _lines(rule.get("examples")),
        "negations": _lines(rule.get("negations")),
        "similarity": rule.get("similarity", 0.6),
        "suggestion": str(rule.get("suggestion", "")).strip(),
    }
    entry = {key: value for key, value in entry.items() if value not in ([], "") or key in ("key",)}
    forbidden = list(result.get("forbidden", []))
    if replaces is None:
        if entry["key"] in _keys(result, "forbidden"):
            raise InvalidInput(f"a rule named {entry['key']!r} exists", field="key")
        forbidden.append(entry)
    else:
        positions = [
            number
            for number, existing in enumerate(forbidden)
            if isinstance(existing, Mapping) and existing.get("key") == replaces
        ]
        if not positions:
            raise InvalidInput(f"no forbidden-phrase rule named {replaces!r}", field="key")
        forbidden[positions[0]] = entry
    result["forbidden"] = forbidden
    scoring = result.get("scoring")
    if isinstance(scoring, dict) and isinstance(scoring.get("dimensions"), dict):
        known = {name for members in scoring["dimensions"].values() for name in members}
        if entry.get("category") and entry["category"] not in known:
            scoring["dimensions"].setdefault(dimension, []).append(entry["category"])
    return result


def forbidden_rule_remove(rules: Mapping[str, Any], key: str) -> dict[str, Any]:
    """``rules`` without the forbidden-phrase rule ``key``."""
    result = copy.deepcopy(dict(rules))
    kept = [
        rule
        for rule in result.get("forbidden", [])
        if not (isinstance(rule, Mapping) and rule.get("key") == key)
    ]
    if len(kept) == len(result.get("forbidden", [])):
        raise InvalidInput(f"no forbidden-phrase rule named {key!r}", field="key")
    result["forbidden"] = kept
    return result


def thresholds_set(rules: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """``rules`` with the numeric thresholds (``speech_rate.min_cpm`` …) and the on/off switches
    (``speech_rate.enabled`` …) in ``values`` set."""
    result = copy.deepcopy(dict(rules))
    for block, key in THRESHOLDS:
        name = f"{block}.{key}" if block else key
        if name in values:
            target = result if block is None else result.setdefault(block, {})
            target[key] = values[name]
    for block in SWITCHES:
        name = f"{block}.enabled"
        if name in values:
            result.setdefault(block, {})["enabled"] = bool(values[name])
    return result

"""Reading the standard in force: the current version, a parameter, the milestones, YAML."""

from __future__ import annotations

from typing import Any

import yaml

from kefu.core.errors import NotFound
from kefu.standard.catalog import BY_KEY, PARAMETERS
from kefu.standard.document import milestone_target
from kefu.standard.models import ProfileVersion, StandardProfile

DEFAULT_PROFILE = "default"


def profile_get(name: str = DEFAULT_PROFILE) -> StandardProfile:
    profile = StandardProfile.objects.filter(name=name).first()
    if profile is None:
        raise NotFound(f"no standard profile named {name!r}")
    return profile


def profile_current_version(name: str = DEFAULT_PROFILE) -> ProfileVersion:
    version = (
        ProfileVersion.objects.select_related("profile")
        .filter(profile__name=name)
        .order_by("-number")
        .first()
    )
    if version is None:
        raise NotFound(f"standard profile {name!r} has no version")
    return version


def profile_version_get(name: str, number: int) -> ProfileVersion:
    version = (
        ProfileVersion.objects.select_related("profile")
        .filter(profile__name=name, number=number)
        .first()
    )
    if version is None:
        raise NotFound(f"standard profile {name!r} has no version {number}")
    return version


def standard_value(key: str, *, version: ProfileVersion | None = None) -> Any:
    """One parameter of the standard in force (or of ``version``)."""
    if key not in BY_KEY:
        raise KeyError(f"{key!r} is not a standard parameter")
    chosen = version or profile_current_version()
    return chosen.document["parameters"].get(key, BY_KEY[key].default)


def standard_rule_rows(version: ProfileVersion) -> list[dict[str, Any]]:
    """Every parameter and milestone with its rule ID, value and where kefu enforces it."""
    document = version.document
    rows = [
        {
            "rule": parameter.rule,
            "key": parameter.key,
            "title": parameter.title,
            "value": document["parameters"].get(parameter.key, parameter.default),
            "default": parameter.default,
            "enforced_by": parameter.enforced_by,
        }
        for parameter in PARAMETERS
    ]
    for milestone in document["milestones"]:
        rows.append(
            {
                "rule": milestone["rule"],
                "key": f"milestone:{milestone['key']}",
                "title": milestone["title"],
                "value": f"{milestone_target(document, milestone)} on {milestone['calendar']}",
                "default": "",
                "enforced_by": f"SLA clock ({milestone['start']} → {milestone['stop']})",
            }
        )
    return sorted(
        rows,
        key=lambda row: (row["rule"].split("-")[0], int(row["rule"].split("-")[1]), row["key"]),
    )


def profile_yaml(version: ProfileVersion) -> str:
    """The version as reviewable YAML: each parameter with its rule ID and meaning as a comment."""
    lines = [
        f"# kefu standard profile {version.profile.name!r}, version {version.number}",
        "# Edit and import with: kefu standard import FILE  (a new version is created)",
        f"profile: {version.profile.name}",
        f"version: {version.number}",
        "parameters:",
    ]
    for parameter in PARAMETERS:
        value = version.document["parameters"].get(parameter.key, parameter.default)
        rendered = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True).strip()
        rendered = rendered.removesuffix("\n...").removesuffix("...").strip()
        lines.append(f"  # {parameter.rule} {parameter.title}")
        lines.append(f"  {parameter.key}: {rendered}")
    milestones = yaml.safe_dump(
        {"milestones": version.document["milestones"]},
        allow_unicode=True,
        sort_keys=False,
        width=100,
    )
    text = "\n".join(lines) + "\n" + milestones
    if version.document.get("quality_rules") is not None:
        # QA-3, SCR-2…5: the quality rules (see docs/quality.md, "Rules in the standard profile").
        text += yaml.safe_dump(
            {"quality_rules": version.document["quality_rules"]},
            allow_unicode=True,
            sort_keys=False,
            width=100,
        )
    return text

"""Guarded state machines: an explicit allowed-transitions map and a refusal that says why."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kefu.core.errors import TransitionNotAllowed


def check_transition(
    *,
    allowed: Mapping[str, frozenset[str]],
    current: str,
    target: str,
    labels: Mapping[str, Any] | None = None,
    noun: str = "object",
) -> None:
    """Raise :class:`TransitionNotAllowed` unless ``current -> target`` is in ``allowed``."""
    if target not in allowed:
        raise TransitionNotAllowed(f"unknown {noun} status {target!r}", field="to")
    if target in allowed.get(current, frozenset()):
        return
    names = labels or {}
    options = sorted(allowed.get(current, frozenset()))
    hint = ", ".join(options) if options else "none: it is final"
    raise TransitionNotAllowed(
        f"a {noun} in status {str(names.get(current, current))!r} cannot move to "
        f"{str(names.get(target, target))!r}; allowed: {hint}",
        field="to",
    )

"""Free text a service accepts: trimmed, required or not, no NUL, bounded (a clear 422)."""

from __future__ import annotations

from typing import Any

from kefu.core.errors import InvalidInput


def text_input_clean(value: Any, field: str, *, required: bool = True, limit: int) -> str:
    """``value`` as trimmed text; InvalidInput naming ``field`` when it is missing (and
    required), holds a NUL character or is longer than ``limit`` characters."""
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise InvalidInput(f"{field} is required", field=field)
    if "\x00" in text:
        raise InvalidInput(f"{field} contains a NUL character", field=field)
    if len(text) > limit:
        raise InvalidInput(f"{field} is longer than {limit} characters", field=field)
    return text

"""Base types for API input: bounded ids and text that the databases can store."""

from __future__ import annotations

from typing import Annotated, Any

from ninja import Schema
from pydantic import Field, field_validator

# Primary keys are 64-bit signed integers in both databases; anything beyond is not an id and
# must be a 422, not an overflow inside the database driver.
MAX_ID = 2**63 - 1
ObjectId = Annotated[int, Field(ge=1, le=MAX_ID)]


def _find_nul(value: Any, path: str) -> str | None:
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = _find_nul(item, f"{path}.{key}" if path else str(key))
            if found:
                return found
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found = _find_nul(item, f"{path}.{index}" if path else str(index))
            if found:
                return found
    return None


class InputSchema(Schema):
    """Base of request bodies and queries: refuses NUL characters (PostgreSQL cannot store them)."""

    @field_validator("*", mode="after")
    @classmethod
    def _refuse_nul_characters(cls, value: Any) -> Any:
        if _find_nul(value, "value"):
            raise ValueError("text must not contain NUL characters")
        return value

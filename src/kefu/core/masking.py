"""Masked display of personal data: screens show 138****5678 unless the role may see more."""

from __future__ import annotations

import re


def mask_phone(value: str) -> str:
    digits = value.strip()
    if len(digits) <= 4:
        return "*" * len(digits)
    if len(digits) < 8:
        return digits[:1] + "*" * (len(digits) - 3) + digits[-2:]
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_email(value: str) -> str:
    local, sep, domain = value.partition("@")
    if not sep:
        return mask_generic(value)
    return (local[:1] + "***" if local else "***") + "@" + domain


def mask_id_number(value: str) -> str:
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_generic(value: str) -> str:
    if len(value) <= 4:
        return "*" * len(value)
    return value[:2] + "*" * (len(value) - 4) + value[-2:]


# -- masking of free text (SEC-3) --------------------------------------------------------------

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
# Seven or more digits, possibly split by spaces or hyphens (138 1234 5678), and the check
# letter X of a resident ID number.
_DIGITS = re.compile(r"(?<![0-9])[0-9](?:[ \-]?[0-9]){6,}(?:[Xx](?![A-Za-z]))?")


def _masked_digits(match: re.Match[str]) -> str:
    value = re.sub(r"[ \-]", "", match.group(0))
    if len(value) == 11 and value.startswith("1"):
        return mask_phone(value)
    if len(value) in (15, 18):
        return mask_id_number(value)
    return mask_generic(value)


def mask_personal_data(text: str) -> str:
    """``text`` with e-mail addresses and runs of seven or more digits (phone, ID and card
    numbers) masked as the screens show them — 138****5678 (SEC-3): conversation text shown to
    trainers and team leads (QA insights, the FAQ bot's unanswered questions) carries no
    personal data."""
    if not text:
        return ""
    text = _EMAIL.sub(lambda match: mask_email(match.group(0)), text)
    return _DIGITS.sub(_masked_digits, text)

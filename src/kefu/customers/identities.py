"""Normalising, validating and masking customer identities before they are hashed or shown."""

from __future__ import annotations

import re
import unicodedata

from django.db import models
from django.utils.translation import pgettext_lazy

from kefu.core.errors import InvalidInput
from kefu.core.masking import mask_email, mask_generic, mask_id_number, mask_phone


class IdentityKind(models.TextChoices):
    PHONE = "phone", pgettext_lazy("identity kind", "Phone")
    EMAIL = "email", pgettext_lazy("identity kind", "E-mail")
    WECHAT_OPENID = "wechat_openid", pgettext_lazy("identity kind", "WeChat OpenID")
    ID_NUMBER = "id_number", pgettext_lazy("identity kind", "ID number")


_PHONE_SEPARATORS = re.compile(r"[\s\-().]")
_PHONE = re.compile(r"^\+?[0-9]{5,20}$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
_OPENID = re.compile(r"^[A-Za-z0-9_-]{6,64}$")
_ID_NUMBER = re.compile(r"^[0-9A-Z]{6,30}$", re.ASCII)


def normalize_identity(kind: str, raw: str) -> str:
    """The canonical form of an identity; the same person always gives the same string.

    Phones keep digits only and drop the mainland country code, so "+86 138-0013-8000",
    "008613800138000" and "13800138000" are one identity.
    """
    # NFKC folds full-width digits and letters (１３８…, ＡＢＣ) into ASCII, so one phone
    # number typed on a Chinese keyboard is still one identity.
    value = unicodedata.normalize("NFKC", raw or "").strip()
    if not value:
        raise InvalidInput(f"{kind} is empty", field=kind)
    if kind == IdentityKind.PHONE:
        compact = _PHONE_SEPARATORS.sub("", value)
        if not _PHONE.match(compact):
            raise InvalidInput("not a phone number: use 5–20 digits, optionally with +", field=kind)
        digits = compact.lstrip("+")
        for prefix in ("0086", "86"):
            if digits.startswith(prefix) and len(digits) - len(prefix) == 11:
                digits = digits[len(prefix) :]
        return digits
    if kind == IdentityKind.EMAIL:
        lowered = value.lower()
        if len(lowered) > 254 or not _EMAIL.match(lowered):
            raise InvalidInput("not an e-mail address", field=kind)
        return lowered
    if kind == IdentityKind.WECHAT_OPENID:
        if not _OPENID.match(value):
            raise InvalidInput("a WeChat openid is 6–64 letters, digits, - or _", field=kind)
        return value
    if kind == IdentityKind.ID_NUMBER:
        upper = value.upper().replace(" ", "")
        if not _ID_NUMBER.match(upper):
            raise InvalidInput("an ID number is 6–30 digits or capital letters", field=kind)
        return upper
    raise InvalidInput(f"unknown identity kind {kind!r}", field="kind")


def mask_identity(kind: str, value: str) -> str:
    if kind == IdentityKind.PHONE:
        return mask_phone(value)
    if kind == IdentityKind.EMAIL:
        return mask_email(value)
    if kind == IdentityKind.ID_NUMBER:
        return mask_id_number(value)
    return mask_generic(value)


def guess_identity_kind(query: str) -> str | None:
    """What kind of identity a search box query looks like, if any."""
    text = unicodedata.normalize("NFKC", query).strip()
    if "@" in text:
        return IdentityKind.EMAIL
    compact = _PHONE_SEPARATORS.sub("", text)
    if _PHONE.match(compact) and len(compact.lstrip("+")) >= 7:
        return IdentityKind.PHONE
    return None

"""Model fields that keep personal data encrypted at rest (SEC-1)."""

from __future__ import annotations

from typing import Any

from django.db import models

from kefu.core.crypto import decrypt_text, encrypt_text


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token, readable in Python as plain text.

    Encryption is randomised, so the column cannot be searched or compared in SQL: pair it
    with a blind-index column for exact lookups.
    """

    description = "Text encrypted at rest"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt_text(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt_text(str(value))

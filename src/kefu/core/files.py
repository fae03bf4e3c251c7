"""Files kefu keeps under the data directory, encrypted at rest (SEC-1): attachments, recordings."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

from django.conf import settings

from kefu.core.crypto import encrypt_bytes


def encrypted_file_write(folder: str, content: bytes, moment: dt.datetime) -> tuple[str, Path]:
    """Write ``content`` encrypted to ``<data dir>/<folder>/YYYY/MM/<random>.bin``.

    Returns the name relative to ``folder`` and the path; the caller removes the file again if
    the record that refers to it is not written.
    """
    name = f"{moment:%Y/%m}/{uuid.uuid4().hex}.bin"
    path = Path(settings.DATA_DIR) / folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(encrypt_bytes(content))
    return name, path

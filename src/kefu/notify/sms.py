"""The SMS adapter interface and the logging adapter used until a gateway is configured.

A gateway adapter is a class with ``send(*, to, body, reference)`` named by
``KEFU_SMS_BACKEND``; it raises on failure (the outbox retries) and may use ``reference``
(stable per outbox message) to refuse a duplicate on its side.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from kefu.core.masking import mask_phone
from kefu.core.timeutils import now

logger = logging.getLogger("kefu.sms")
SMS_MAX_CHARS = 500


class SmsBackend(Protocol):
    def send(self, *, to: str, body: str, reference: str) -> None: ...


class LoggingSmsBackend:
    """Writes each SMS as one JSON line to ``<data dir>/sms/YYYY-MM-DD.jsonl`` and to the log.

    The line holds the masked number, the reference, the length and a digest of the text: a
    record that the message left, not a second copy of the customer's personal data (the text
    itself stays in the outbox, where the screens show it to those allowed).
    """

    def send(self, *, to: str, body: str, reference: str) -> None:
        moment = now()
        folder = Path(settings.DATA_DIR) / "sms"
        folder.mkdir(parents=True, exist_ok=True)
        line = {
            "at": moment.isoformat(),
            "to": mask_phone(to),
            "reference": reference,
            "characters": len(body),
            "sha256": hashlib.sha256(body.encode("utf-8")).hexdigest()[:16],
        }
        with (folder / f"{moment:%Y-%m-%d}.jsonl").open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")
        logger.info("SMS %s to %s (%d characters)", reference, mask_phone(to), len(body))


def sms_backend() -> SmsBackend:
    backend: type[SmsBackend] = import_string(settings.KEFU_SMS_BACKEND)
    return backend()

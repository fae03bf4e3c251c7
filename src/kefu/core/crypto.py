"""Encryption of personal data at rest and the keyed-hash blind index used to look it up (SEC-1).

Keys come from ``KEFU_FIELD_KEYS``: a comma-separated list of 32-byte URL-safe base64 keys.
The first key encrypts; every key can decrypt, so a key is rotated by putting a new one in
front. The *last* key also seeds the blind-index key, so it stays in the list for as long as
the stored lookup hashes must keep matching.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


class DecryptionError(RuntimeError):
    """Stored ciphertext cannot be read with any configured key."""


@lru_cache(maxsize=4)
def _cipher(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode("ascii")) for key in keys])


@lru_cache(maxsize=4)
def _blind_index_key(seed: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"kefu blind index v1"
    ).derive(seed.encode("ascii"))


def _keys() -> tuple[str, ...]:
    return tuple(settings.KEFU_FIELD_KEYS)


def encrypt_text(plain: str) -> str:
    return _cipher(_keys()).encrypt(plain.encode("utf-8")).decode("ascii")


def decrypt_text(token: str) -> str:
    try:
        return _cipher(_keys()).decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken:
        raise DecryptionError("stored value cannot be decrypted with KEFU_FIELD_KEYS") from None


def encrypt_bytes(plain: bytes) -> bytes:
    return _cipher(_keys()).encrypt(plain)


def decrypt_bytes(token: bytes) -> bytes:
    try:
        return _cipher(_keys()).decrypt(token)
    except InvalidToken:
        raise DecryptionError("stored file cannot be decrypted with KEFU_FIELD_KEYS") from None


def blind_index(normalized: str) -> str:
    """Keyed hash of an already normalized value: equal inputs give equal hashes, nothing else."""
    key = _blind_index_key(_keys()[-1])
    return hmac.new(key, normalized.encode("utf-8"), hashlib.sha256).hexdigest()

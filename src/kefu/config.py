"""Configuration from the environment (12-factor), with fail-fast secrets.

Every setting kefu reads from the environment is read here and nowhere else. On an embedded
(non-production) first run the secret key and the field-encryption keys are generated into the
data directory with mode 0600; with ``KEFU_ENV=production`` kefu refuses to start without them
and says which one is missing.
"""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


class ConfigurationError(RuntimeError):
    """Raised when the environment cannot describe a runnable kefu."""


TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ConfigurationError(f"{name} must be one of 1/0/true/false/yes/no/on/off, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be an integer, not {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def new_field_key() -> str:
    """A fresh 32-byte key in URL-safe base64 (the Fernet key format)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")


def _read_or_create_secret(path: Path, make: Callable[[], str], *, create: bool) -> str | None:
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    if not create:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    value: str = make()
    # Create with 0600 from the start so the key is never readable by others, even briefly.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value + "\n")
    return value


@dataclass(frozen=True)
class KefuConfig:
    """The resolved environment of one kefu process."""

    env: str
    data_dir: Path
    database_url: str | None
    redis_url: str | None
    secret_key: str
    field_keys: list[str]
    debug: bool
    allowed_hosts: list[str]
    time_zone: str
    language: str

    @property
    def is_production(self) -> bool:
        return self.env == "production"


def load_config() -> KefuConfig:
    env = os.environ.get("KEFU_ENV", "development").strip().lower() or "development"
    if env not in {"development", "production", "test"}:
        raise ConfigurationError(f"KEFU_ENV must be development, production or test, not {env!r}")
    production = env == "production"
    data_dir = Path(os.environ.get("KEFU_DATA_DIR", "./kefu-data")).expanduser().resolve()
    if not production:
        # The data dir holds keys and personal data: only the service account may enter it.
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)

    secret_key = os.environ.get("KEFU_SECRET_KEY", "").strip() or _read_or_create_secret(
        data_dir / "secret_key", lambda: secrets.token_urlsafe(50), create=not production
    )
    raw_keys = os.environ.get("KEFU_FIELD_KEYS", "").strip() or _read_or_create_secret(
        data_dir / "field_keys", new_field_key, create=not production
    )
    missing = [
        name
        for name, value in (("KEFU_SECRET_KEY", secret_key), ("KEFU_FIELD_KEYS", raw_keys))
        if not value
    ]
    if missing:
        raise ConfigurationError(
            "KEFU_ENV=production requires " + " and ".join(missing) + " to be set "
            "(generate a field key with: kefu keys generate)"
        )
    assert secret_key is not None and raw_keys is not None
    field_keys = [key.strip() for key in raw_keys.split(",") if key.strip()]
    for index, key in enumerate(field_keys):
        try:
            decoded = base64.urlsafe_b64decode(key.encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            decoded = b""
        if len(decoded) != 32:
            raise ConfigurationError(
                f"KEFU_FIELD_KEYS entry {index + 1} is not a URL-safe base64 32-byte key"
            )

    debug = env_bool("KEFU_DEBUG", default=False)
    default_hosts = [] if production else ["localhost", "127.0.0.1", "[::1]", "testserver"]
    allowed_hosts = env_list("KEFU_ALLOWED_HOSTS", default_hosts)
    if production and not allowed_hosts:
        raise ConfigurationError("KEFU_ENV=production requires KEFU_ALLOWED_HOSTS")

    return KefuConfig(
        env=env,
        data_dir=data_dir,
        database_url=os.environ.get("KEFU_DATABASE_URL", "").strip() or None,
        redis_url=os.environ.get("KEFU_REDIS_URL", "").strip() or None,
        secret_key=secret_key,
        field_keys=field_keys,
        debug=debug,
        allowed_hosts=allowed_hosts,
        time_zone=os.environ.get("KEFU_TIME_ZONE", "Asia/Shanghai").strip() or "Asia/Shanghai",
        language=os.environ.get("KEFU_LANGUAGE", "zh-hans").strip() or "zh-hans",
    )


def smtp_settings(url: str, mail_dir: Path) -> dict[str, object]:
    """Django e-mail settings from ``KEFU_SMTP_URL``; without one, a file mailbox in the data dir."""
    from urllib.parse import parse_qs, unquote, urlsplit

    if not url:
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(mail_dir),
        }
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise ConfigurationError("KEFU_SMTP_URL must start with smtp:// or smtps://")
    if not parts.hostname:
        raise ConfigurationError(
            "KEFU_SMTP_URL needs a host, e.g. smtp://mail.example.com:587?starttls"
        )
    query = parse_qs(parts.query, keep_blank_values=True)
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": parts.port or (465 if parts.scheme == "smtps" else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_SSL": parts.scheme == "smtps",
        "EMAIL_USE_TLS": parts.scheme == "smtp" and "starttls" in query,
        "EMAIL_TIMEOUT": 20,
    }

"""Settings for the test suite: a throw-away data dir, fast hashing, tasks run inline."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("KEFU_ENV", "test")
os.environ.setdefault("KEFU_DATA_DIR", tempfile.mkdtemp(prefix="kefu-test-"))

from kefu.settings import *  # noqa: F403
from kefu.settings import HUEY

# Argon2 is deliberately slow; tests only need a hasher that round-trips.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
HUEY = {**HUEY, "immediate": True}
# Each test process keeps its own cache (tests clear it; nothing leaks between workers).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

"""The worker's task store: SQLite in the data dir by default, Redis when KEFU_REDIS_URL is set."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest

PROBE = """
import django, json
django.setup()
from django.conf import settings
from django.utils.module_loading import autodiscover_modules
from huey.contrib.djhuey import HUEY
autodiscover_modules("tasks")  # what `kefu worker` (run_huey) does at start
print(json.dumps({"cls": type(HUEY).__name__, "store": type(HUEY.storage).__name__, "periodic": sorted(t.name for t in HUEY._registry.periodic_tasks)}))

"""


def _probe(tmp_path, **env: str) -> dict[str, Any]:
    import json

    environment = {
        **{key: value for key, value in os.environ.items() if key != "KEFU_REDIS_URL"},
        "DJANGO_SETTINGS_MODULE": "kefu.settings",
        "KEFU_DATA_DIR": str(tmp_path),
        "KEFU_ENV": "development",
        **env,
    }
    completed = subprocess.run(
        [sys.executable, "-c", PROBE], env=environment, capture_output=True, text=True, check=True
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_sqlite_task_store_by_default_with_the_periodic_tasks(tmp_path):
    found = _probe(tmp_path)
    assert found["cls"] == "SqliteHuey"
    assert {"sweep_clocks", "retry_outbox", "purge_expired_sessions"} <= set(found["periodic"])


def test_redis_task_store_when_configured(tmp_path):
    redis = pytest.importorskip("redis")
    url = os.environ.get("KEFU_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.exceptions.RedisError:
        pytest.skip(f"Redis not reachable at {url}")
    found = _probe(tmp_path, KEFU_REDIS_URL=url)
    assert found["cls"] == "RedisHuey"

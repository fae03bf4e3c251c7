"""Housekeeping that the worker runs on a schedule."""

from __future__ import annotations

from django.core.management import call_command
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from kefu.core.taskruns import recorded_run


@db_periodic_task(crontab(hour="3", minute="17"))
def purge_expired_sessions() -> None:
    """Delete expired login sessions every night so the session table does not grow forever."""
    with recorded_run("core.purge_expired_sessions"):
        call_command("clearsessions")

"""Periodic work of inspections by people (QA-2): a scored inspection whose appeal window has
passed becomes final. :mod:`kefu.quality.tasks` imports this module so huey registers it."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from kefu.core.taskruns import recorded_run
from kefu.core.timeutils import now


@db_periodic_task(crontab(minute="*/15"))
def finalize_expired_inspections() -> None:
    """Every 15 minutes: scored inspections past their appeal deadline → final."""
    from kefu.quality.inspection_services import inspections_finalize_expired

    with recorded_run("quality.finalize_expired_inspections") as run:
        run.counts["finalized"] = inspections_finalize_expired(now=now())

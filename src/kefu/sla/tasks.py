"""The SLA sweeper runs every minute in the worker (HND-8)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from kefu.core.taskruns import recorded_run
from kefu.sla.services import sla_sweep


@db_periodic_task(crontab(minute="*"))
@lock_task("sla-sweep")
def sweep_clocks() -> None:
    with recorded_run("sla.sweep") as run:
        run.counts.update(sla_sweep())

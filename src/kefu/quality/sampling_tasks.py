"""The daily sampling (QA-2): shortly after midnight every active plan runs for its last
complete period, once (huey loads this module through :mod:`kefu.quality.tasks`)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from kefu.core.taskruns import recorded_run


# Checked every hour at :20 rather than once at a fixed hour: huey matches crontabs in UTC,
# while the periods end at midnight in the center's time zone. A plan runs only when its last
# complete period has no run yet, so this runs each plan once, in the first hour after its
# period ends (00:20 Asia/Shanghai), and catches up after the worker was down.
@db_periodic_task(crontab(minute="20"))
def run_sampling_plans() -> None:
    """Run each active sampling plan for its last complete day, week or month if not yet run."""
    from kefu.quality.sampling_services import sampling_run_due

    with recorded_run("quality.run_sampling_plans") as run:
        runs = sampling_run_due()
        run.counts["runs"] = len(runs)
        run.counts["inspections"] = sum(int(r.stats.get("added", 0)) for r in runs)

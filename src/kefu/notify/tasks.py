"""Background delivery of the outbox: right after commit, and a periodic retry as a safety net."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from kefu.core.taskruns import recorded_run
from kefu.notify.services import outbox_deliver, outbox_retry_due


@db_task(retries=0)
def deliver_outbound_message(message_id: int) -> str:
    return outbox_deliver(message_id)


@db_periodic_task(crontab(minute="*"))
def retry_outbox() -> None:
    with recorded_run("notify.retry_outbox") as run:
        run.counts.update(outbox_retry_due())

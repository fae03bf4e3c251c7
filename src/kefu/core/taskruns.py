"""Every periodic run leaves a row: when it started and ended, how it went, what it counted."""

from __future__ import annotations

import contextlib
import traceback
from collections.abc import Iterator

from kefu.core.models import TaskRun
from kefu.core.timeutils import now


@contextlib.contextmanager
def recorded_run(name: str) -> Iterator[TaskRun]:
    """Record one run of a scheduled job; an exception is stored and re-raised."""
    run = TaskRun.objects.create(
        name=name, started_at=now(), outcome=TaskRun.Outcome.RUNNING, counts={}
    )
    try:
        yield run
    except BaseException as exc:
        run.outcome = TaskRun.Outcome.FAILED
        run.error = "".join(traceback.format_exception_only(type(exc), exc))[:4000]
        run.finished_at = now()
        run.save(update_fields=["outcome", "error", "finished_at", "counts"])
        raise
    run.outcome = TaskRun.Outcome.SUCCEEDED
    run.finished_at = now()
    run.save(update_fields=["outcome", "finished_at", "counts"])

"""FAQ model builds in the worker (TEC-2, issue 8): never inside a request.

Registered with huey through ``kefu.knowledge.tasks`` (huey imports only the modules named
``tasks``). :func:`build_faq_model` is enqueued by :func:`kefu.assist.faq_answers.current_model`
when a request sees FAQ content newer than every model file; :func:`refresh_faq_model` is the
safety net every five minutes.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from kefu.core.taskruns import recorded_run


@db_task(retries=1, retry_delay=30)
@lock_task("assist-faq-model")
def build_faq_model() -> None:
    """Build and save the FAQ model for the current content (nothing when it exists)."""
    from kefu.assist.faq_answers import faq_model_build

    with recorded_run("assist.build_faq_model") as run:
        run.counts.update(faq_model_build())


@db_periodic_task(crontab(minute="*/5"))
@lock_task("assist-faq-model")
def refresh_faq_model() -> None:
    """Build the model when the FAQ content changed and no request asked for it."""
    from kefu.assist.faq_answers import content_stamp, faq_model_build, model_path

    if model_path(content_stamp()).exists():
        return  # no run row every five minutes when nothing changed
    with recorded_run("assist.refresh_faq_model") as run:
        run.counts.update(faq_model_build())

"""Assist work the worker runs on a schedule (huey discovers this module by its name)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

# Ticket classification (TEC-4) and the FAQ bot's model builds (TEC-2) have their tasks in
# classification_tasks and faq_tasks; huey imports only the modules named tasks.
from kefu.assist import classification_tasks, faq_tasks  # noqa: F401
from kefu.core.taskruns import recorded_run


# -- FAQ bot (TEC-2) -------------------------------------------------------------------------
@db_periodic_task(crontab(minute="*/5"))
def bot_close_idle_sessions() -> None:
    """End FAQ bot sessions idle for 30 minutes: answered or abandoned (the deflection report
    counts only ended sessions)."""
    from kefu.assist.bot_services import bot_sessions_close_idle
    from kefu.assist.models import BotOutcome, BotSession

    if not BotSession.objects.filter(outcome=BotOutcome.OPEN).exists():
        return  # no run row every five minutes for a center whose bot nobody uses
    with recorded_run("assist.bot_close_idle_sessions") as run:
        run.counts.update(bot_sessions_close_idle())

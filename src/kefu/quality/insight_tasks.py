"""The monthly draw of "script update and training topics" suggestions (QA-5, IMP-1): on the
1st of each month, for the month before. Loaded by :mod:`kefu.quality.tasks` (huey discovers
only ``tasks`` modules)."""

from __future__ import annotations

import datetime as dt

from django.db import DatabaseError, IntegrityError
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from kefu.core.taskruns import recorded_run
from kefu.core.timeutils import local_date, now


def previous_month(today: dt.date) -> dt.date:
    """The first day of the month before ``today``'s."""
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def suggestions_draw_previous_month() -> int:
    """Draw last month's suggestions; how many the month has. Last month's customer topics are
    mined once more for the center and each team lead's teams and kept in the cache (about a
    year for a closed month), so its insights are read back, not mined on each view (QA-3)."""
    from kefu.quality.insight_selectors import topics_keep_month
    from kefu.quality.suggestions import suggestions_draw

    month = previous_month(local_date(now()))
    with recorded_run("quality.suggestions_draw") as run:
        rows = suggestions_draw(actor=None, month=month)
        run.counts["month"] = f"{month:%Y-%m}"
        run.counts["suggestions"] = len(rows)
        run.counts["topic_scopes"] = topics_keep_month(month)
    return len(rows)


@db_task(retries=3, retry_delay=60)
def suggestions_draw_retry() -> int:
    """The draw again, later: another draw or a decision held the rows (concurrent edit)."""
    return suggestions_draw_previous_month()


@db_periodic_task(crontab(day="1", hour="2", minute="15"))
def draw_monthly_suggestions() -> None:
    """On the 1st, 02:15: last month's script update and training topics (QA-5)."""
    try:
        suggestions_draw_previous_month()
    except (IntegrityError, DatabaseError):
        # A concurrent draw or decision (or a locked SQLite database): the draw is idempotent,
        # so it is simply queued again with retries.
        suggestions_draw_retry()

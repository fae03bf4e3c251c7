"""Knowledge work the worker runs (huey discovers this module by its name; TEC-5, issue 8)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from kefu.core.taskruns import recorded_run


@db_periodic_task(crontab(minute="*"))
@lock_task("knowledge-search-index")
def refresh_search_index() -> None:
    """Build and save the search index when the content changed, so that searches (in every
    process) load it instead of building it."""
    from kefu.knowledge.search import content_stamp, index_path, index_refresh

    if index_path(content_stamp()).exists():
        return  # no run row every minute when nothing changed
    with recorded_run("knowledge.refresh_search_index") as run:
        run.counts.update(index_refresh())

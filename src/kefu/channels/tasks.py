"""Channel work the worker runs on a schedule (huey discovers this module by its name)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from kefu.channels.email.imap import mailboxes_poll_due
from kefu.core.taskruns import recorded_run


@db_periodic_task(crontab(minute="*"))
def poll_mailboxes() -> None:
    """Fetch new customer e-mail from the IMAP mailboxes whose poll interval has passed."""
    from kefu.channels.models import Mailbox

    if not Mailbox.objects.filter(enabled=True).exists():
        return  # no run row every minute for a center that receives mail by SMTP only
    with recorded_run("channels.poll_mailboxes") as run:
        run.counts.update(mailboxes_poll_due())

"""``kefu email``: poll IMAP mailboxes now, or take one mail from a file or standard input.

``kefu email poll [--mailbox NAME]`` fetches new mail at once (the worker does it on schedule);
``kefu email receive FILE|-`` stores one raw mail, e.g. from an MTA's pipe transport.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kefu.channels.email.imap import mailbox_poll, mailboxes_poll_due
from kefu.channels.email.inbound import email_receive
from kefu.channels.email.mime import MailRejected
from kefu.channels.models import Mailbox


class Command(BaseCommand):
    help = "Customer e-mail: poll IMAP mailboxes now, or receive one raw mail."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        poll = sub.add_parser("poll", help="fetch new mail from the IMAP mailboxes now")
        poll.add_argument("--mailbox", help="only this mailbox (its name)")
        receive = sub.add_parser("receive", help="store one raw mail (RFC 5322)")
        receive.add_argument("file", help="path of the mail, or - for standard input")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "poll":
            if options.get("mailbox"):
                mailbox = Mailbox.objects.filter(name=options["mailbox"]).first()
                if mailbox is None:
                    raise CommandError(f"no mailbox named {options['mailbox']!r}")
                counts = mailbox_poll(mailbox)
                mailbox.refresh_from_db()
                if mailbox.last_error:
                    self.stderr.write(mailbox.last_error)
            else:
                counts = mailboxes_poll_due(force=True)
            self.stdout.write(json.dumps(counts, ensure_ascii=False))
            return
        path = options["file"]
        if path == "-":
            raw = sys.stdin.buffer.read()
        else:
            try:
                with open(path, "rb") as handle:
                    raw = handle.read()
            except OSError as exc:
                raise CommandError(f"cannot read {path}: {exc}") from None
        try:
            result = email_receive(raw)
        except MailRejected as exc:
            raise CommandError(exc.smtp_reply) from None
        number = result.ticket.number if result.ticket is not None else None
        self.stdout.write(
            json.dumps(
                {"outcome": result.outcome, "message": result.message.pk, "ticket": number},
                ensure_ascii=False,
            )
        )

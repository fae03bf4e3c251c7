"""IMAP polling (TEC-7) against a real IMAP4rev1 server on 127.0.0.1 (see email_servers.py):
only new UIDs are fetched, UIDVALIDITY changes are handled, errors land in ``last_error``."""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP

import pytest
from django.core.management import call_command

from kefu.channels.email.imap import mailbox_poll, mailboxes_poll_due
from kefu.channels.models import ContactMessage, Mailbox, MailSecurity
from kefu.channels.tests.email_servers import ImapState, TinyImapServer
from kefu.tickets.models import Ticket


def raw_mail(number: int, *, reply_to: int | None = None) -> bytes:
    message = EmailMessage(policy=SMTP)
    message["From"] = f"客户{number} <customer{number}@example.com>"
    message["To"] = "service@kefu.test"
    message["Subject"] = f"问题 {number}"
    message["Message-ID"] = f"<imap-{number}@example.com>"
    if reply_to is not None:
        message["In-Reply-To"] = f"<imap-{reply_to}@example.com>"
    message.set_content(f"第 {number} 封邮件")
    return message.as_bytes()


@pytest.fixture
def imap(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    state = ImapState(username="kefu@example.com", password="s3cret-pass")
    state.mails = {3: raw_mail(1), 5: raw_mail(2)}
    with TinyImapServer(state) as server:
        yield server


@pytest.fixture
def mailbox(imap, team):
    return Mailbox.objects.create(
        name="客服信箱",
        host="127.0.0.1",
        port=imap.port,
        security=MailSecurity.PLAIN,
        username="kefu@example.com",
        password="s3cret-pass",
        team=team,
    )


@pytest.mark.django_db
def test_poll_fetches_new_mail_once(imap, mailbox, team):
    counts = mailbox_poll(mailbox)
    assert counts == {"fetched": 2, "refused": 0, "new_ticket": 2}
    mailbox.refresh_from_db()
    assert (mailbox.uid_validity, mailbox.last_uid, mailbox.last_error) == (7, 5, "")
    assert mailbox.last_polled_at is not None
    assert set(Ticket.objects.values_list("team", flat=True)) == {team.pk}
    assert "UID FETCH" in imap.state.commands and "EXAMINE" in imap.state.commands

    # Nothing new: nothing fetched (the server still answers "5:*" with UID 5).
    assert mailbox_poll(mailbox) == {"fetched": 0, "refused": 0}

    imap.state.mails[9] = raw_mail(3, reply_to=1)
    assert mailbox_poll(mailbox) == {"fetched": 1, "refused": 0, "follow_up": 1}
    mailbox.refresh_from_db()
    assert mailbox.last_uid == 9
    assert Ticket.objects.count() == 2 and ContactMessage.objects.count() == 3


@pytest.mark.django_db
def test_a_new_uid_validity_starts_over_without_duplicates(imap, mailbox):
    mailbox_poll(mailbox)
    imap.state.uid_validity = 8
    imap.state.mails = {1: raw_mail(1), 2: raw_mail(2), 3: raw_mail(4)}
    assert mailbox_poll(mailbox) == {"fetched": 3, "refused": 0, "duplicate": 2, "new_ticket": 1}
    mailbox.refresh_from_db()
    assert (mailbox.uid_validity, mailbox.last_uid) == (8, 3)
    assert Ticket.objects.count() == 3


@pytest.mark.django_db
def test_a_refused_mail_is_skipped_and_named(imap, mailbox):
    imap.state.mails[4] = b"From: nobody\r\nSubject: broken\r\n\r\nbody\r\n"
    counts = mailbox_poll(mailbox)
    assert counts == {"fetched": 3, "refused": 1, "new_ticket": 2}
    mailbox.refresh_from_db()
    assert mailbox.last_uid == 5
    assert mailbox.last_error.startswith("UID 4: the From address")


@pytest.mark.django_db
def test_wrong_password_is_recorded(imap, mailbox):
    mailbox.password = "wrong"
    mailbox.save()
    assert mailbox_poll(mailbox) == {"fetched": 0, "refused": 0}
    mailbox.refresh_from_db()
    assert "AUTHENTICATIONFAILED" in mailbox.last_error
    assert mailbox.last_uid == 0 and Ticket.objects.count() == 0


@pytest.mark.django_db
def test_a_password_imap_cannot_send_is_recorded(imap, mailbox):
    mailbox.password = "密码"
    mailbox.save()
    assert mailbox_poll(mailbox) == {"fetched": 0, "refused": 0}
    mailbox.refresh_from_db()
    assert "ASCII" in mailbox.last_error


@pytest.mark.django_db
def test_an_unreachable_server_is_recorded(mailbox, imap):
    imap.shutdown()
    imap.server_close()
    assert mailbox_poll(mailbox) == {"fetched": 0, "refused": 0}
    mailbox.refresh_from_db()
    assert mailbox.last_error.startswith("connect: ")


@pytest.mark.django_db
def test_password_is_encrypted_at_rest(mailbox):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT password FROM channels_mailbox WHERE id = %s", [mailbox.pk])
        stored = cursor.fetchone()[0]
    assert "s3cret" not in stored


@pytest.mark.django_db
def test_due_mailboxes_and_the_command(imap, mailbox, capsys):
    assert mailboxes_poll_due()["mailboxes"] == 1
    assert mailboxes_poll_due()["mailboxes"] == 0  # polled just now, not due again
    imap.state.mails[6] = raw_mail(6)
    call_command("email", "poll", "--mailbox", mailbox.name)
    assert '"new_ticket": 1' in capsys.readouterr().out
    assert Ticket.objects.count() == 3


@pytest.mark.django_db
def test_a_mail_that_cannot_be_stored_is_skipped_and_named(imap, mailbox, settings):
    """A mail whose storing fails (here: a misconfigured category refuses its new ticket) does
    not block the mail after it; its UID is named so an administrator can fetch it."""
    assert mailbox_poll(mailbox)["new_ticket"] == 2
    settings.KEFU_EMAIL_CATEGORY = "no.such.category"
    imap.state.mails[7] = raw_mail(7)  # a new thread: needs a new ticket, refused
    imap.state.mails[9] = raw_mail(8, reply_to=1)  # a follow-up: needs no new ticket
    counts = mailbox_poll(mailbox)
    assert counts == {"fetched": 2, "refused": 0, "failed": 1, "follow_up": 1}
    mailbox.refresh_from_db()
    assert mailbox.last_uid == 9
    assert mailbox.last_error.startswith("UID 7: skipped, kefu could not store it (InvalidInput")
    assert "fetch it from the folder" in mailbox.last_error
    assert ContactMessage.objects.count() == 3 and Ticket.objects.count() == 2
    # The skipped mail is not fetched again: the next poll finds nothing new.
    assert mailbox_poll(mailbox) == {"fetched": 0, "refused": 0}


@pytest.mark.django_db
def test_one_broken_mailbox_does_not_stop_the_others(imap, mailbox, team):
    # IMAP sends folder names as ASCII: this one makes imaplib itself fail.
    broken = Mailbox.objects.create(
        name="坏信箱",
        host="127.0.0.1",
        port=imap.port,
        security=MailSecurity.PLAIN,
        username="kefu@example.com",
        password="s3cret-pass",
        folder="收件箱",
        team=team,
    )
    totals = mailboxes_poll_due()
    assert totals["mailboxes"] == 2 and totals["failed_mailboxes"] == 1
    assert totals["new_ticket"] == 2
    broken.refresh_from_db()
    mailbox.refresh_from_db()
    assert broken.last_error.startswith("poll failed: UnicodeEncodeError")
    assert broken.last_polled_at is not None and broken.last_uid == 0
    assert (mailbox.last_uid, mailbox.last_error) == (5, "")

"""Polling IMAP mailboxes configured in admin (TEC-7).

Each poll logs in (SSL, STARTTLS or plain), opens the folder read-only and fetches only the
messages whose UID is above the mailbox's ``last_uid`` — nothing is deleted or flagged on the
server. When the folder's UIDVALIDITY changed, the UIDs mean something else now: the poll
starts again from the beginning (a mail seen before is then a duplicate by its Message-ID and
changes nothing). ``last_uid`` moves after every stored mail, so a failure half-way loses
nothing and repeats nothing. A mail kefu refuses (malformed, too large) is skipped and named in
``last_error``; so is a mail kefu failed to store for another reason (a misconfigured
``KEFU_EMAIL_CATEGORY``, a bug): it is skipped at once, and ``last_error`` names its UID so an
administrator can fetch it from the folder — one bad mail never blocks the ones after it. Only
an unavailable database (``OperationalError``) keeps the UID for the next poll. A connection or
login error is recorded in ``last_error`` and retried at the next poll; any other failure of
one mailbox is recorded on it and the other mailboxes are polled all the same.
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
import ssl
from typing import Any

from django.conf import settings
from django.db import OperationalError, transaction

from kefu.channels.email.inbound import email_receive
from kefu.channels.email.mime import MailRejected
from kefu.channels.models import Mailbox, MailSecurity
from kefu.core.timeutils import now

logger = logging.getLogger(__name__)
FETCH_LIMIT = 200  # per poll; the rest comes at the next one


def _connect(mailbox: Mailbox) -> imaplib.IMAP4:
    timeout = settings.KEFU_IMAP_TIMEOUT
    if mailbox.security == MailSecurity.SSL:
        return imaplib.IMAP4_SSL(
            mailbox.host, mailbox.port, ssl_context=ssl.create_default_context(), timeout=timeout
        )
    client = imaplib.IMAP4(mailbox.host, mailbox.port, timeout=timeout)
    if mailbox.security == MailSecurity.STARTTLS:
        client.starttls(ssl_context=ssl.create_default_context())
    return client


def _uid_validity(client: imaplib.IMAP4) -> int | None:
    _typ, data = client.response("UIDVALIDITY")
    for item in data or []:
        if item:
            try:
                return int(item)
            except (TypeError, ValueError):
                continue
    return None


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _fetch(client: imaplib.IMAP4, uid: int) -> bytes | None:
    typ, data = client.uid("FETCH", str(uid), "(BODY.PEEK[])")
    if typ != "OK":
        raise imaplib.IMAP4.error(f"UID FETCH {uid} failed")
    for item in data or []:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
            return item[1]
    return None


def _save(mailbox: Mailbox, **fields: Any) -> None:
    for name, value in fields.items():
        setattr(mailbox, name, value)
    with transaction.atomic():
        Mailbox.objects.filter(pk=mailbox.pk).update(**fields)


def _reason(exc: Exception) -> str:
    return str(getattr(exc, "message", "") or exc)[:500]


def mailbox_poll(mailbox: Mailbox) -> dict[str, int]:
    """Fetch and store the new mail of one mailbox; returns counts by outcome."""
    counts: dict[str, int] = {"fetched": 0, "refused": 0}
    problems: list[str] = []
    try:
        client = _connect(mailbox)
    except (OSError, imaplib.IMAP4.error, ssl.SSLError) as exc:
        _save(mailbox, last_polled_at=now(), last_error=f"connect: {type(exc).__name__}: {exc}")
        return counts
    try:
        try:
            client.login(mailbox.username, mailbox.password or "")
        except UnicodeEncodeError:
            raise imaplib.IMAP4.error(
                "LOGIN: IMAP sends the user name and password as ASCII; this one is not"
            ) from None
        typ, _data = client.select(_quoted(mailbox.folder), readonly=True)
        if typ != "OK":
            raise imaplib.IMAP4.error(f"folder {mailbox.folder!r} cannot be opened")
        validity = _uid_validity(client)
        last_uid = mailbox.last_uid
        if validity is not None and mailbox.uid_validity not in (None, validity):
            last_uid = 0  # the server renumbered the folder
        if validity is not None and validity != mailbox.uid_validity:
            _save(mailbox, uid_validity=validity, last_uid=last_uid)
        typ, data = client.uid("SEARCH", f"UID {last_uid + 1}:*")
        if typ != "OK":
            raise imaplib.IMAP4.error("UID SEARCH failed")
        # "n:*" always matches the highest UID, even when it is below n: filter.
        uids = sorted({int(value) for value in b" ".join(data or [b""]).split() if value.isdigit()})
        uids = [uid for uid in uids if uid > last_uid][:FETCH_LIMIT]
        for uid in uids:
            raw = _fetch(client, uid)
            if raw is not None:
                try:
                    result = email_receive(raw, mailbox=mailbox)
                except MailRejected as exc:
                    counts["refused"] += 1
                    problems.append(f"UID {uid}: {exc.message}")
                except OperationalError as exc:
                    # The database is unavailable, not the mail wrong: fetch it again next time.
                    problems.append(
                        f"UID {uid}: not stored, tried again at the next poll: "
                        f"{type(exc).__name__}: {exc}"
                    )
                    break
                except Exception as exc:
                    # Trying again would fail again and block every mail after it: skip it and
                    # name it, so that an administrator can fetch it from the folder.
                    logger.exception("mailbox %s: UID %s could not be stored", mailbox.name, uid)
                    counts["failed"] = counts.get("failed", 0) + 1
                    problems.append(
                        f"UID {uid}: skipped, kefu could not store it "
                        f"({type(exc).__name__}: {_reason(exc)}); fetch it from the folder"
                    )
                else:
                    counts[result.outcome] = counts.get(result.outcome, 0) + 1
                counts["fetched"] += 1
            _save(mailbox, last_uid=uid)
        _save(mailbox, last_polled_at=now(), last_error="\n".join(problems)[:4000])
    except (OSError, imaplib.IMAP4.error, ssl.SSLError) as exc:
        problems.append(f"{type(exc).__name__}: {exc}")
        _save(mailbox, last_polled_at=now(), last_error="\n".join(problems)[:4000])
    finally:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            client.logout()
    return counts


def mailboxes_poll_due(*, force: bool = False) -> dict[str, int]:
    """Poll every enabled mailbox whose interval has passed (all of them with ``force``)."""
    totals: dict[str, int] = {"mailboxes": 0}
    moment = now()
    for mailbox in Mailbox.objects.filter(enabled=True).select_related("team"):
        due = mailbox.last_polled_at is None or (
            (moment - mailbox.last_polled_at).total_seconds() >= mailbox.poll_seconds
        )
        if not (force or due):
            continue
        totals["mailboxes"] += 1
        try:
            counts = mailbox_poll(mailbox)
        except Exception as exc:  # one broken mailbox must not stop the others
            logger.exception("mailbox %s: poll failed", mailbox.name)
            totals["failed_mailboxes"] = totals.get("failed_mailboxes", 0) + 1
            with contextlib.suppress(Exception):
                _save(
                    mailbox,
                    last_polled_at=now(),
                    last_error=f"poll failed: {type(exc).__name__}: {_reason(exc)}"[:4000],
                )
            continue
        for key, value in counts.items():
            totals[key] = totals.get(key, 0) + value
    return totals

"""E-mail in and out (TEC-7, SCR-5): MIME parsing, threading, the inbound SMTP listener, IMAP
polling of configured mailboxes, and replies sent through the outbox.

- :mod:`.mime` turns raw bytes into a :class:`~.mime.ParsedMail` (or a clear rejection);
- :mod:`.threading` finds the conversation a mail belongs to;
- :mod:`.inbound` stores a mail, its customer and its ticket in one transaction;
- :mod:`.listener` is the SMTP server run by ``kefu worker``; :mod:`.imap` polls mailboxes;
- :mod:`.outbound` answers a ticket's customer by e-mail with proper threading headers.
"""

"""Real mail servers for the e-mail tests, on 127.0.0.1 ephemeral ports.

- :class:`CapturingSmtp`: an aiosmtpd server that keeps every mail it is given (the company's
  outgoing mail server, as far as kefu can tell).
- :class:`TinyImapServer`: a small IMAP4rev1 server (socketserver) speaking enough of the
  protocol for imaplib — CAPABILITY, LOGIN, SELECT/EXAMINE, UID SEARCH, UID FETCH, NOOP,
  LOGOUT — with literals, tags and response codes as on the wire.
"""

from __future__ import annotations

import re
import socketserver
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from kefu.channels.email.listener import InboundSmtpController


class _Capture:
    def __init__(self) -> None:
        self.mails: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mails.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"


class CapturingSmtp:
    def __init__(self) -> None:
        self.handler = _Capture()
        self.controller = InboundSmtpController(
            self.handler, hostname="127.0.0.1", port=0, server_hostname="smtp.test"
        )

    def __enter__(self) -> CapturingSmtp:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

    @property
    def port(self) -> int:
        return int(self.controller.port)

    @property
    def messages(self) -> list[EmailMessage]:
        return [
            message_from_bytes(raw, policy=policy.default) for _from, _to, raw in self.handler.mails
        ]


@dataclass
class ImapState:
    username: str
    password: str
    uid_validity: int = 7
    mails: dict[int, bytes] = field(default_factory=dict)
    commands: list[str] = field(default_factory=list)


_TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"|(\S+)')


def _tokens(text: str) -> list[str]:
    return [
        quoted.replace('\\"', '"').replace("\\\\", "\\") if quoted is not None else bare
        for quoted, bare in (m.groups() for m in _TOKEN.finditer(text))
    ]


def _uid_set(spec: str, highest: int) -> set[int]:
    found: set[int] = set()
    for part in spec.split(","):
        start, _sep, end = part.partition(":")
        low = highest if start == "*" else int(start)
        high = low if not _sep else (highest if end == "*" else int(end))
        low, high = min(low, high), max(low, high)
        found.update(range(low, high + 1))
    return found


class _ImapHandler(socketserver.StreamRequestHandler):
    server: Any

    def send(self, line: str | bytes) -> None:
        data = line.encode() if isinstance(line, str) else line
        self.wfile.write(data + b"\r\n")

    def handle(self) -> None:
        state: ImapState = self.server.state
        self.send("* OK [CAPABILITY IMAP4rev1] kefu test IMAP ready")
        authenticated = selected = False
        while True:
            line = self.rfile.readline()
            if not line:
                return
            text = line.decode("utf-8", "replace").rstrip("\r\n")
            tag, _sep, rest = text.partition(" ")
            command, _sep, args = rest.partition(" ")
            command = command.upper()
            state.commands.append(command if command != "UID" else f"UID {args.split()[0]}")
            if command == "CAPABILITY":
                self.send("* CAPABILITY IMAP4rev1")
                self.send(f"{tag} OK CAPABILITY completed")
            elif command == "NOOP":
                self.send(f"{tag} OK NOOP completed")
            elif command == "LOGIN":
                user, password = [*_tokens(args), "", ""][:2]
                if (user, password) == (state.username, state.password):
                    authenticated = True
                    self.send(f"{tag} OK LOGIN completed")
                else:
                    self.send(f"{tag} NO [AUTHENTICATIONFAILED] invalid credentials")
            elif command in ("SELECT", "EXAMINE"):
                if not authenticated:
                    self.send(f"{tag} NO not logged in")
                    continue
                folder = (_tokens(args) or [""])[0]
                if folder.upper() != "INBOX":
                    self.send(f"{tag} NO [NONEXISTENT] no such folder")
                    continue
                selected = True
                self.send(f"* {len(state.mails)} EXISTS")
                self.send("* 0 RECENT")
                self.send(f"* OK [UIDVALIDITY {state.uid_validity}] UIDs valid")
                self.send(f"* OK [UIDNEXT {max(state.mails, default=0) + 1}] next UID")
                mode = "READ-ONLY" if command == "EXAMINE" else "READ-WRITE"
                self.send(f"{tag} OK [{mode}] {command} completed")
            elif command == "UID" and selected:
                self.uid_command(tag, args, state)
            elif command == "LOGOUT":
                self.send("* BYE logging out")
                self.send(f"{tag} OK LOGOUT completed")
                return
            else:
                self.send(f"{tag} BAD unsupported command")

    def uid_command(self, tag: str, args: str, state: ImapState) -> None:
        sub, _sep, rest = args.partition(" ")
        uids = sorted(state.mails)
        highest = uids[-1] if uids else 0
        if sub.upper() == "SEARCH":
            parts = rest.split()
            if len(parts) >= 2 and parts[0].upper() == "UID":
                wanted = _uid_set(parts[1], highest)
                found = [uid for uid in uids if uid in wanted]
                # RFC 3501: "n:*" includes the highest UID even when it is below n.
                if parts[1].endswith(":*") and highest and highest not in found:
                    found.append(highest)
            else:
                found = uids
            self.send("* SEARCH" + "".join(f" {uid}" for uid in found))
            self.send(f"{tag} OK SEARCH completed")
        elif sub.upper() == "FETCH":
            spec, _sep, _items = rest.partition(" ")
            wanted = _uid_set(spec, highest)
            for sequence, uid in enumerate(uids, start=1):
                if uid in wanted:
                    raw = state.mails[uid]
                    self.wfile.write(
                        f"* {sequence} FETCH (UID {uid} BODY[] {{{len(raw)}}}\r\n".encode()
                    )
                    self.wfile.write(raw)
                    self.send(")")
            self.send(f"{tag} OK FETCH completed")
        else:
            self.send(f"{tag} BAD unsupported UID command")


class TinyImapServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, state: ImapState) -> None:
        super().__init__(("127.0.0.1", 0), _ImapHandler)
        self.state = state
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    def __enter__(self) -> TinyImapServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()

    @property
    def port(self) -> int:
        return int(self.server_address[1])

"""Raw e-mail bytes → :class:`ParsedMail`: headers decoded, bodies in text, HTML sanitized,
attachments extracted, auto-replies and bounces recognised. Anything that cannot be read as an
e-mail is refused with :class:`MailRejected`, which carries the SMTP reply code to give.

Chinese mail comes in GB2312, GBK, GB18030 or UTF-8, and a part declared GB2312 often holds
GBK characters; GB18030 is a superset of both, so every GB charset is decoded as GB18030. A
part whose declared charset is wrong or unknown is tried as UTF-8, then GB18030, and decoded
with replacement characters only when nothing fits — a mail is never refused for its charset.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from email import errors as mail_errors
from email import policy
from email.header import decode_header
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import parseaddr, parsedate_to_datetime
from html.parser import HTMLParser
from typing import Any

import nh3
from django.conf import settings

from kefu.core.errors import InvalidInput

# GB2312 and GBK are subsets of GB18030; mail software mislabels one as the other all the time.
_CHARSET_ALIASES = {
    "gb2312": "gb18030",
    "gb_2312-80": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "ms936": "gb18030",
    "euc-cn": "gb18030",
    "x-euc-cn": "gb18030",
    "csgb2312": "gb18030",
    # 8-bit text labelled ASCII is nearly always UTF-8.
    "us-ascii": "utf-8",
    "ascii": "utf-8",
    "utf8": "utf-8",
}
# Defects that mean the structure of the mail cannot be trusted: refuse rather than guess.
_STRUCTURAL_DEFECTS = (
    mail_errors.NoBoundaryInMultipartDefect,
    mail_errors.StartBoundaryNotFoundDefect,
    mail_errors.MultipartInvariantViolationDefect,
    mail_errors.MissingHeaderBodySeparatorDefect,
    mail_errors.InvalidBase64LengthDefect,
)
_MESSAGE_ID = re.compile(r"<([^<>\s]{1,900})>")
_ADDRESS = re.compile(
    r"^[^@\s<>\"(),;:]{1,64}@[A-Za-z0-9\-\u00a0-\uffff]+(\.[A-Za-z0-9\-\u00a0-\uffff]+)+$"
)
_AUTO_SENDERS = ("mailer-daemon", "postmaster", "mail-daemon", "mailer_daemon")
_BULK_PRECEDENCE = frozenset({"bulk", "junk", "list", "auto_reply"})
SUBJECT_LIMIT = 500
TEXT_LIMIT = 200_000
MAX_PARTS = 200
# SMTP reply codes of a refusal (RFC 5321): 552 too big, 554 content refused.
SMTP_TOO_BIG = 552
SMTP_REFUSED = 554


class MailRejected(InvalidInput):
    """The mail is refused as a whole; ``smtp_code`` is what the SMTP listener answers."""

    def __init__(self, message: str, *, smtp_code: int = SMTP_REFUSED, field: str = "mail") -> None:
        super().__init__(message, field=field)
        self.smtp_code = smtp_code

    @property
    def smtp_reply(self) -> str:
        enhanced = "5.3.4" if self.smtp_code == SMTP_TOO_BIG else "5.6.0"
        return f"{self.smtp_code} {enhanced} {self.message}"


@dataclass(frozen=True)
class MailAttachment:
    filename: str
    content_type: str
    content: bytes


@dataclass
class ParsedMail:
    """What kefu keeps of one e-mail. Message ids are without angle brackets."""

    message_id: str
    generated_id: bool  # the mail had no Message-ID; this one is derived from its bytes
    in_reply_to: list[str]
    references: list[str]
    subject: str
    from_address: str
    from_name: str
    to_addresses: list[str]
    date: dt.datetime | None
    text: str
    html: str  # sanitized; empty when the mail had no HTML part
    attachments: list[MailAttachment] = field(default_factory=list)
    auto_reason: str = ""  # why it is an auto-reply or bounce; empty for a person's mail
    size: int = 0

    @property
    def auto_generated(self) -> bool:
        return bool(self.auto_reason)

    @property
    def thread_ids(self) -> list[str]:
        """The ids this mail answers, nearest first: In-Reply-To, then References backwards."""
        seen: list[str] = []
        for value in [*self.in_reply_to, *reversed(self.references)]:
            if value and value not in seen and value != self.message_id:
                seen.append(value)
        return seen


def inbound_max_bytes() -> int:
    return int(settings.KEFU_INBOUND_MAX_BYTES)


def charset_decode(payload: bytes, charset: str | None) -> str:
    """Bytes of a text part (or header word) as text; see the module docstring for the order."""
    declared = (charset or "").strip().strip('"').lower()
    candidates = [_CHARSET_ALIASES.get(declared, declared)] if declared else []
    candidates += [name for name in ("utf-8", "gb18030") if name not in candidates]
    for name in candidates:
        try:
            return payload.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
    return payload.decode("utf-8", errors="replace")


def header_decode(raw: str | None) -> str:
    """A header value with RFC 2047 encoded words and raw 8-bit bytes decoded, unfolded."""
    if not raw:
        return ""
    value = re.sub(r"\r?\n[ \t]+", " ", str(raw)).replace("\r", "").replace("\n", "")
    try:
        pieces = decode_header(value)
    except (mail_errors.HeaderParseError, ValueError, LookupError):
        pieces = [(value, None)]
    text = []
    for piece, charset in pieces:
        if isinstance(piece, str):
            try:
                # Undeclared 8-bit bytes arrive surrogate-escaped: decode them as a body would be.
                piece = piece.encode("ascii", "surrogateescape")
            except UnicodeEncodeError:
                text.append(piece)  # already text (a decoded RFC 2231 parameter)
                continue
        text.append(charset_decode(piece, charset))
    return "".join(text).replace("\x00", "").strip()


def message_ids(raw: str | None) -> list[str]:
    """The ids in a Message-ID, In-Reply-To or References header, in order."""
    if not raw:
        return []
    found = _MESSAGE_ID.findall(str(raw))
    if not found:
        bare = str(raw).strip().strip("<>").strip()
        found = [bare] if bare and " " not in bare else []
    return [value[:900] for value in found]


class _TextExtractor(HTMLParser):
    """Readable text of (already sanitized) HTML: block elements become line breaks."""

    BLOCKS = frozenset(
        {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table"}
    )
    SKIP = frozenset({"script", "style", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(re.sub(r"[ \t\r\n]+", " ", data))


def html_to_text(html: str) -> str:
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    lines = [line.strip() for line in "".join(extractor.parts).split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _local_images_only(element: str, attribute: str, value: str) -> str | None:
    """nh3 attribute filter: an image loads only from the mail itself (``cid:``) or inline
    (``data:image/…``), never from a server — a remote image is a tracking pixel that tells the
    sender when, and from which address, an agent read the mail. ``data:`` is allowed nowhere
    else (a ``data:`` link can carry a page)."""
    lowered = value.strip().lower()
    if element == "img" and attribute == "src":
        if lowered.startswith("cid:") or (
            lowered.startswith("data:image/") and not lowered.startswith("data:image/svg")
        ):
            return value
        return None
    if lowered.startswith("data:"):
        return None
    return value


def html_sanitize(html: str, *, link_rel: str = "noopener noreferrer") -> str:
    """Only harmless markup survives: no scripts, styles, event handlers or javascript: links,
    and no remote images (see :func:`_local_images_only`)."""
    return nh3.clean(
        html,
        url_schemes={"http", "https", "mailto", "cid", "data"},
        attribute_filter=_local_images_only,
        link_rel=link_rel,
    )


def _part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    return charset_decode(payload, part.get_content_charset()).replace("\x00", "")


def _filename(part: Message, index: int) -> str:
    name = part.get_param("filename", header="content-disposition") or part.get_param("name")
    if isinstance(name, tuple):  # RFC 2231: (charset, language, value)
        charset, _language, value = name
        raw = value.encode("latin-1", "surrogateescape") if isinstance(value, str) else value
        name = charset_decode(raw, charset)
    text = header_decode(str(name)) if name else ""
    text = re.sub(r"[\\/\x00-\x1f]+", "_", text).strip(" .")
    if not text:
        extension = {"message/rfc822": ".eml", "text/html": ".html", "text/plain": ".txt"}
        text = f"attachment-{index}{extension.get(part.get_content_type(), '.bin')}"
    return text[:200]


def _raw_header(message: Message, name: str) -> str:
    """The header as it came over the wire (first occurrence), before any decoding."""
    lowered = name.lower()
    for key, value in message.raw_items() if isinstance(message, EmailMessage) else message.items():
        if key.lower() == lowered:
            return str(value)
    return ""


def _walk_defects(message: Message) -> list[Any]:
    defects = list(message.defects)
    if message.is_multipart() and message.get_content_maintype() == "multipart":
        for child in message.get_payload():
            if isinstance(child, Message):
                defects.extend(_walk_defects(child))
    return defects


def _leaves(message: Message, out: list[Message]) -> None:
    """Every non-multipart part, depth first; an attached e-mail is one leaf (not opened)."""
    if len(out) > MAX_PARTS:
        raise MailRejected(f"the mail has more than {MAX_PARTS} parts")
    if message.get_content_maintype() == "multipart":
        payload = message.get_payload()
        if isinstance(payload, list):
            for child in payload:
                if isinstance(child, Message):
                    _leaves(child, out)
        return
    out.append(message)


def auto_generated_reason(message: Message, from_address: str, envelope_from: str | None) -> str:
    """Why this mail was sent by a machine (RFC 3834, RFC 3464), or '' for a person's mail."""
    auto_submitted = header_decode(_raw_header(message, "Auto-Submitted")).lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted[:60]}"
    precedence = header_decode(_raw_header(message, "Precedence")).lower()
    if precedence in _BULK_PRECEDENCE:
        return f"Precedence: {precedence}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponder"):
        if _raw_header(message, name):
            return name
    if "oof" in header_decode(_raw_header(message, "X-Auto-Response-Suppress")).lower():
        return "X-Auto-Response-Suppress: OOF"
    content_type = message.get_content_type()
    if content_type == "multipart/report":
        report = str(message.get_param("report-type") or "").lower()
        return f"multipart/report ({report or 'report'})"
    local = from_address.partition("@")[0].lower()
    if local in _AUTO_SENDERS:
        return f"From: {local}"
    if envelope_from is not None and envelope_from.strip("<> ") == "":
        return "empty envelope sender (a bounce)"
    return ""


def _generated_id(raw: bytes) -> str:
    return f"{hashlib.sha256(raw).hexdigest()[:40]}@kefu.no-message-id"


def mail_parse(raw: bytes, *, envelope_from: str | None = None) -> ParsedMail:
    """Parse ``raw`` (an RFC 5322 message) or raise :class:`MailRejected`."""
    if not isinstance(raw, bytes | bytearray) or not raw.strip():
        raise MailRejected("the mail is empty")
    limit = inbound_max_bytes()
    if len(raw) > limit:
        raise MailRejected(
            f"the mail is larger than {limit // (1024 * 1024)} MiB", smtp_code=SMTP_TOO_BIG
        )
    try:
        message = BytesParser(policy=policy.default).parsebytes(bytes(raw))
    except Exception as exc:  # the parser is lenient; anything it raises means unreadable
        raise MailRejected(f"not an e-mail message: {type(exc).__name__}") from None
    if not message.keys():
        raise MailRejected("not an e-mail message: no headers")
    defects = _walk_defects(message)
    bad = [defect for defect in defects if isinstance(defect, _STRUCTURAL_DEFECTS)]
    if bad:
        raise MailRejected(f"malformed MIME: {type(bad[0]).__name__}")

    raw_from = _raw_header(message, "From")
    if not raw_from:
        raise MailRejected("the mail has no From header", field="from")
    name_raw, address = parseaddr(raw_from.replace("\r", "").replace("\n", ""))
    address = header_decode(address).strip().lower()
    if not _ADDRESS.match(address):
        raise MailRejected(
            f"the From address {address[:80]!r} is not an e-mail address", field="from"
        )
    from_name = header_decode(name_raw)[:100]

    message_id_values = message_ids(_raw_header(message, "Message-ID"))
    generated = not message_id_values
    message_id = message_id_values[0] if message_id_values else _generated_id(bytes(raw))
    date = None
    try:
        date_raw = _raw_header(message, "Date")
        date = parsedate_to_datetime(date_raw) if date_raw else None
        if date is not None and date.tzinfo is None:
            date = date.replace(tzinfo=dt.UTC)
    except (TypeError, ValueError, IndexError):
        date = None
    to_raw = " , ".join(
        header_decode(_raw_header(message, name))
        for name in ("To", "Cc")
        if _raw_header(message, name)
    )
    to_addresses = [
        part.strip().lower() for part in re.findall(r"[^\s<>,;\"]+@[^\s<>,;\"]+", to_raw)
    ]

    leaves: list[Message] = []
    _leaves(message, leaves)
    plain_part = html_part = None
    attachments: list[MailAttachment] = []
    for index, part in enumerate(leaves, start=1):
        content_type = part.get_content_type()
        disposition = (part.get_content_disposition() or "").lower()
        has_name = bool(
            part.get_param("filename", header="content-disposition") or part.get_param("name")
        )
        is_text = content_type in ("text/plain", "text/html")
        if is_text and disposition != "attachment" and not has_name:
            if content_type == "text/plain" and plain_part is None:
                plain_part = part
                continue
            if content_type == "text/html" and html_part is None:
                html_part = part
                continue
        if content_type == "message/delivery-status" or (
            content_type.startswith("message/") and content_type != "message/rfc822"
        ):
            continue  # the machine-readable part of a bounce; the text part says it for people
        if content_type == "message/rfc822":
            inner = part.get_payload()
            first = inner[0] if isinstance(inner, list) and inner else None
            body = first.as_bytes() if isinstance(first, Message) else part.as_bytes()
        else:
            payload = part.get_payload(decode=True)
            body = payload if isinstance(payload, bytes) else b""
        attachments.append(MailAttachment(_filename(part, index), content_type[:100], body))

    text = _part_text(plain_part) if plain_part is not None else ""
    html = ""
    if html_part is not None:
        html = html_sanitize(_part_text(html_part))
        if not text.strip():
            text = html_to_text(html)
    text = text.replace("\r\n", "\n").strip()[:TEXT_LIMIT]
    subject = header_decode(_raw_header(message, "Subject"))[:SUBJECT_LIMIT]
    return ParsedMail(
        message_id=message_id,
        generated_id=generated,
        in_reply_to=message_ids(_raw_header(message, "In-Reply-To")),
        references=message_ids(_raw_header(message, "References"))[-50:],
        subject=subject,
        from_address=address,
        from_name=from_name,
        to_addresses=to_addresses[:50],
        date=date,
        text=text,
        html=html[:TEXT_LIMIT],
        attachments=attachments,
        auto_reason=auto_generated_reason(message, address, envelope_from),
        size=len(raw),
    )

"""The files of knowledge-base article attachments (TEC-5): which types are allowed, how a name
is cleaned, and how a file is written to and found in the data directory.

A type is decided by the file name's extension AND the declared content type (they must agree,
or the browser declared nothing specific), and the first bytes are checked where that is cheap
(PDF, images, Office zip packages, MP4, WebM, text without NUL bytes). The stored content type is
always the canonical one of the extension, never the client's word.

Files live under ``<data dir>/knowledge/YYYY/MM/<random>.bin``, like ticket attachments, but
unencrypted: article content is company knowledge written to be shown to agents and customers,
not personal data (SEC-1), and a video must be streamed and read in ranges for seeking, which
a whole-file cipher would not allow without decrypting hundreds of megabytes per request.
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings

from kefu.core.errors import InvalidInput, NotFound
from kefu.knowledge.models import ArticleAttachment, AttachmentKind

FOLDER = "knowledge"
FILENAME_LIMIT = 200
CHUNK = 1024 * 1024
HEAD = 8192  # bytes kept to check the signature of a file
# The declared content types that say nothing: the extension decides alone.
GENERIC_TYPES = frozenset(
    {"", "application/octet-stream", "binary/octet-stream", "application/x-download"}
)
_UNSAFE_FILENAME = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')


def _zip_with(prefix: str) -> Callable[[bytes, Path], bool]:
    """An Office Open XML package: a zip whose members include ``[Content_Types].xml`` and
    ``prefix`` (``word/``, ``xl/``, ``ppt/``)."""

    def check(head: bytes, path: Path) -> bool:
        if not head.startswith(b"PK\x03\x04"):
            return False
        try:
            with zipfile.ZipFile(path) as package:
                names = package.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return False
        return "[Content_Types].xml" in names and any(n.startswith(prefix) for n in names)

    return check


def _text(head: bytes, path: Path) -> bool:
    """Plain text: no NUL byte in the head, which decodes as UTF-8 or GB18030 (Excel's CSV)."""
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        # A full head may end inside a multi-byte character: allow a cut of up to 3 bytes.
        cuts = range(4) if len(head) == HEAD else range(1)
        for cut in cuts:
            try:
                head[: len(head) - cut].decode(encoding)
            except UnicodeDecodeError:
                continue
            return True
    return False


def _starts(*signatures: bytes) -> Callable[[bytes, Path], bool]:
    return lambda head, path: head.startswith(signatures)


def _webp(head: bytes, path: Path) -> bool:
    return head[:4] == b"RIFF" and head[8:12] == b"WEBP"


def _mp4(head: bytes, path: Path) -> bool:
    return head[4:8] == b"ftyp"


@dataclass(frozen=True)
class FileType:
    """An allowed type: its canonical content type, the declared types that agree with it,
    the attachment kind, a human name for messages and its signature check."""

    content_type: str
    kind: str
    label: str
    check: Callable[[bytes, Path], bool]
    aliases: frozenset[str] = frozenset()
    inline: bool = False  # shown in the browser (image, video, PDF) rather than downloaded

    def accepts(self, declared: str) -> bool:
        return (
            declared in GENERIC_TYPES or declared == self.content_type or declared in self.aliases
        )


_OOXML = "application/vnd.openxmlformats-officedocument"
FILE, VIDEO = AttachmentKind.FILE, AttachmentKind.VIDEO
TYPES: dict[str, FileType] = {
    "pdf": FileType("application/pdf", FILE, "PDF", _starts(b"%PDF-"), inline=True),
    "png": FileType("image/png", FILE, "PNG", _starts(b"\x89PNG\r\n\x1a\n"), inline=True),
    "jpg": FileType(
        "image/jpeg", FILE, "JPEG", _starts(b"\xff\xd8\xff"), frozenset({"image/pjpeg"}), True
    ),
    "gif": FileType("image/gif", FILE, "GIF", _starts(b"GIF87a", b"GIF89a"), inline=True),
    "webp": FileType("image/webp", FILE, "WebP", _webp, inline=True),
    "docx": FileType(f"{_OOXML}.wordprocessingml.document", FILE, "Word", _zip_with("word/")),
    "xlsx": FileType(f"{_OOXML}.spreadsheetml.sheet", FILE, "Excel", _zip_with("xl/")),
    "pptx": FileType(
        f"{_OOXML}.presentationml.presentation", FILE, "PowerPoint", _zip_with("ppt/")
    ),
    "txt": FileType("text/plain", FILE, "text", _text),
    "md": FileType(
        "text/markdown", FILE, "Markdown", _text, frozenset({"text/plain", "text/x-markdown"})
    ),
    "csv": FileType(
        "text/csv",
        FILE,
        "CSV",
        _text,
        frozenset({"text/plain", "application/csv", "application/vnd.ms-excel", "text/x-csv"}),
    ),
    "mp4": FileType("video/mp4", VIDEO, "MP4", _mp4, frozenset({"application/mp4"}), True),
    "webm": FileType("video/webm", VIDEO, "WebM", _starts(b"\x1a\x45\xdf\xa3"), inline=True),
}
TYPES["jpeg"] = TYPES["jpg"]
EXTENSIONS = sorted(TYPES)
# For the file input's ``accept`` attribute.
ACCEPT = ",".join(f".{ext}" for ext in EXTENSIONS)


def size_limit(kind: str) -> int:
    """The largest file of ``kind`` in bytes (KEFU_KNOWLEDGE_FILE_MAX_MB / _VIDEO_MAX_MB)."""
    if kind == AttachmentKind.VIDEO:
        return int(settings.KEFU_KNOWLEDGE_VIDEO_MAX_BYTES)
    return int(settings.KEFU_KNOWLEDGE_FILE_MAX_BYTES)


def count_limit() -> int:
    return int(settings.KEFU_KNOWLEDGE_ATTACHMENTS_PER_ARTICLE)


def _mebibytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} MiB"


def clean_filename(name: str) -> str:
    """The last path part of ``name``, unsafe characters replaced; 422 on ``filename`` if
    nothing is left or it is too long."""
    if not isinstance(name, str):
        raise InvalidInput("the file name must be text", field="filename")
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    cleaned = _UNSAFE_FILENAME.sub("_", base).strip(" .")
    if not cleaned or cleaned.startswith(".") or "." not in cleaned:
        raise InvalidInput("the file needs a name with an extension", field="filename")
    if len(cleaned) > FILENAME_LIMIT:
        raise InvalidInput(
            f"the file name has more than {FILENAME_LIMIT} characters", field="filename"
        )
    return cleaned


def file_type(filename: str, declared: str) -> FileType:
    """The allowed type of a cleaned ``filename``; the declared content type must agree with
    its extension (422 on ``file``)."""
    extension = filename.rsplit(".", 1)[-1].lower()
    found = TYPES.get(extension)
    if found is None:
        raise InvalidInput(
            f".{extension} files are not allowed; allowed: {', '.join(EXTENSIONS)}", field="file"
        )
    declared = (declared or "").split(";", 1)[0].strip().lower()
    if not found.accepts(declared):
        raise InvalidInput(
            f"the file was sent as {declared[:100]}, which does not match .{extension}",
            field="file",
        )
    return found


@dataclass(frozen=True)
class StoredFile:
    storage_name: str
    path: Path
    size: int
    sha256: str


def storage_path(storage_name: str) -> Path:
    return Path(settings.DATA_DIR) / FOLDER / storage_name


def _chunks(content: bytes | IO[bytes]) -> Iterator[bytes]:
    if isinstance(content, bytes | bytearray | memoryview):
        data = bytes(content)
        for start in range(0, len(data), CHUNK):
            yield data[start : start + CHUNK]
        return
    if hasattr(content, "seek"):
        content.seek(0)
    while chunk := content.read(CHUNK):
        yield chunk


def file_store(content: bytes | IO[bytes], *, kind: FileType, moment_folder: str) -> StoredFile:
    """Copy ``content`` in chunks to the data directory, checking size and signature on the way.

    Refusals (empty, too large, not what the extension says) leave no file behind; the caller
    removes the returned file if the record that refers to it is not written.
    """
    limit = size_limit(kind.kind)
    storage_name = f"{moment_folder}/{uuid.uuid4().hex}.bin"
    path = storage_path(storage_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    digest = hashlib.sha256()
    size = 0
    head = b""
    try:
        with partial.open("wb") as out:
            for chunk in _chunks(content):
                size += len(chunk)
                if size > limit:
                    raise InvalidInput(
                        f"the file is larger than {_mebibytes(limit)} "
                        f"(the limit for a {kind.kind})",
                        field="file",
                    )
                if len(head) < HEAD:
                    head += chunk[: HEAD - len(head)]
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise InvalidInput("the file is empty", field="file")
        if not kind.check(head, partial):
            raise InvalidInput(f"the content is not a {kind.label} file", field="file")
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return StoredFile(storage_name=storage_name, path=path, size=size, sha256=digest.hexdigest())


def attachment_path(attachment: ArticleAttachment) -> Path:
    """The stored file of ``attachment``; 404 if it went missing from the data directory."""
    path = storage_path(attachment.storage_name)
    if not path.is_file():
        raise NotFound(f"the file of attachment {attachment.pk} is missing from the data directory")
    return path


def inline_type(attachment: ArticleAttachment) -> bool:
    """Whether the browser may show the file itself (images, video, PDF)."""
    extension = attachment.filename.rsplit(".", 1)[-1].lower()
    found = TYPES.get(extension)
    return bool(found and found.inline and found.content_type == attachment.content_type)

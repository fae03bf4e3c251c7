"""Serving an article attachment (TEC-5): the whole file, or one byte range so that a
``<video>`` element can seek (RFC 9110 §14).

* ``Range: bytes=first-last``, ``bytes=first-`` and ``bytes=-suffix`` give ``206 Partial
  Content`` with ``Content-Range``; a last byte past the end is cut to the end.
* A range that starts past the end, a zero suffix, ``first > last`` or a malformed ``bytes=``
  value is ``416 Range Not Satisfiable`` with ``Content-Range: bytes */size``.
* Several ranges at once, another unit, or an ``If-Range`` that no longer matches: the range is
  ignored and the whole file sent (the RFC allows a server to ignore a Range header).

Every response carries the type stored at upload, ``X-Content-Type-Options: nosniff``, an
RFC 6266/5987 ``Content-Disposition`` (ASCII fallback plus the UTF-8 name, so Chinese names
survive), ``Accept-Ranges: bytes`` and a strong ETag from the SHA-256.

The body is read in chunks as it is sent. ``kefu serve`` runs under ASGI, where Django reads a
*synchronous* iterator (FileResponse included) to the end into memory before sending — a whole
video per request — so an ASGI request gets an asynchronous iterator that reads each chunk in a
worker thread; a WSGI request gets FileResponse (whole file) or a plain generator (a range).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import quote

from django.core.handlers.asgi import ASGIRequest
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.http import http_date

from kefu.knowledge.attachment_files import CHUNK, attachment_path, inline_type
from kefu.knowledge.models import ArticleAttachment

# ASCII digits only: Python's \d also takes "１２" (fullwidth), which int() reads as 12.
_RANGE = re.compile(r"^\s*(\d*)\s*-\s*(\d*)\s*$", re.ASCII)
# Digits beyond this are refused rather than parsed into huge integers.
_MAX_DIGITS = 19


class RangeNotSatisfiable(Exception):
    """The Range header asks for bytes the file does not have, or cannot be read."""


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """The inclusive ``(first, last)`` byte positions asked for by a ``Range`` header, or None
    to send the whole file. Raises :class:`RangeNotSatisfiable` for a bad ``bytes=`` value."""
    header = (header or "").strip()
    if not header:
        return None
    unit, sep, spec = header.partition("=")
    if not sep or unit.strip().lower() != "bytes":
        return None  # another unit, or no unit at all: ignored (RFC 9110 §14.2)
    if "," in spec:
        if not all(_RANGE.match(part) for part in spec.split(",")):
            raise RangeNotSatisfiable(header)
        return None  # several ranges: we send the whole file instead of multipart/byteranges
    match = _RANGE.match(spec)
    if match is None:
        raise RangeNotSatisfiable(header)
    first_text, last_text = match.groups()
    if len(first_text) > _MAX_DIGITS:
        raise RangeNotSatisfiable(header)  # a start past any file we hold
    if len(last_text) > _MAX_DIGITS:
        # Past the end of any file: "first-" (cut to the end, RFC 9110 §14.1.2) or, for a
        # suffix, the whole file.
        last_text = "" if first_text else str(size)
    if not first_text:
        if not last_text:
            raise RangeNotSatisfiable(header)  # "bytes=-"
        suffix = int(last_text)
        if suffix == 0 or size == 0:
            raise RangeNotSatisfiable(header)
        return max(size - suffix, 0), size - 1
    first = int(first_text)
    last = int(last_text) if last_text else size - 1
    if first > last or first >= size:
        raise RangeNotSatisfiable(header)
    return first, min(last, size - 1)


def content_disposition(filename: str, *, inline: bool) -> str:
    """``inline``/``attachment`` with an ASCII ``filename`` fallback and the exact UTF-8 name
    as ``filename*`` (RFC 6266, RFC 5987)."""
    fallback = filename.encode("ascii", "replace").decode("ascii").replace("?", "_")
    fallback = fallback.replace("\\", "_").replace('"', "_")
    disposition = "inline" if inline else "attachment"
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _etag(attachment: ArticleAttachment) -> str:
    return f'"{attachment.sha256[:40]}"'


def _range_chunks(path: Path, first: int, length: int) -> Iterator[bytes]:
    with path.open("rb") as stream:
        stream.seek(first)
        left = length
        while left > 0:
            chunk = stream.read(min(CHUNK, left))
            if not chunk:
                break
            left -= len(chunk)
            yield chunk


async def _async_range_chunks(path: Path, first: int, length: int) -> AsyncIterator[bytes]:
    stream = await asyncio.to_thread(path.open, "rb")
    try:
        await asyncio.to_thread(stream.seek, first)
        left = length
        while left > 0:
            chunk = await asyncio.to_thread(stream.read, min(CHUNK, left))
            if not chunk:
                break
            left -= len(chunk)
            yield chunk
    finally:
        stream.close()


def _headers(
    response: HttpResponse | StreamingHttpResponse, attachment: ArticleAttachment, *, inline: bool
) -> None:
    response["Content-Disposition"] = content_disposition(attachment.filename, inline=inline)
    response["X-Content-Type-Options"] = "nosniff"
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = _etag(attachment)
    response["Last-Modified"] = http_date(attachment.uploaded_at.timestamp())
    # Staff-only content: browsers may keep it, shared caches may not.
    response["Cache-Control"] = "private, max-age=0, must-revalidate"


def attachment_response(
    request: HttpRequest, attachment: ArticleAttachment, *, download: bool = False
) -> HttpResponse | StreamingHttpResponse:
    """The file of ``attachment`` (a visible one: the caller checked), whole or one range.
    ``download`` forces ``Content-Disposition: attachment`` for files a browser would show."""
    path = attachment_path(attachment)
    size = path.stat().st_size
    inline = inline_type(attachment) and not download
    etag = _etag(attachment)
    if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        not_modified = HttpResponse(status=304)
        _headers(not_modified, attachment, inline=inline)
        return not_modified
    header = request.headers.get("Range", "")
    if_range = request.headers.get("If-Range", "").strip()
    if header and if_range and if_range != etag:
        header = ""  # the client's copy is of another file: send it whole
    try:
        wanted = parse_range(header, size)
    except RangeNotSatisfiable:
        refused = HttpResponse(status=416)
        refused["Content-Range"] = f"bytes */{size}"
        refused["Accept-Ranges"] = "bytes"
        refused["X-Content-Type-Options"] = "nosniff"
        return refused
    asynchronous = isinstance(request, ASGIRequest)
    if wanted is None and not asynchronous:
        whole = FileResponse(path.open("rb"), content_type=attachment.content_type)
        _headers(whole, attachment, inline=inline)
        return whole
    first, last = wanted if wanted is not None else (0, size - 1)
    length = last - first + 1
    chunks: Iterator[bytes] | AsyncIterator[bytes] = (
        _async_range_chunks(path, first, length)
        if asynchronous
        else _range_chunks(path, first, length)
    )
    response = StreamingHttpResponse(
        chunks, status=200 if wanted is None else 206, content_type=attachment.content_type
    )
    if wanted is not None:
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
    response["Content-Length"] = str(length)
    _headers(response, attachment, inline=inline)
    return response

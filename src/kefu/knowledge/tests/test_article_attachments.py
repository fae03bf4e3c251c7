"""Article attachments and video (TEC-5): upload and download round trip with headers, Chinese
file names (RFC 5987), byte ranges for video (206, 416), refusals naming the field (type, size,
count, empty, name), who may attach (editors) and who may download (whoever sees the article),
removal deleting the file after commit, and the API endpoints."""

from __future__ import annotations

import hashlib
import io
import zipfile
from typing import Any
from urllib.parse import quote

import pytest
from asgiref.sync import async_to_sync
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import AsyncClient

from kefu.audit.models import AuditEvent
from kefu.core.errors import InvalidInput, NotFound, PermissionDenied, TransitionNotAllowed
from kefu.knowledge.article_selectors import article_attachment_get
from kefu.knowledge.article_services import (
    article_attachment_add,
    article_attachment_remove,
    article_create,
    article_transition,
)
from kefu.knowledge.attachment_download import RangeNotSatisfiable, parse_range
from kefu.knowledge.attachment_files import storage_path
from kefu.knowledge.models import ArticleAttachment, ArticleState

pytestmark = pytest.mark.django_db
S = ArticleState
API = "/api/v1/knowledge/articles"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(200))
PDF = b"%PDF-1.7\n" + b"1 0 obj <<>> endobj\n" * 20 + b"%%EOF\n"
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(range(256)) * 40
WEBM = b"\x1a\x45\xdf\xa3" + bytes(range(256)) * 4


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.LANGUAGE_CODE = "en"
    return tmp_path


@pytest.fixture
def draft(agent):
    return article_create(actor=agent, title="退货流程", body="七天无理由")


def _add(actor, article, name="说明.pdf", content=PDF, content_type="application/pdf"):
    return article_attachment_add(
        actor=actor, article=article, filename=name, content=content, content_type=content_type
    )


def _page_url(attachment):
    return f"/knowledge/articles/{attachment.article_id}/attachments/{attachment.pk}/"


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# -- services ----------------------------------------------------------------------------------


def test_add_stores_file_with_checked_type_and_audit(agent, draft, data_dir):
    attachment = _add(agent, draft, name="../../etc/退货 说明.pdf", content_type="")
    assert attachment.filename == "退货 说明.pdf"  # the path is dropped
    assert attachment.kind == "file" and attachment.content_type == "application/pdf"
    assert attachment.size == len(PDF)
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    stored = storage_path(attachment.storage_name)
    assert stored.read_bytes() == PDF and stored.is_relative_to(data_dir / "knowledge")
    assert not list(data_dir.rglob("*.part"))
    event = AuditEvent.objects.get(verb="article.attachment_add")
    assert event.after["filename"] == "退货 说明.pdf" and event.after["size"] == len(PDF)

    video = _add(agent, draft, name="演示.MP4", content=MP4, content_type="video/mp4")
    assert video.kind == "video" and video.content_type == "video/mp4"
    docx = _add(agent, draft, name="手册.docx", content=_docx(), content_type="")
    assert docx.content_type.endswith("wordprocessingml.document")
    text = _add(
        agent,
        draft,
        name="话术.csv",
        content="问题,答案\n退货,七天".encode("gb18030"),
        content_type="",
    )
    assert text.content_type == "text/csv"


@pytest.mark.parametrize(
    ("name", "content", "content_type", "field", "reason"),
    [
        ("", PDF, "application/pdf", "filename", "name"),
        ("noextension", PDF, "", "filename", "extension"),
        ("a" * 250 + ".pdf", PDF, "", "filename", "200"),
        ("病毒.exe", b"MZ\x90\x00", "application/x-msdownload", "file", "not allowed"),
        ("图.svg", b"<svg/>", "image/svg+xml", "file", "not allowed"),
        ("说明.pdf", PDF, "image/png", "file", "does not match"),
        ("假图片.png", PDF, "image/png", "file", "not a PNG"),
        ("假视频.mp4", PNG, "video/mp4", "file", "not a MP4"),
        ("假文档.docx", b"PK\x03\x04 not really a zip", "", "file", "not a Word"),
        ("二进制.txt", b"abc\x00def", "text/plain", "file", "not a text"),
        ("空.pdf", b"", "application/pdf", "file", "empty"),
    ],
)
def test_refusals_name_the_field(
    agent, draft, data_dir, name, content, content_type, field, reason
):
    with pytest.raises(InvalidInput) as refused:
        _add(agent, draft, name=name, content=content, content_type=content_type)
    assert refused.value.field == field and reason in refused.value.message
    assert not ArticleAttachment.objects.exists()
    assert not [p for p in data_dir.rglob("*") if p.is_file()]  # nothing left behind


def test_size_limits_for_files_and_video_differ(settings, agent, draft, data_dir):
    settings.KEFU_KNOWLEDGE_FILE_MAX_BYTES = len(PDF) - 1
    settings.KEFU_KNOWLEDGE_VIDEO_MAX_BYTES = len(MP4)
    with pytest.raises(InvalidInput) as too_big:
        _add(agent, draft)
    assert too_big.value.field == "file" and "larger than" in too_big.value.message
    assert _add(agent, draft, name="v.mp4", content=MP4, content_type="video/mp4").size == len(MP4)
    with pytest.raises(InvalidInput, match="limit for a video"):
        _add(agent, draft, name="v.mp4", content=MP4 + b"x", content_type="video/mp4")
    assert ArticleAttachment.objects.count() == 1
    assert len([p for p in data_dir.rglob("*") if p.is_file()]) == 1


def test_count_limit_per_article(settings, agent, draft, data_dir):
    settings.KEFU_KNOWLEDGE_ATTACHMENTS_PER_ARTICLE = 2
    _add(agent, draft)
    _add(agent, draft, name="图.png", content=PNG, content_type="image/png")
    with pytest.raises(InvalidInput, match="at most 2 attachments") as refused:
        _add(agent, draft, name="第三.pdf")
    assert refused.value.field == "file"
    assert len([p for p in data_dir.rglob("*") if p.is_file()]) == 2


def test_only_editors_attach_and_only_while_editable(agent, other_agent, manager, draft):
    with pytest.raises(PermissionDenied):
        _add(other_agent, draft)
    assert _add(manager, draft).uploaded_by == manager  # reviewers edit any article
    article_transition(actor=agent, article=draft, to=S.IN_REVIEW)
    _add(agent, draft, name="审核中.pdf")  # in review is still editable
    article_transition(actor=manager, article=draft, to=S.PUBLISHED)
    with pytest.raises(TransitionNotAllowed):
        _add(manager, draft, name="发布后.pdf")
    attachment = ArticleAttachment.objects.first()
    with pytest.raises(TransitionNotAllowed):
        article_attachment_remove(actor=manager, attachment=attachment)


def test_remove_deletes_the_file_after_commit(
    agent, other_agent, draft, django_capture_on_commit_callbacks
):
    attachment = _add(agent, draft)
    stored = storage_path(attachment.storage_name)
    with pytest.raises(PermissionDenied):
        article_attachment_remove(actor=other_agent, attachment=attachment)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        article_attachment_remove(actor=agent, attachment=attachment)
    assert not ArticleAttachment.objects.exists()
    assert stored.exists()  # not yet committed: the file stays
    for callback in callbacks:
        callback()
    assert not stored.exists()
    event = AuditEvent.objects.get(verb="article.attachment_remove")
    assert event.before["filename"] == "说明.pdf"


# -- byte ranges -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("", None),
        ("bytes=0-9", (0, 9)),
        ("bytes=90-", (90, 99)),
        ("bytes=-10", (90, 99)),
        ("bytes=-500", (0, 99)),
        ("bytes=50-5000", (50, 99)),
        ("bytes = 3 - 4", (3, 4)),
        ("items=0-9", None),  # unknown unit: ignored
        ("bytes=0-1,5-6", None),  # several ranges: the whole file
        # Regression: a last byte of more than 19 digits is past the end, not a 416.
        ("bytes=10-" + "9" * 30, (10, 99)),
        ("bytes=-" + "9" * 30, (0, 99)),
    ],
)
def test_parse_range(header, expected):
    assert parse_range(header, 100) == expected


@pytest.mark.parametrize(
    "header",
    [
        "bytes=100-",
        "bytes=100-200",
        "bytes=9-3",
        "bytes=-0",
        "bytes=-",
        "bytes=a-b",
        "bytes=1-2-3",
        "bytes=0-1,x",
        "bytes=" + "9" * 30 + "-",
        # Regression: fullwidth digits are not a byte position (\d matched them before).
        "bytes=１-２",
        "bytes=-５",
    ],
)
def test_parse_range_refuses(header):
    with pytest.raises(RangeNotSatisfiable):
        parse_range(header, 100)


# -- pages -------------------------------------------------------------------------------------


def test_page_upload_several_files_and_download_round_trip(client, agent, draft):
    client.force_login(agent)
    page = client.get(f"/knowledge/articles/{draft.pk}/")
    assert 'name="files"' in page.content.decode() and "multiple" in page.content.decode()
    response = client.post(
        f"/knowledge/articles/{draft.pk}/attachments/",
        {
            "files": [
                SimpleUploadedFile("退货流程图.png", PNG, content_type="image/png"),
                SimpleUploadedFile("演示视频.mp4", MP4, content_type="video/mp4"),
                SimpleUploadedFile("病毒.exe", b"MZ", content_type="application/x-msdownload"),
            ]
        },
        follow=True,
    )
    html = response.content.decode()
    assert "病毒.exe was not attached" in html and ".exe files are not allowed" in html
    assert "Files attached: 2." in html
    png, mp4 = ArticleAttachment.objects.order_by("id")
    assert '<video controls preload="metadata"' in html and _page_url(mp4) in html
    assert f'<img src="{_page_url(png)}"' in html
    assert "退货流程图.png" in html and "Remove" in html

    image = client.get(_page_url(png))
    assert image.status_code == 200 and _body(image) == PNG
    assert image["Content-Type"] == "image/png"
    assert image["X-Content-Type-Options"] == "nosniff"
    assert image["Content-Length"] == str(len(PNG))
    quoted = quote("退货流程图.png", safe="")
    assert (
        image["Content-Disposition"] == f"inline; filename=\"_____.png\"; filename*=UTF-8''{quoted}"
    )
    forced = client.get(_page_url(png), {"download": "1"})
    assert forced["Content-Disposition"].startswith("attachment;")
    assert _body(forced) == PNG


def test_video_ranges_over_the_page(client, agent, draft):
    video = _add(agent, draft, name="演示.mp4", content=MP4, content_type="video/mp4")
    client.force_login(agent)
    whole = client.get(_page_url(video))
    assert whole.status_code == 200 and whole["Accept-Ranges"] == "bytes"
    assert _body(whole) == MP4 and whole["Content-Type"] == "video/mp4"

    part = client.get(_page_url(video), HTTP_RANGE="bytes=100-199")
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 100-199/{len(MP4)}"
    assert part["Content-Length"] == "100" and _body(part) == MP4[100:200]
    assert part["X-Content-Type-Options"] == "nosniff"

    tail = client.get(_page_url(video), HTTP_RANGE="bytes=-16")
    assert tail.status_code == 206 and _body(tail) == MP4[-16:]
    start = client.get(_page_url(video), HTTP_RANGE="bytes=0-")
    assert start.status_code == 206 and _body(start) == MP4

    beyond = client.get(_page_url(video), HTTP_RANGE=f"bytes={len(MP4)}-")
    assert beyond.status_code == 416 and beyond["Content-Range"] == f"bytes */{len(MP4)}"
    assert client.get(_page_url(video), HTTP_RANGE="bytes=9-3").status_code == 416

    stale = client.get(_page_url(video), HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE='"other"')
    assert stale.status_code == 200 and _body(stale) == MP4
    fresh = client.get(_page_url(video), HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE=whole["ETag"])
    assert fresh.status_code == 206 and _body(fresh) == MP4[:10]
    cached = client.get(_page_url(video), HTTP_IF_NONE_MATCH=whole["ETag"])
    assert cached.status_code == 304
    head = client.head(_page_url(video))
    assert head.status_code == 200 and head["Content-Length"] == str(len(MP4))
    assert client.post(_page_url(video)).status_code == 405


def test_asgi_streams_chunks_asynchronously(agent, draft):
    """Under ASGI (kefu serve) a synchronous body would be read whole into memory first; the
    download must hand Django an asynchronous iterator, for the whole file and for a range."""
    video = _add(agent, draft, name="演示.mp4", content=MP4, content_type="video/mp4")
    client = AsyncClient()
    client.force_login(agent)

    async def fetch(**headers):
        response: Any = await client.get(_page_url(video), headers=headers)
        body = b"".join([chunk async for chunk in response.streaming_content])
        return response, body

    whole, body = async_to_sync(fetch)()
    assert whole.status_code == 200 and whole.is_async and body == MP4
    assert whole["Content-Length"] == str(len(MP4)) and whole["Accept-Ranges"] == "bytes"
    part, body = async_to_sync(fetch)(Range="bytes=10-19")
    assert part.status_code == 206 and part.is_async and body == MP4[10:20]
    assert part["Content-Range"] == f"bytes 10-19/{len(MP4)}"


def test_text_files_are_downloaded_not_shown(client, agent, draft):
    note = _add(agent, draft, name="notes.md", content=b"# Hi\n<script>x</script>", content_type="")
    client.force_login(agent)
    response = client.get(_page_url(note))
    assert response["Content-Type"] == "text/markdown"
    assert response["Content-Disposition"] == (
        "attachment; filename=\"notes.md\"; filename*=UTF-8''notes.md"
    )


def test_draft_attachments_are_hidden_like_the_draft(client, agent, other_agent, manager, draft):
    attachment = _add(agent, draft)
    with pytest.raises(NotFound):
        article_attachment_get(user=other_agent, article_id=draft.pk, attachment_id=attachment.pk)
    assert article_attachment_get(user=agent, article_id=draft.pk, attachment_id=attachment.pk)
    client.force_login(other_agent)
    assert client.get(_page_url(attachment)).status_code == 404  # cannot see the draft
    assert client.post(_page_url(attachment) + "remove/").status_code == 404
    client.force_login(manager)
    assert client.get(_page_url(attachment)).status_code == 200  # reviewers see every article
    article_transition(actor=agent, article=draft, to=S.IN_REVIEW)
    article_transition(actor=manager, article=draft, to=S.PUBLISHED)
    client.force_login(other_agent)
    assert client.get(_page_url(attachment)).status_code == 200  # published: every agent
    page = client.get(f"/knowledge/articles/{draft.pk}/").content.decode()
    assert "说明.pdf" in page and 'name="files"' not in page  # no upload form for readers
    # Readers do not remove: the article is not theirs (and is published).
    client.post(_page_url(attachment) + "remove/")
    assert ArticleAttachment.objects.filter(pk=attachment.pk).exists()
    client.logout()
    response = client.get(_page_url(attachment))
    assert response.status_code == 302  # signed out: to the login page, never the file
    # An attachment id of another article is not found through this one.
    other = article_create(actor=manager, title="别的文章")
    assert client.get(
        f"/knowledge/articles/{other.pk}/attachments/{attachment.pk}/"
    ).status_code in (
        302,
        404,
    )
    client.force_login(manager)
    assert (
        client.get(f"/knowledge/articles/{other.pk}/attachments/{attachment.pk}/").status_code
        == 404
    )


def test_revision_attachments_wait_for_the_review(client, agent, other_agent, manager, draft):
    # Regression: a file added to a revision of a published article was shown to every agent
    # at once, before any reviewer had seen it.
    published = _add(agent, draft)
    article_transition(actor=agent, article=draft, to=S.IN_REVIEW)
    article_transition(actor=manager, article=draft, to=S.PUBLISHED)
    article_transition(actor=agent, article=draft, to=S.DRAFT)  # a revision
    added = _add(agent, draft, name="新规.pdf")
    client.force_login(other_agent)
    assert client.get(_page_url(published)).status_code == 200
    assert client.get(_page_url(added)).status_code == 404
    assert "新规.pdf" not in client.get(f"/knowledge/articles/{draft.pk}/").content.decode()
    listed = client.get(f"{API}/{draft.pk}/attachments").json()["items"]
    assert [item["id"] for item in listed] == [published.pk]
    detail = client.get(f"{API}/{draft.pk}").json()["attachments"]
    assert [item["id"] for item in detail] == [published.pk]
    # Its editors see it; once the revision is published, everyone does.
    assert article_attachment_get(user=agent, article_id=draft.pk, attachment_id=added.pk)
    assert article_attachment_get(user=manager, article_id=draft.pk, attachment_id=added.pk)
    article_transition(actor=agent, article=draft, to=S.IN_REVIEW)
    article_transition(actor=manager, article=draft, to=S.PUBLISHED)
    assert client.get(_page_url(added)).status_code == 200


def test_page_remove(client, agent, draft, django_capture_on_commit_callbacks):
    attachment = _add(agent, draft)
    stored = storage_path(attachment.storage_name)
    client.force_login(agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_page_url(attachment) + "remove/")
    assert response.status_code == 302
    assert not ArticleAttachment.objects.exists() and not stored.exists()


def test_missing_file_is_404_not_500(client, agent, draft):
    attachment = _add(agent, draft)
    storage_path(attachment.storage_name).unlink()
    client.force_login(agent)
    assert client.get(_page_url(attachment)).status_code == 404


# -- API ---------------------------------------------------------------------------------------


def test_api_upload_list_download_delete(
    client, agent, other_agent, draft, django_capture_on_commit_callbacks
):
    client.force_login(agent)
    url = f"{API}/{draft.pk}/attachments"
    created = client.post(url, {"file": SimpleUploadedFile("培训视频.webm", WEBM, "video/webm")})
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["kind"] == "video" and data["filename"] == "培训视频.webm"
    assert data["size"] == len(WEBM) and data["sha256"] == hashlib.sha256(WEBM).hexdigest()

    detail = client.get(f"{API}/{draft.pk}").json()
    assert [a["id"] for a in detail["attachments"]] == [data["id"]]
    assert client.get(url).json()["items"][0]["download_url"] == data["download_url"]

    download = client.get(data["download_url"])
    assert download.status_code == 200 and _body(download) == WEBM
    assert download["Content-Type"] == "video/webm"
    assert "filename*=UTF-8''" + quote("培训视频.webm", safe="") in download["Content-Disposition"]
    ranged = client.get(data["download_url"], HTTP_RANGE="bytes=4-7")
    assert ranged.status_code == 206 and _body(ranged) == WEBM[4:8]
    assert client.get(data["download_url"], HTTP_RANGE="bytes=99999-").status_code == 416

    refused = client.post(
        url, {"file": SimpleUploadedFile("x.exe", b"MZ", "application/x-msdownload")}
    )
    assert refused.status_code == 422 and refused.json()["field"] == "file"
    empty = client.post(url, {"file": SimpleUploadedFile("空.txt", b"", "text/plain")})
    assert empty.status_code == 422 and empty.json()["field"] == "file"
    assert client.post(url, {}).status_code == 422  # no file at all

    client.force_login(other_agent)
    assert client.get(data["download_url"]).status_code == 404  # the draft is not theirs
    assert client.delete(f"{url}/{data['id']}").status_code == 404

    client.force_login(agent)
    stored = storage_path(ArticleAttachment.objects.get().storage_name)
    with django_capture_on_commit_callbacks(execute=True):
        deleted = client.delete(f"{url}/{data['id']}")
    assert deleted.status_code == 204
    assert not ArticleAttachment.objects.exists() and not stored.exists()
    assert client.get(data["download_url"]).status_code == 404


def test_api_agent_cannot_attach_to_published_article_of_others(
    client, agent, other_agent, manager, draft
):
    article_transition(actor=agent, article=draft, to=S.IN_REVIEW)
    article_transition(actor=manager, article=draft, to=S.PUBLISHED)
    client.force_login(other_agent)
    response = client.post(
        f"{API}/{draft.pk}/attachments",
        {"file": SimpleUploadedFile("a.pdf", PDF, "application/pdf")},
    )
    assert response.status_code == 403
    client.force_login(agent)
    response = client.post(
        f"{API}/{draft.pk}/attachments",
        {"file": SimpleUploadedFile("a.pdf", PDF, "application/pdf")},
    )
    assert response.status_code == 409  # published: move it back to draft first

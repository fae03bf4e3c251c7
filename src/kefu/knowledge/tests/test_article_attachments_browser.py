"""Browser test of article attachments and video (TEC-5) in a real Chromium: the owner of a
draft uploads a real WebM video (recorded by the browser from a canvas) and a PNG image through
the page's multiple-file form; the image shows as a thumbnail, the embedded ``<video>`` loads
its metadata and plays from the server, a byte-range fetch answers 206, and removing the image
takes it off the page."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.test import Client

from kefu.knowledge.article_services import article_create
from kefu.knowledge.models import ArticleAttachment
from kefu.tests_support.browser import (  # noqa: F401  (fixtures used by name)
    NO_CHROMIUM,
    _orm_beside_playwright,
    browser,
    log_in,
    new_page,
    shot,
)

pytestmark = [
    NO_CHROMIUM,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed"
)
expect = sync_api.expect

# A real WebM and PNG made by the browser itself: nothing is downloaded, nothing is faked.
_MAKE_MEDIA = """
async () => {
  const canvas = document.createElement("canvas");
  canvas.width = 160; canvas.height = 120;
  const ctx = canvas.getContext("2d");
  const draw = (i) => { ctx.fillStyle = `hsl(${i * 30}, 80%, 50%)`; ctx.fillRect(0, 0, 160, 120);
                        ctx.fillStyle = "#fff"; ctx.fillText(String(i), 70, 60); };
  draw(0);
  const png = canvas.toDataURL("image/png").split(",")[1];
  const recorder = new MediaRecorder(canvas.captureStream(25), {mimeType: "video/webm"});
  const parts = [];
  recorder.ondataavailable = (event) => { if (event.data.size) parts.push(event.data); };
  const stopped = new Promise((resolve) => { recorder.onstop = resolve; });
  recorder.start(100);
  for (let i = 1; i <= 12; i++) { draw(i); await new Promise((r) => setTimeout(r, 80)); }
  recorder.stop();
  await stopped;
  const bytes = new Uint8Array(await new Blob(parts, {type: "video/webm"}).arrayBuffer());
  let binary = "";
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
  return {png, webm: btoa(binary)};
}
"""

_PLAY = """
async (video) => {
  video.muted = true;
  if (video.readyState < 1) {
    await new Promise((resolve, reject) => {
      video.addEventListener("loadedmetadata", resolve, {once: true});
      video.addEventListener("error", () => reject(new Error("video error")), {once: true});
      setTimeout(() => reject(new Error("no metadata")), 10000);
    });
  }
  await video.play();
  await new Promise((resolve) => {
    const check = () => (video.currentTime > 0 ? resolve() : setTimeout(check, 50));
    check();
  });
  video.pause();
  return {readyState: video.readyState, error: video.error, width: video.videoWidth};
}
"""


def test_upload_show_play_and_remove_in_the_browser(
    browser: Any, live_server: Any, settings: Any, tmp_path: Any, agent: Any
) -> None:
    settings.LANGUAGE_CODE = "en"
    settings.DATA_DIR = tmp_path
    article = article_create(actor=agent, title="退货流程演示", body="见视频")
    url = f"{live_server.url}/knowledge/articles/{article.pk}/"
    # The first request of a process loads every app's URLs and templates (seconds on a busy
    # machine): do it here, not inside the browser's 10 s navigation timeout.
    Client().get("/accounts/login/")
    page = new_page(browser, locale="en-US")
    try:
        log_in(page, live_server, agent.username)
        page.goto(url)
        media = page.evaluate(_MAKE_MEDIA)
        webm, png = base64.b64decode(media["webm"]), base64.b64decode(media["png"])
        assert webm[:4] == b"\x1a\x45\xdf\xa3" and png[:4] == b"\x89PNG"

        page.set_input_files(
            "#attach-files",
            [
                {"name": "退货演示.webm", "mimeType": "video/webm", "buffer": webm},
                {"name": "流程图.png", "mimeType": "image/png", "buffer": png},
            ],
        )
        page.get_by_role("button", name="Attach", exact=True).click()
        page.wait_for_url(url)
        expect(page.locator(".alert-success")).to_contain_text("Files attached: 2.")
        video_row = ArticleAttachment.objects.get(kind="video")
        image_row = ArticleAttachment.objects.get(filename="流程图.png")
        assert video_row.size == len(webm)

        thumbnail = page.locator(f"img[alt='{image_row.filename}']")
        expect(thumbnail).to_be_visible()
        assert thumbnail.evaluate("img => img.complete && img.naturalWidth") == 160

        video = page.locator("video")
        expect(video).to_have_attribute("preload", "metadata")
        played = video.evaluate(_PLAY)
        assert played["error"] is None and played["readyState"] >= 1 and played["width"] == 160

        source = f"/knowledge/articles/{article.pk}/attachments/{video_row.pk}/"
        ranged = page.evaluate(
            """async (src) => { const r = await fetch(src, {headers: {Range: "bytes=0-3"}});
                 return {status: r.status, range: r.headers.get("Content-Range"),
                         length: (await r.arrayBuffer()).byteLength}; }""",
            source,
        )
        assert ranged == {"status": 206, "range": f"bytes 0-3/{len(webm)}", "length": 4}
        shot(page, "knowledge-article-attachments.png")

        page.get_by_role("button", name=f"Remove {image_row.filename}").click()
        page.wait_for_url(url)
        expect(page.locator(".alert-success")).to_contain_text("Attachment removed.")
        expect(page.locator(f"img[alt='{image_row.filename}']")).to_have_count(0)
        assert not ArticleAttachment.objects.filter(pk=image_row.pk).exists()
    finally:
        page.context.close()

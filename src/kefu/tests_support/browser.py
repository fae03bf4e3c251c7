"""Headless Chromium for the browser tests and the chat benchmark: the system browser with the
project's flags (never a downloaded one), the pytest fixtures that run it beside the ORM, and a
customer's web site that carries only the chat widget's script tag.

Test modules import the fixtures by name::

    from kefu.tests_support.browser import _orm_beside_playwright, browser, page  # noqa: F401
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from kefu.tests_support.factories import TEST_PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 800}
REPO_ROOT = Path(__file__).resolve().parents[3]
SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"
NO_CHROMIUM = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}")


def chromium_launch(playwright: Any) -> Any:
    """The system Chromium, headless, with the flags every run uses."""
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )


@pytest.fixture(scope="module", autouse=True)
def _orm_beside_playwright() -> Iterator[None]:
    """Playwright's sync API keeps an asyncio loop running in this thread; the tests (and the
    database fixtures between them) still use the ORM here, which Django otherwise refuses."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="module")
def browser(_orm_beside_playwright: None, django_db_setup: None) -> Iterator[Any]:
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # While Playwright runs, asyncio reports a running loop in this thread, and Django's
    # connection handler then looks connections up in a per-context store: the ORM would get
    # fresh connections that lack the test database's serialized contents, so
    # ``serialized_rollback`` would silently restore nothing (the role groups created by
    # migrations would vanish after the first test). Keep the thread's own connections.
    own = {alias: connections[alias] for alias in connections}
    with sync_playwright() as playwright:
        for alias, connection in own.items():
            connections[alias] = connection
        chromium = chromium_launch(playwright)
        try:
            yield chromium
        finally:
            chromium.close()
            for alias in own:
                del connections[alias]


def new_page(browser: Any, locale: str = "zh-CN", viewport: dict[str, int] | None = None) -> Any:
    """A fresh browser context and page. Reduced motion turns Bootstrap's fades off, so
    screenshots never catch a half-open modal."""
    context = browser.new_context(
        viewport=viewport or VIEWPORT, locale=locale, reduced_motion="reduce"
    )
    context.set_default_timeout(10_000)
    return context.new_page()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    # An agent's workstation in China: the browser asks for Chinese, the product's default.
    opened = new_page(browser)
    yield opened
    opened.context.close()


def shot(page: Any, name: str, *, full_page: bool = True) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=full_page)


def log_in(page: Any, live_server: Any, username: str, password: str = TEST_PASSWORD) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("form:has(#id_password) button[type=submit]")
    page.wait_for_url(f"{live_server.url}/queues/mine/")


class ShopSite:
    """A customer's web site on its own 127.0.0.1 origin: one page holding the chat widget's
    script tag, so the widget talks to kefu cross-origin, through CORS, as on a real shop."""

    def __init__(self, kefu_url: str, key: str, lang: str = "zh-CN") -> None:
        html = (
            f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>商城</title>'
            "</head><body><h1>示例商城</h1><p>欢迎光临。</p>"
            f'<script src="{kefu_url}/chat/widget.js" data-widget="{key}" async></script>'
            "</body></html>"
        ).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(html)))
                self.end_headers()
                self.wfile.write(html)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
